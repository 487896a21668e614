"""Boarding's operations on a school's host, and the rows the tests of dorms make.

Grants in houqin/roles.py: `dorms.*` for the dorm manager and the logistics director,
`dorms.view_*` for the principal, `*.view_*` for the auditor; the boarding fees for the
accountant too. Approving a room change is the logistics director's alone; pupils and staff
(class teachers) ask for room changes."""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import is_school_staff, role_names_for
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.canteen.services.calendar import school_term_add
from tenant_apps.dorms.models import Allocation, Bed, DoorEvent, Room
from tenant_apps.dorms.services import (
    allocations,
    fees,
    inspections,
    nights,
    room_changes,
    rooms,
    visitors,
)
from tenant_apps.dorms.services import leave as leaves
from tenant_apps.people.models import Student, school_year_of
from tenant_apps.people.selectors import student_of
from tenant_apps.people.services.classes import class_teacher_assign, student_account_link
from tests.factories import SETUP
from tests.matrix import AUDITOR, Built, Operations, R, Scene
from tests.matrix.people import make_student, national_id_for

MANAGERS = frozenset({R.DORM_MANAGER, R.LOGISTICS_DIRECTOR})
READERS = MANAGERS | {R.PRINCIPAL} | AUDITOR
ASKERS = frozenset({R.STAFF, R.STUDENT})
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
    ("GET", "/api/v1/dorms/policy/"): READERS,
    ("POST", "/api/v1/dorms/policy/"): MANAGERS,
    ("GET", "/api/v1/dorms/guardians/"): READERS,
    ("POST", "/api/v1/dorms/guardians/"): MANAGERS,
    ("GET", "/api/v1/dorms/guardians/{id}/"): READERS,
    ("GET", "/api/v1/dorms/door-events/"): READERS,
    ("POST", "/api/v1/dorms/door-events/"): MANAGERS,
    ("GET", "/api/v1/dorms/door-events/{id}/"): READERS,
    ("GET", "/api/v1/dorms/roll-calls/"): READERS,
    ("POST", "/api/v1/dorms/roll-calls/"): MANAGERS,
    ("GET", "/api/v1/dorms/roll-calls/{id}/"): READERS,
    # Staff (class teachers) ask for leave and follow their own.
    ("GET", "/api/v1/dorms/leaves/"): READERS | {R.STAFF},
    ("POST", "/api/v1/dorms/leaves/"): MANAGERS | {R.STAFF},
    ("GET", "/api/v1/dorms/leaves/{id}/"): READERS | {R.STAFF},
    ("POST", "/api/v1/dorms/leaves/{id}/approve/"): MANAGERS,
    ("POST", "/api/v1/dorms/leaves/{id}/reject/"): MANAGERS,
    ("GET", "/api/v1/dorms/inspections/"): READERS,
    ("POST", "/api/v1/dorms/inspections/"): MANAGERS,
    ("GET", "/api/v1/dorms/inspections/{id}/"): READERS,
    ("GET", "/api/v1/dorms/inspections/ranking/"): READERS,
    ("GET", "/api/v1/dorms/visitors/"): READERS,
    ("POST", "/api/v1/dorms/visitors/"): MANAGERS,
    ("GET", "/api/v1/dorms/visitors/{id}/"): READERS,
    ("POST", "/api/v1/dorms/visitors/{id}/leave/"): MANAGERS,
    ("GET", "/api/v1/dorms/fees/"): READERS | {R.ACCOUNTANT},
    ("POST", "/api/v1/dorms/fees/"): MANAGERS | {R.ACCOUNTANT},
    ("GET", "/api/v1/dorms/fees/{id}/"): READERS | {R.ACCOUNTANT},
    ("POST", "/api/v1/dorms/fees/{id}/refund/"): MANAGERS | {R.ACCOUNTANT},
    # Pupils and class teachers (staff) ask for room changes and follow their own; the dorm
    # manager reviews, the logistics director approves.
    ("GET", "/api/v1/dorms/room-changes/"): READERS | ASKERS,
    ("POST", "/api/v1/dorms/room-changes/"): MANAGERS | ASKERS,
    ("GET", "/api/v1/dorms/room-changes/{id}/"): READERS | ASKERS,
    ("POST", "/api/v1/dorms/room-changes/{id}/review/"): MANAGERS,
    ("POST", "/api/v1/dorms/room-changes/{id}/decide/"): frozenset({R.LOGISTICS_DIRECTOR}),
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
            student=student, bed=room.beds.all()[0], start_date=TERM, actor=SETUP
        )


def make_term(school: Any) -> SchoolTerm:
    """The autumn term from `TERM`, recorded once in `school`."""
    with tenant_context(school):
        return SchoolTerm.objects.filter(start_date=TERM).first() or school_term_add(
            school_year=TERM.year,
            name="秋季学期",
            start_date=TERM,
            end_date=date(2027, 1, 20),
            actor=SETUP,
        )


