"""Boarding's operations on a school's host, and the rows the tests of dorms make.

Grants in houqin/roles.py: `dorms.*` for the dorm manager and the logistics director,
`dorms.view_*` for the principal, `*.view_*` for the auditor."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.dorms.models import Allocation, Bed, Room
from tenant_apps.dorms.services import allocations, rooms
from tenant_apps.people.models import Student
from tests.factories import SETUP
from tests.matrix import AUDITOR, Built, Operations, R, Scene
from tests.matrix.people import make_student

MANAGERS = frozenset({R.DORM_MANAGER, R.LOGISTICS_DIRECTOR})
READERS = MANAGERS | {R.PRINCIPAL} | AUDITOR
TERM = date(2026, 9, 1)

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/dorms/buildings/"): READERS,
    ("POST", "/api/v1/dorms/buildings/"): MANAGERS,
    ("GET", "/api/v1/dorms/buildings/{id}/"): READERS,
    ("GET", "/api/v1/dorms/floors/"): READERS,
    ("POST", "/api/v1/dorms/floors/"): MANAGERS,
    ("GET", "/api/v1/dorms/floors/{id}/"): READERS,
    ("GET", "/api/v1/dorms/rooms/"): READERS,
    ("POST", "/api/v1/dorms/rooms/"): MANAGERS,
    ("GET", "/api/v1/dorms/rooms/{id}/"): READERS,
    ("GET", "/api/v1/dorms/beds/"): READERS,
    ("POST", "/api/v1/dorms/beds/"): MANAGERS,
    ("GET", "/api/v1/dorms/beds/{id}/"): READERS,
    ("POST", "/api/v1/dorms/beds/{id}/service/"): MANAGERS,
    ("GET", "/api/v1/dorms/allocations/"): READERS,
    ("POST", "/api/v1/dorms/allocations/"): MANAGERS,
    ("GET", "/api/v1/dorms/allocations/{id}/"): READERS,
    ("POST", "/api/v1/dorms/allocations/{id}/end/"): MANAGERS,
    ("POST", "/api/v1/dorms/allocations/{id}/move/"): MANAGERS,
    ("POST", "/api/v1/dorms/allocations/bulk/"): MANAGERS,
}

DISTRICT_OPERATIONS: Operations = {}

_serial = itertools.count(1)


def make_room(
    school: Any,
    *,
    sex: str = Student.Gender.MALE,
    stage: str = "primary",
    beds: int = 4,
    capacity: int = 4,
    area: Decimal = Decimal("26.00"),
) -> Room:
    """A room for `capacity` with `beds` single beds, on the first floor of a new building of
    `school`."""
    serial = next(_serial)
    with tenant_context(school):
        building = rooms.building_create(code=f"D{serial}", name=f"{serial}号宿舍楼", actor=SETUP)
        floor = rooms.floor_create(building=building, level=1, actor=SETUP)
        room = rooms.room_create(
            floor=floor,
            number="101",
            sex=sex,
            stage=stage,
            area=area,
            capacity=capacity,
            actor=SETUP,
        )
        for n in range(1, beds + 1):
            rooms.bed_create(room=room, number=str(n), bunk=Bed.Bunk.SINGLE, actor=SETUP)
        return room


def make_allocation(school: Any) -> Allocation:
    room = make_room(school)
    student = make_student(school.schema_name)
    with tenant_context(school):
        return allocations.allocation_create(
            student=student, bed=room.beds.first(), start_date=TERM, actor=SETUP
        )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school
    assert school is not None
    serial = next(_serial)
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if path.startswith("/api/v1/dorms/buildings/"):
        if "{id}" in path:
            params["id"] = make_room(school).floor.building_id
        elif method == "POST":
            body = {"code": f"N{serial}", "name": "新宿舍楼"}
    elif path.startswith("/api/v1/dorms/floors/"):
        room = make_room(school)
        params["id"] = room.floor_id
        if method == "POST":
            body = {"building": room.floor.building_id, "level": 2}
    elif path.startswith("/api/v1/dorms/rooms/"):
        room = make_room(school)
        params["id"] = room.pk
        if method == "POST":
            body = {
                "floor": room.floor_id,
                "number": "102",
                "sex": "female",
                "stage": "junior",
                "area": "25.00",
                "capacity": 10,
            }
    elif path.startswith("/api/v1/dorms/beds/"):
        room = make_room(school, beds=1, area=Decimal("30.00"))
        with tenant_context(school):
            params["id"] = room.beds.get().pk
        if path.endswith("/service/"):
            body = {"in_service": False, "reason": "床板断裂"}
        elif method == "POST":
            body = {"room": room.pk, "number": "2", "bunk": "lower"}
    elif path == "/api/v1/dorms/allocations/bulk/":
        make_room(school)
        make_student(school.schema_name, grade=4, class_name=f"B{serial}")
        body = {"start_date": TERM.isoformat(), "grade": 4, "class_name": f"B{serial}"}
    elif path.startswith("/api/v1/dorms/allocations/"):
        if "{id}" in path:
            allocation = make_allocation(school)
            params["id"] = allocation.pk
            if path.endswith("/end/"):
                body = {"end_date": "2027-01-20"}
            elif path.endswith("/move/"):
                with tenant_context(school):
                    bed = allocation.bed.room.beds.exclude(pk=allocation.bed_id).first()
                    assert bed is not None
                body = {"bed": bed.pk, "on": "2026-10-08"}
        elif method == "POST":
            room = make_room(school)
            student = make_student(school.schema_name)
            with tenant_context(school):
                body = {
                    "student": student.pk,
                    "bed": room.beds.first().pk,
                    "start_date": "2026-09-01",
                }  # type: ignore[union-attr]
    return params, body
