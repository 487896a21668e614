"""The repair desk's jobs, run in one school's schema (the `_schema_name` header that
`tenants.tasks.for_every_school_task` puts on each school's message, spread over the schools)."""

from celery import shared_task

from houqin.door import SystemActor
from tenant_apps.repairs.services.figures import repair_figures_publish
from tenant_apps.repairs.services.maintenance import plans_raise
from tenant_apps.repairs.services.timers import requests_sweep

SWEEP = SystemActor("repairs.sweep")
MAINTENANCE = SystemActor("repairs.maintenance")


@shared_task(name="tenant_apps.repairs.tasks.repairs_sweep_task")
def repairs_sweep_task() -> dict[str, int]:
    """Escalate the timers that ran out, confirm work left unconfirmed, and hand the school's
    figures to the district. Idempotent."""
    sweep = requests_sweep(actor=SWEEP)
    repair_figures_publish(actor=SWEEP)
    return {"escalated": sweep.escalated, "confirmed": sweep.confirmed}


@shared_task(name="tenant_apps.repairs.tasks.maintenance_raise_task")
def maintenance_raise_task() -> int:
    """Raise the work orders of the maintenance plans coming due. Idempotent: a plan's next due
    date moves on as its orders are raised."""
    return plans_raise(actor=MAINTENANCE)
