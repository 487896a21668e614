"""A terminal's report of many boardings and alightings on a trip: each event under the rules of
one (the wrong bus, the wrong stop, twice the same), one row per event in order; a duplicate in
the report or of an earlier one answered with the original; a refused event saves nothing of
itself and leaves the others be; a malformed event or a trip not under way refuses the whole
report, nothing saved."""

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.transport.models import Run
from tenant_apps.dorms.models import Guardian
from tenant_apps.dorms.services.nights import guardian_add
from tenant_apps.notices.models import Notice
from tenant_apps.people.models import Student
from tenant_apps.riders.models import Passage, Rider, Trip
from tenant_apps.riders.services import PassageEvent, passages_record
from tenants.models import School
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A
from tests.factories import SETUP
from tests.matrix.people import make_student
from tests.matrix.riders import (
    escort_on,
    make_escort,
    make_rider,
    make_terminal,
    started_trip,
)
from tests.matrix.transport import make_licence, make_run
from tests.test_transport_concurrency import _discard

REPORT = "/api/v1/riders/terminal/passages/report/"


def _event(rider: Rider, event_id: str, kind: str = "board", **extra: Any) -> dict[str, Any]:
    return {
        "student_number": rider.student.student_number,
        "kind": kind,
        "method": "card",
        "device_event_id": event_id,
        "occurred_at": timezone.now().isoformat(),
        **extra,
    }


def _reporter(client_for: Any, school: School) -> Callable[[int, list[Any]], Any]:
    """report(trip, events): posts a report with the key of a terminal registered here."""
    _terminal, key = make_terminal(school, "bus-9")
    client = client_for(school)
    return lambda trip, events: client.post(
        REPORT, {"trip": trip, "events": events}, format="json", HTTP_X_TERMINAL_KEY=key
    )


