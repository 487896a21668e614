"""Reads about a school's riders: who rides which run, each run's seat chart, and the run as its
escorts work it (the escorts, the pre-trip check, who is on board, the alarms). The runs and
stops are the district's, read by id (a school's rows hold no foreign key to them).

Then safety: the incidents with how long each step took, the drills per semester (the school's
terms from its calendar; for a school that has recorded none, spring from February to July and
autumn from September to January), and who of the school's bus escorts and of the drivers on its
routes has had no training in the last twelve months."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from houqin.months import add_months
from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import membership_list
from shared_apps.transport.models import Driver, Licence, Run, Stop, Vehicle
from shared_apps.transport.selectors import run_list, run_seat_numbers
from tenant_apps.canteen.selectors import term_list
from tenant_apps.riders.models import (
    INCIDENT_STEPS,
    Alarm,
    CheckItem,
    Drill,
    Escort,
    Incident,
    Passage,
    Rider,
    Terminal,
    Training,
    Trip,
)
from tenants.selectors import current_school


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


def trips_between(start: datetime.date, end: datetime.date) -> QuerySet[Trip]:
    """The school's trips whose runs depart on a day in [start, end]."""
    runs = Run.objects.filter(
        period__startswith__date__gte=start, period__startswith__date__lte=end
    ).values("pk")
    return trip_list().filter(run_ref__in=runs)


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


def incident_list() -> QuerySet[Incident]:
    """The school's incidents with their bus's plate and (on a trip) its route."""
    vehicle = Vehicle.objects.filter(pk=OuterRef("vehicle_ref"))
    run = Run.objects.filter(pk=OuterRef("trip__run_ref"))
    return Incident.objects.select_related(
        "trip",
        "reported_by",
        "closed_by",
        *(f"{step}_by" for step in INCIDENT_STEPS),
    ).annotate(plate=Subquery(vehicle.values("plate")), route=Subquery(run.values("route__code")))


@dataclass(frozen=True)
class StepDone:
    """One timed step of an incident: when it was done (if), by whom, and how many minutes
    after the incident."""

    step: str
    label: str
    at: datetime.datetime | None
    by: User | None
    minutes: int | None


def incident_steps(incident: Incident) -> list[StepDone]:
    """The incident's steps in order, each with its time and minutes from the incident."""
    steps = []
    for step in Incident.Step:
        at: datetime.datetime | None = getattr(incident, f"{step.value}_at")
        minutes = None if at is None else int((at - incident.occurred_at).total_seconds() // 60)
        steps.append(
            StepDone(
                step.value, str(step.label), at, getattr(incident, f"{step.value}_by"), minutes
            )
        )
    return steps


def school_vehicles() -> QuerySet[Vehicle]:
    """The district's buses licensed on the routes the school rides."""
    licensed = Licence.objects.filter(route__schools=current_school()).values("vehicle")
    return Vehicle.objects.filter(pk__in=licensed)


def school_drivers() -> QuerySet[Driver]:
    """The district's drivers licensed on the routes the school rides."""
    licensed = Licence.objects.filter(route__schools=current_school()).values("driver")
    return Driver.objects.filter(pk__in=licensed)


def school_escorts() -> QuerySet[User]:
    """The school's bus escorts."""
    escorts = membership_list().for_school(current_school()).filter(role=Role.ESCORT)
    return User.objects.filter(pk__in=escorts.values("user")).order_by("username")


def escort_choices() -> QuerySet[User]:
    """Whom the escorts' list is filtered by: the school's bus escorts and anyone put on one
    of its trips as an escort (since dropped from the role, perhaps), one query for them all."""
    escorts = membership_list().for_school(current_school()).filter(role=Role.ESCORT)
    return User.objects.filter(
        Q(pk__in=escorts.values("user")) | Q(pk__in=Escort.objects.values("user"))
    ).order_by("username")


def drill_list() -> QuerySet[Drill]:
    vehicle = Vehicle.objects.filter(pk=OuterRef("vehicle_ref"))
    return Drill.objects.select_related("recorded_by").annotate(
        plate=Subquery(vehicle.values("plate"))
    )


@dataclass(frozen=True)
class Semester:
    """A semester of the school and how many bus drills were held in it."""

    name: str
    start: datetime.date
    end: datetime.date
    drills: int


def _halves(
    start: datetime.date, end: datetime.date
) -> list[tuple[str, datetime.date, datetime.date]]:
    """Spring (February to July) and autumn (September to January) semesters meeting
    [start, end], for a school that has recorded no terms."""
    halves = []
    for year in range(start.year - 1, end.year + 1):
        halves.append(
            (
                _("Spring %(year)s") % {"year": year},
                datetime.date(year, 2, 1),
                datetime.date(year, 7, 31),
            )
        )
        halves.append(
            (
                _("Autumn %(year)s") % {"year": year},
                datetime.date(year, 9, 1),
                datetime.date(year + 1, 1, 31),
            )
        )
    return [(name, first, last) for name, first, last in halves if first <= end and last >= start]


def semesters(start: datetime.date, end: datetime.date) -> list[Semester]:
    """The school's semesters meeting [start, end], in order, each with its drills: its terms,
    or (none recorded) the halves of the year."""
    terms = term_list()
    if terms.exists():
        spans = [
            (term.name, term.start_date, term.end_date)
            for term in terms.filter(start_date__lte=end, end_date__gte=start).order_by(
                "start_date"
            )
        ]
    else:
        spans = _halves(start, end)
    if not spans:
        return []
    days = list(
        Drill.objects.filter(day__gte=spans[0][1], day__lte=spans[-1][2]).values_list(
            "day", flat=True
        )
    )
    return [
        Semester(name, first, last, sum(first <= day <= last for day in days))
        for name, first, last in spans
    ]


def semesters_without_drill(start: datetime.date, end: datetime.date) -> list[Semester]:
    """The semesters meeting [start, end] in which no bus drill was held (the rule: one at
    least each semester)."""
    return [semester for semester in semesters(start, end) if semester.drills == 0]


def current_semester(today: datetime.date) -> Semester | None:
    """The semester `today` falls in, with its drills so far; None between semesters."""
    return next(iter(semesters(today, today)), None)


def training_list() -> QuerySet[Training]:
    driver = Driver.objects.filter(pk=OuterRef("driver_ref"))
    return Training.objects.select_related("user", "recorded_by").annotate(
        driver_name=Subquery(driver.values("name"))
    )


@dataclass(frozen=True)
class Untrained:
    """A driver on the school's routes or a bus escort of the school with no training in the
    last twelve months, and when they were last trained (if ever)."""

    kind: str
    id: int
    name: str
    last: datetime.date | None


def untrained(today: datetime.date) -> list[Untrained]:
    """The school's drivers, then its escorts, with no training in the twelve months up to
    `today`."""
    since = add_months(today, -12)
    drivers = dict(
        Training.objects.filter(driver_ref__isnull=False)
        .values("driver_ref")
        .annotate(last=Max("day"))
        .values_list("driver_ref", "last")
    )
    escorts = dict(
        Training.objects.filter(user__isnull=False)
        .values("user")
        .annotate(last=Max("day"))
        .values_list("user", "last")
    )
    found = []
    for driver in school_drivers().order_by("name", "id"):
        last = drivers.get(driver.pk)
        if last is None or last <= since:
            found.append(Untrained("driver", driver.pk, driver.name, last))
    for user in school_escorts():
        last = escorts.get(user.pk)
        if last is None or last <= since:
            found.append(Untrained("escort", user.pk, user.display_name or user.username, last))
    return found
