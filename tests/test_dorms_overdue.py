"""Overdue return from leave: an approved leave whose pupil has not come back through the door
by its end is told to the school's dorm managers through the notice outbox, once; a pupil who
came back in time, or whose leave is not over, is not."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from tenant_apps.dorms.services import nights
from tenant_apps.dorms.tasks import overdue_returns_task
from tenant_apps.notices.models import Notice
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.people import make_student


def _approved_leave(manager: Any, student: Any, starts: Any, ends: Any) -> None:
    body = {
        "student": student.pk,
        "reason": "回家",
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
    }
    made = manager.post("/api/v1/dorms/leaves/", body)
    assert made.status_code == 201, made.content
    assert manager.post(f"/api/v1/dorms/leaves/{made.json()['id']}/approve/").status_code == 200


def test_a_pupil_not_back_by_the_end_of_leave_is_told_to_the_dorm_manager_once(
    client_for: Any, school_a: School
) -> None:
    manager = client_for(school_a, R.DORM_MANAGER)
    now = timezone.now()
    overdue, back, away = (
        make_student(school_a.schema_name, name=n) for n in ("王一", "李二", "赵三")
    )
    starts, ends = now - timedelta(days=1), now - timedelta(hours=1)
    _approved_leave(manager, overdue, starts, ends)
    _approved_leave(manager, back, starts, ends)
    _approved_leave(manager, away, starts, now + timedelta(hours=3))
    with tenant_context(school_a):
        nights.door_events_record(
            events=[
                {
                    "device": "gate-1",
                    "device_event_id": "back-1",
                    "student_number": back.student_number,
                    "direction": "in",
                    "method": "card",
                    "occurred_at": ends - timedelta(minutes=30),
                }
            ],
            actor=SETUP,
        )
        assert overdue_returns_task() == 1
        assert overdue_returns_task() == 1
        notices = list(Notice.objects.filter(key__startswith="dorms.overdue:"))
    assert len(notices) == 1
    assert overdue.name in notices[0].body and back.name not in notices[0].body
    assert notices[0].recipient == manager.user.email or notices[0].channel == "console"
