"""People who sign in, the roles they hold, and their API tokens. All live in the public schema."""

import hashlib
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.roles import DISTRICT_ROLES, REGISTRY, Role
from houqin.tenancy import SchoolOwnedQuerySet


class User(AbstractUser):
    """A person who signs in: district staff, school staff, students, suppliers."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # The school that opened the account (on its host, or the centre for it): only that school's
    # roles are granted to it. None for the centre's own and external accounts.
    school = models.ForeignKey(
        "tenants.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("school"),
    )
    # Who opened the account, and so once knew its password: an approval never goes through an
    # account its preparer opened (houqin.duties).
    created_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    # Who last set the password for the account's owner, and so knew it too (houqin.duties).
    password_set_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("password set by"),
    )
    # Once given a supplier's or evaluator's role, an account stays external: it never holds a
    # staff role, even after that role is revoked.
    external = models.BooleanField(_("external account"), default=False)

    # Columns the audit trail never copies.
    audit_redacted_fields: ClassVar[tuple[str, ...]] = ("password",)

    school_field = ("school", "memberships__school")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # No superuser shortcut: every permission comes from roles (separation of duties).
        from django.contrib.auth.models import _user_has_perm  # type: ignore[attr-defined]

        return self.is_active and _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        from django.contrib.auth.models import _user_has_module_perms  # type: ignore[attr-defined]

        return self.is_active and _user_has_module_perms(self, app_label)


ROLE_CHOICES = [(role.value, spec.label) for role, spec in REGISTRY.items()]
DISTRICT_ROLE_VALUES = sorted(r.value for r in DISTRICT_ROLES)


class Membership(models.Model):
    """One role held by one user: in the district centre (no school) or in one school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
        db_index=False,
    )
    school = models.ForeignKey(
        "tenants.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("school"),
    )
    role = models.CharField(_("role"), max_length=32, choices=ROLE_CHOICES)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["Membership"].as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                name="membership_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=True, role__in=DISTRICT_ROLE_VALUES)
                    | (models.Q(school__isnull=False) & ~models.Q(role__in=DISTRICT_ROLE_VALUES))
                ),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return str(REGISTRY[self.role_enum].label)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_expiry() -> datetime:
    return timezone.now() + settings.API_TOKEN_LIFETIME


# When a token was last used is kept to within this much: one write per token per quarter hour
# of use, not one per request.
LAST_USED_PRECISION = timedelta(minutes=15)


def working_tokens() -> models.Q:
    """The tokens that still work: not revoked, not expired."""
    return models.Q(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """An API token. Only its hash is stored; the key is shown once, when it is created. It works
    until it expires (API_TOKEN_LIFETIME after it was issued, however much it is used) or is
    revoked, whichever comes first."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=token_expiry)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    audit_redacted_fields: ClassVar[tuple[str, ...]] = ("key_hash",)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def use_to_note(self, now: datetime) -> bool:
        """Whether a use at `now` is to be noted: the last one noted is older than
        LAST_USED_PRECISION, or there is none."""
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_PRECISION
