"""A school's bus riders on its host, and the rows the tests of riders make.

Grants in houqin/roles.py: `riders.*` for the logistics director, `riders.view_*` for the
principal, `*.view_*` for the auditor; a bus escort's own trips (the ones they are put on), with
their riders and passages: viewed, checked, started, boarded and closed; the incidents on them
reported, viewed and their steps recorded (closing one is the director's). Drills and training
records are the director's to write and the school's readers' to read. Boarding terminals are
registered and revoked by the director; their own passages endpoint opens with a terminal's key
(tests/test_riders_terminals.py)."""

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.permissions import forget_roles, roles_of
from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.transport.models import Run
from tenant_apps.riders import services
from tenant_apps.riders.models import (
    CheckItem,
    Drill,
    Escort,
    Incident,
    Passage,
    Rider,
    Terminal,
    Training,
    Trip,
)
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix import AUDITOR, Built, Operations, R, Scene
from tests.matrix.people import make_student
from tests.matrix.transport import make_licence, make_run

MANAGERS = frozenset({R.LOGISTICS_DIRECTOR})
READERS = MANAGERS | {R.PRINCIPAL} | AUDITOR
# The escort's own trips (tests/matrix builds them with the caller on them when the caller is
# an escort).
ESCORTING = MANAGERS | {R.ESCORT}

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/riders/"): READERS | {R.ESCORT},
    ("POST", "/api/v1/riders/"): MANAGERS,
    ("GET", "/api/v1/riders/{id}/"): READERS | {R.ESCORT},
    ("DELETE", "/api/v1/riders/{id}/"): MANAGERS,
    ("GET", "/api/v1/riders/trips/"): READERS | {R.ESCORT},
    ("GET", "/api/v1/riders/trips/{id}/"): READERS | {R.ESCORT},
    ("GET", "/api/v1/riders/trips/{id}/chart/"): READERS | {R.ESCORT},
    ("GET", "/api/v1/riders/trips/{id}/check/"): READERS | {R.ESCORT},
    ("POST", "/api/v1/riders/trips/{id}/check/"): ESCORTING,
    ("POST", "/api/v1/riders/trips/{id}/start/"): ESCORTING,
    ("POST", "/api/v1/riders/trips/{id}/passages/"): ESCORTING,
    ("POST", "/api/v1/riders/trips/{id}/close/"): ESCORTING,
    ("GET", "/api/v1/riders/escorts/"): READERS,
    ("POST", "/api/v1/riders/escorts/"): MANAGERS,
    ("GET", "/api/v1/riders/escorts/{id}/"): READERS,
    ("DELETE", "/api/v1/riders/escorts/{id}/"): MANAGERS,
    ("GET", "/api/v1/riders/passages/"): READERS | {R.ESCORT},
    ("GET", "/api/v1/riders/passages/{id}/"): READERS | {R.ESCORT},
    ("GET", "/api/v1/riders/alarms/"): READERS,
    ("GET", "/api/v1/riders/alarms/{id}/"): READERS,
    ("GET", "/api/v1/riders/terminals/"): READERS,
    ("POST", "/api/v1/riders/terminals/"): MANAGERS,
    ("GET", "/api/v1/riders/terminals/{id}/"): READERS,
    ("POST", "/api/v1/riders/terminals/{id}/revoke/"): MANAGERS,
    ("POST", "/api/v1/riders/trips/{id}/incidents/"): ESCORTING,
    ("GET", "/api/v1/riders/incidents/"): READERS | {R.ESCORT},
    ("POST", "/api/v1/riders/incidents/"): MANAGERS,
    ("GET", "/api/v1/riders/incidents/{id}/"): READERS | {R.ESCORT},
    ("POST", "/api/v1/riders/incidents/{id}/steps/"): ESCORTING,
    ("POST", "/api/v1/riders/incidents/{id}/close/"): MANAGERS,
    ("GET", "/api/v1/riders/drills/"): READERS,
    ("POST", "/api/v1/riders/drills/"): MANAGERS,
    ("GET", "/api/v1/riders/drills/{id}/"): READERS,
    ("GET", "/api/v1/riders/drills/semesters/"): READERS,
    ("GET", "/api/v1/riders/trainings/"): READERS,
    ("POST", "/api/v1/riders/trainings/"): MANAGERS,
    ("GET", "/api/v1/riders/trainings/{id}/"): READERS,
    ("GET", "/api/v1/riders/trainings/untrained/"): READERS,
}
DISTRICT_OPERATIONS: Operations = {}


