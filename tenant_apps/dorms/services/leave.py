"""Writes about leave (请假): asked for by a class teacher or the dorm manager for a guardian,
approved or rejected by the dorm manager; a student's standing leaves never overlap. A pupil not
back through the door by the end of their leave is overdue: the dorm managers are told."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.accounts import selectors as accounts
from shared_apps.accounts.actors import person
from tenant_apps.dorms.models import Leave
from tenant_apps.dorms.selectors import leaves_overdue
from tenant_apps.notices.services import notify_user
from tenant_apps.people.models import Student
from tenants.selectors import current_school


@service
def leave_request(
    *, student: Student, reason: str, starts_at: datetime, ends_at: datetime, actor: Actor
) -> Leave:
    if ends_at <= starts_at:
        message = _("The leave ends after it starts.")
        raise InvalidInput(message, code="ends_before_start", fields={"ends_at": [message]})
    if not reason.strip():
        raise InvalidInput(_("Say why."), code="required", fields={"reason": [_("Required.")]})
    Student.objects.select_for_update().get(pk=student.pk)
    try:
        with transaction.atomic():
            return Leave.objects.create(
                student=student,
                reason=reason.strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                requested_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("The student has another leave at that time."), code="leave_overlaps"
        ) from None


@service
def leave_decide(*, leave: Leave, approve: bool, actor: Actor) -> Leave:
    locked = Leave.objects.select_for_update().get(pk=leave.pk)
    if locked.status != Leave.Status.REQUESTED:
        raise Conflict(_("The leave has been decided already."), code="leave_decided")
    locked.status = Leave.Status.APPROVED if approve else Leave.Status.REJECTED
    locked.decided_by = person(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


# How far back the overdue check looks: a leave that ended longer ago than this is not raised.
OVERDUE_LOOKBACK = timedelta(days=2)


@service
def overdue_returns_alert(*, now: datetime, actor: Actor) -> list[Leave]:
    """Tell each dorm manager of the school (by e-mail, or on the console without one) about
    every approved leave that ended by `now` without the pupil coming back through the door;
    once per leave and manager, however often it runs."""
    overdue = list(leaves_overdue(now=now, since=now - OVERDUE_LOOKBACK))
    managers = (
        accounts.membership_list()
        .for_school(current_school())
        .filter(role=Role.DORM_MANAGER)
        .values_list("user_id", "user__email")
    )
    for leave in overdue:
        body = _("%(name)s (%(class)s) was due back from leave at %(end)s and has not come in.") % {
            "name": leave.student.name,
            "class": leave.student.class_name,
            "end": timezone.localtime(leave.ends_at).strftime("%Y-%m-%d %H:%M"),
        }
        for user_id, email in managers:
            notify_user(
                user_id=user_id,
                email=email,
                subject=_("Overdue return from leave"),
                body=body,
                key=f"dorms.overdue:{leave.pk}:{user_id}",
                actor=actor,
            )
    return overdue
