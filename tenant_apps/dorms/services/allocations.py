"""Writes about who sleeps in which bed: one allocation at a time per bed and per student,
closed rather than overwritten, the student's boarding flag following."""

from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.subsidies import closing
from shared_apps.subsidies.models import MonthCorrection, Programme
from tenant_apps.canteen import selectors as calendar
from tenant_apps.dorms.models import NO_UPPER_BUNK_GRADES, Allocation, Bed, FeeCharge, stage_of
from tenant_apps.dorms.selectors import current, from_on
from tenant_apps.dorms.services import fees
from tenant_apps.people.models import Student


def _refusal(student: Student, bed: Bed) -> tuple[str, str] | None:
    """Why `student` may not sleep in `bed` (its room's sex, stage and bunk), as (code, text)."""
    room = bed.room
    if student.status != Student.Status.ACTIVE:
        return "student_left", _("The student has left the school.")
    if not bed.in_service:
        return "bed_out_of_service", _("The bed is out of service.")
    if room.sex != student.gender:
        return "wrong_sex", _("The room is for pupils of the other sex.")
    if room.stage != stage_of(student.grade):
        return "wrong_stage", _("The room is for pupils of another stage.")
    if bed.bunk == Bed.Bunk.UPPER and student.grade in NO_UPPER_BUNK_GRADES:
        return "upper_bunk", _("Pupils of grades 1 to 3 do not sleep in an upper bunk.")
    return None


def _boarding_follows(student_ids: list[int], on: date) -> None:
    """Each student's boarding flag says whether an allocation covers day `on`."""
    housed = set(
        Allocation.objects.filter(current(on), student_id__in=student_ids).values_list(
            "student_id", flat=True
        )
    )
    Student.objects.filter(pk__in=housed, boarding=False).update(boarding=True)
    Student.objects.filter(pk__in=set(student_ids) - housed, boarding=True).update(boarding=False)


@contextmanager
def _month_change(
    *, first: date, last: date | None, reason: str, actor: Actor
) -> Iterator[closing.Change]:
    """Around a change to who held a bed from `first` until `last` (today when open): in a month
    a boarders' programme's claim closed, a correction (`shared_apps.subsidies.closing`)."""
    until = max(first, last or timezone.localdate())
    with closing.month_change(
        days=closing.months_between(first, until),
        change=MonthCorrection.Change.ALLOCATION,
        reason=reason,
        actor=actor,
        students=Programme.Students.BOARDERS,
    ) as change:
        yield change


@service
def allocation_create(
    *, student: Student, bed: Bed, start_date: date, actor: Actor, correction_reason: str = ""
) -> Allocation:
    """Put `student` in `bed` from `start_date`. The student's row is locked before the bed's
    (every service here locks in that order), so two managers allocating the same student or
    the same bed at once are served one after the other and the second is refused. From a
    closed month on, a correction."""
    with _month_change(
        first=start_date, last=None, reason=correction_reason, actor=actor
    ) as change:
        allocation = _created(student=student, bed=bed, start_date=start_date, actor=actor)
        change.detail = _("%(student)s housed in bed %(bed)s from %(day)s") % {
            "student": allocation.student.student_number,
            "bed": allocation.bed_id,
            "day": start_date.isoformat(),
        }
    return allocation


