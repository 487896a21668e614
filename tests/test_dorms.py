"""Boarding over the API: rooms bounded by their area, beds out of service with a reason, one
student per bed and one bed per student at any time (history kept), the room's sex and stage,
the boarding flag following the allocation, a term's bulk allocation reported per row; bad input
refused whole; two managers allocating the same bed or the same student at once."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from tenant_apps.dorms.models import Allocation, Bed, Building, Floor, Room
from tenant_apps.people.models import Student
from tenants.models import School
from tenants.routing import school_host
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import discard_user, user_with_role
from tests.matrix.dorms import TERM, make_room
from tests.matrix.people import make_student

ALLOCATIONS = "/api/v1/dorms/allocations/"


def _allocate(client: Any, student: Student, bed: Bed, start: str = "2026-09-01") -> Any:
    return client.post(ALLOCATIONS, {"student": student.pk, "bed": bed.pk, "start_date": start})


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize(("stage", "most"), [("primary", 13), ("junior", 10)])
def test_a_26_square_metre_room_holds_13_primary_or_10_junior_pupils(
    client_for, school_a, stage, most
):
    room = make_room(school_a, beds=0, capacity=1)
    manager = client_for(school_a, R.DORM_MANAGER)

    def add(number: str, capacity: int) -> Any:
        body = {"floor": room.floor_id, "number": number, "sex": "male", "stage": stage}
        return manager.post("/api/v1/dorms/rooms/", {**body, "area": "26.00", "capacity": capacity})

    assert add("201", most).status_code == 201
    assert _error(add("202", most + 1)) == (400, "over_capacity")


def test_the_database_refuses_a_room_over_its_area(school_a):
    room = make_room(school_a, beds=0, capacity=1)
    with tenant_context(school_a), pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(
            floor=room.floor, number="X", sex="male", stage="junior", area=Decimal(26), capacity=11
        )


def test_a_room_takes_no_more_beds_than_its_capacity(client_for, school_a):
    room = make_room(school_a, beds=2, capacity=2)
    answer = client_for(school_a, R.DORM_MANAGER).post(
        "/api/v1/dorms/beds/", {"room": room.pk, "number": "3", "bunk": "single"}
    )
    assert _error(answer) == (409, "over_capacity")


def test_a_bed_out_of_service_says_why_and_takes_no_one(client_for, school_a):
    room = make_room(school_a)
    manager = client_for(school_a, R.DORM_MANAGER)
    with tenant_context(school_a):
        bed = room.beds.first()
    assert bed is not None
    path = f"/api/v1/dorms/beds/{bed.pk}/service/"
    assert _error(manager.post(path, {"in_service": False})) == (400, "reason_required")
    answer = manager.post(path, {"in_service": False, "reason": "床板断裂"})
    assert answer.json()["out_of_service_reason"] == "床板断裂"
    student = make_student(school_a.schema_name)
    assert _error(_allocate(manager, student, bed)) == (400, "bed_out_of_service")


def test_one_bed_per_student_and_one_student_per_bed_history_kept(client_for, school_a):
    room = make_room(school_a)
    manager = client_for(school_a, R.DORM_MANAGER)
    with tenant_context(school_a):
        first, second = room.beds.all()[:2]
    zhang, li = make_student(school_a.schema_name), make_student(school_a.schema_name)
    made = _allocate(manager, zhang, first)
    assert made.status_code == 201
    assert _error(_allocate(manager, li, first)) == (409, "bed_taken")
    assert _error(_allocate(manager, zhang, second)) == (409, "student_housed")
    moved = manager.post(
        f"{ALLOCATIONS}{made.json()['id']}/move/", {"bed": second.pk, "on": "2026-10-08"}
    )
    assert moved.status_code == 201
    assert _allocate(manager, li, first, "2026-10-08").status_code == 201
    assert _error(_allocate(manager, li, second, "2026-09-15")) == (409, "student_housed")
    with tenant_context(school_a):
        history = list(
            Allocation.objects.filter(student=zhang)
            .order_by("start_date")
            .values_list("bed_id", "start_date", "end_date")
        )
    assert history == [
        (first.pk, date(2026, 9, 1), date(2026, 10, 8)),
        (second.pk, date(2026, 10, 8), None),
    ]


def test_the_database_refuses_two_students_in_one_bed(school_a):
    room = make_room(school_a)
    zhang, li = make_student(school_a.schema_name), make_student(school_a.schema_name)
    with tenant_context(school_a):
        bed = room.beds.all()[0]
        Allocation.objects.create(student=zhang, bed=bed, start_date=TERM)
        with pytest.raises(IntegrityError), transaction.atomic():
            Allocation.objects.create(student=li, bed=bed, start_date=date(2026, 12, 1))


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"gender": "female"}, "wrong_sex"),
        ({"grade": 8}, "wrong_stage"),
        ({"status": "left", "left_on": date(2026, 7, 1)}, "student_left"),
    ],
)
def test_a_room_takes_pupils_of_its_sex_and_stage(client_for, school_a, values, code):
    room = make_room(school_a)
    student = make_student(school_a.schema_name, **values)
    with tenant_context(school_a):
        bed = room.beds.first()
    assert bed is not None
    manager = client_for(school_a, R.DORM_MANAGER)
    assert _error(_allocate(manager, student, bed)) == (400, code)
    with tenant_context(school_a):
        assert not Allocation.objects.filter(student=student).exists()


def test_a_young_pupil_gets_no_upper_bunk(client_for, school_a):
    room = make_room(school_a, beds=0)
    with tenant_context(school_a):
        bed = Bed.objects.create(room=room, number="1上", bunk=Bed.Bunk.UPPER)
    manager = client_for(school_a, R.DORM_MANAGER)
    young = make_student(school_a.schema_name, grade=2)
    older = make_student(school_a.schema_name, grade=5)
    assert _error(_allocate(manager, young, bed)) == (400, "upper_bunk")
    assert _allocate(manager, older, bed).status_code == 201


def test_the_boarding_flag_follows_the_allocation(client_for, school_a):
    room = make_room(school_a)
    student = make_student(school_a.schema_name)
    with tenant_context(school_a):
        bed = room.beds.first()
    assert bed is not None
    manager = client_for(school_a, R.DORM_MANAGER)
    made = _allocate(manager, student, bed, "2026-01-05").json()
    with tenant_context(school_a):
        assert Student.objects.get(pk=student.pk).boarding
    manager.post(f"{ALLOCATIONS}{made['id']}/end/", {"end_date": "2026-06-30"})
    with tenant_context(school_a):
        assert not Student.objects.get(pk=student.pk).boarding


def test_bulk_allocation_fills_rooms_in_order_class_by_class_and_reports_each_row(
    client_for, school_a
):
    boys = make_room(school_a, beds=3, capacity=3)
    girls = make_room(school_a, sex="female", beds=2, capacity=2)
    schema = school_a.schema_name
    pupils = [
        make_student(schema, grade=5, class_name="1班", gender="male"),
        make_student(schema, grade=5, class_name="2班", gender="male"),
        make_student(schema, grade=5, class_name="1班", gender="female"),
        make_student(schema, grade=5, class_name="1班", gender="male"),
        make_student(schema, grade=5, class_name="2班", gender="male"),
        make_student(schema, grade=5, class_name="2班", gender="female"),
    ]
    manager = client_for(school_a, R.DORM_MANAGER)
    answer = manager.post(f"{ALLOCATIONS}bulk/", {"start_date": "2026-09-01", "grade": 5})
    assert answer.status_code == 200
    report = {row["student_number"]: (row["code"], row["bed"]) for row in answer.json()}
    boys_room = f"{boys.floor.building.code}-101"
    girls_room = f"{girls.floor.building.code}-101"
    assert [report[p.student_number] for p in pupils] == [
        ("allocated", f"{boys_room}-1"),
        ("allocated", f"{boys_room}-3"),
        ("allocated", f"{girls_room}-1"),
        ("allocated", f"{boys_room}-2"),
        ("no_free_bed", ""),
        ("allocated", f"{girls_room}-2"),
    ]
    again = manager.post(f"{ALLOCATIONS}bulk/", {"start_date": "2026-09-01", "grade": 5})
    assert {row["code"] for row in again.json()} == {"student_housed", "no_free_bed"}


def test_bulk_allocation_refuses_senior_grades(client_for, school_a):
    manager = client_for(school_a, R.DORM_MANAGER)
    answer = manager.post(f"{ALLOCATIONS}bulk/", {"start_date": "2026-09-01", "grade": 11})
    assert _error(answer) == (400, "wrong_stage")


def _dorm_cleanup(school: School, students: list[Student]) -> Callable[[], None]:
    def cleanup() -> None:
        with tenant_context(school):
            Allocation.objects.all().delete()
            Bed.objects.all().delete()
            Room.objects.all().delete()
            Floor.objects.all().delete()
            Building.objects.all().delete()
            Student.objects.filter(pk__in=[s.pk for s in students]).delete()

    return cleanup


@pytest.mark.parametrize("same", ["bed", "student"])
def test_two_managers_allocating_the_same_bed_or_student_at_once_one_wins(
    committed: list[Callable[[], Any]], same: str
) -> None:
    school = School.objects.get(code=SCHOOL_A)
    managers = [user_with_role(R.DORM_MANAGER, school) for _ in range(2)]
    committed.extend(partial(discard_user, user) for user in managers)
    room = make_room(school)
    students = [make_student(school.schema_name) for _ in range(2)]
    committed.append(_dorm_cleanup(school, students))
    with tenant_context(school):
        beds = list(room.beds.all()[:2])
    clients = [HostClient(school_host(school.code), m) for m in managers]

    def allocate(i: int) -> Any:
        student = students[0] if same == "student" else students[i]
        bed = beds[0] if same == "bed" else beds[i]
        return _allocate(clients[i], student, bed)

    responses = at_once(2, allocate)
    assert sorted(r.status_code for r in responses) == [201, 409]  # type: ignore[union-attr]
    with tenant_context(school):
        assert Allocation.objects.count() == 1


def test_inspections_rank_the_months_rooms_by_their_average_score(client_for, school_a):
    first, second = make_room(school_a), make_room(school_a)
    manager = client_for(school_a, R.DORM_MANAGER)
    path = "/api/v1/dorms/inspections/"
    for room, kind, day, score in (
        (first, "hygiene", "2026-09-03", 80),
        (first, "safety", "2026-09-03", 90),
        (second, "hygiene", "2026-09-04", 95),
        (second, "hygiene", "2026-10-01", 10),
    ):
        body = {"room": room.pk, "kind": kind, "inspected_on": day, "score": score}
        assert manager.post(path, body).status_code == 201
    again = {"room": first.pk, "kind": "hygiene", "inspected_on": "2026-09-03", "score": 70}
    assert _error(manager.post(path, again)) == (409, "inspection_exists")
    assert (
        manager.post(path, {**again, "inspected_on": "2026-09-05", "score": 101}).status_code == 400
    )
    ranking = manager.get(f"{path}ranking/", {"month": "2026-09"}).json()
    assert [(row["room"], row["average"]) for row in ranking] == [
        (second.pk, "95.00"),
        (first.pk, "85.00"),
    ]