def make_school_run(*schools: School, escorts: int = 1) -> Run:
    """A run tomorrow on a route that `schools` ride."""
    return make_run(make_licence(schools=schools), escorts=escorts)


def make_rider(school: School, run: Run | None = None) -> Rider:
    run = run or make_school_run(school)
    student = make_student(school.schema_name)
    with tenant_context(school):
        return services.rider_assign(
            student=student, run=run, stop=run.route.stops.first(), actor=SETUP
        )


def make_escort(school: School) -> User:
    return user_with_role(Role.ESCORT, school)


def escort_on(school: School, run: Run, escort: User | None = None) -> Escort:
    """`escort` (else a new bus escort of `school`) put on `run`."""
    with tenant_context(school):
        return services.escort_assign(run=run, user=escort or make_escort(school), actor=SETUP)


def check_all(school: School, trip: Trip) -> None:
    """Every item of the trip's pre-trip check ticked as passed."""
    with tenant_context(school):
        for item in CheckItem.Item:
            count = 0 if item == CheckItem.Item.HEAD_COUNT else None
            services.check_tick(trip=trip, item=item, passed=True, count=count, actor=SETUP)


def started_trip(school: School, escort: User | None = None) -> Rider:
    """A rider on a trip under way, its escort `escort` (else a new one), its check done."""
    rider = make_rider(school)
    escort_on(school, Run.objects.get(pk=rider.trip.run_ref), escort)
    check_all(school, rider.trip)
    with tenant_context(school):
        services.trip_start(trip=rider.trip, actor=SETUP)
    return rider


def board(school: School, rider: Rider, kind: str = Passage.Kind.BOARD) -> Passage:
    with tenant_context(school):
        return services.passage_record(
            trip=rider.trip,
            student=rider.student,
            kind=kind,
            occurred_at=timezone.now(),
            actor=SETUP,
        ).passage


# Terminals' device names, unique in a school whatever scene asks (a scene counts from 0).
_DEVICES = itertools.count(100)


def make_terminal(school: School, device: str = "bus-terminal-1") -> tuple[Terminal, str]:
    """A boarding terminal of `school` registered as `device`, and its key."""
    with tenant_context(school):
        return services.terminal_register(device=device, actor=SETUP)


def make_incident(
    school: School, escort: User | None = None, *, steps_done: bool = False
) -> Incident:
    """An incident ten minutes ago on a trip of `school` whose escort is `escort` (else a new
    one), every step recorded when `steps_done`."""
    rider = make_rider(school)
    escort_on(school, Run.objects.get(pk=rider.trip.run_ref), escort)
    with tenant_context(school):
        incident = services.incident_report(
            trip=rider.trip,
            kind=Incident.Kind.BREAKDOWN,
            occurred_at=timezone.now() - datetime.timedelta(minutes=10),
            description="发动机故障，停靠路边",
            actor=SETUP,
        )
        for step in Incident.Step if steps_done else ():
            incident = services.incident_step(
                incident=incident, step=step, at=timezone.now(), actor=SETUP
            )
    return incident


def make_drill(school: School) -> Drill:
    with tenant_context(school):
        return services.drill_record(
            day=timezone.localdate(),
            kind=Drill.Kind.EVACUATION,
            participants=30,
            actor=SETUP,
        )


def training_body(school: School) -> dict[str, Any]:
    """A training record's fields for a new bus escort of `school`."""
    return {
        "day": timezone.localdate().isoformat(),
        "topic": "校车应急疏散",
        "hours": "2.0",
        "trainer": "县交警大队",
        "user": make_escort(school).pk,
    }


def make_training(school: School) -> Training:
    """Two hours' training today for a new bus escort of `school`."""
    escort = make_escort(school)
    with tenant_context(school):
        return services.training_record(
            day=timezone.localdate(),
            topic="校车应急疏散",
            hours=Decimal("2.0"),
            trainer="县交警大队",
            user=escort,
            actor=SETUP,
        )


