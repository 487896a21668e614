"""The seat ledger of a run that schools share: two schools seating pupils at once, on separate
connections, never seat more than the seats for pupils (a row lock on the run, and the
database's check on its count)."""

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
from tests.matrix.transport import make_licence, make_run, make_vehicle


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
