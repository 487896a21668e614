"""Escort swaps (校车 item 7): someone not put on a run as its escort doing an escort's act (the
check, the start, a tick, the close), or the run's escorts changed after its check found its
escort present, raise an alarm to the school, shown on the run's page and the day's list."""

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.transport.models import Run
from tenant_apps.riders import services
from tenant_apps.riders.models import Alarm
from tests.factories import SETUP, user_with_role
from tests.matrix.riders import (
    board,
    check_all,
    escort_on,
    make_escort,
    make_rider,
    make_terminal,
    started_trip,
)
from tests.matrix.transport import make_licence, make_run
from tests.web import page, signed_in

TRIPS = "/api/v1/riders/trips/"
TERMINAL = "/api/v1/riders/terminal/passages/"


def _swaps(school, trip_id):
    with tenant_context(school):
        return list(Alarm.objects.filter(trip=trip_id, kind=Alarm.Kind.ESCORT_SWAP))


def test_the_runs_own_escort_raises_nothing_and_someone_else_raises_a_swap(client_for, school_a):
    escort = make_escort(school_a)
    rider = make_rider(school_a)
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    url = f"{TRIPS}{rider.trip_id}/check/"
    assert (
        client_for(school_a, escort).post(url, {"item": "brakes", "passed": True}).status_code
        == 200
    )
    assert _swaps(school_a, rider.trip_id) == []
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a, display_name="王主任")
    assert (
        client_for(school_a, director).post(url, {"item": "door", "passed": True}).status_code
        == 200
    )
    [alarm] = _swaps(school_a, rider.trip_id)
    assert alarm.escort_id == director.pk and alarm.raised_by_id == director.pk
    assert alarm.cause == Alarm.Cause.ACTED
    listed = client_for(school_a, R.PRINCIPAL).get(
        "/api/v1/riders/alarms/", {"kind": "escort_swap"}
    )
    [row] = listed.json()["results"]
    assert (row["escort"]["id"], row["on_board"]) == (director.pk, None)


def test_ticks_and_the_close_by_another_raise_it_once_and_a_terminal_does_not(client_for, school_a):
    rider = started_trip(school_a)
    assert _swaps(school_a, rider.trip_id) == []
    _terminal, key = make_terminal(school_a, "bus-1")
    card = {
        "trip": rider.trip_id,
        "student_number": rider.student.student_number,
        "kind": "board",
        "method": "card",
        "device_event_id": "e-1",
        "occurred_at": timezone.now().isoformat(),
    }
    keyed = client_for(school_a).post(TERMINAL, card, HTTP_X_TERMINAL_KEY=key)
    assert keyed.status_code == 201, keyed.json()
    assert _swaps(school_a, rider.trip_id) == []
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    tick = {"student_number": rider.student.student_number, "kind": "alight"}
    tick["occurred_at"] = timezone.now().isoformat()
    assert director.post(f"{TRIPS}{rider.trip_id}/passages/", tick).status_code == 201
    assert director.post(f"{TRIPS}{rider.trip_id}/close/").status_code == 200
    assert len(_swaps(school_a, rider.trip_id)) == 1


def test_terminal_events_and_reports_raise_no_swap(client_for, school_a):
    rider = started_trip(school_a)
    _terminal, key = make_terminal(school_a, "bus-7")
    event = {
        "trip": rider.trip_id,
        "student_number": rider.student.student_number,
        "kind": "board",
        "method": "card",
        "device_event_id": "e-1",
        "occurred_at": timezone.now().isoformat(),
    }
    terminal = client_for(school_a)
    keyed = terminal.post(TERMINAL, event, HTTP_X_TERMINAL_KEY=key)
    assert keyed.status_code == 201, keyed.json()
    off = {**event, "kind": "alight", "device_event_id": "e-2"}
    del off["trip"]
    report = terminal.post(
        f"{TERMINAL}report/",
        {"trip": rider.trip_id, "events": [off]},
        format="json",
        HTTP_X_TERMINAL_KEY=key,
    )
    assert [row["code"] for row in report.json()] == ["accepted"]
    assert _swaps(school_a, rider.trip_id) == []


def test_escorts_changed_after_the_check_raise_a_swap(school_a):
    run = make_run(make_licence(schools=[school_a]), day=timezone.localdate())
    rider = make_rider(school_a, run)
    first = escort_on(school_a, run, make_escort(school_a))
    with tenant_context(school_a):
        # Before the check, a change is the plan, not a swap.
        services.escort_remove(escort=first, actor=SETUP)
    assert _swaps(school_a, rider.trip_id) == []
    second = escort_on(school_a, run, make_escort(school_a))
    check_all(school_a, rider.trip)
    with tenant_context(school_a):
        services.escort_remove(escort=second, actor=SETUP)
    [alarm] = _swaps(school_a, rider.trip_id)
    assert alarm.escort_id == second.user_id and alarm.cause == Alarm.Cause.TAKEN_OFF
    newcomer = make_escort(school_a)
    escort_on(school_a, run, newcomer)
    [alarm] = _swaps(school_a, rider.trip_id)
    assert alarm.escort_id == newcomer.pk and alarm.cause == Alarm.Cause.PUT_ON

    # Shown on the run's page (still to start) and on the director's day.
    html = page(signed_in(school_a, newcomer), f"/buses/{rider.trip_id}/")
    assert 'role="alert"' in html and "换人" in html
    day = page(signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a)), "/buses/")
    assert f"{newcomer.display_name or newcomer.username}: 在出车前检查后被派上本班次" in day


def test_a_swap_stays_on_the_run_page_while_it_is_open_and_not_once_closed(school_a):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    board(school_a, rider)
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    with tenant_context(school_a):
        services.passage_record(
            trip=rider.trip,
            student=rider.student,
            kind="alight",
            occurred_at=timezone.now(),
            actor=director,
        )
    client = signed_in(school_a, escort)
    assert "换人" in page(client, f"/buses/{rider.trip_id}/")
    assert client.post(f"/buses/{rider.trip_id}/close/").status_code == 302
    html = page(client, f"/buses/{rider.trip_id}/")
    assert 'role="alert"' not in html and "1 条报警" in html
