"""Reads of the district's school buses, each with what its page or endpoint shows at once (no
query per row), and what expires within the warning window."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.transport import planning, rules
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    Licence,
    Provider,
    Route,
    RoutePlan,
    Run,
    Seat,
    Stop,
    Vehicle,
)

# Licences, inspections, insurance and driver reviews expiring within this many days are shown
# as warnings.
WARNING_DAYS = 30


def provider_list() -> QuerySet[Provider]:
    return Provider.objects.all()


def vehicle_list() -> QuerySet[Vehicle]:
    return Vehicle.objects.select_related("provider")


def driver_list() -> QuerySet[Driver]:
    return Driver.objects.select_related("provider").prefetch_related("offences")


def route_list() -> QuerySet[Route]:
    return Route.objects.prefetch_related(
        Prefetch("stops", queryset=Stop.objects.order_by("order")), "hazards", "schools"
    )


def route_versions(route: Route, day: datetime.date) -> QuerySet[Route]:
    """Every version of `route` (its first version and the later ones linked to it), each with
    its stops in order and `licensed`: whether a bus licence for it is approved and in force on
    `day`; by version number."""
    return _licensed(
        route_list().filter(Q(pk=route.family_id) | Q(version_of=route.family_id)), day
    ).order_by("version")


def _licensed(routes: QuerySet[Route], day: datetime.date) -> QuerySet[Route]:
    """`routes`, each with `licensed`: whether a licence for it is approved and in force on
    `day`."""
    in_force = Licence.objects.filter(
        route=OuterRef("pk"),
        status=Licence.Status.APPROVED,
        valid_from__lte=day,
        valid_until__gte=day,
    )
    return routes.annotate(licensed=Exists(in_force))


def route_version_current(versions: Sequence[Route], day: datetime.date) -> Route | None:
    """The version of a route in force on `day`, among `versions` (one family's, from
    `route_versions`): the highest-numbered that holds that day (its dates and weekdays) and is
    licensed that day. A later version waits for its licence's approval, the earlier one running
    meanwhile; a family none of whose versions is licensed yet (just made or adopted) counts its
    first holding version."""
    holding = [
        version
        for version in versions
        if (version.valid_from is None or version.valid_from <= day)
        and (version.valid_until is None or day <= version.valid_until)
        and str(day.isoweekday()) in version.weekdays
    ]
    approved = {version.pk for version in versions if getattr(version, "licensed", False)}
    licensed = [version for version in holding if version.pk in approved]
    if licensed:
        return max(licensed, key=lambda version: version.version)
    if holding and not approved:
        return min(holding, key=lambda version: version.version)
    return None


def route_version_next(first: Route) -> int:
    """The number the next version of the route whose first version is `first` takes."""
    highest = Route.objects.filter(version_of=first).aggregate(highest=Max("version"))
    return (highest["highest"] or first.version) + 1


def licence_list() -> QuerySet[Licence]:
    return Licence.objects.select_related("vehicle", "driver", "route")


def run_list() -> QuerySet[Run]:
    return Run.objects.select_related("vehicle", "driver", "route", "licence")


def run_seat_numbers(run: Run) -> set[int]:
    """The seat numbers taken on a run, by every school that rides it (for the seat charts)."""
    return set(Seat.objects.across_schools().filter(run=run).values_list("number", flat=True))


def alarm_list() -> QuerySet[Alarm]:
    return Alarm.objects.select_related("vehicle")


def driver_failures(driver: Driver, on: datetime.date) -> list[rules.Failure]:
    """The rules the driver fails on `on` (none: qualified that day)."""
    return rules.driver_failures(driver, driver.offences.all(), on)


def expiring(today: datetime.date, *, days: int = WARNING_DAYS) -> dict[str, list[Any]]:
    """What lapses within `days` of `today` (or has lapsed): licences in force, vehicles'
    inspections, providers' licences and insurance, drivers' checks."""
    horizon = today + datetime.timedelta(days=days)
    return {
        "licences": list(
            licence_list().filter(
                status=Licence.Status.APPROVED, valid_until__gte=today, valid_until__lte=horizon
            )
        ),
        "inspections": list(
            vehicle_list().filter(
                Q(inspection_valid_until__isnull=True) | Q(inspection_valid_until__lte=horizon)
            )
        ),
        "providers": list(
            provider_list().filter(
                Q(insurance_expires__isnull=True)
                | Q(insurance_expires__lte=horizon)
                | Q(licence_expires__lte=horizon)
            )
        ),
        "drivers": list(
            driver_list().filter(
                Q(health_valid_until__lte=horizon)
                | Q(endorsement_valid_until__lte=horizon)
                | Q(review_valid_until__lte=horizon)
                | Q(health_valid_until__isnull=True)
                | Q(endorsement_valid_until__isnull=True)
                | Q(review_valid_until__isnull=True)
            )
        ),
    }


def run_day(day: datetime.date) -> QuerySet[Run]:
    """The day's runs, with their loads (seats taken against seats for pupils)."""
    return run_list().filter(period__startswith__date=day)


