"""Writes about the staff list: the school's staff members, each linked to at most one of the
school's own staff accounts."""

from datetime import date
from typing import TypedDict, Unpack

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.permissions import current_school_id
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import is_school_staff
from tenant_apps.people.models import StaffMember
from tenant_apps.people.services._common import others


def _check_staff_user(user: User | None, *, staff_member: StaffMember | None) -> None:
    if user is None:
        return
    # A staff record names one of the school's own staff: not a student, not a district officer
    # (whose roles hold everywhere) and never a supplier's or an evaluator's account.
    if not is_school_staff(user=user, school_id=current_school_id()):
        raise InvalidInput(
            _("That user holds no staff role in this school."),
            fields={"username": [_("Not a member of the staff.")]},
        )
    taken = others(StaffMember.objects.filter(user=user), staff_member)
    if taken.exists():
        raise Conflict(
            _("That user is already linked to another staff member."),
            code="user_already_linked",
            fields={"username": [_("Already linked.")]},
        )


def _check_staff_dates(hired_on: date | None, left_on: date | None) -> None:
    if hired_on and left_on and left_on < hired_on:
        raise InvalidInput(
            _("The leaving date is before the hiring date."),
            fields={"left_on": [_("Before the hiring date.")]},
        )


@service
def staff_member_create(
    *,
    name: str,
    position: str,
    phone: str = "",
    user: User | None = None,
    hired_on: date | None = None,
    actor: Actor,
) -> StaffMember:
    if not name.strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    _check_staff_user(user, staff_member=None)
    return StaffMember.objects.create(
        name=name.strip(), position=position, phone=phone.strip(), user=user, hired_on=hired_on
    )


class StaffMemberChanges(TypedDict, total=False):
    name: str
    position: str
    phone: str
    user: User | None
    hired_on: date | None
    left_on: date | None
    active: bool


@service
def staff_member_update(
    *, staff_member: StaffMember, actor: Actor, **changes: Unpack[StaffMemberChanges]
) -> StaffMember:
    """Change a staff member's details; `active=False` without `left_on` records today."""
    locked = StaffMember.objects.select_for_update().get(pk=staff_member.pk)
    if "user" in changes:
        _check_staff_user(changes["user"], staff_member=locked)
    if "name" in changes and not changes["name"].strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    for key in ("name", "position", "phone", "user", "hired_on", "left_on", "active"):
        if key in changes:
            value = changes[key]
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
    if not locked.active and locked.left_on is None:
        locked.left_on = timezone.localdate()
    if locked.active and "active" in changes:
        locked.left_on = None
    _check_staff_dates(locked.hired_on, locked.left_on)
    locked.save()
    return locked
