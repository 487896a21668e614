"""School-bus safety in a school: incidents with their timed steps (each once, between the
incident and now; an escort on their own runs only; closed by the director once every step is
done, with a summary, and never changed after), drills at least once a semester (the school's
terms, or the halves of the year without them), and training records with who has had none for
twelve months."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.transport.models import Run
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.riders import selectors, services
from tenant_apps.riders.models import Drill, Incident, Training
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.riders import (
    escort_on,
    make_escort,
    make_incident,
    make_rider,
    make_school_run,
)
from tests.matrix.transport import make_licence, make_vehicle

API = "/api/v1/riders/"
INCIDENTS = f"{API}incidents/"


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _steps(answer: dict[str, Any]) -> dict[str, Any]:
    return {step["step"]: step for step in answer["steps"]}


def test_an_escort_reports_an_incident_on_their_run_and_records_each_step_once(
    client_for, school_a
):
    escort = make_escort(school_a)
    rider = make_rider(school_a)
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    client = client_for(school_a, escort)
    happened = timezone.now() - datetime.timedelta(minutes=30)
    reported = client.post(
        f"{API}trips/{rider.trip_id}/incidents/",
        {"kind": "breakdown", "occurred_at": _iso(happened), "description": "爆胎，靠边停车"},
    )
    assert reported.status_code == 201, reported.json()
    incident = reported.json()
    assert incident["trip"] == rider.trip_id
    assert incident["plate"] == Run.objects.get(pk=rider.trip.run_ref).vehicle.plate
    url = f"{INCIDENTS}{incident['id']}/"

    called = client.post(
        f"{url}steps/",
        {"step": "police_called", "at": _iso(happened + datetime.timedelta(minutes=4))},
    )
    assert called.status_code == 200, called.json()
    step = _steps(called.json())["police_called"]
    assert (step["minutes"], step["by"]["id"]) == (4, escort.pk)
    again = client.post(f"{url}steps/", {"step": "police_called", "at": _iso(timezone.now())})
    assert _error(again) == (409, "step_recorded")
    future = timezone.now() + datetime.timedelta(minutes=5)
    ahead = client.post(f"{url}steps/", {"step": "evacuated", "at": _iso(future)})
    assert _error(ahead) == (400, "in_the_future")
    before = client.post(
        f"{url}steps/",
        {"step": "evacuated", "at": _iso(happened - datetime.timedelta(minutes=1))},
    )
    assert _error(before) == (400, "before_incident")
    assert "at" in before.json()["error"]["fields"]
    # Closing is the director's: to an escort the incident is not there to close.
    assert client.post(f"{url}close/", {"summary": "完毕"}).status_code == 404
    with tenant_context(school_a):
        saved = Incident.objects.get(pk=incident["id"])
        assert saved.evacuated_at is None
        assert saved.closed_at is None


def test_an_escort_neither_reports_on_nor_sees_another_escorts_run(client_for, school_a):
    mine, theirs = make_escort(school_a), make_escort(school_a)
    their_incident = make_incident(school_a, theirs)
    rider = make_rider(school_a)
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), theirs)
    client = client_for(school_a, mine)
    refused = client.post(
        f"{API}trips/{rider.trip_id}/incidents/",
        {"kind": "other", "occurred_at": _iso(timezone.now()), "description": "x"},
    )
    assert refused.status_code == 404
    assert client.get(INCIDENTS).json()["results"] == []
    step = client.post(
        f"{INCIDENTS}{their_incident.pk}/steps/",
        {"step": "district_told", "at": _iso(timezone.now())},
    )
    assert step.status_code == 404
    with tenant_context(school_a):
        assert Incident.objects.count() == 1
        assert Incident.objects.get().district_told_at is None


def test_the_director_closes_an_incident_once_every_step_is_done_and_never_changes_it(
    client_for, school_a
):
    incident = make_incident(school_a)
    client = client_for(school_a, R.LOGISTICS_DIRECTOR)
    url = f"{INCIDENTS}{incident.pk}/"
    client.post(f"{url}steps/", {"step": "evacuated", "at": _iso(timezone.now())})
    early = client.post(f"{url}close/", {"summary": "已处置"})
    assert _error(early) == (409, "steps_open")
    assert early.json()["error"]["fields"]["steps"] == [
        "police_called",
        "guardians_told",
        "district_told",
    ]
    for step in ("police_called", "guardians_told", "district_told"):
        done = client.post(f"{url}steps/", {"step": step, "at": _iso(timezone.now())})
        assert done.status_code == 200, done.json()
    blank = client.post(f"{url}close/", {"summary": "  "})
    assert blank.status_code == 400
    closed = client.post(f"{url}close/", {"summary": "更换轮胎后继续行驶，无人受伤"})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["closed_by"]["username"]
    again = client.post(f"{url}close/", {"summary": "改写"})
    assert _error(again) == (409, "incident_closed")
    with tenant_context(school_a):
        assert Incident.objects.get(pk=incident.pk).summary == "更换轮胎后继续行驶，无人受伤"


def test_an_incident_without_a_trip_names_a_bus_of_the_schools_routes(client_for, school_a):
    client = client_for(school_a, R.LOGISTICS_DIRECTOR)
    ours = make_licence(schools=[school_a]).vehicle
    body = {"kind": "accident", "occurred_at": _iso(timezone.now()), "description": "倒车剐蹭"}
    assert _error(client.post(INCIDENTS, body)) == (400, "required")
    others = client.post(INCIDENTS, {**body, "vehicle": make_vehicle().pk})
    assert _error(others) == (400, "not_our_bus")
    both = client.post(
        INCIDENTS, {**body, "vehicle": ours.pk, "trip": make_rider(school_a).trip_id}
    )
    assert _error(both) == (400, "required")
    future = _iso(timezone.now() + datetime.timedelta(hours=1))
    ahead = client.post(INCIDENTS, {**body, "vehicle": ours.pk, "occurred_at": future})
    assert _error(ahead) == (400, "in_the_future")
    with tenant_context(school_a):
        assert not Incident.objects.exists()
    made = client.post(INCIDENTS, {**body, "vehicle": ours.pk})
    assert made.status_code == 201, made.json()
    assert (made.json()["trip"], made.json()["plate"]) == (None, ours.plate)


def test_incidents_are_listed_by_date_range(client_for, school_a):
    old, new = make_incident(school_a), make_incident(school_a)
    with tenant_context(school_a):
        Incident.objects.filter(pk=old.pk).update(
            occurred_at=timezone.now() - datetime.timedelta(days=40)
        )
    today = timezone.localdate().isoformat()
    client = client_for(school_a, R.PRINCIPAL)
    rows = client.get(INCIDENTS, {"occurred_from": today, "occurred_to": today}).json()["results"]
    assert [row["id"] for row in rows] == [new.pk]


def test_the_database_keeps_steps_after_the_incident_and_closing_after_the_steps(school_a):
    incident = make_incident(school_a)
    with tenant_context(school_a):
        rows = Incident.objects.filter(pk=incident.pk)
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(police_called_at=incident.occurred_at - datetime.timedelta(seconds=1))
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(closed_at=timezone.now(), summary="未完成")


# Drills -------------------------------------------------------------------------------------------


def test_the_semesters_without_a_drill_follow_the_schools_terms(client_for, school_a):
    with tenant_context(school_a):
        SchoolTerm.objects.create(
            school_year=2025,
            name="第二学期",
            start_date=datetime.date(2026, 3, 2),
            end_date=datetime.date(2026, 7, 10),
        )
        SchoolTerm.objects.create(
            school_year=2026,
            name="第一学期",
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 1, 20),
        )
        services.drill_record(
            day=datetime.date(2026, 4, 15), kind=Drill.Kind.FIRE, participants=40, actor=SETUP
        )
    client = client_for(school_a, R.PRINCIPAL)
    answer = client.get(
        f"{API}drills/semesters/", {"period_from": "2026-01-01", "period_to": "2026-12-31"}
    )
    assert [(s["name"], s["drills"]) for s in answer.json()] == [("第二学期", 1), ("第一学期", 0)]
    with tenant_context(school_a):
        missing = selectors.semesters_without_drill(
            datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
        )
        assert [s.name for s in missing] == ["第一学期"]
        assert selectors.current_semester(datetime.date(2026, 8, 1)) is None


def test_without_terms_a_semester_is_february_to_july_or_september_to_january(school_a):
    with tenant_context(school_a):
        SchoolTerm.objects.all().delete()
        services.drill_record(
            day=datetime.date(2025, 12, 20),
            kind=Drill.Kind.EVACUATION,
            participants=12,
            actor=SETUP,
        )
        found = selectors.semesters(datetime.date(2025, 10, 1), datetime.date(2026, 3, 1))
    assert [(s.start, s.end, s.drills) for s in found] == [
        (datetime.date(2025, 9, 1), datetime.date(2026, 1, 31), 1),
        (datetime.date(2026, 2, 1), datetime.date(2026, 7, 31), 0),
    ]


def test_a_drill_in_the_future_or_on_another_schools_bus_is_refused(client_for, school_a):
    client = client_for(school_a, R.LOGISTICS_DIRECTOR)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    body = {"day": tomorrow, "kind": "evacuation", "participants": 20}
    assert _error(client.post(f"{API}drills/", body)) == (400, "in_the_future")
    today = timezone.localdate().isoformat()
    elsewhere = {**body, "day": today, "vehicle": make_vehicle().pk}
    assert _error(client.post(f"{API}drills/", elsewhere)) == (400, "not_our_bus")
    assert (
        client.post(f"{API}drills/", {**body, "day": today, "participants": 0}).status_code == 400
    )
    with tenant_context(school_a):
        assert not Drill.objects.exists()
    bus = make_school_run(school_a).vehicle
    made = client.post(f"{API}drills/", {**body, "day": today, "vehicle": bus.pk})
    assert made.status_code == 201, made.json()
    assert made.json()["plate"] == bus.plate


# Training ----------------------------------------------------------------------------------------


def test_who_has_had_no_training_in_twelve_months(client_for, school_a: School):
    licence = make_licence(schools=[school_a])
    trained, lapsed, never = make_escort(school_a), make_escort(school_a), make_escort(school_a)
    today = timezone.localdate()
    with tenant_context(school_a):
        for person, day in ((trained, today), (lapsed, today - datetime.timedelta(days=400))):
            services.training_record(
                day=day,
                topic="应急疏散",
                hours=Decimal("1.5"),
                trainer="安全办",
                user=person,
                actor=SETUP,
            )
    answer = client_for(school_a, R.LOGISTICS_DIRECTOR).get(f"{API}trainings/untrained/").json()
    by_id = {(row["kind"], row["id"]): row for row in answer}
    assert ("driver", licence.driver_id) in by_id
    assert (
        by_id[("escort", lapsed.pk)]["last"] == (today - datetime.timedelta(days=400)).isoformat()
    )
    assert by_id[("escort", never.pk)]["last"] is None
    assert ("escort", trained.pk) not in by_id


def test_training_is_for_the_drivers_on_the_schools_routes_and_its_escorts(client_for, school_a):
    client = client_for(school_a, R.LOGISTICS_DIRECTOR)
    url = f"{API}trainings/"
    body = {
        "day": timezone.localdate().isoformat(),
        "topic": "急救",
        "hours": "2",
        "trainer": "红十字会",
    }
    stranger = make_licence().driver
    assert _error(client.post(url, {**body, "driver": stranger.pk})) == (400, "not_our_driver")
    teacher = user_with_role(R.STAFF, school_a)
    assert _error(client.post(url, {**body, "user": teacher.pk})) == (400, "not_an_escort")
    assert _error(client.post(url, body)) == (400, "required")
    ours = make_licence(schools=[school_a]).driver
    escort = make_escort(school_a)
    both = client.post(url, {**body, "driver": ours.pk, "user": escort.pk})
    assert _error(both) == (400, "required")
    with tenant_context(school_a):
        assert not Training.objects.exists()
    made = client.post(url, {**body, "driver": ours.pk})
    assert made.status_code == 201, made.json()
    assert (made.json()["driver_name"], made.json()["hours"]) == (ours.name, "2.0")
