"""Reads about a school's riders: who rides which run, each run's seat chart, and the run as its
escorts work it (the escorts, the pre-trip check, who is on board, the alarms). The runs and
stops are the district's, read by id (a school's rows hold no foreign key to them)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from shared_apps.transport.models import Run, Stop, Vehicle
from shared_apps.transport.selectors import run_list, run_seat_numbers
from tenant_apps.riders.models import Alarm, CheckItem, Escort, Passage, Rider, Terminal, Trip


def rider_list() -> QuerySet[Rider]:
    stop = Stop.objects.filter(pk=OuterRef("stop_ref"))
    return Rider.objects.select_related("student", "trip").annotate(
        stop_name=Subquery(stop.values("name"))
    )


def trip_list() -> QuerySet[Trip]:
    """The school's trips with their run's route, bus, times and seats, and their riders."""
    run = Run.objects.filter(pk=OuterRef("run_ref"))
    return Trip.objects.annotate(
        route=Subquery(run.values("route__code")),
        plate=Subquery(run.values("vehicle__plate")),
        starts_at=Subquery(run.values("period__startswith")),
        ends_at=Subquery(run.values("period__endswith")),
        capacity=Subquery(run.values("capacity")),
        riders_count=Count("riders"),
    ).order_by("starts_at", "id")


@dataclass(frozen=True)
class ChartSeat:
    """One seat for pupils on a run: this school's rider in it, taken by another school's
    pupil (whom the school does not see), or free."""

    number: int
    rider: Rider | None
    taken_elsewhere: bool


def seat_chart(trip: Trip) -> list[ChartSeat]:
    """Every seat for pupils on the trip's run, numbered from 1 (the front passenger seat is never
    a pupil's: the ledger numbers only the seats behind the driver and escorts)."""
    run = run_list().get(pk=trip.run_ref)
    ours = {rider.seat: rider for rider in rider_list().filter(trip=trip)}
    taken = run_seat_numbers(run)
    return [
        ChartSeat(
            number=number,
            rider=ours.get(number),
            taken_elsewhere=number in taken and number not in ours,
        )
        for number in range(1, run.capacity + 1)
    ]


def escort_list() -> QuerySet[Escort]:
    run = Run.objects.filter(pk=OuterRef("trip__run_ref"))
    return Escort.objects.select_related("user", "trip").annotate(
        starts_at=Subquery(run.values("period__startswith"))
    )


def passage_list() -> QuerySet[Passage]:
    stop = Stop.objects.filter(pk=OuterRef("stop_ref"))
    return Passage.objects.select_related("rider__student", "trip", "recorded_by").annotate(
        stop_name=Subquery(stop.values("name"))
    )


def alarm_list() -> QuerySet[Alarm]:
    run = Run.objects.filter(pk=OuterRef("trip__run_ref"))
    return Alarm.objects.select_related("trip", "escort", "raised_by").annotate(
        route=Subquery(run.values("route__code")), plate=Subquery(run.values("vehicle__plate"))
    )


def trip_alarms(trip: Trip, aboard: int) -> list[Alarm]:
    """The trip's alarms that still matter to whoever works it: none once it is closed (what
    happened is its outcome, and the day's alarms stay on the school's list); riders left on
    board only while `aboard` (someone is on board now)."""
    if trip.status == Trip.Status.CLOSED:
        return []
    return [
        alarm
        for alarm in alarm_list().filter(trip=trip)
        if alarm.kind != Alarm.Kind.LEFT_ON_BOARD or aboard
    ]


def on_board(trip: Trip) -> QuerySet[Rider]:
    """The trip's riders who boarded and have not alighted."""
    return (
        rider_list()
        .filter(trip=trip, passages__kind=Passage.Kind.BOARD)
        .exclude(passages__kind=Passage.Kind.ALIGHT)
    )


@dataclass(frozen=True)
class Tick:
    """One item of a trip's pre-trip check: what it is, and how it was last ticked (if)."""

    item: str
    label: str
    checked: CheckItem | None

    @property
    def passed(self) -> bool:
        return self.checked is not None and self.checked.passed


def checklist(trip: Trip) -> list[Tick]:
    """Every item of the pre-trip check, in order, with its last tick."""
    ticked = {check.item: check for check in trip.checks.all()}
    return [Tick(item.value, str(item.label), ticked.get(item.value)) for item in CheckItem.Item]


def trip_riders(trip: Trip) -> QuerySet[Rider]:
    """The trip's riders in the order of their stops, each with whether they boarded and
    alighted."""
    mine = Passage.objects.filter(rider=OuterRef("pk"))
    order = Stop.objects.filter(pk=OuterRef("stop_ref"))
    return (
        rider_list()
        .filter(trip=trip)
        .annotate(
            boarded=Exists(mine.filter(kind=Passage.Kind.BOARD)),
            alighted=Exists(mine.filter(kind=Passage.Kind.ALIGHT)),
            stop_order=Subquery(order.values("order")),
        )
        .order_by("stop_order", "student__name", "id")
    )


def run_stops(trip: Trip) -> QuerySet[Stop]:
    """The stops of the trip's run, in order."""
    return Stop.objects.filter(route__runs=trip.run_ref).order_by("order")


def trip_day(day: datetime.date) -> QuerySet[Trip]:
    """The school's trips whose runs depart on `day`, with how many got on and off."""
    aboard = Passage.objects.filter(trip=OuterRef("pk"), kind=Passage.Kind.BOARD)
    off = Passage.objects.filter(trip=OuterRef("pk"), kind=Passage.Kind.ALIGHT)
    runs = Run.objects.filter(period__startswith__date=day).values("pk")
    return (
        trip_list()
        .filter(run_ref__in=runs)
        .annotate(
            boarded=Subquery(aboard.values("trip").annotate(n=Count("id")).values("n")),
            alighted=Subquery(off.values("trip").annotate(n=Count("id")).values("n")),
        )
    )


def trip_counts(trip: Trip) -> tuple[int, int]:
    """How many of the trip's riders got on, and how many are on board now."""
    boarded = Passage.objects.filter(trip=trip, kind=Passage.Kind.BOARD).count()
    return boarded, on_board(trip).count()


def terminal_list() -> QuerySet[Terminal]:
    return Terminal.objects.select_related("created_by")


def terminal_by_key(key: str) -> Terminal | None:
    """The school's terminal that `key` opens: registered here and not revoked (a key of
    another school's terminal opens nothing here)."""
    if not key:
        return None
    return Terminal.objects.filter(key_hash=Vehicle.key_hash(key), revoked_at__isnull=True).first()
