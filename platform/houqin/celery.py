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
    # The district centre's procurement jobs (public schema): qualification notices at 06:00,
    # the suppliers' rating rule for last month on the 1st at 03:00.
    "procurement-qualification-expiry": {
        "task": "shared_apps.procurement.tasks.qualification_expiry_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "procurement-supplier-rating-rule": {
        "task": "shared_apps.procurement.tasks.supplier_rating_rule_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
}
app.autodiscover_tasks()