def caller_if_escort(school: School) -> User | None:
    """The account the matrix made for this call (the last one made) when it is a bus escort
    of `school`, so that the trip an escort acts on is their own."""
    caller = User.objects.order_by("-pk").first()
    if caller is None:
        return None
    forget_roles(caller)
    with tenant_context(school):
        return caller if Role.ESCORT in roles_of(caller) else None


def _tick(rider: Rider) -> dict[str, Any]:
    """The escort's tick of `rider` boarding."""
    return {
        "student_number": rider.student.student_number,
        "kind": "board",
        "occurred_at": timezone.now().isoformat(),
    }


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school
    assert school is not None
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    caller = caller_if_escort(school)
    an_hour_ago = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    if path == "/api/v1/riders/trips/{id}/incidents/":
        rider = make_rider(school)
        escort_on(school, Run.objects.get(pk=rider.trip.run_ref), caller)
        params["id"] = rider.trip_id
        body = {"kind": "medical", "occurred_at": an_hour_ago, "description": "学生晕车"}
    elif path == "/api/v1/riders/incidents/" and method == "POST":
        body = {
            "trip": make_rider(school).trip_id,
            "kind": "accident",
            "occurred_at": an_hour_ago,
            "description": "轻微剐蹭",
        }
    elif path.startswith("/api/v1/riders/incidents/"):
        incident = make_incident(school, caller, steps_done=path.endswith("/close/"))
        params["id"] = incident.pk
        if path.endswith("/steps/"):
            body = {"step": "police_called", "at": timezone.now().isoformat()}
        elif path.endswith("/close/"):
            body = {"summary": "已处置完毕"}
    elif path == "/api/v1/riders/drills/" and method == "POST":
        body = {"day": timezone.localdate().isoformat(), "kind": "fire", "participants": 25}
    elif path == "/api/v1/riders/drills/{id}/":
        params["id"] = make_drill(school).pk
    elif path == "/api/v1/riders/trainings/" and method == "POST":
        body = training_body(school)
    elif path == "/api/v1/riders/trainings/{id}/":
        params["id"] = make_training(school).pk
    elif path == "/api/v1/riders/" and method == "POST":
        run = make_school_run(school)
        body = {
            "run": run.pk,
            "student": make_student(school.schema_name).pk,
            "stop": run.route.stops.get(order=1).pk,
        }
    elif path == "/api/v1/riders/escorts/" and method == "POST":
        body = {"run": make_school_run(school).pk, "user": make_escort(school).pk}
    elif path.startswith("/api/v1/riders/escorts/"):
        params["id"] = escort_on(school, make_school_run(school)).pk
    elif path.endswith("/start/"):
        rider = make_rider(school)
        escort_on(school, Run.objects.get(pk=rider.trip.run_ref), caller)
        check_all(school, rider.trip)
        params["id"] = rider.trip_id
    elif path.endswith("/passages/") and "{id}" in path:
        rider = started_trip(school, caller)
        params["id"] = rider.trip_id
        body = _tick(rider)
    elif path.endswith("/close/"):
        params["id"] = started_trip(school, caller).trip_id
    elif path.startswith("/api/v1/riders/passages/"):
        rider = started_trip(school, caller)
        params["id"] = board(school, rider).pk
    elif path.startswith("/api/v1/riders/alarms/"):
        rider = started_trip(school, caller)
        board(school, rider)
        with tenant_context(school):
            closing = services.trip_close(trip=rider.trip, actor=SETUP)
        assert closing.alarm is not None
        params["id"] = closing.alarm.pk
    elif path == "/api/v1/riders/terminals/" and method == "POST":
        body = {"device": f"bus-terminal-{next(_DEVICES)}"}
    elif path.startswith("/api/v1/riders/terminals/"):
        params["id"] = make_terminal(school, f"bus-terminal-{next(_DEVICES)}")[0].pk
    elif path.startswith("/api/v1/riders/trips/{id}/"):
        rider = make_rider(school)
        escort_on(school, Run.objects.get(pk=rider.trip.run_ref), caller)
        params["id"] = rider.trip_id
        if method == "POST":
            body = {"item": "brakes", "passed": True}
    elif "{id}" in path:
        rider = make_rider(school)
        escort_on(school, Run.objects.get(pk=rider.trip.run_ref), caller)
        params["id"] = rider.pk
    return params, body
