"""The dormitory's nights over the API: door events recorded once by the terminal's event id,
the roll call at the school's time (in, late, absent, on approved leave), absent boarders'
guardians told through the notice outbox once; leaves that overlap refused."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from tenant_apps.dorms.models import DoorEvent
from tenant_apps.dorms.services import allocations, nights
from tenant_apps.notices.models import Notice
from tests.factories import SETUP
from tests.matrix.dorms import TERM, make_room
from tests.matrix.people import make_student

NIGHT = TERM + timedelta(days=7)
# 22:00 in Shanghai, the default roll call time.
DUE = datetime(NIGHT.year, NIGHT.month, NIGHT.day, 14, 0, tzinfo=UTC)


def _event(student: Any, n: int, direction: str, at: datetime) -> dict[str, Any]:
    return {
        "device": "gate-1",
        "device_event_id": f"N{n}",
        "student_number": student.student_number,
        "direction": direction,
        "method": "card",
        "occurred_at": at.isoformat(),
    }


def _boarders(school: Any, count: int) -> list[Any]:
    room = make_room(school, beds=count, capacity=count)
    pupils = [make_student(school.schema_name) for _ in range(count)]
    with tenant_context(school):
        for pupil, bed in zip(pupils, room.beds.all(), strict=True):
            allocations.allocation_create(student=pupil, bed=bed, start_date=TERM, actor=SETUP)
    return pupils


def test_a_door_event_reported_twice_is_recorded_once(client_for, school_a):
    (pupil,) = _boarders(school_a, 1)
    manager = client_for(school_a, R.DORM_MANAGER)
    events = [_event(pupil, 1, "in", DUE - timedelta(hours=1))]
    unknown = {**events[0], "device_event_id": "N2", "student_number": "NOBODY"}
    first = manager.post("/api/v1/dorms/door-events/", {"events": [*events, unknown]})
    assert [row["code"] for row in first.json()] == ["accepted", "unknown_student"]
    again = manager.post("/api/v1/dorms/door-events/", {"events": events + events})
    assert [row["code"] for row in again.json()] == ["duplicate", "duplicate"]
    with tenant_context(school_a):
        assert DoorEvent.objects.filter(device="gate-1", device_event_id="N1").count() == 1


def test_a_terminals_event_ids_arrive_as_sent_whatever_they_hold(client_for, school_a):
    (pupil,) = _boarders(school_a, 1)
    manager = client_for(school_a, R.DORM_MANAGER)
    at = DUE - timedelta(hours=1)
    plain = [{**_event(pupil, n, "in", at), "device_event_id": f"{{a,b}} {n}"} for n in (1, 2)]
    assert [
        row["code"] for row in manager.post("/api/v1/dorms/door-events/", {"events": plain}).json()
    ] == ["accepted", "accepted"]
    odd = [
        {**_event(pupil, n, "in", at), "device_event_id": text}
        for n, text in enumerate(['say "hi"', "C:\\gate\\7", "{x}", "a,b"])
    ]
    written = manager.post("/api/v1/dorms/door-events/", {"events": odd})
    assert [row["device_event_id"] for row in written.json()] == [e["device_event_id"] for e in odd]
    assert {row["code"] for row in written.json()} == {"accepted"}
    with tenant_context(school_a):
        ids = set(DoorEvent.objects.values_list("device_event_id", flat=True))
    assert ids == {"{a,b} 1", "{a,b} 2", 'say "hi"', "C:\\gate\\7", "{x}", "a,b"}


def test_a_bad_event_refuses_the_whole_report(client_for, school_a):
    (pupil,) = _boarders(school_a, 1)
    bad = {**_event(pupil, 3, "sideways", DUE), "direction": "sideways"}
    answer = client_for(school_a, R.DORM_MANAGER).post(
        "/api/v1/dorms/door-events/", {"events": [_event(pupil, 4, "in", DUE), bad]}
    )
    assert answer.status_code == 400
    with tenant_context(school_a):
        assert not DoorEvent.objects.filter(device_event_id="N4").exists()


def test_the_roll_call_finds_who_is_in_late_absent_or_on_leave(client_for, school_a):
    inside, late, absent, away, out_again = pupils = _boarders(school_a, 5)
    names = {
        p.pk: name for p, name in zip(pupils, ["in", "late", "absent", "leave", "out"], strict=True)
    }
    with tenant_context(school_a):
        nights.guardian_add(student=absent, name="王父", phone="13800138000", actor=SETUP)
        nights.guardian_add(student=inside, name="李母", phone="13900139000", actor=SETUP)
    manager = client_for(school_a, R.DORM_MANAGER)
    events = [
        _event(inside, 10, "in", DUE - timedelta(hours=2)),
        _event(late, 11, "in", DUE + timedelta(minutes=25)),
        _event(out_again, 12, "in", DUE - timedelta(hours=3)),
        _event(out_again, 13, "out", DUE - timedelta(hours=1)),
    ]
    assert manager.post("/api/v1/dorms/door-events/", {"events": events}).status_code == 200
    leave = manager.post(
        "/api/v1/dorms/leaves/",
        {
            "student": away.pk,
            "reason": "回家",
            "starts_at": (DUE - timedelta(hours=6)).isoformat(),
            "ends_at": (DUE + timedelta(days=1)).isoformat(),
        },
    ).json()
    assert manager.post(f"/api/v1/dorms/leaves/{leave['id']}/approve/").status_code == 200
    taken = manager.post("/api/v1/dorms/roll-calls/", {"night": NIGHT.isoformat()})
    assert taken.status_code == 201
    statuses = {names[e["student"]]: e["status"] for e in taken.json()["entries"]}
    assert statuses == {
        "in": "in",
        "late": "late",
        "absent": "absent",
        "leave": "leave",
        "out": "absent",
    }
    with tenant_context(school_a):
        told = list(Notice.objects.values_list("channel", "recipient"))
    assert told == [("sms", "13800138000")]
    manager.post("/api/v1/dorms/roll-calls/", {"night": NIGHT.isoformat()})
    with tenant_context(school_a):
        assert Notice.objects.count() == 1


def test_the_roll_call_is_not_taken_before_its_time(client_for, school_a):
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    answer = client_for(school_a, R.DORM_MANAGER).post(
        "/api/v1/dorms/roll-calls/", {"night": tomorrow.isoformat()}
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "not_due")


def test_a_leave_overlapping_another_is_refused(client_for, school_a):
    (pupil,) = _boarders(school_a, 1)
    teacher = client_for(school_a, R.STAFF)
    body = {
        "student": pupil.pk,
        "reason": "看病",
        "starts_at": DUE.isoformat(),
        "ends_at": (DUE + timedelta(days=1)).isoformat(),
    }
    assert teacher.post("/api/v1/dorms/leaves/", body).status_code == 201
    later = {
        **body,
        "starts_at": (DUE + timedelta(hours=12)).isoformat(),
        "ends_at": (DUE + timedelta(days=2)).isoformat(),
    }
    answer = teacher.post("/api/v1/dorms/leaves/", later)
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "leave_overlaps")
    backwards = {**body, "starts_at": body["ends_at"], "ends_at": body["starts_at"]}
    assert teacher.post("/api/v1/dorms/leaves/", backwards).status_code == 400


def test_a_visitors_id_number_is_stored_encrypted_and_shown_masked(client_for, school_a):
    from tenant_apps.dorms.models import Visitor
    from tenant_apps.people import national_id
    from tests.matrix.people import national_id_for

    number = national_id_for(77, born="19800101")
    manager = client_for(school_a, R.DORM_MANAGER)
    made = manager.post(
        "/api/v1/dorms/visitors/", {"name": "王舅舅", "national_id": number, "purpose": "送衣物"}
    )
    assert made.status_code == 201
    assert made.json()["national_id"] == national_id.mask(number) != number
    assert number not in manager.get("/api/v1/dorms/visitors/").content.decode()
    with tenant_context(school_a):
        visitor = Visitor.objects.get(pk=made.json()["id"])
        assert national_id.decrypt(visitor.national_id_ciphertext) == number
    bad = manager.post(
        "/api/v1/dorms/visitors/", {"name": "某人", "national_id": "123", "purpose": "探望"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_national_id")
    left = manager.post(f"/api/v1/dorms/visitors/{made.json()['id']}/leave/")
    assert left.json()["left_at"] is not None
    again = manager.post(f"/api/v1/dorms/visitors/{made.json()['id']}/leave/")
    assert again.status_code == 409


def test_the_roll_call_task_takes_tonights_roll_call_once_its_time_has_come(school_a):
    from unittest import mock

    from tenant_apps.dorms.models import RollCall
    from tenant_apps.dorms.tasks import roll_call_task

    _boarders(school_a, 1)
    with tenant_context(school_a):
        before = DUE - timedelta(minutes=5)
        with mock.patch("django.utils.timezone.now", return_value=before):
            assert roll_call_task() == ""
        with mock.patch("django.utils.timezone.now", return_value=DUE + timedelta(minutes=5)):
            assert roll_call_task() == NIGHT.isoformat()
        assert RollCall.objects.get(night=NIGHT).entries.get().status == "absent"
