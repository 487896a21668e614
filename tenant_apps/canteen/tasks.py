"""The canteen's periodic jobs, run in one school's schema (the `_schema_name` header that
`tenants.tasks.for_every_school_task` puts on each school's message)."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from houqin.door import SystemActor
from tenant_apps.canteen.services.daily_close import daily_close_record

# The nightly job that closes yesterday in every school: no one's act.
DAILY_CLOSE = SystemActor("canteen.daily_close")


@shared_task(name="tenant_apps.canteen.tasks.canteen_daily_close_task")
def canteen_daily_close_task(day: str | None = None) -> dict[str, int]:
    """Close `day` (ISO date; yesterday in the district's time zone when not given): record its
    alerts on the day's `DailyClose`. Idempotent: closing a day again updates the same row."""
    closed = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return dict(daily_close_record(day=closed, actor=DAILY_CLOSE).counts)
