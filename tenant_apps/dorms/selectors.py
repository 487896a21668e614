"""Reads about boarding: rooms with their occupancy, beds, allocations."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from houqin.money import ZERO
from shared_apps.subsidies import selectors as subsidies
from shared_apps.subsidies.models import Claim, Programme
from tenant_apps.canteen import selectors as canteen
from tenant_apps.dorms.models import (
    Allocation,
    Bed,
    Building,
    DoorEvent,
    FeeCharge,
    Floor,
    Guardian,
    Inspection,
    Leave,
    Policy,
    RollCall,
    RollCallEntry,
    Room,
    RoomChange,
    Visitor,
    stage_of,
)
from tenant_apps.people import selectors as people
from tenant_apps.people.models import Student


def current(on: date) -> Q:
    """Allocations that cover day `on` (the lookup is relative to an allocation)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gt=on))


def from_on(start: date) -> Q:
    """Allocations that cover any day from `start` on."""
    return Q(end_date__isnull=True) | Q(end_date__gt=start)


def occupied(*, bed: Bed, on: date) -> bool:
    return Allocation.objects.filter(current(on), bed=bed).exists()


def boarders_by_day(days: Collection[date]) -> dict[date, set[int]]:
    """Day -> the ids of the students holding a bed that day, for each of `days`: one query,
    whatever the number of days (the allocations, history kept, say who boarded when)."""
    by_day: dict[date, set[int]] = {day: set() for day in days}
    if not by_day:
        return by_day
    first, last = min(by_day), max(by_day)
    stays = Allocation.objects.filter(from_on(first), start_date__lte=last).values_list(
        "student_id", "start_date", "end_date"
    )
    for student_id, start, end in stays:
        for day in by_day:
            if start <= day and (end is None or day < end):
                by_day[day].add(student_id)
    return by_day


def stages_by_student(student_ids: Collection[int]) -> dict[int, str | None]:
    """Student id -> the school stage of their grade ("primary", "junior"; None above grade 9),
    for each of `student_ids`: one query."""
    grades = Student.objects.filter(pk__in=student_ids).values_list("pk", "grade")
    return {pk: (str(stage) if (stage := stage_of(grade)) else None) for pk, grade in grades}


def building_list() -> QuerySet[Building]:
    return Building.objects.all()


def floor_list() -> QuerySet[Floor]:
    return Floor.objects.select_related("building")


def room_list(*, on: date) -> QuerySet[Room]:
    """Rooms with their beds in service and the beds occupied on day `on`."""
    rooms = Room.objects.select_related("floor__building").order_by(
        "floor__building__code", "floor__level", "number"
    )
    return rooms.annotate(
        beds_in_service=Count("beds", filter=Q(beds__in_service=True), distinct=True),
        occupied=Count(
            "beds__allocations",
            filter=Q(beds__allocations__start_date__lte=on)
            & (Q(beds__allocations__end_date__isnull=True) | Q(beds__allocations__end_date__gt=on)),
            distinct=True,
        ),
    )


def bed_list() -> QuerySet[Bed]:
    return Bed.objects.select_related("room__floor__building")


def allocation_list() -> QuerySet[Allocation]:
    return Allocation.objects.select_related("student", "bed__room__floor__building", "created_by")


def policy_list() -> QuerySet[Policy]:
    return Policy.objects.all()


def guardian_list() -> QuerySet[Guardian]:
    return Guardian.objects.all()


def door_event_list() -> QuerySet[DoorEvent]:
    return DoorEvent.objects.all()


def leave_list() -> QuerySet[Leave]:
    return Leave.objects.all()


def roll_call_list() -> QuerySet[RollCall]:
    entries = RollCallEntry.objects.select_related("student").order_by("status", "bed_id")
    return RollCall.objects.prefetch_related(Prefetch("entries", queryset=entries))


def visitor_list() -> QuerySet[Visitor]:
    return Visitor.objects.all()


def inspection_list() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("room__floor__building")


def room_ranking(*, month: date) -> QuerySet[Room]:
    """The month's rooms by their average inspection score, best first (rooms not inspected
    that month are left out)."""
    last = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    of_month = Q(inspections__inspected_on__gte=month, inspections__inspected_on__lt=last)
    return (
        Room.objects.select_related("floor__building")
        .annotate(
            average=Avg("inspections__score", filter=of_month),
            inspected=Count("inspections", filter=of_month),
        )
        .filter(inspected__gt=0)
        .order_by("-average", "floor__building__code", "number")
    )


def leaves_overdue(*, now: datetime, since: datetime) -> QuerySet[Leave]:
    """Approved leaves that ended in [since, now) with no coming back through the door between
    their start and their end: the pupil is overdue."""
    back = DoorEvent.objects.filter(
        student_id=OuterRef("student_id"),
        direction=DoorEvent.Direction.IN,
        occurred_at__gte=OuterRef("starts_at"),
        occurred_at__lte=OuterRef("ends_at"),
    )
    return (
        Leave.objects.filter(status=Leave.Status.APPROVED, ends_at__gte=since, ends_at__lt=now)
        .exclude(Exists(back))
        .select_related("student")
    )


