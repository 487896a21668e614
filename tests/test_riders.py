"""A school's bus riders: its students seated on the district's runs through the shared seat
ledger (a full run, a run the school does not ride and a student of another school refused),
listed per run, with each run's seat chart."""

from typing import Any

from django.db.models import Max
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.transport.models import Run, Seat
from tenant_apps.people.models import Student
from tenant_apps.riders.models import Rider
from tests.matrix.people import make_student
from tests.matrix.riders import make_rider, make_school_run
from tests.matrix.transport import make_licence, make_run, make_vehicle

RIDERS = "/api/v1/riders/"


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _seat(client: Any, run: Run, student: int, **extra: Any) -> Any:
    return client.post(RIDERS, {"run": run.pk, "student": student, **extra})


def test_a_student_is_seated_on_the_run_through_the_district_ledger(client_for, school_a):
    run = make_school_run(school_a)
    student = make_student(school_a.schema_name)
    stop = run.route.stops.get(order=2)
    response = _seat(client_for(school_a, R.LOGISTICS_DIRECTOR), run, student.pk, stop=stop.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["seat"] == 1
    assert response.json()["stop_name"] == stop.name
    seat = Seat.objects.across_schools().get(run=run)
    assert (seat.school_id, seat.student_ref, seat.stop_id) == (school_a.pk, student.pk, stop.pk)
    run.refresh_from_db()
    assert run.seats_taken == 1


def test_a_student_of_another_school_is_refused_and_nothing_is_seated(
    client_for, school_a, school_b
):
    run = make_school_run(school_a, school_b)
    with tenant_context(school_a):
        highest = Student.objects.aggregate(highest=Max("pk"))["highest"] or 0
    others = make_student(school_b.schema_name)
    while others.pk <= highest:
        others = make_student(school_b.schema_name)
    response = _seat(client_for(school_a, R.LOGISTICS_DIRECTOR), run, others.pk)
    assert response.status_code == 400
    assert "student" in response.json()["error"]["fields"]
    assert not Seat.objects.across_schools().filter(run=run).exists()


def test_a_full_run_is_refused_with_its_code_across_schools(client_for, school_a, school_b):
    # A bus rated for 4: the driver, one escort and two seats for pupils.
    run = make_run(make_licence(make_vehicle(rated_load=4), schools=[school_a, school_b]))
    assert run.capacity == 2
    make_rider(school_b, run)
    make_rider(school_a, run)
    response = _seat(
        client_for(school_a, R.LOGISTICS_DIRECTOR), run, make_student(school_a.schema_name).pk
    )
    assert _error(response) == (409, "run_full")
    with tenant_context(school_a):
        assert Rider.objects.filter(trip__run_ref=run.pk).count() == 1


def test_a_run_the_school_does_not_ride_is_refused(client_for, school_a, school_b):
    run = make_school_run(school_b)
    response = _seat(
        client_for(school_a, R.LOGISTICS_DIRECTOR), run, make_student(school_a.schema_name).pk
    )
    assert _error(response) == (409, "school_not_on_route")


def test_the_same_student_twice_on_a_run_is_refused(client_for, school_a):
    rider = make_rider(school_a)
    response = _seat(
        client_for(school_a, R.LOGISTICS_DIRECTOR),
        Run.objects.get(pk=rider.trip.run_ref),
        rider.student_id,
    )
    assert _error(response) == (409, "seat_taken")


def test_removing_a_rider_gives_the_seat_back(client_for, school_a):
    rider = make_rider(school_a)
    response = client_for(school_a, R.LOGISTICS_DIRECTOR).delete(f"{RIDERS}{rider.pk}/")
    assert response.status_code == 204
    run = Run.objects.get(pk=rider.trip.run_ref)
    assert run.seats_taken == 0
    assert not Seat.objects.across_schools().filter(run=run).exists()


def test_riders_are_listed_per_run(client_for, school_a):
    rider = make_rider(school_a)
    make_rider(school_a)
    response = client_for(school_a, R.PRINCIPAL).get(RIDERS, {"run": rider.trip.run_ref})
    assert [row["id"] for row in response.json()["results"]] == [rider.pk]


def test_the_seat_chart_shows_own_riders_other_schools_seats_and_free_seats(
    client_for, school_a, school_b
):
    run = make_school_run(school_a, school_b)
    make_rider(school_b, run)
    mine = make_rider(school_a, run)
    chart = (
        client_for(school_a, R.LOGISTICS_DIRECTOR)
        .get(f"{RIDERS}trips/{mine.trip_id}/chart/")
        .json()
    )
    assert len(chart) == run.capacity
    assert chart[0] == {"number": 1, "rider": None, "taken_elsewhere": True}
    assert chart[1]["rider"]["id"] == mine.pk
    assert chart[1]["taken_elsewhere"] is False
    assert all(seat["rider"] is None and not seat["taken_elsewhere"] for seat in chart[2:])


def test_the_school_lists_its_trips_of_a_day_with_their_riders(client_for, school_a):
    rider = make_rider(school_a)
    run = Run.objects.get(pk=rider.trip.run_ref)
    make_rider(school_a, run)
    day = run.period.lower.astimezone().date()
    response = client_for(school_a, R.PRINCIPAL).get(
        f"{RIDERS}trips/", {"starts_from": day.isoformat(), "starts_to": day.isoformat()}
    )
    rows = response.json()["results"]
    assert [(row["id"], row["riders_count"]) for row in rows] == [(rider.trip_id, 2)]
    earlier = client_for(school_a, R.PRINCIPAL).get(f"{RIDERS}trips/", {"starts_to": "2020-01-01"})
    assert earlier.json()["results"] == []
