"""Writes about leave (请假): asked for by a class teacher or the dorm manager for a guardian,
approved or rejected by the dorm manager; a student's standing leaves never overlap."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.dorms.models import Leave
from tenant_apps.people.models import Student


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