def roll_call_due(night: date) -> datetime:
    """When the roll call of `night` is taken: the school's time that evening."""
    policy = Policy.objects.filter(pk=1).first() or Policy()
    return timezone.make_aware(datetime.combine(night, policy.roll_call_at))


def fee_list() -> QuerySet[FeeCharge]:
    return FeeCharge.objects.select_related("student", "term")


def fee_totals_by_term() -> list[dict[str, Any]]:
    """Per term, newest first: the boarders charged, the fees charged, the refunds due and the
    refunds paid (CNY), with no pupil named."""
    rows = (
        FeeCharge.objects.values("term_id", "term__name", "term__start_date")
        .annotate(
            charged=Count("id"),
            amount=Sum("amount"),
            refunds=Sum("refund"),
            refunded=Sum("refund", filter=Q(refunded_on__isnull=False)),
        )
        .order_by("-term__start_date")
    )
    return [dict(row) for row in rows]


def refunds_overdue(on: date) -> QuerySet[FeeCharge]:
    """Refunds not paid by their due day, as of `on`."""
    return fee_list().filter(refund__gt=0, refunded_on__isnull=True, refund_due__lt=on)


@dataclass(frozen=True)
class TermMoney:
    """One term's boarding money, counted, with no pupil named: the boarding fees charged and
    refunded, and the boarders' living allowance claimed and paid under the district's
    programmes for boarders."""

    term: str
    start: date
    fees_charged: int
    fees: Decimal
    refunds: Decimal
    refunds_paid: Decimal
    allowance_boarders: int
    allowance_claimed: Decimal
    allowance_paid: Decimal


def _term_of(day: date, terms: list[tuple[str, date, date]]) -> tuple[str, date] | None:
    return next(((name, start) for name, start, end in terms if start <= day <= end), None)


def term_money(*, school_id: int) -> list[TermMoney]:
    """Per term, newest first: the boarding fees (`fee_totals_by_term`) and the allowance's
    claims of the school, by the term whose first school day they counted (rejected claims and
    drafts left out)."""
    terms = list(canteen.term_list().values_list("name", "start_date", "end_date"))
    rows: dict[tuple[str, date], dict[str, Any]] = {}

    def row(key: tuple[str, date]) -> dict[str, Any]:
        zero = {"fees_charged": 0, "allowance_boarders": 0}
        money = ("fees", "refunds", "refunds_paid", "allowance_claimed", "allowance_paid")
        return rows.setdefault(key, zero | dict.fromkeys(money, ZERO))

    for fee in fee_totals_by_term():
        totals = row((fee["term__name"], fee["term__start_date"]))
        totals["fees_charged"] = fee["charged"]
        totals["fees"] = fee["amount"] or ZERO
        totals["refunds"] = fee["refunds"] or ZERO
        totals["refunds_paid"] = fee["refunded"] or ZERO
    claims = (
        subsidies.claim_list()
        .for_school(school_id)
        .filter(programme__students=Programme.Students.BOARDERS)
        .exclude(status__in=[Claim.Status.DRAFT, Claim.Status.REJECTED])
        .values_list("kind", "breakdown", "student_days", "amount", "disbursed")
    )
    for kind, breakdown, units, amount, disbursed in claims:
        days = [date.fromisoformat(day) for day, n in breakdown.items() if n]
        key = next((k for k in (_term_of(day, terms) for day in days) if k), None)
        if key is None:
            continue
        totals = row(key)
        if kind == Claim.Kind.CLAIM:
            totals["allowance_boarders"] += units
        totals["allowance_claimed"] += amount
        totals["allowance_paid"] += disbursed
    return [
        TermMoney(term=name, start=start, **totals)
        for (name, start), totals in sorted(rows.items(), key=lambda item: item[0][1], reverse=True)
    ]


def room_change_list() -> QuerySet[RoomChange]:
    return RoomChange.objects.select_related(
        "student", "bed__room", "requested_by", "reviewed_by", "decided_by"
    )


@dataclass(frozen=True)
class ClassBoarder:
    """A boarder of a class teacher's class: their bed, and how the roll call found them."""

    student: Student
    bed: Bed
    entry: RollCallEntry | None


def class_boarders(*, user_id: int, on: date) -> tuple[RollCall | None, list[ClassBoarder]]:
    """The last roll call taken, and the boarders on day `on` of the classes `user_id` is class
    teacher of, each with how that roll call found them (the absent first)."""
    pupils = people.pupils_taught(user_id=user_id, on=on)
    stays = (
        Allocation.objects.filter(current(on), student__in=pupils)
        .select_related("student", "bed__room__floor__building")
        .order_by("student__grade", "student__class_name", "student__student_number")
    )
    roll_call = RollCall.objects.first()
    entries: dict[int, RollCallEntry] = {}
    if roll_call is not None:
        found = RollCallEntry.objects.filter(roll_call=roll_call, student__in=pupils)
        entries = {entry.student_id: entry for entry in found}
    order: dict[str, int] = {RollCallEntry.Status.ABSENT: 0, RollCallEntry.Status.LATE: 1}
    rows = [ClassBoarder(stay.student, stay.bed, entries.get(stay.student_id)) for stay in stays]
    rows.sort(key=lambda row: order.get(row.entry.status, 2) if row.entry else 3)
    return roll_call, rows
