"""The Celery app. Tasks carry the school they were queued in (a `_schema_name` header) and the
actor and request id that queued them, acknowledge late and are re-queued when a worker dies."""

import os
from typing import Any

from celery.schedules import crontab
from celery.signals import worker_init
from tenant_schemas_celery.app import CeleryApp

# Production unless told otherwise, like manage.py: it refuses to start without its keys.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings.prod")

app = CeleryApp("houqin", task_cls="houqin.tasks:SchoolTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "school-pool-refill": {"task": "tenants.tasks.pool_refill_task", "schedule": 600},
    "school-check-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": 6 * 3600,
        "args": ("tenants.tasks.school_check_task",),
    },
    # Close yesterday in every school at 01:00 (CELERY_TIMEZONE, Asia/Shanghai): its alerts.
    "canteen-daily-close-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": crontab(hour=1, minute=0),
        "args": ("tenant_apps.canteen.tasks.canteen_daily_close_task",),
    },
    # Every school's spend outbox into the district's spend lines: each change queues its own
    # drain on commit; this sweep picks up what a lost message or a busy drain left.
    "orders-spend-drain-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": 600,
        "args": ("tenant_apps.orders.tasks.spend_drain_task", 300),
    },
    # Repairs: every school's timers swept every five minutes (escalations, auto-confirmation,
    # its figures for the district), maintenance plans' work orders raised at 05:00.
    "repairs-sweep-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": 300,
        "args": ("tenant_apps.repairs.tasks.repairs_sweep_task", 240),
    },
    "repairs-maintenance-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": crontab(hour=5, minute=0),
        "args": ("tenant_apps.repairs.tasks.maintenance_raise_task",),
    },
    # Assets: last month's depreciation on the 1st at 02:00, the district's figures nightly.
    "assets-depreciation-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
        "args": ("tenant_apps.assets.tasks.depreciation_task",),
    },
    "assets-figures-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": crontab(hour=2, minute=30),
        "args": ("tenant_apps.assets.tasks.assets_figures_task",),
    },
    # Boarding: the night's roll call, at each school's own time, taken again while the night
    # lasts.
    "dorms-roll-call-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": 300,
        "args": ("tenant_apps.dorms.tasks.roll_call_task", 60),
    },
    # Boarding: pupils not back through the door by the end of their leave, told to the dorm
    # managers (once per leave).
    "dorms-overdue-returns-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": 600,
        "args": ("tenant_apps.dorms.tasks.overdue_returns_task", 120),
    },
    # Notices left pending (a lost message, retries used up) queued again every five minutes.
    "notices-sweep-every-school": {
        "task": "tenants.tasks.for_every_school_task",
        "schedule": 300,
        "args": ("tenant_apps.notices.tasks.notices_sweep_task", 120),
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
    # School buses: the coming week's day partitions of GPS points at 00:30, old days dropped.
    "transport-point-partitions": {
        "task": "shared_apps.transport.tasks.point_partitions_task",
        "schedule": crontab(hour=0, minute=30),
    },
}
app.autodiscover_tasks()


@worker_init.connect
def worker_refuses_unless_database_is_sound(**kwargs: Any) -> None:
    """A worker that cannot vouch for the database (the audit trail among it) takes no task.
    Celery logs and swallows a handler's exceptions; SystemExit stops the worker."""
    import django
    from django.core.management.base import SystemCheckError

    django.setup()
    from houqin.startup import refuse_unless_database_is_sound

    try:
        refuse_unless_database_is_sound()
    except SystemCheckError as exc:
        raise SystemExit(str(exc)) from exc