def _codes(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.json()
    return [(row["device_event_id"], row["code"]) for row in response.json()]


def test_a_report_answers_each_event_and_saves_only_what_the_rules_allow(client_for, school_a):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    run = Run.objects.get(pk=rider.trip.run_ref)
    second = make_rider(school_a, run)
    elsewhere = make_rider(school_a)
    with tenant_context(school_a):
        guardian_add(student=rider.student, name="李妈妈", phone="13800000011", actor=SETUP)
        guardian_add(student=second.student, name="王爸爸", phone="13800000012", actor=SETUP)
    report = [
        _event(rider, "e-1"),
        _event(rider, "e-1"),
        _event(second, "e-2", stop=run.route.stops.get(order=2).pk),
        _event(elsewhere, "e-3"),
        _event(rider, "e-4", student_number="NOBODY"),
        _event(rider, "e-5"),
        _event(second, "e-6", stop=run.route.stops.get(order=1).pk),
    ]
    report_to = _reporter(client_for, school_a)
    answered = report_to(rider.trip_id, report)
    assert _codes(answered) == [
        ("e-1", "accepted"),
        ("e-1", "duplicate"),
        ("e-2", "wrong_stop"),
        ("e-3", "wrong_bus"),
        ("e-4", "unknown_student"),
        ("e-5", "recorded_already"),
        ("e-6", "accepted"),
    ]
    rows = answered.json()
    assert rows[1]["passage"] == rows[0]["passage"]
    assert rows[2]["passage"] is None and "站" in rows[2]["message"]
    with tenant_context(school_a):
        assert Passage.objects.count() == 2
        boarded = Passage.objects.get(pk=rows[6]["passage"])
        assert (boarded.rider_id, boarded.stop_ref) == (second.pk, run.route.stops.get(order=1).pk)
        told = Notice.objects.filter(key__startswith="riders.passage:")
        assert sorted(told.values_list("recipient", flat=True)) == ["13800000011", "13800000012"]
        assert rider.student.name in told.get(recipient="13800000011").body
    # The same report again: nothing new, the recorded events answered with their originals.
    again = report_to(rider.trip_id, report)
    assert [code for _e, code in _codes(again)] == [
        "duplicate",
        "duplicate",
        "wrong_stop",
        "wrong_bus",
        "unknown_student",
        "recorded_already",
        "duplicate",
    ]
    assert again.json()[6]["passage"] == rows[6]["passage"]
    with tenant_context(school_a):
        assert Passage.objects.count() == 2
        assert Notice.objects.filter(key__startswith="riders.passage:").count() == 2


def test_the_events_of_a_report_are_checked_in_the_order_they_occurred(client_for, school_a):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    boarded = timezone.now() - datetime.timedelta(minutes=40)
    report = [
        _event(rider, "e-2", kind="alight"),
        _event(rider, "e-1", occurred_at=boarded.isoformat()),
    ]
    report_to = _reporter(client_for, school_a)
    answered = report_to(rider.trip_id, report)
    assert _codes(answered) == [("e-2", "accepted"), ("e-1", "accepted")]
    late = [_event(rider, "e-3", kind="alight", occurred_at=boarded.isoformat())]
    refused = report_to(rider.trip_id, late)
    assert _codes(refused) == [("e-3", "recorded_already")]


def test_a_malformed_event_refuses_the_whole_report_naming_it(client_for, school_a):
    escort = make_escort(school_a)
    rider = started_trip(school_a, escort)
    report_to = _reporter(client_for, school_a)
    report = [_event(rider, "e-1"), _event(rider, "e-2", method="escort")]
    refused = report_to(rider.trip_id, report)
    assert refused.status_code == 400
    assert "1" in str(refused.json()["error"]["fields"])
    no_event_id = report_to(rider.trip_id, [_event(rider, "")])
    assert no_event_id.status_code == 400
    empty = report_to(rider.trip_id, [])
    assert empty.status_code == 400
    with tenant_context(school_a):
        assert not Passage.objects.exists()
        assert not Notice.objects.exists()


def test_a_report_on_a_trip_not_under_way_is_refused_whole(client_for, school_a):
    escort = make_escort(school_a)
    rider = make_rider(school_a)
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    refused = _reporter(client_for, school_a)(rider.trip_id, [_event(rider, "e-1")])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "trip_not_started"
    with tenant_context(school_a):
        assert not Passage.objects.exists()


def test_two_reports_of_one_boarding_at_once_record_it_once(committed: list[Any]) -> None:
    """Two terminals report the same pupil boarding at once, on separate connections, under
    event ids of their own: the trip's lock takes them one at a time, and the second reads what
    the first committed (its read is a statement after the lock, not the lock's snapshot): one
    accepted, one `recorded_already`, one passage and one notice."""
    school = School.objects.get(code=SCHOOL_A)
    licence = make_licence(schools=[school])
    committed.append(lambda: _discard(licence))
    run = make_run(licence)
    student = make_student(school.schema_name)
    with tenant_context(school):
        trip = Trip.objects.create(
            run_ref=run.pk, status=Trip.Status.STARTED, started_at=timezone.now()
        )
        rider = Rider.objects.create(trip=trip, student=student, seat=1, seat_ref=-run.pk)
        guardian = Guardian.objects.create(student=student, name="李爸爸", phone="13900000009")

    def forget() -> None:
        with tenant_context(school):
            Notice.objects.filter(recipient=guardian.phone).delete()
            Passage.objects.filter(trip=trip).delete()
            Guardian.objects.filter(pk=guardian.pk).delete()
            Rider.objects.filter(pk=rider.pk).delete()
            Trip.objects.filter(pk=trip.pk).delete()
            Student.objects.filter(pk=student.pk).delete()

    committed.append(forget)

    def report(i: int) -> str:
        event = PassageEvent(
            student.student_number, "board", timezone.now(), "card", f"bus-{i}", f"c-{i}"
        )
        with tenant_context(school):
            [row] = passages_record(trip=trip, events=[event], actor=SETUP)
        return row.code

    codes = at_once(2, report)
    assert sorted(map(str, codes)) == ["accepted", "recorded_already"], codes
    with tenant_context(school):
        assert Passage.objects.filter(trip=trip).count() == 1
        assert Notice.objects.filter(recipient=guardian.phone).count() == 1