def make_fee(school: Any, *, left: bool = False) -> Any:
    """A boarder charged the autumn term's fee (who left the dormitory in October: `left`)."""
    term = make_term(school)
    allocation = make_allocation(school)
    with tenant_context(school):
        charge = fees.fee_charge(
            student=allocation.student, term=term, amount=Decimal("600.00"), actor=SETUP
        )
        if left:
            allocations.allocation_end(
                allocation=allocation, end_date=date(2026, 10, 12), actor=SETUP
            )
            charge.refresh_from_db()
        return charge


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
                    "bed": room.beds.all()[0].pk,
                    "start_date": "2026-09-01",
                }
    elif path.startswith("/api/v1/dorms/policy/"):
        body = {"roll_call_at": "21:30"} if method == "POST" else None
    elif path.startswith("/api/v1/dorms/guardians/"):
        student = make_student(school.schema_name)
        with tenant_context(school):
            guardian = nights.guardian_add(
                student=student, name="张父", phone="13800138000", actor=SETUP
            )
        params["id"] = guardian.pk
        if method == "POST":
            body = {"student": student.pk, "name": "张母", "phone": "13900139000"}
    elif path.startswith("/api/v1/dorms/door-events/"):
        student = make_student(school.schema_name)
        event = {
            "device": "gate-1",
            "device_event_id": f"E{serial}",
            "student_number": student.student_number,
            "direction": "in",
            "method": "face",
            "occurred_at": "2026-10-08T21:40:00+08:00",
        }
        with tenant_context(school):
            nights.door_events_record(events=[{**event, "device": "gate-0"}], actor=SETUP)
            params["id"] = DoorEvent.objects.get(device="gate-0", device_event_id=f"E{serial}").pk
        body = {"events": [event]} if method == "POST" else None
    elif path.startswith("/api/v1/dorms/roll-calls/"):
        make_allocation(school)
        night = date(2000, 1, 1) + timedelta(days=serial)
        with tenant_context(school):
            taken = nights.roll_call_take(night=night + timedelta(days=3000), actor=SETUP)
        params["id"] = taken.pk
        body = {"night": night.isoformat()} if method == "POST" else None
    elif path.startswith("/api/v1/dorms/leaves/"):
        student = make_student(school.schema_name)
        start = datetime(2026, 10, 9, 17, tzinfo=UTC) + timedelta(days=serial)
        with tenant_context(school):
            leave = leaves.leave_request(
                student=student,
                reason="回家",
                starts_at=start,
                ends_at=start + timedelta(days=2),
                actor=_caller(),
            )
        params["id"] = leave.pk
        if method == "POST" and "{id}" not in path:
            body = {
                "student": student.pk,
                "reason": "看病",
                "starts_at": (start + timedelta(days=3)).isoformat(),
                "ends_at": (start + timedelta(days=4)).isoformat(),
            }
    elif path == "/api/v1/dorms/inspections/ranking/":
        return {}, {"month": "2026-09"}
    elif path.startswith("/api/v1/dorms/inspections/"):
        room = make_room(school)
        with tenant_context(school):
            made = inspections.inspection_record(
                room=room, kind="hygiene", inspected_on=TERM, score=92, actor=SETUP
            )
        params["id"] = made.pk
        if method == "POST":
            body = {"room": room.pk, "kind": "safety", "inspected_on": "2026-09-02", "score": 88}
    elif path.startswith("/api/v1/dorms/fees/"):
        if method == "POST" and "{id}" not in path:
            term = make_term(school)
            body = {"student": make_allocation(school).student_id, "term": term.pk}
            body["amount"] = "600.00"
        else:
            params["id"] = make_fee(school, left=path.endswith("/refund/")).pk
            if path.endswith("/refund/"):
                body = {"refunded_on": "2026-10-20", "reference": f"TF{serial}"}
    elif path.startswith("/api/v1/dorms/visitors/"):
        number = national_id_for(serial, born="19800101")
        with tenant_context(school):
            visitor = visitors.visitor_arrive(
                name="王舅舅", national_id_number=number, purpose="送衣物", actor=SETUP
            )
        params["id"] = visitor.pk
        if method == "POST" and "{id}" not in path:
            body = {"name": "李姨", "national_id": number, "purpose": "探望"}
    elif path.startswith("/api/v1/dorms/room-changes/"):
        params, body = _room_change(school, method, path, serial)
    return params, body


def _room_change(school: Any, method: str, path: str, serial: int) -> Built:
    """A boarder of a class of their own, and a room change for them: asked for by the caller
    when they may (the pupil themselves, their class teacher, the dorm manager), else taken
    down by the setup; reviewed already when the director is to decide it."""
    room = make_room(school)
    student = make_student(school.schema_name, class_name=f"R{serial}")
    today = timezone.localdate()
    with tenant_context(school):
        beds = list(room.beds.all())
        stay = allocations.allocation_create(
            student=student, bed=beds[0], start_date=today - timedelta(days=30), actor=SETUP
        )
        asker = _asker(school, stay.student)
        if method == "POST" and "{id}" not in path:
            own = asker is not SETUP and student_of(user_id=asker.pk) is not None
            return {}, {"reason": "想和同班同学住", **({} if own else {"student": student.pk})}
        change = room_changes.room_change_request(student=student, reason="离楼梯太近", actor=asker)
        if path.endswith("/decide/"):
            room_changes.room_change_review(
                room_change=change, approve=True, bed=beds[1], move_on=today, actor=SETUP
            )
    if path.endswith("/review/"):
        return {"id": change.pk}, {"approve": True, "bed": beds[1].pk, "move_on": str(today)}
    return {"id": change.pk}, {"approve": True} if method == "POST" else None


def _asker(school: Any, student: Student) -> Any:
    """The caller, made the pupil (a student's account) or their class teacher (a member of
    the staff) so that they may ask; the setup for anyone else."""
    caller = _caller()
    if caller is SETUP:
        return SETUP
    if Role.STUDENT in role_names_for(user_id=caller.pk, school_id=school.pk):
        student_account_link(student=student, user=caller, actor=SETUP)
        return caller
    if is_school_staff(user=caller, school_id=school.pk):
        class_teacher_assign(
            user=caller,
            school_year=school_year_of(timezone.localdate()),
            grade=student.grade,
            class_name=student.class_name,
            actor=SETUP,
        )
        return caller
    return SETUP


def _caller() -> Any:
    """The account the matrix made for this call (the last one made), so that a leave read by
    a class teacher is their own."""
    return User.objects.order_by("-pk").first() or SETUP
