"""The permission choke point: which roles a user holds on this host, what they may do, and the
one restricting selector every API queryset goes through.

Who holds which role is the accounts app's to say (its memberships): it hands its selector over
in its AppConfig.ready (`role_names_from`), so that the choke point imports no app."""

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from houqin import access
from houqin.roles import EXTERNAL_ROLES, Role, allows, allows_own, grants_of
from houqin.tenancy import SchoolScope, scoped_here

M = TypeVar("M", bound=models.Model)
AnyUser = AbstractBaseUser | AnonymousUser

_ROLES_CACHE = "_houqin_roles"


class RoleNames(Protocol):
    def __call__(self, *, user_id: int, school_id: int | None) -> Iterable[str]: ...


_role_names: RoleNames | None = None


def role_names_from(source: RoleNames) -> None:
    """Answer who holds which role with `source`: a user's district roles, plus their roles in
    the school `school_id` when it is given."""
    global _role_names
    _role_names = source


def current_school_id() -> int | None:
    """The school whose schema is in force, or None in the district centre (public schema)."""
    return SchoolScope.here().school_id


def roles_of(user: AnyUser) -> frozenset[Role]:
    """The roles `user` holds here: their district roles, plus their roles in the current school.
    Read once per request, and from the database once per generation of access (houqin.access):
    a membership granted or revoked holds from the next request.

    An external account (one holding a district-host-only role) holds nothing on a school's host,
    so that a school's host issues it no token, signs it in nowhere and answers it nothing."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    school_id = current_school_id()
    memo: dict[int | None, frozenset[Role]] = user.__dict__.setdefault(_ROLES_CACHE, {})
    if school_id not in memo:
        if _role_names is None:
            raise ImproperlyConfigured("No installed app says who holds which role.")
        source = _role_names
        names = access.remembered(
            f"houqin:roles:{user.pk}:{school_id}",
            lambda: list(source(user_id=user.pk, school_id=school_id)),
        )
        roles = frozenset(Role(r) for r in names or ())
        if school_id is not None and roles & EXTERNAL_ROLES:
            roles = frozenset()
        memo[school_id] = roles
    return memo[school_id]


def forget_roles(user: AnyUser) -> None:
    user.__dict__.pop(_ROLES_CACHE, None)


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def has_perm(user: AnyUser, perm: str) -> bool:
    return allows(grants_of(roles_of(user)), perm)


def restrict(queryset: "models.QuerySet[M]", user: AnyUser, action: str) -> "models.QuerySet[M]":
    """The rows of `queryset` that `user` may `action` here; nothing when they may not.

    On a school's host, rows that belong to schools are that school's (houqin.tenancy), whatever
    the caller asked. Whole-model grants come from the role registry; `:own` grants narrow to the
    rows the user owns (the model's `owner_field`); object grants (django-guardian, in the
    school's schema) add the single rows someone was given.
    """
    queryset = scoped_here(queryset)
    model = queryset.model
    perm = permission_name(model, action)
    grants = grants_of(roles_of(user))
    if not grants:
        return queryset.none()
    if allows(grants, perm):
        return queryset
    allowed = models.Q(pk__in=[])
    owner_field: str | None = getattr(model, "owner_field", None)
    if owner_field and allows_own(grants, perm):
        allowed |= models.Q(**{owner_field: user})
    if getattr(model, "object_grants", False):
        from guardian.shortcuts import get_objects_for_user

        granted = get_objects_for_user(
            user, perm, klass=model, with_superuser=False, accept_global_perms=False
        )
        allowed |= models.Q(pk__in=granted.values("pk"))
    return queryset.filter(allowed)


class RoleBackend:
    """Django authentication backend answering permission checks from the role registry, so that
    the admin and `user.has_perm` agree with the API."""

    def authenticate(
        self,
        request: Any,  # noqa: ARG002 (Django's backend signature)
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        User = get_user_model()
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work whether or not the user exists
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None

    def get_user(self, user_id: int) -> Any:
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()

    def has_perm(self, user_obj: AnyUser, perm: str, obj: Any = None) -> bool:
        if obj is not None:
            return False  # object grants are answered by guardian's backend
        return has_perm(user_obj, perm)

    def has_module_perms(self, user_obj: AnyUser, app_label: str) -> bool:
        grants = grants_of(roles_of(user_obj))
        return any(g.split(".", 1)[0] in (app_label, "*") for g in grants)
