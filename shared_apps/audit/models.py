"""The audit trail (every row change in every schema, written by database triggers), security
events (sign-ins, failures, tokens, reads of personal data) and auditors' findings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.tenancy import SchoolOwnedQuerySet


class Change(models.Model):
    """One inserted, updated or deleted row, in any schema; appended by a trigger, never altered."""

    class Operation(models.TextChoices):
        INSERT = "INSERT", _("insert")
        UPDATE = "UPDATE", _("update")
        DELETE = "DELETE", _("delete")

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    schema_name = models.CharField(_("schema"), max_length=63)
    table_name = models.CharField(_("table"), max_length=63)
    operation = models.CharField(_("operation"), max_length=6, choices=Operation.choices)
    row_id = models.CharField(_("row id"), max_length=64)
    before = models.JSONField(_("before"), null=True)
    after = models.JSONField(_("after"), null=True)
    actor_id = models.BigIntegerField(_("actor"), null=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, null=True, db_index=True)

    school_field = "schema_name"
    objects = SchoolOwnedQuerySet["Change"].as_manager()

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-id"]
        indexes = [models.Index(fields=["schema_name", "table_name", "row_id"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.schema_name}.{self.table_name}#{self.row_id}"


class SecurityEvent(models.Model):
    """A sign-in, a failed sign-in, a sign-out, a token issued or revoked, a read of unmasked
    personal data, or a read of what a tender kept sealed until its opening (bids' contents,
    reserve prices). Appended by the application, never altered."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("sign-in failed")
        LOGOUT = "logout", _("signed out")
        TOKEN_CREATED = "token_created", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        PERSONAL_DATA_READ = "personal_data_read", _("personal data read unmasked")
        SEALED_ITEM_READ = "sealed_item_read", _("sealed tender item read after opening")

    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    user_id = models.BigIntegerField(_("user"), null=True, db_index=True)
    username = models.CharField(_("username given"), max_length=150, blank=True)
    schema_name = models.CharField(_("schema"), max_length=63)
    host = models.CharField(_("host"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True)
    request_id = models.CharField(_("request id"), max_length=64, null=True)
    detail = models.JSONField(_("detail"), default=dict)

    school_field = "schema_name"
    objects = SchoolOwnedQuerySet["SecurityEvent"].as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.username} {self.occurred_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """An auditor's finding about a school (or the centre), followed until it is rectified."""

    class Severity(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RECTIFYING = "rectifying", _("being rectified")
        CLOSED = "closed", _("closed")

    school = models.ForeignKey(
        "tenants.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("school"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    # The day by which whoever it concerns must have rectified it (整改期限); none: no deadline.
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["Finding"].as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "rectify_by"], name="audit_finding_due")]

    def __str__(self) -> str:
        return self.title