def _created(*, student: Student, bed: Bed, start_date: date, actor: Actor) -> Allocation:
    locked_student = Student.objects.select_for_update().get(pk=student.pk)
    locked_bed = Bed.objects.select_for_update(of=("self",)).select_related("room").get(pk=bed.pk)
    refusal = _refusal(locked_student, locked_bed)
    if refusal is not None:
        code, message = refusal
        raise InvalidInput(message, code=code, fields={"bed": [message]})
    if Allocation.objects.filter(from_on(start_date), student=locked_student).exists():
        raise Conflict(_("The student already has a bed."), code="student_housed")
    if Allocation.objects.filter(from_on(start_date), bed=locked_bed).exists():
        raise Conflict(_("The bed is taken."), code="bed_taken")
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(
                student=locked_student,
                bed=locked_bed,
                start_date=start_date,
                created_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(_("The bed or the student is taken."), code="bed_taken") from None
    _boarding_follows([locked_student.pk], timezone.localdate())
    return allocation


@service
def allocation_end(
    *, allocation: Allocation, end_date: date, actor: Actor, correction_reason: str = ""
) -> Allocation:
    """The student moves out on `end_date` (the bed is free that day); the row stays. Leaving
    the dormitory (no bed from that day on) opens the refund of the boarding fees charged for
    the term. In a closed month, a correction."""
    with _month_change(
        first=end_date, last=allocation.end_date, reason=correction_reason, actor=actor
    ) as change:
        ended = _ended(allocation, end_date)
        change.detail = _("%(student)s out of bed %(bed)s from %(day)s") % {
            "student": ended.student.student_number,
            "bed": ended.bed_id,
            "day": end_date.isoformat(),
        }
    if not Allocation.objects.filter(from_on(end_date), student_id=ended.student_id).exists():
        _refunds_open(student=ended.student, left_on=end_date)
    return ended


def _ended(allocation: Allocation, end_date: date) -> Allocation:
    Student.objects.select_for_update().get(pk=allocation.student_id)
    locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if locked.end_date is not None and locked.end_date <= end_date:
        raise Conflict(_("The allocation has ended already."), code="allocation_ended")
    if end_date <= locked.start_date:
        message = _("The allocation ends after it starts.")
        raise InvalidInput(message, code="ends_before_start", fields={"end_date": [message]})
    locked.end_date = end_date
    locked.save(update_fields=["end_date"])
    _boarding_follows([locked.student_id], timezone.localdate())
    return locked


@service
def allocation_move(
    *, allocation: Allocation, bed: Bed, on: date, actor: Actor, correction_reason: str = ""
) -> Allocation:
    """Move the student of `allocation` to `bed` on day `on`: the old allocation ends that day
    and a new one starts. In a closed month, one correction."""
    with _month_change(first=on, last=None, reason=correction_reason, actor=actor) as change:
        student = Student.objects.select_for_update().get(pk=allocation.student_id)
        _ended(allocation, on)
        moved = _created(student=student, bed=bed, start_date=on, actor=actor)
        change.detail = _("%(student)s moved from bed %(old)s to bed %(new)s on %(day)s") % {
            "student": student.student_number,
            "old": allocation.bed_id,
            "new": moved.bed_id,
            "day": on.isoformat(),
        }
    return moved


@dataclass(frozen=True)
class BulkRow:
    """What bulk allocation did with one student."""

    student_number: str
    name: str
    bed: str
    code: str
    message: str


@service
def allocation_bulk(
    *,
    start_date: date,
    grade: int,
    class_name: str = "",
    sex: str = "",
    actor: Actor,
    correction_reason: str = "",
) -> list[BulkRow]:
    """Give each active student of `grade` (and `class_name`, `sex` when given) without a bed
    from `start_date` a free bed, class by class, filling the rooms of their sex and stage in
    order (building, floor, room, bed). Reports one row per student: allocated, or why not.
    From a closed month on, a correction."""
    if stage_of(grade) is None:
        message = _("Only primary and junior-secondary pupils board.")
        raise InvalidInput(message, code="wrong_stage", fields={"grade": [message]})
    with _month_change(
        first=start_date, last=None, reason=correction_reason, actor=actor
    ) as change:
        rows = _bulk(
            start_date=start_date, grade=grade, class_name=class_name, sex=sex, actor=actor
        )
        change.detail = _("%(count)s pupils of grade %(grade)s housed from %(day)s") % {
            "count": sum(row.code == "allocated" for row in rows),
            "grade": grade,
            "day": start_date.isoformat(),
        }
    return rows


def _bulk(
    *, start_date: date, grade: int, class_name: str, sex: str, actor: Actor
) -> list[BulkRow]:
    students = Student.objects.select_for_update().filter(status=Student.Status.ACTIVE, grade=grade)
    if class_name:
        students = students.filter(class_name=class_name)
    if sex:
        students = students.filter(gender=sex)
    pupils = list(students.order_by("class_name", "gender", "student_number"))
    housed = set(
        Allocation.objects.filter(from_on(start_date), student__in=pupils).values_list(
            "student_id", flat=True
        )
    )
    beds = (
        Bed.objects.select_for_update(of=("self",))
        .select_related("room__floor__building")
        .filter(in_service=True, room__stage=stage_of(grade))
        .exclude(pk__in=Allocation.objects.filter(from_on(start_date)).values("bed_id"))
        .order_by("room__floor__building__code", "room__floor__level", "room__number", "number")
    )
    free: dict[tuple[str, bool], deque[tuple[int, Bed]]] = defaultdict(deque)
    for place, bed in enumerate(beds):
        free[bed.room.sex, bed.bunk == Bed.Bunk.UPPER].append((place, bed))
    rows: list[BulkRow] = []
    made: list[Allocation] = []
    for pupil in pupils:
        if pupil.pk in housed:
            rows.append(_row(pupil, "", "student_housed", _("The student already has a bed.")))
            continue
        free_bed = _take(free, pupil)
        if free_bed is None:
            rows.append(_row(pupil, "", "no_free_bed", _("No free bed for this pupil.")))
            continue
        made.append(
            Allocation(student=pupil, bed=free_bed, start_date=start_date, created_by=person(actor))
        )
        room = free_bed.room
        label = f"{room.floor.building.code}-{room.number}-{free_bed.number}"
        rows.append(_row(pupil, label, "allocated", ""))
    Allocation.objects.bulk_create(made)
    _boarding_follows([pupil.pk for pupil in pupils], timezone.localdate())
    return rows


def _take(free: dict[tuple[str, bool], deque[tuple[int, Bed]]], pupil: Student) -> Bed | None:
    """The first free bed for `pupil` in the order the rooms fill, an upper bunk only for a
    pupil old enough for one."""
    queues = [free[pupil.gender, False]]
    if pupil.grade not in NO_UPPER_BUNK_GRADES:
        queues.append(free[pupil.gender, True])
    waiting = [queue for queue in queues if queue]
    if not waiting:
        return None
    return min(waiting, key=lambda queue: queue[0][0]).popleft()[1]


def _row(pupil: Student, bed: str, code: str, message: str) -> BulkRow:
    return BulkRow(pupil.student_number, pupil.name, bed, code, message)


def _refunds_open(*, student: Student, left_on: date) -> list[FeeCharge]:
    """The pupil left the dormitory on `left_on`: each fee charged for a term not over by then
    is refunded the share of the term's school days from that day on (all of it for a term not
    begun), to the fen, due on the 15th working day after. Called by the services that end a
    pupil's stay, in their transaction."""
    charges = FeeCharge.objects.select_for_update().filter(
        student=student, left_on__isnull=True, term__end_date__gte=left_on
    )
    due = calendar.working_days_after(left_on, fees.REFUND_WORKING_DAYS)
    opened = []
    for charge in charges.select_related("term"):
        term = charge.term
        days = len(calendar.school_days_between(term.start_date, term.end_date))
        left = len(calendar.school_days_between(max(left_on, term.start_date), term.end_date))
        share = Decimal(left) / days if days else Decimal(1)
        charge.refund = (charge.amount * share).quantize(fees.CENT, rounding=ROUND_HALF_UP)
        charge.left_on = left_on
        charge.refund_due = due
        charge.save(update_fields=["refund", "left_on", "refund_due"])
        opened.append(charge)
    return opened
