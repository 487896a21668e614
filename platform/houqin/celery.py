"""The Celery app. Tasks carry the school they were queued in (a `_schema_name` header) and the
actor and request id that queued them, acknowledge late and are re-queued when a worker dies."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings.dev")

app = CeleryApp("houqin", task_cls="houqin.tasks:SchoolTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "school-pool-refill": {"task": "tenants.tasks.pool_refill_task", "schedule": 600},
    "school-check-every-school": {
        "task": "houqin.tasks.for_every_school_task",
        "schedule": 6 * 3600,
        "args": ("tenants.tasks.school_check_task",),
    },
}
app.autodiscover_tasks()
