"""Reads about a school's riders: who rides which run, and each run's seat chart. The runs and
stops are the district's, read by id (a school's rows hold no foreign key to them)."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery

from shared_apps.transport.models import Run, Stop
from shared_apps.transport.selectors import run_list, run_seat_numbers
from tenant_apps.riders.models import Rider, Trip


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
