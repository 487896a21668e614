"""The outbox's jobs, run in one school's schema (the `_schema_name` header the task was queued
with, or that `tenants.tasks.for_every_school_task` puts on each school's message)."""

from datetime import timedelta
from typing import Any, cast

from celery import shared_task
from django.utils import timezone

from houqin.door import SystemActor
from houqin.tasks import SchoolTask
from tenant_apps.notices.delivery import notice_deliver
from tenant_apps.notices.selectors import notices_stuck

DELIVERY = SystemActor("notices.delivery")
# Backing off from a minute to about an hour; past the last retry the sweep takes it up again.
RETRY_SECONDS = 60
RETRIES = 6
# A pending notice older than this has lost its message (or its retries): queue it again.
STUCK_AFTER = timedelta(minutes=10)


@shared_task(name="tenant_apps.notices.tasks.notice_deliver_task", bind=True)
def notice_deliver_task(self: Any, notice_id: int) -> bool:
    """Deliver one notice; retried with a growing delay while its channel fails. Idempotent: a
    notice sent already is not sent again."""
    if notice_deliver(notice_id=notice_id, actor=DELIVERY):
        return True
    raise self.retry(countdown=RETRY_SECONDS * 2**self.request.retries, max_retries=RETRIES)


@shared_task(name="tenant_apps.notices.tasks.notices_deliver_task")
def notices_deliver_task(notice_ids: list[int]) -> int:
    """Deliver the notices written together (one message for them all); each its channel
    fails goes on to a task of its own, retried as `notice_deliver_task` is. Idempotent: a
    notice sent already is not sent again. Returns how many were sent."""
    failed = [i for i in notice_ids if not notice_deliver(notice_id=i, actor=DELIVERY)]
    for notice_id in failed:
        cast(SchoolTask, notice_deliver_task).apply_async((notice_id,), countdown=RETRY_SECONDS)
    return len(notice_ids) - len(failed)


@shared_task(name="tenant_apps.notices.tasks.notices_sweep_task")
def notices_sweep_task() -> int:
    """Queue again every notice left pending (run for every school periodically)."""
    stuck = list(
        notices_stuck(before=timezone.now() - STUCK_AFTER).values_list("pk", flat=True)[:500]
    )
    for notice_id in stuck:
        cast(SchoolTask, notice_deliver_task).delay(notice_id)
    return len(stuck)


def deliver_on_commit(notice_id: int) -> None:
    """Queue the notice's delivery for when the current transaction commits."""
    cast(SchoolTask, notice_deliver_task).delay_on_commit(notice_id)


def deliver_all_on_commit(notice_ids: list[int]) -> None:
    """Queue the notices' delivery, in one message, for when the current transaction commits."""
    cast(SchoolTask, notices_deliver_task).delay_on_commit(notice_ids)
