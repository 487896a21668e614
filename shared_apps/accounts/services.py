"""Writes about users, memberships and API tokens."""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import access
from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput, NotPermitted
from houqin.permissions import forget_roles
from houqin.roles import (
    DISTRICT_ROLES,
    DISTRICT_STAFF_ROLES,
    EXTERNAL_ROLES,
    REGISTRY,
    Role,
    appointable_by,
)
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import (
    LAST_USED_PRECISION,
    ApiToken,
    Membership,
    User,
    hash_token_key,
)
from shared_apps.accounts.selectors import role_names_for, token_cache_key
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from tenants.models import School


@service
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    school: School | None = None,
    actor: Actor,
) -> User:
    """Open an account: for `school` (only that school's roles are granted to it) or, without
    one, for the centre or an external person."""
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("A username is required."), fields={"username": [_("Required.")]})
    candidate = User(
        username=username,
        display_name=display_name,
        email=email,
        school=school,
        created_by=person(actor),
    )
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


@service
def user_update(
    *,
    user: User,
    actor: Actor,
    display_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
) -> User:
    if is_active is False and actor.pk == user.pk:
        raise InvalidInput(_("You cannot deactivate yourself."), code="self_deactivation")
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email
    if is_active is not None:
        user.is_active = is_active
    user.save()
    return user


@service
def password_change(*, current: str, new: str, actor: User) -> None:
    """The signed-in person changes their own password: the current one first, then the same
    rules as for a new account."""
    if not actor.check_password(current):
        raise InvalidInput(
            _("The current password is not right."),
            code="wrong_password",
            fields={"current": [_("The current password is not right.")]},
        )
    try:
        validate_password(new, user=actor)
    except ValidationError as exc:
        raise InvalidInput(
            exc.messages[0], code="weak_password", fields={"new": exc.messages}
        ) from exc
    actor.set_password(new)
    actor.save(update_fields=["password"])


def _held_here(actor: User, school: School | None) -> frozenset[Role]:
    """The actor's roles where they act: the district's, plus the school's when given."""
    return frozenset(
        Role(name)
        for name in role_names_for(user_id=actor.pk, school_id=school.pk if school else None)
    )


def _may_set_password(*, actor: User, user: User, school: School | None) -> None:
    """Refuse unless `actor` may set `user`'s password where they act (`school`, None on the
    district host): the district administrator for anyone but a district administrator; a
    school's logistics director for an account of their school holding only roles they appoint
    there. Never one's own: that is the password page, with the current password."""
    if actor.pk == user.pk:
        raise NotPermitted(
            _("Change your own password on the password page, with your current one."),
            code="own_password",
        )
    # Every role the person holds, anywhere: the schools are the query's own.
    held = Membership.objects.across_schools().filter(user=user)
    roles = {(Role(name), where) for name, where in held.values_list("role", "school_id")}
    mine = _held_here(actor, school)
    if Role.DISTRICT_ADMIN in mine:
        if any(role == Role.DISTRICT_ADMIN for role, _where in roles):
            raise NotPermitted(
                _("A district administrator's password is set only outside the application."),
                code="district_admin_password",
            )
        return
    appointed = appointable_by(mine)
    of_school = school is not None and (
        user.school_id == school.pk or any(where == school.pk for _role, where in roles)
    )
    if not appointed or not of_school:
        raise NotPermitted(
            _("Your roles here do not let you set this person's password."),
            code="not_password_setter",
        )
    assert school is not None
    if any(role not in appointed or where != school.pk for role, where in roles):
        raise NotPermitted(
            _(
                "This person holds a role you do not appoint; the district centre sets their "
                "password."
            ),
            code="not_password_setter",
        )


@service
def user_password_set(*, user: User, password: str, school: School | None, actor: Actor) -> User:
    """Set a new password for someone who lost theirs, as `actor` acting on the district host
    (`school` None) or on `school`'s host: see `_may_set_password` for who may. The same rules as
    for a new account; whoever sets it knew it, as whoever opened the account did
    (houqin.duties)."""
    if isinstance(actor, User):
        _may_set_password(actor=actor, user=user, school=school)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput(
            exc.messages[0], code="weak_password", fields={"password": exc.messages}
        ) from exc
    user.set_password(password)
    user.password_set_by = person(actor)
    user.save(update_fields=["password", "password_set_by"])
    return user


def _may_appoint(*, actor: User, user_id: int, role: Role, school: School | None) -> None:
    """Refuse unless the actor's roles there appoint `role` (houqin.roles), for someone else."""
    if actor.pk == user_id:
        raise NotPermitted(_("Nobody grants or revokes their own roles."), code="own_role")
    if role not in appointable_by(_held_here(actor, school)):
        raise NotPermitted(
            _("Your roles here do not let you grant or revoke the role %(role)s.")
            % {"role": REGISTRY[role].label},
            code="not_appointable",
        )


