"""Writes about users, memberships and API tokens."""

import secrets
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from houqin.exceptions import Conflict, InvalidInput, NotPermitted, TooManyAttempts
from houqin.permissions import forget_roles, roles_of
from houqin.roles import DISTRICT_ROLES, Role
from shared_apps.accounts.models import ApiToken, Membership, User, hash_token_key
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from tenants.models import School


def user_create(
    *, username: str, password: str, display_name: str = "", email: str = "", actor: Any = None
) -> User:
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("A username is required."), fields={"username": [_("Required.")]})
    candidate = User(username=username, display_name=display_name, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise InvalidInput(
            exc.messages[0], code="weak_password", fields={"password": exc.messages}
        ) from exc
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:
        raise Conflict(_("This username is taken."), code="duplicate_username") from exc
    return candidate


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: Any = None,
    display_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
) -> User:
    if is_active is False and actor is not None and actor.pk == user.pk:
        raise InvalidInput(_("You cannot deactivate yourself."), code="self_deactivation")
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email
    if is_active is not None:
        user.is_active = is_active
    user.save()
    return user


def membership_grant(
    *, user: User, role: str, school: School | None, actor: Any = None
) -> Membership:
    """Give `user` a role: a district role (school None) or a role in `school`."""
    try:
        role_enum = Role(role)
    except ValueError as exc:
        raise InvalidInput(_("Unknown role."), fields={"role": [_("Unknown role.")]}) from exc
    if (role_enum in DISTRICT_ROLES) != (school is None):
        message = (
            _("A district role is held in the centre, not in a school.")
            if school is not None
            else _("A school role needs a school.")
        )
        raise InvalidInput(message, code="role_scope", fields={"role": [message]})
    if (
        actor is not None
        and role_enum in DISTRICT_ROLES
        and Role.DISTRICT_ADMIN not in roles_of(actor)
    ):
        raise NotPermitted(_("Only a district administrator grants district roles."))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, role=role_enum.value, school=school, granted_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(_("This user already holds this role here."), code="duplicate") from exc
    forget_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: Any = None) -> None:
    if (
        actor is not None
        and membership.user_id == actor.pk
        and membership.role
        in (
            Role.DISTRICT_ADMIN,
            Role.LOGISTICS_DIRECTOR,
        )
    ):
        raise InvalidInput(_("You cannot revoke your own administrator role."), code="self_revoke")
    membership.delete()


def token_create(*, username: str, password: str, request: Any) -> str:
    """Check the credentials and issue a token for a user who holds a role on this host.
    Returns the key; only its hash is stored."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts(
            _("Too many wrong passwords: this account is locked for a while. Try again later."),
            code="locked_out",
        )
    if user is None or not roles_of(user):
        if user is not None:
            security_event_record(
                kind=SecurityEvent.Kind.LOGIN_FAILED,
                request=request,
                user=user,
                detail={"reason": "no role on this host"},
            )
        raise InvalidInput(
            _("Unable to sign in here with these credentials."), code="invalid_credentials"
        )
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=hash_token_key(key))
        security_event_record(
            kind=SecurityEvent.Kind.TOKEN_CREATED,
            request=request,
            user=user,
            detail={"token_id": token.pk},
        )
    return key
