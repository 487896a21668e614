"""A school's bus escorts working a run: their own runs only, the pre-trip check before the
start, riders boarding and alighting (ticked by the escort, or a terminal's event once under its
own key; the wrong bus and the wrong stop refused, the guardians told), and the close refused
while someone is still on board, its alarm and notices kept. An escort's seat is counted out of
the run's seats for pupils."""

from typing import Any

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.accounts.models import Membership
from shared_apps.transport.models import Run
from tenant_apps.dorms.services.nights import guardian_add
from tenant_apps.notices.models import Notice
from tenant_apps.riders.filters import EscortFilter
from tenant_apps.riders.models import Alarm, Escort, Passage, Trip
from tests.factories import SETUP, user_with_role
from tests.matrix.riders import (
    board,
    escort_on,
    make_escort,
    make_rider,
    make_school_run,
    make_terminal,
    started_trip,
)
from tests.matrix.transport import make_licence, make_run, make_vehicle

TRIPS = "/api/v1/riders/trips/"
TERMINAL = "/api/v1/riders/terminal/passages/"


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _tick(rider: Any, kind: str = "board", **extra: Any) -> dict[str, Any]:
    """The escort's tick of `rider` boarding (or `kind`)."""
    return {
        "student_number": rider.student.student_number,
        "kind": kind,
        "occurred_at": timezone.now().isoformat(),
        **extra,
    }


def test_a_terminals_event_sent_twice_is_recorded_once_and_answers_the_original(
    client_for, school_a
):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    with tenant_context(school_a):
        guardian_add(student=rider.student, name="张妈妈", phone="13800000001", actor=SETUP)
    _terminal, key = make_terminal(school_a, "bus-7")
    terminal = client_for(school_a)
    event = {**_tick(rider), "trip": rider.trip_id, "method": "face", "device_event_id": "e-1"}
    first = terminal.post(TERMINAL, event, HTTP_X_TERMINAL_KEY=key)
    assert first.status_code == 201, first.json()
    again = terminal.post(TERMINAL, event, HTTP_X_TERMINAL_KEY=key)
    assert again.status_code == 200
    assert again.json() == first.json()
    with tenant_context(school_a):
        assert Passage.objects.filter(trip=rider.trip).count() == 1
        told = Notice.objects.filter(recipient="13800000001")
        assert told.count() == 1
        assert rider.student.name in told.get().body
    # Another record of the same boarding (the escort's tick) is refused, naming why.
    other = client_for(school_a, escort).post(f"{TRIPS}{rider.trip_id}/passages/", _tick(rider))
    assert _error(other) == (409, "recorded_already")


def test_the_escorts_route_takes_ticks_only(client_for, school_a):
    """A terminal posts with its own key: a terminal's event sent with a person's token is
    refused (400 naming the method), nothing recorded; the same as a tick is taken."""
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    client = client_for(school_a, escort)
    url = f"{TRIPS}{rider.trip_id}/passages/"
    card = {"method": "card", "device": "bus-7", "device_event_id": "e-1"}
    for sent in (card, {"method": "face"}, {"device": "bus-7"}, {"device_event_id": "e-1"}):
        refused = client.post(url, {**_tick(rider), **sent})
        assert refused.status_code == 400, sent
        assert "method" in refused.json()["error"]["fields"]
    with tenant_context(school_a):
        assert not Passage.objects.exists()
    ticked = client.post(url, {**_tick(rider), "method": "escort", "device": ""})
    assert ticked.status_code == 201, ticked.json()
    assert (ticked.json()["method"], ticked.json()["device"]) == ("escort", "")