def loads_by_school(runs: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
    """Each run's seats taken, school by school (by name), in one query across the schools."""
    loads: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = (
        Seat.objects.across_schools()
        .filter(run__in=runs)
        .values("run_id", "school__name")
        .annotate(seats=Count("id"))
        .order_by("run_id", "school__name")
    )
    for row in rows:
        loads[row["run_id"]].append((row["school__name"], row["seats"]))
    return loads


def field_trip_list() -> SchoolOwnedQuerySet[FieldTrip]:
    """Field trips with their school, bus, driver and the people who asked and decided; scoped
    by the caller (`.here()`, `.across_schools()`) or by `restrict()`."""
    return FieldTrip.objects.select_related(
        "school", "vehicle", "driver", "requested_by", "endorsed_by", "decided_by"
    )


# Reports ----------------------------------------------------------------------------------------

CENT = Decimal("0.01")
# The longest span one report covers: a school year.
MAX_REPORT_DAYS = 366


def _per(cost: Decimal, riders: int) -> Decimal | None:
    return (cost / riders).quantize(CENT) if riders else None


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


@dataclass(frozen=True)
class Load:
    """Riders against rated load (核载 against 实载), and what the runs cost per rider."""

    runs: int
    rated_load: int
    riders: int
    cost: Decimal

    @property
    def load_percent(self) -> Decimal | None:
        return _percent(self.riders, self.rated_load)

    @property
    def riders_per_run(self) -> Decimal | None:
        return (Decimal(self.riders) / self.runs).quantize(Decimal("0.1")) if self.runs else None

    @property
    def cost_per_rider(self) -> Decimal | None:
        return _per(self.cost, self.riders)


@dataclass(frozen=True)
class RunLoad:
    run: int
    starts_at: datetime.datetime
    route: str
    plate: str
    load: Load


@dataclass(frozen=True)
class RouteLoad:
    code: str
    name: str
    load: Load


@dataclass(frozen=True)
class SchoolLoad:
    """A school's riders on the runs it shares, and its share of their cost (each run's cost
    split by the seats each school holds on it)."""

    code: str
    name: str
    load: Load


@dataclass(frozen=True)
class Expiry:
    what: str
    name: str
    expires: datetime.date | None


@dataclass(frozen=True)
class Report:
    start: datetime.date
    end: datetime.date
    district: Load
    schools: list[SchoolLoad]
    routes: list[RouteLoad]
    runs: list[RunLoad]
    expiring: list[Expiry]


def _expiries(today: datetime.date) -> list[Expiry]:
    """What lapses within the warning window, one row per date that lapses, soonest first (a
    date never recorded first of all)."""
    found = expiring(today)
    horizon = today + datetime.timedelta(days=WARNING_DAYS)
    rows = [
        Expiry(_("Bus licence"), f"{x.number} {x.vehicle.plate}", x.valid_until)
        for x in found["licences"]
    ]
    rows += [
        Expiry(_("Safety inspection"), v.plate, v.inspection_valid_until)
        for v in found["inspections"]
    ]
    for provider in found["providers"]:
        if provider.insurance_expires is None or provider.insurance_expires <= horizon:
            rows.append(Expiry(_("Liability insurance"), provider.name, provider.insurance_expires))
        if provider.licence_expires is not None and provider.licence_expires <= horizon:
            rows.append(Expiry(_("Operating licence"), provider.name, provider.licence_expires))
    checks = (
        ("health_valid_until", _("Driver's health check")),
        ("endorsement_valid_until", _("Driver's school-bus endorsement")),
        ("review_valid_until", _("Driver's annual review")),
    )
    for driver in found["drivers"]:
        for field, what in checks:
            until = getattr(driver, field)
            if until is None or until <= horizon:
                rows.append(Expiry(what, driver.name, until))
    return sorted(rows, key=lambda row: (row.expires or datetime.date.min, row.what, row.name))


def transport_report(start: datetime.date, end: datetime.date, today: datetime.date) -> Report:
    """The runs scheduled from `start` to `end` (both included): riders against rated load and
    cost per rider for the district, each school, route and run; and what lapses within the
    warning window of `today`. Three queries for the loads, whatever the number of runs."""
    runs = list(
        Run.objects.filter(
            status=Run.Status.SCHEDULED,
            period__startswith__date__gte=start,
            period__startswith__date__lte=end,
        )
        .select_related("route", "vehicle")
        .order_by("period", "id")
    )
    seats = (
        Seat.objects.across_schools()
        .filter(run__in=[run.pk for run in runs])
        .values("run_id", "school_id", "school__code", "school__name")
        .annotate(seats=Count("id"))
        .order_by("school__code")
    )
    by_school: dict[tuple[str, str], list[tuple[Run, int]]] = defaultdict(list)
    by_run = {run.pk: run for run in runs}
    for row in seats:
        by_school[(row["school__code"], row["school__name"])].append(
            (by_run[row["run_id"]], row["seats"])
        )
    per_run = [
        RunLoad(
            run.pk,
            run.period.lower,
            run.route.code,
            run.vehicle.plate,
            Load(1, run.vehicle.rated_load, run.seats_taken, run.cost),
        )
        for run in runs
    ]
    per_route: dict[int, list[Run]] = defaultdict(list)
    for run in runs:
        per_route[run.route_id].append(run)
    routes = [
        RouteLoad(rows[0].route.code, rows[0].route.name, _load(rows))
        for rows in sorted(per_route.values(), key=lambda rows: rows[0].route.code)
    ]
    schools = []
    for (code, name), taken in sorted(by_school.items()):
        share = sum(
            (run.cost * n / run.seats_taken for run, n in taken if run.seats_taken),
            Decimal(0),
        )
        schools.append(
            SchoolLoad(
                code,
                name,
                Load(
                    len(taken),
                    sum(run.vehicle.rated_load for run, _n in taken),
                    sum(n for _run, n in taken),
                    share.quantize(CENT),
                ),
            )
        )
    return Report(start, end, _load(runs), schools, routes, per_run, _expiries(today))


def _load(runs: Sequence[Run]) -> Load:
    return Load(
        len(runs),
        sum(run.vehicle.rated_load for run in runs),
        sum(run.seats_taken for run in runs),
        sum((run.cost for run in runs), Decimal(0)),
    )


def route_plan_list() -> SchoolOwnedQuerySet[RoutePlan]:
    return RoutePlan.objects.select_related("school", "created_by")


def current_routes_figures(plan: RoutePlan, *, speed_kmh: float = 30.0) -> dict[str, Any]:
    """The school's morning routes as they run on the plan's school day (each route's version in
    force then, see `route_version_current`), beside a plan: buses used (one a route), kilometres
    from the first stop to the school, and the longest ride (from the first stop's time to the
    arrival at the school at the planner's speed)."""
    school = planning.Place("school", *plan.problem["school"])
    day = timezone.localdate(datetime.datetime.fromisoformat(plan.problem["latest_arrival"]))
    while day.isoweekday() > 5:  # the school days the plan is for
        day += datetime.timedelta(days=1)
    families: dict[int, list[Route]] = defaultdict(list)
    for version in _licensed(
        route_list().filter(schools=plan.school, period=Route.Period.MORNING), day
    ):
        families[version.family_id].append(version)
    routes = [route_version_current(versions, day) for versions in families.values()]
    km = longest = 0.0
    count = 0
    for route in filter(None, routes):
        stops = list(route.stops.all())
        if not stops:
            continue
        count += 1
        path = [planning.Place(str(s.pk), float(s.latitude), float(s.longitude)) for s in stops]
        km += planning.path_km([*path, school])
        last_leg = planning.path_km([path[-1], school]) / speed_kmh * 60
        first, last = stops[0].at, stops[-1].at
        minutes = (last.hour * 60 + last.minute) - (first.hour * 60 + first.minute)
        longest = max(longest, minutes + last_leg)
    return {"buses_used": count, "km": round(km, 2), "longest_ride_min": round(longest, 1)}
