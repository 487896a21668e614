"""Writes about room changes (调宿): a pupil asks for their own, a class teacher for a pupil of
their class (the dorm manager may take one down for either); the dorm manager reviews it,
naming the bed and the day; the logistics director approves it, and the allocation moves
through the allocation service (history kept, the bed's and the room's rules checked again,
under the same locks), or nothing is saved at all. Either step may refuse, saying why. Once
approved or refused, whoever asked is told through the notice outbox: a pupil's guardians when
the pupil asked, else the class teacher (or dorm manager) who did."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.permissions import has_perm
from shared_apps.accounts.actors import person
from tenant_apps.dorms.models import Allocation, Bed, Guardian, RoomChange
from tenant_apps.dorms.selectors import current
from tenant_apps.dorms.services.allocations import allocation_move
from tenant_apps.notices.services import notify, notify_user
from tenant_apps.people import selectors as people
from tenant_apps.people.models import Student

REVIEWS = "dorms.review_roomchange"


class _Trial(Exception):
    """Raised to roll back the move a review tries out."""


@service
def room_change_request(
    *, reason: str, student: Student | None = None, bed: Bed | None = None, actor: Actor
) -> RoomChange:
    """Ask for `student` (the actor's own record when not given) to move, for `reason`, to
    `bed` when they have one in mind. One request is open at a time per pupil."""
    if not reason.strip():
        raise InvalidInput(_("Say why."), code="required", fields={"reason": [_("Required.")]})
    student = _whose(student, actor)
    today = timezone.localdate()
    if not Allocation.objects.filter(current(today), student=student).exists():
        message = _("The student has no bed to change.")
        raise InvalidInput(message, code="student_not_housed", fields={"student": [message]})
    Student.objects.select_for_update().get(pk=student.pk)
    try:
        with transaction.atomic():
            return RoomChange.objects.create(
                student=student, reason=reason.strip(), bed=bed, requested_by=person(actor)
            )
    except IntegrityError:
        raise Conflict(
            _("The student has a room change waiting already."), code="room_change_open"
        ) from None


def _whose(student: Student | None, actor: Actor) -> Student:
    """The pupil the actor may ask for: themselves, a pupil of a class they teach, anyone for
    the dorm manager. Anyone else's pupil is answered as an unknown one."""
    user = person(actor)
    own = people.student_of(user_id=user.pk) if user is not None else None
    if student is None:
        if own is None:
            message = _("Name the student.")
            raise InvalidInput(message, code="required", fields={"student": [message]})
        return own
    if user is None or has_perm(user, REVIEWS) or (own is not None and own.pk == student.pk):
        return student
    taught = people.pupils_taught(user_id=user.pk, on=timezone.localdate())
    if not taught.filter(pk=student.pk).exists():
        message = _("Not one of your pupils.")
        raise InvalidInput(message, code="not_your_pupil", fields={"student": [message]})
    return student


@service
def room_change_review(
    *,
    room_change: RoomChange,
    approve: bool,
    bed: Bed | None = None,
    move_on: date | None = None,
    refusal: str = "",
    actor: Actor,
) -> RoomChange:
    """The dorm manager's step: pass the request on to the logistics director naming the bed
    and the day of the move (the move is tried out now, as the allocation service would make
    it, and rolled back: a bed of the other sex, taken or full is refused here already), or
    refuse it saying why."""
    locked = _open(room_change, RoomChange.Status.REQUESTED)
    locked.reviewed_by = person(actor)
    locked.reviewed_at = timezone.now()
    if not approve:
        return _refused(locked, refusal, ["reviewed_by", "reviewed_at"], actor)
    bed = bed or locked.bed
    if bed is None:
        message = _("Name the bed.")
        raise InvalidInput(message, code="required", fields={"bed": [message]})
    move_on = move_on or timezone.localdate()
    if move_on < timezone.localdate():
        message = _("The move cannot be in the past.")
        raise InvalidInput(message, code="move_in_past", fields={"move_on": [message]})
    try:
        with transaction.atomic():
            _move(locked, bed, move_on, actor)
            raise _Trial
    except _Trial:
        pass
    locked.bed = bed
    locked.move_on = move_on
    locked.status = RoomChange.Status.REVIEWED
    locked.save(update_fields=["bed", "move_on", "status", "reviewed_by", "reviewed_at"])
    return locked


@service
def room_change_decide(
    *, room_change: RoomChange, approve: bool, refusal: str = "", actor: Actor
) -> RoomChange:
    """The logistics director's step on a reviewed request: approve it, and the allocation
    moves (on the day reviewed, or today when that has passed), or refuse it saying why. If
    the move breaks a rule by now (the bed was taken since the review) the approval is
    refused with that rule and nothing is saved."""
    locked = _open(room_change, RoomChange.Status.REVIEWED)
    user = person(actor)
    if user is not None and locked.reviewed_by_id == user.pk:
        raise Conflict(
            _("Whoever reviewed a room change cannot approve it."), code="separation_of_duties"
        )
    locked.decided_by = user
    locked.decided_at = timezone.now()
    if not approve:
        return _refused(locked, refusal, ["decided_by", "decided_at"], actor)
    assert locked.bed is not None and locked.move_on is not None
    move_on = max(locked.move_on, timezone.localdate())
    locked.allocation = _move(locked, locked.bed, move_on, actor)
    locked.move_on = move_on
    locked.status = RoomChange.Status.APPROVED
    locked.save(update_fields=["allocation", "move_on", "status", "decided_by", "decided_at"])
    _tell_requester(locked, actor)
    return locked


def _open(room_change: RoomChange, status: str) -> RoomChange:
    locked = RoomChange.objects.select_for_update().get(pk=room_change.pk)
    if locked.status != status:
        raise Conflict(
            _("The room change is not waiting for this step."), code="room_change_decided"
        )
    return locked


def _refused(locked: RoomChange, refusal: str, fields: list[str], actor: Actor) -> RoomChange:
    if not refusal.strip():
        message = _("Say why it is refused.")
        raise InvalidInput(message, code="required", fields={"refusal": [message]})
    locked.status = RoomChange.Status.REFUSED
    locked.refusal = refusal.strip()
    locked.save(update_fields=["status", "refusal", *fields])
    _tell_requester(locked, actor)
    return locked


def _tell_requester(decided: RoomChange, actor: Actor) -> None:
    """Tell whoever asked how the room change was decided, once: the pupil's guardians (by SMS)
    when the pupil asked for their own, else the member of staff who asked."""
    asker = decided.requested_by
    if asker is None:
        return
    student = Student.objects.get(pk=decided.student_id)
    if decided.status == RoomChange.Status.APPROVED:
        assert decided.bed is not None and decided.move_on is not None
        body = _("%(name)s's room change is approved: bed %(room)s-%(bed)s from %(day)s.") % {
            "name": student.name,
            "room": decided.bed.room.number,
            "bed": decided.bed.number,
            "day": decided.move_on.isoformat(),
        }
    else:
        body = _("%(name)s's room change is refused: %(why)s") % {
            "name": student.name,
            "why": decided.refusal,
        }
    subject = _("Room change decided")
    key = f"dorms.room_change:{decided.pk}"
    if student.user_id == asker.pk:
        for guardian in Guardian.objects.filter(student=student):
            notify(
                channel="sms",
                recipient=guardian.phone,
                subject=subject,
                body=body,
                key=f"{key}:guardian:{guardian.pk}",
                actor=actor,
            )
        return
    notify_user(
        user_id=asker.pk,
        email=asker.email,
        subject=subject,
        body=body,
        key=f"{key}:user:{asker.pk}",
        actor=actor,
    )


def _move(locked: RoomChange, bed: Bed, on: date, actor: Actor) -> Allocation:
    """Move the pupil to `bed` on day `on` through the allocation service."""
    stay = Allocation.objects.filter(current(on), student_id=locked.student_id).first()
    if stay is None:
        raise Conflict(_("The student has no bed to change."), code="student_not_housed")
    if stay.bed_id == bed.pk:
        message = _("The student sleeps in that bed already.")
        raise InvalidInput(message, code="same_bed", fields={"bed": [message]})
    return allocation_move(allocation=stay, bed=bed, on=on, actor=actor)