def test_a_rider_of_another_bus_and_a_wrong_stop_are_refused(client_for, school_a):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    elsewhere = make_rider(school_a)
    client = client_for(school_a, escort)
    url = f"{TRIPS}{rider.trip_id}/passages/"
    wrong_bus = client.post(url, _tick(elsewhere))
    assert _error(wrong_bus) == (409, "wrong_bus")
    # A morning route: a rider boards at their own stop (the first one here).
    run = Run.objects.get(pk=rider.trip.run_ref)
    another_stop = run.route.stops.get(order=2)
    wrong_stop = client.post(url, _tick(rider, stop=another_stop.pk))
    assert _error(wrong_stop) == (409, "wrong_stop")
    assert another_stop.name in wrong_stop.json()["error"]["message"]
    right = client.post(url, _tick(rider, stop=run.route.stops.get(order=1).pk))
    assert right.status_code == 201, right.json()
    with tenant_context(school_a):
        assert Passage.objects.count() == 1


def test_the_run_does_not_start_while_an_item_of_the_check_is_open(client_for, school_a):
    escort = make_escort(school_a)
    rider = make_rider(school_a)
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    client = client_for(school_a, escort)
    url = f"{TRIPS}{rider.trip_id}/"
    for item in ("brakes", "steering", "lights", "tyres", "door", "seats", "belts"):
        assert client.post(f"{url}check/", {"item": item, "passed": True}).status_code == 200
    client.post(f"{url}check/", {"item": "escort_present", "passed": True})
    client.post(f"{url}check/", {"item": "driver_licensed", "passed": True})
    client.post(f"{url}check/", {"item": "head_count", "passed": True, "count": 0})
    client.post(f"{url}check/", {"item": "driver_sober", "passed": False, "note": "酒精检测"})
    refused = client.post(f"{url}start/")
    assert _error(refused) == (409, "check_open")
    assert refused.json()["error"]["fields"]["items"] == ["driver_sober"]
    with tenant_context(school_a):
        assert Trip.objects.get(pk=rider.trip_id).status == Trip.Status.PLANNED
    client.post(f"{url}check/", {"item": "driver_sober", "passed": True})
    started = client.post(f"{url}start/")
    assert started.status_code == 200, started.json()
    assert started.json()["status"] == "started"


def test_a_head_count_over_the_load_is_refused(client_for, school_a):
    rider = make_rider(school_a)
    client = client_for(school_a, R.LOGISTICS_DIRECTOR)
    run = Run.objects.get(pk=rider.trip.run_ref)
    over = client.post(
        f"{TRIPS}{rider.trip_id}/check/",
        {"item": "head_count", "passed": True, "count": run.capacity + 1},
    )
    assert _error(over) == (409, "head_count_over_load")


def test_the_close_is_refused_while_someone_is_on_board_and_the_alarm_stays(client_for, school_a):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    with tenant_context(school_a):
        guardian_add(student=rider.student, name="张爸爸", phone="13800000002", actor=SETUP)
    board(school_a, rider)
    client = client_for(school_a, escort)
    refused = client.post(f"{TRIPS}{rider.trip_id}/close/")
    assert _error(refused) == (409, "still_on_board")
    assert rider.student.name in refused.json()["error"]["message"]
    with tenant_context(school_a):
        assert Trip.objects.get(pk=rider.trip_id).status == Trip.Status.STARTED
        alarm = Alarm.objects.get(trip=rider.trip_id)
        assert (alarm.kind, alarm.on_board) == (Alarm.Kind.LEFT_ON_BOARD, 1)
        assert Notice.objects.filter(
            recipient="13800000002", key__startswith="riders.on_board:"
        ).exists()
    alarms = client_for(school_a, R.LOGISTICS_DIRECTOR).get("/api/v1/riders/alarms/")
    assert [a["on_board"] for a in alarms.json()["results"]] == [1]
    board(school_a, rider, Passage.Kind.ALIGHT)
    closed = client.post(f"{TRIPS}{rider.trip_id}/close/")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"


