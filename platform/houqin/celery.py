"""The Celery app. Tasks carry the school they were queued in (a `_schema_name` header) and the
actor and request id that queued them, acknowledge late and are re-queued when a worker dies."""

import os

from celery.schedules import crontab
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
    # Close yesterday in every school at 01:00 (CELERY_TIMEZONE, Asia/Shanghai): its alerts.
    "canteen-daily-close-every-school": {
        "task": "houqin.tasks.for_every_school_task",
        "schedule": crontab(hour=1, minute=0),
        "args": ("tenant_apps.canteen.tasks.canteen_daily_close_task",),
    },
}
app.autodiscover_tasks()
