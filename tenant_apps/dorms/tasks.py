"""Boarding's jobs, run in one school's schema (the `_schema_name` header that
`tenants.tasks.for_every_school_task` puts on each school's message)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from houqin.door import SystemActor
from tenant_apps.dorms.selectors import roll_call_due
from tenant_apps.dorms.services.leave import overdue_returns_alert
from tenant_apps.dorms.services.nights import LATE_UNTIL, roll_call_take

ROLL_CALL = SystemActor("dorms.roll_call")
OVERDUE = SystemActor("dorms.overdue_returns")


@shared_task(name="tenant_apps.dorms.tasks.roll_call_task")
def roll_call_task() -> str:
    """Take the night's roll call once its time has come, and take it again while the night
    lasts (a late boarder moves from absent to late). Idempotent: guardians are told once."""
    now = timezone.now()
    today = timezone.localdate(now)
    for night in (today, today - timedelta(days=1)):
        due = roll_call_due(night)
        if due <= now <= due + LATE_UNTIL:
            roll_call_take(night=night, now=now, actor=ROLL_CALL)
            return night.isoformat()
    return ""


@shared_task(name="tenant_apps.dorms.tasks.overdue_returns_task")
def overdue_returns_task() -> int:
    """Tell the dorm managers of the pupils overdue from leave; how many leaves are overdue."""
    return len(overdue_returns_alert(now=timezone.now(), actor=OVERDUE))
