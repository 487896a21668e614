"""A task for the killed-worker tests, loaded only by the workers those tests start
(`celery worker --include tests.worker_tasks`). Its effect is keyed, so running it twice has the
effect of running it once; every attempt is appended to a file the test reads."""

import time
from pathlib import Path

from celery import Task, shared_task

from houqin.models import IdempotencyRecord


@shared_task(name="tests.worker_tasks.slow_effect_task", bind=True)
def slow_effect_task(self: Task, marker: str, seconds: float, attempts_file: str) -> str:
    with Path(attempts_file).open("a") as attempts:
        attempts.write(f"{self.request.id}\n")
    time.sleep(seconds)
    IdempotencyRecord.objects.across_schools().get_or_create(
        schema_name="public",
        user_id=0,
        key=marker,
        defaults={"method": "TASK", "path": self.name, "request_hash": marker, "status_code": 200},
    )
    return marker