def test_an_escort_cannot_see_another_escorts_run(client_for, school_a):
    mine, theirs = make_escort(school_a), make_escort(school_a)
    my_rider = started_trip(school_a, mine)
    their_rider = started_trip(school_a, theirs)
    client = client_for(school_a, mine)
    listed = client.get(TRIPS).json()["results"]
    assert [t["id"] for t in listed] == [my_rider.trip_id]
    assert client.get(f"{TRIPS}{their_rider.trip_id}/").status_code == 404
    closing = client.post(f"{TRIPS}{their_rider.trip_id}/close/")
    assert closing.status_code == 404
    event = client.post(f"{TRIPS}{their_rider.trip_id}/passages/", _tick(their_rider))
    assert event.status_code == 404
    with tenant_context(school_a):
        assert not Passage.objects.exists()


def test_an_escort_past_the_scheduled_ones_takes_a_pupils_seat(school_a):
    run = make_school_run(school_a)
    capacity = run.capacity
    escort_on(school_a, run)
    run.refresh_from_db()
    assert (run.escorts, run.escorts_assigned, run.capacity) == (1, 1, capacity)
    escort_on(school_a, run)
    run.refresh_from_db()
    assert (run.escorts, run.escorts_assigned, run.capacity) == (2, 2, capacity - 1)
    assert run.capacity + 1 + run.escorts == run.vehicle.rated_load


def test_an_escort_on_a_full_run_is_refused(client_for, school_a):
    # Rated for 4: the driver, one escort, two pupils.
    run = make_run(make_licence(make_vehicle(rated_load=4), schools=[school_a]))
    escort_on(school_a, run)
    make_rider(school_a, run)
    make_rider(school_a, run)
    response = client_for(school_a, R.LOGISTICS_DIRECTOR).post(
        "/api/v1/riders/escorts/", {"run": run.pk, "user": make_escort(school_a).pk}
    )
    assert _error(response) == (409, "run_full")
    run.refresh_from_db()
    assert (run.escorts, run.escorts_assigned, run.seats_taken) == (1, 1, 2)


def test_only_a_bus_escort_goes_on_a_run_as_its_escort(client_for, school_a):
    teacher = user_with_role(R.STAFF, school_a)
    response = client_for(school_a, R.LOGISTICS_DIRECTOR).post(
        "/api/v1/riders/escorts/", {"run": make_school_run(school_a).pk, "user": teacher.pk}
    )
    assert _error(response) == (400, "not_an_escort")


def test_a_rider_who_travelled_stays_on_the_run(client_for, school_a):
    rider = started_trip(school_a)
    board(school_a, rider)
    response = client_for(school_a, R.LOGISTICS_DIRECTOR).delete(f"/api/v1/riders/{rider.pk}/")
    assert _error(response) == (409, "rider_travelled")


def test_the_escorts_list_offers_only_the_schools_escorts_to_filter_by(
    client_for, school_a, school_b
):
    run = make_school_run(school_a)
    # Put on a run, then dropped from the role: still someone its escorts were.
    former = escort_on(school_a, run).user
    Membership.objects.across_schools().filter(user=former).delete()
    idle = make_escort(school_a)
    make_escort(school_b)
    teacher = user_with_role(R.STAFF, school_a)
    with tenant_context(school_a):
        trip = Trip.objects.get(run_ref=run.pk)
        with CaptureQueriesContext(connection) as queries:
            asked = RequestFactory().get("/api/v1/riders/escorts/")
            field = EscortFilter(queryset=Escort.objects.all(), request=asked).form.fields["user"]
            offered = {int(str(value)) for value, _label in field.choices if value}
    assert offered == {former.pk, idle.pk}
    assert len(queries) == 1
    client = client_for(school_a, R.LOGISTICS_DIRECTOR)
    assert client.get("/api/v1/riders/escorts/", {"user": teacher.pk}).status_code == 400
    listed = client.get("/api/v1/riders/escorts/", {"user": former.pk})
    assert [row["trip"] for row in listed.json()["results"]] == [trip.pk]
