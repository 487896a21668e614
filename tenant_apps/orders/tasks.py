"""The orders' jobs, run in one school's schema (the `_schema_name` header the task was queued
with, or that `houqin.tasks.for_every_school_task` puts on each school's message)."""

from typing import Any, cast

from celery import shared_task

from houqin.door import SystemActor
from houqin.tasks import SchoolTask
from tenant_apps.orders.outbox import spend_outbox_drain

SPEND_DRAIN = SystemActor("orders.spend_drain")
# A drain of the school already running may have read its entries before this one's commit:
# look again shortly (the periodic sweep catches whatever is left after that).
BUSY_RETRY_SECONDS = 5
BUSY_RETRIES = 3


@shared_task(name="tenant_apps.orders.tasks.spend_drain_task", bind=True)
def spend_drain_task(self: Any) -> int:
    """Drain the school's spend outbox into the district's spend lines. Queued on commit by
    each change that adds entries, and run for every school periodically. Idempotent."""
    drained = spend_outbox_drain(actor=SPEND_DRAIN)
    if drained is None:
        raise self.retry(countdown=BUSY_RETRY_SECONDS, max_retries=BUSY_RETRIES)
    return drained


def spend_drain_on_commit() -> None:
    """Queue the school's drain for when the current transaction commits."""
    cast(SchoolTask, spend_drain_task).delay_on_commit()
