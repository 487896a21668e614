"""Reads of the district's school buses, each with what its page or endpoint shows at once (no
query per row), and what expires within the warning window."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.transport import rules
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    Licence,
    Provider,
    Route,
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
