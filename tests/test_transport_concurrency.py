"""The seat ledger of a run that schools share: two schools seating pupils at once, on separate
connections, never seat more than the seats for pupils (a row lock on the run, and the
database's check on its count). Versions of a route added at once are numbered one after the
other."""

from typing import Any

from houqin.exceptions import Conflict
from shared_apps.transport import services
from shared_apps.transport.models import (
    Driver,
    Inspection,
    Licence,
    Provider,
    Route,
    Run,
    Seat,
    Vehicle,
)
from tenants.models import School
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, SCHOOL_B
from tests.factories import SETUP
from tests.matrix.transport import make_licence, make_route, make_run, make_vehicle, make_version


def _discard(licence: Licence) -> None:
    runs = Run.objects.filter(licence=licence)
    Seat.objects.across_schools().filter(run__in=runs).delete()
    runs.delete()
    Licence.objects.filter(pk=licence.pk).delete()
    Inspection.objects.filter(vehicle_id=licence.vehicle_id).delete()
    Vehicle.objects.filter(pk=licence.vehicle_id).delete()
    Driver.objects.filter(pk=licence.driver_id).delete()
    Route.objects.filter(pk=licence.route_id).delete()
    Provider.objects.filter(vehicles=None, drivers=None).delete()


def test_two_schools_assigning_at_once_never_overfill_a_shared_run(committed: list[Any]) -> None:
    """A run with 6 seats for pupils; two schools seat 8 pupils each at once, on 16
    connections: exactly 6 are seated, across both schools, the rest told the run is full."""
    schools = [School.objects.get(code=SCHOOL_A), School.objects.get(code=SCHOOL_B)]
    licence = make_licence(make_vehicle(rated_load=8), schools=schools)
    committed.append(lambda: _discard(licence))
    run = make_run(licence, escorts=1)

    def seat(i: int) -> Any:
        return services.assign_seat(
            run=run, school=schools[i % 2], student_ref=1000 + i, actor=SETUP
        )

    results = at_once(16, seat)
    seated = [r for r in results if isinstance(r, Seat)]
    full = [r for r in results if isinstance(r, Conflict)]
    assert len(seated) == 6 and len(full) == 10, results
    assert all(r.code == "run_full" for r in full)
    run.refresh_from_db()
    assert run.seats_taken == 6
    numbers = sorted(Seat.objects.across_schools().filter(run=run).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_escorts_and_pupils_taking_seats_at_once_never_pass_the_rated_load(
    committed: list[Any],
) -> None:
    """A bus rated for 8 (the driver, one escort, 6 seats for pupils); two schools put 4
    escorts and 8 pupils on it at once, on 12 connections: the escorts past the first take
    pupils' seats, and never more people than the rated load are on it."""
    schools = [School.objects.get(code=SCHOOL_A), School.objects.get(code=SCHOOL_B)]
    licence = make_licence(make_vehicle(rated_load=8), schools=schools)
    committed.append(lambda: _discard(licence))
    run = make_run(licence, escorts=1)

    def take(i: int) -> Any:
        if i < 4:
            return services.assign_escort(run=run, school=schools[i % 2], actor=SETUP)
        return services.assign_seat(
            run=run, school=schools[i % 2], student_ref=2000 + i, actor=SETUP
        )

    results = at_once(12, take)
    refused = [r for r in results if isinstance(r, Conflict)]
    assert all(r.code == "run_full" for r in refused), results
    run.refresh_from_db()
    escorts = sum(1 for r in results[:4] if isinstance(r, Run))
    assert run.escorts_assigned == escorts
    assert run.escorts == max(1, escorts)
    assert run.seats_taken + run.escorts + 1 <= 8
    assert run.capacity + run.escorts + 1 == 8
    assert run.seats_taken == Seat.objects.across_schools().filter(run=run).count()


def test_two_officers_adding_a_version_at_once_number_them_one_after_the_other(
    committed: list[Any],
) -> None:
    """Three versions of one route added at once, on three connections: numbered 2, 3 and 4
    (a row lock on the route's first version), none refused."""
    first = make_route()

    def discard() -> None:
        Route.objects.filter(version_of=first).delete()
        Route.objects.filter(pk=first.pk).delete()

    committed.append(discard)
    results = at_once(3, lambda _i: make_version(first))
    assert all(isinstance(r, Route) for r in results), results
    assert sorted(r.version for r in results if isinstance(r, Route)) == [2, 3, 4]