def _unfit(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={"username": [message]})


def _check_fits(*, user: User, role: Role, school: School | None) -> None:
    """Refuse a role the account is not for: external roles only to accounts opened for them,
    holding no other role; district staff roles only to the centre's own accounts; a school's
    roles only to that school's accounts (opened for it, or already holding a role there)."""
    others = [
        (Role(name), school_id)
        for name, school_id in Membership.objects.across_schools()
        .filter(user=user)
        .exclude(role=role.value, school=school)
        .values_list("role", "school_id")
    ]
    if role in EXTERNAL_ROLES:
        if user.school_id is not None or others:
            raise _unfit(
                _("Supplier and evaluator roles go only to accounts opened for them."),
                "not_an_external_account",
            )
        return
    if user.external or any(held in EXTERNAL_ROLES for held, _where in others):
        raise _unfit(
            _("A supplier's or an evaluator's account never holds a staff role."),
            "external_account",
        )
    if school is None:
        if user.school_id is not None or any(where is not None for _held, where in others):
            raise _unfit(
                _("District roles go only to the centre's own accounts."),
                "not_a_district_account",
            )
        return
    of_school = user.school_id == school.pk or any(where == school.pk for _held, where in others)
    if not of_school or any(held in DISTRICT_STAFF_ROLES for held, _where in others):
        raise _unfit(
            _("This school's roles go only to this school's own accounts."),
            "not_a_school_account",
        )


@service
def membership_grant(*, user: User, role: str, school: School | None, actor: Actor) -> Membership:
    """Give `user` a role: a district role (school None) or a role in `school`. A person grants
    only a role their own roles there appoint, never to themselves; whoever grants (the system
    too: seeding), the account must fit the role."""
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
    if isinstance(actor, User):
        _may_appoint(actor=actor, user_id=user.pk, role=role_enum, school=school)
    return _grant(user=user, role=role_enum, school=school, actor=actor)


@service
def supplier_role_grant(*, user: User, actor: Actor) -> Membership:
    """Give the supplier role to an account opened for a supplier's staff: part of opening it
    (procurement's `supplier_account_create`, by the procurement officer), never appointed."""
    return _grant(user=user, role=Role.SUPPLIER, school=None, actor=actor)


def _grant(*, user: User, role: Role, school: School | None, actor: Actor) -> Membership:
    # One grant at a time per account, so that two grants cannot both pass the checks.
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_fits(user=locked, role=role, school=school)
    if role in EXTERNAL_ROLES and not locked.external:
        User.objects.filter(pk=locked.pk).update(external=True)
        user.external = True
        access.access_changed()  # an update sends no signal
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, role=role.value, school=school, granted_by=person(actor)
            )
    except IntegrityError as exc:
        raise Conflict(_("This user already holds this role here."), code="duplicate") from exc
    forget_roles(user)
    return membership


@service
def membership_revoke(*, membership: Membership, actor: Actor) -> None:
    """Take a role away: by the same rule as granting it (never one's own)."""
    if isinstance(actor, User):
        _may_appoint(
            actor=actor,
            user_id=membership.user_id,
            role=membership.role_enum,
            school=membership.school,
        )
    membership.delete()
    forget_roles(membership.user)


@service
def token_issue(*, actor: User, request: HttpRequest) -> str:
    """Issue a token to `actor`, who signed in with their password (accounts.signin). Returns
    the key; only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        key_hash=hash_token_key(key),
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    security_event_record(
        kind=SecurityEvent.Kind.TOKEN_CREATED,
        request=request,
        actor=actor,
        detail={"token_id": token.pk, "expires_at": token.expires_at.isoformat()},
    )
    return key


@service
def token_revoke(*, token: ApiToken, actor: Actor, request: HttpRequest) -> ApiToken:
    """Stop `token` working now. The caller checked that `actor` may: their own token, or
    anyone's for the district administrator."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise Conflict(_("This token has already been revoked."), code="already_revoked")
    token.revoked_at = timezone.now()
    token.revoked_by = person(actor)
    token.save(update_fields=["revoked_at", "revoked_by"])
    security_event_record(
        kind=SecurityEvent.Kind.TOKEN_REVOKED,
        request=request,
        actor=actor,
        detail={"token_id": token.pk, "owner_id": token.user_id},
    )
    return token


@service
def token_mark_used(*, token: ApiToken, actor: Actor) -> None:
    """Note that `token` was used (by its owner, `actor`), to within a quarter hour
    (`ApiToken.use_to_note`): the copy the cache keeps is dropped, so that the next request
    reads the use noted."""
    now = timezone.now()
    if not token.use_to_note(now):
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION),
        pk=token.pk,
    ).update(last_used_at=now)
    token.last_used_at = now
    access.forget(token_cache_key(token.key_hash))
