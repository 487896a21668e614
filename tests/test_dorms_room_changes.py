"""Room changes (调宿) over the API: the pupil asks for their own, the class teacher for a pupil of
their class and nobody else's; the dorm manager reviews (naming the bed, the move tried out),
the logistics director approves and the allocation moves, history kept; a refused step says
why; a bed taken since the review refuses the approval with the rule, nothing saved; whoever
asked is told of the decision (a pupil's guardians, or the class teacher). And the
class teachers the logistics director names, one a class a school year. The director approving
a move into a bed a manager allocates at the same moment: one wins."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.exceptions import InvalidInput
from houqin.roles import Role as R
from shared_apps.accounts.models import User
from tenant_apps.dorms.models import Allocation, Bed, Building, Floor, Room, RoomChange
from tenant_apps.dorms.services import allocations, nights, room_changes
from tenant_apps.notices.models import Notice
from tenant_apps.people.models import ClassTeacher, Student, school_year_of
from tenant_apps.people.services.classes import class_teacher_assign, student_account_link
from tenants.models import School
from tenants.routing import school_host
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, discard_user, user_with_role
from tests.matrix.dorms import make_room
from tests.matrix.people import make_student

CHANGES = "/api/v1/dorms/room-changes/"


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _boarder(school: School, **values: Any) -> tuple[Student, list[Any]]:
    """A boarder in the first of a room's four beds since a month ago; the room's beds."""
    room = make_room(school)
    student = make_student(school.schema_name, **values)
    with tenant_context(school):
        beds = list(room.beds.order_by("number"))
        allocations.allocation_create(
            student=student,
            bed=beds[0],
            start_date=timezone.localdate() - timedelta(days=30),
            actor=SETUP,
        )
    return student, beds


def _teacher_of(school: School, student: Student) -> User:
    teacher = user_with_role(R.STAFF, school)
    with tenant_context(school):
        class_teacher_assign(
            user=teacher,
            school_year=school_year_of(timezone.localdate()),
            grade=student.grade,
            class_name=student.class_name,
            actor=SETUP,
        )
    return teacher


def _pupil_account(school: School, student: Student) -> User:
    pupil = user_with_role(R.STUDENT, school)
    with tenant_context(school):
        student_account_link(student=student, user=pupil, actor=SETUP)
    return pupil


def _stays(school: School, student: Student) -> list[tuple[int, Any]]:
    with tenant_context(school):
        rows = Allocation.objects.filter(student=student).order_by("start_date")
        return list(rows.values_list("bed_id", "end_date"))


def test_a_pupils_request_reviewed_and_approved_moves_their_bed(client_for, school_a):
    student, beds = _boarder(school_a)
    pupil = client_for(school_a, _pupil_account(school_a, student))
    asked = pupil.post(CHANGES, {"reason": "想和同班同学住"})
    assert asked.status_code == 201, asked.content
    change = asked.json()
    assert (change["student"], change["status"]) == (student.pk, "requested")
    assert [row["id"] for row in pupil.get(CHANGES).json()["results"]] == [change["id"]]

    manager = client_for(school_a, R.DORM_MANAGER)
    today = timezone.localdate().isoformat()
    review = {"approve": True, "bed": beds[2].pk, "move_on": today}
    reviewed = manager.post(f"{CHANGES}{change['id']}/review/", review)
    assert reviewed.json()["status"] == "reviewed", reviewed.content
    assert len(_stays(school_a, student)) == 1, "the review only tries the move out"
    # The dorm manager reviews; approving is the logistics director's.
    assert manager.post(f"{CHANGES}{change['id']}/decide/", {"approve": True}).status_code == 404

    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    approved = director.post(f"{CHANGES}{change['id']}/decide/", {"approve": True})
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved"
    assert body["decided_by"]["username"] and body["reviewed_by"]["username"]
    assert _stays(school_a, student) == [
        (beds[0].pk, timezone.localdate()),
        (beds[2].pk, None),
    ]


def test_a_class_teacher_asks_for_their_pupils_only(client_for, school_a):
    student, _beds = _boarder(school_a, class_name="五(1)班", grade=5)
    other, _ = _boarder(school_a, class_name="五(2)班", grade=5)
    teacher = client_for(school_a, _teacher_of(school_a, student))
    mine = teacher.post(CHANGES, {"student": student.pk, "reason": "宿舍太吵"})
    assert mine.status_code == 201, mine.content
    assert _error(teacher.post(CHANGES, {"student": other.pk, "reason": "x"})) == (
        400,
        "not_your_pupil",
    )
    # A second request for the same pupil waits behind the first.
    assert _error(teacher.post(CHANGES, {"student": student.pk, "reason": "再申请"})) == (
        409,
        "room_change_open",
    )
    # Another member of the staff, teaching no class, asks for nobody.
    staff = client_for(school_a, R.STAFF)
    assert _error(staff.post(CHANGES, {"student": student.pk, "reason": "x"}))[1] == (
        "not_your_pupil"
    )
    # ...and reads no one else's requests.
    assert staff.get(CHANGES).json()["results"] == []


def test_the_review_refuses_a_bed_the_move_would_break_a_rule_for(client_for, school_a):
    student, _beds = _boarder(school_a)
    girls = make_room(school_a, sex="female")
    with tenant_context(school_a):
        girls_bed = girls.beds.first()
        assert girls_bed is not None
    teacher = client_for(school_a, _teacher_of(school_a, student))
    change = teacher.post(CHANGES, {"student": student.pk, "reason": "换房"}).json()
    manager = client_for(school_a, R.DORM_MANAGER)
    answer = manager.post(
        f"{CHANGES}{change['id']}/review/", {"approve": True, "bed": girls_bed.pk}
    )
    assert _error(answer) == (400, "wrong_sex")
    with tenant_context(school_a):
        assert RoomChange.objects.get(pk=change["id"]).status == RoomChange.Status.REQUESTED
    assert len(_stays(school_a, student)) == 1


def test_a_bed_taken_since_the_review_refuses_the_approval_and_saves_nothing(client_for, school_a):
    student, beds = _boarder(school_a)
    teacher = client_for(school_a, _teacher_of(school_a, student))
    change = teacher.post(CHANGES, {"student": student.pk, "reason": "换房"}).json()
    manager = client_for(school_a, R.DORM_MANAGER)
    review = {"approve": True, "bed": beds[1].pk}
    assert manager.post(f"{CHANGES}{change['id']}/review/", review).status_code == 200
    # Meanwhile another pupil is put in that bed.
    newcomer = make_student(school_a.schema_name)
    with tenant_context(school_a):
        allocations.allocation_create(
            student=newcomer, bed=beds[1], start_date=timezone.localdate(), actor=SETUP
        )
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    answer = director.post(f"{CHANGES}{change['id']}/decide/", {"approve": True})
    assert _error(answer) == (409, "bed_taken")
    assert answer.json()["error"]["message"]
    with tenant_context(school_a):
        kept = RoomChange.objects.get(pk=change["id"])
        assert (kept.status, kept.allocation_id, kept.decided_at) == ("reviewed", None, None)
    assert _stays(school_a, student) == [(beds[0].pk, None)], "the old stay is not ended"
    # The director refuses it instead, saying why.
    refused = director.post(f"{CHANGES}{change['id']}/decide/", {"approve": False})
    assert _error(refused) == (400, "required")
    refused = director.post(
        f"{CHANGES}{change['id']}/decide/", {"approve": False, "refusal": "床位已满"}
    )
    assert (refused.json()["status"], refused.json()["refusal"]) == ("refused", "床位已满")


def test_a_refused_review_says_why_and_closes_the_request(client_for, school_a):
    student, _beds = _boarder(school_a)
    pupil = client_for(school_a, _pupil_account(school_a, student))
    change = pupil.post(CHANGES, {"reason": "想换"}).json()
    manager = client_for(school_a, R.DORM_MANAGER)
    url = f"{CHANGES}{change['id']}/review/"
    assert _error(manager.post(url, {"approve": False})) == (400, "required")
    refused = manager.post(url, {"approve": False, "refusal": "理由不充分"})
    assert refused.json()["status"] == "refused"
    assert _error(manager.post(url, {"approve": False, "refusal": "再拒"})) == (
        409,
        "room_change_decided",
    )
    # Refused, the pupil may ask again.
    assert pupil.post(CHANGES, {"reason": "还是想换"}).status_code == 201


def _notices(school: School) -> list[tuple[str, str, str]]:
    with tenant_context(school):
        rows = Notice.objects.filter(key__startswith="dorms.room_change:").order_by("recipient")
        return list(rows.values_list("channel", "recipient", "body"))


def test_a_pupils_refused_request_is_told_to_their_guardians(client_for, school_a):
    student, _beds = _boarder(school_a, name="林小雨")
    with tenant_context(school_a):
        for name, phone in (("林父", "13800000001"), ("林母", "13800000002")):
            nights.guardian_add(student=student, name=name, phone=phone, actor=SETUP)
    pupil = client_for(school_a, _pupil_account(school_a, student))
    change = pupil.post(CHANGES, {"reason": "想换"}).json()
    manager = client_for(school_a, R.DORM_MANAGER)
    url = f"{CHANGES}{change['id']}/review/"
    assert manager.post(url, {"approve": False, "refusal": "理由不充分"}).status_code == 200
    told = _notices(school_a)
    assert [(channel, phone) for channel, phone, _body in told] == [
        ("sms", "13800000001"),
        ("sms", "13800000002"),
    ]
    assert all("林小雨" in body and "理由不充分" in body for *_rest, body in told)


def test_a_class_teachers_request_is_told_to_them_once_decided(client_for, school_a):
    student, beds = _boarder(school_a, name="周小山")
    teacher_user = _teacher_of(school_a, student)
    teacher = client_for(school_a, teacher_user)
    change = teacher.post(CHANGES, {"student": student.pk, "reason": "宿舍太吵"}).json()
    manager = client_for(school_a, R.DORM_MANAGER)
    review = {"approve": True, "bed": beds[1].pk}
    assert manager.post(f"{CHANGES}{change['id']}/review/", review).status_code == 200
    assert _notices(school_a) == [], "a review passed on decides nothing yet"
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    assert director.post(f"{CHANGES}{change['id']}/decide/", {"approve": True}).status_code == 200
    ((channel, recipient, body),) = _notices(school_a)
    assert channel == ("email" if teacher_user.email else "console")
    assert recipient == (teacher_user.email or f"user:{teacher_user.pk}")
    with tenant_context(school_a):
        bed = Bed.objects.select_related("room").get(pk=beds[1].pk)
    assert "周小山" in body and f"{bed.room.number}-{bed.number}" in body


def test_whoever_reviewed_a_room_change_does_not_approve_it(client_for, school_a):
    student, beds = _boarder(school_a)
    director_user = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    director = client_for(school_a, director_user)
    change = director.post(CHANGES, {"student": student.pk, "reason": "调宿"}).json()
    review = {"approve": True, "bed": beds[1].pk}
    assert director.post(f"{CHANGES}{change['id']}/review/", review).status_code == 200
    answer = director.post(f"{CHANGES}{change['id']}/decide/", {"approve": True})
    assert _error(answer) == (409, "separation_of_duties")


def test_a_pupil_without_a_bed_has_no_room_to_change(client_for, school_a):
    student = make_student(school_a.schema_name)
    pupil = client_for(school_a, _pupil_account(school_a, student))
    assert _error(pupil.post(CHANGES, {"reason": "想住校"})) == (400, "student_not_housed")
    unlinked = client_for(school_a, R.STUDENT)
    assert _error(unlinked.post(CHANGES, {"reason": "x"})) == (400, "required")


def test_the_director_names_one_class_teacher_a_class_a_year(client_for, school_a):
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    teacher = user_with_role(R.STAFF, school_a)
    body = {"username": teacher.username, "school_year": 2026, "grade": 4, "class_name": "4班"}
    made = director.post("/api/v1/class-teachers/", body)
    assert made.status_code == 201, made.content
    assert made.json()["user"]["username"] == teacher.username
    again = {**body, "username": user_with_role(R.STAFF, school_a).username}
    assert _error(director.post("/api/v1/class-teachers/", again)) == (409, "class_taught")
    pupil = user_with_role(R.STUDENT, school_a)
    not_staff = {**body, "username": pupil.username, "class_name": "5班"}
    assert _error(director.post("/api/v1/class-teachers/", not_staff)) == (400, "not_staff")
    assert director.delete(f"/api/v1/class-teachers/{made.json()['id']}/").status_code == 204
    with tenant_context(school_a):
        assert not ClassTeacher.objects.filter(user=teacher).exists()


@pytest.mark.parametrize("role", [R.CANTEEN_MANAGER, R.STAFF])
def test_only_a_student_account_is_linked_to_a_pupil(school_a, role):
    student = make_student(school_a.schema_name)
    with tenant_context(school_a), pytest.raises(InvalidInput) as refused:
        student_account_link(student=student, user=user_with_role(role, school_a), actor=SETUP)
    assert refused.value.code == "not_a_student"


def test_an_approval_and_an_allocation_of_the_same_bed_at_once_one_wins(
    committed: list[Callable[[], Any]],
) -> None:
    school = School.objects.get(code=SCHOOL_A)
    director = user_with_role(R.LOGISTICS_DIRECTOR, school)
    manager = user_with_role(R.DORM_MANAGER, school)
    committed.extend(partial(discard_user, user) for user in (director, manager))
    student, beds = _boarder(school)
    newcomer = make_student(school.schema_name)
    committed.append(partial(_cleanup, school, [student, newcomer]))
    with tenant_context(school):
        change = room_changes.room_change_request(student=student, reason="换房", actor=SETUP)
        room_changes.room_change_review(room_change=change, approve=True, bed=beds[1], actor=SETUP)
    host = school_host(school.code)
    calls = [
        lambda: HostClient(host, director).post(f"{CHANGES}{change.pk}/decide/", {"approve": True}),
        lambda: HostClient(host, manager).post(
            "/api/v1/dorms/allocations/",
            {
                "student": newcomer.pk,
                "bed": beds[1].pk,
                "start_date": timezone.localdate().isoformat(),
            },
        ),
    ]
    responses = at_once(2, lambda i: calls[i]())
    codes = sorted(r.status_code for r in responses)  # type: ignore[union-attr]
    assert codes in ([200, 409], [201, 409]), codes
    with tenant_context(school):
        in_bed = Allocation.objects.filter(bed=beds[1], end_date__isnull=True)
        assert in_bed.count() == 1
        moved = RoomChange.objects.get(pk=change.pk).status == RoomChange.Status.APPROVED
        assert in_bed.get().student_id == (student.pk if moved else newcomer.pk)
        assert Allocation.objects.filter(student=student, end_date__isnull=True).count() == 1


def _cleanup(school: School, students: list[Student]) -> None:
    with tenant_context(school):
        RoomChange.objects.filter(student__in=students).delete()
        Allocation.objects.all().delete()
        Bed.objects.all().delete()
        Room.objects.all().delete()
        Floor.objects.all().delete()
        Building.objects.all().delete()
        Student.objects.filter(pk__in=[s.pk for s in students]).delete()
