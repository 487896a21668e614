"""The property's jobs, run in one school's schema (the `_schema_name` header that
`tenants.tasks.for_every_school_task` puts on each school's message, spread over the schools)."""

from celery import shared_task

from houqin.door import SystemActor
from houqin.months import previous_month
from tenant_apps.assets.selectors import depreciation_run_list
from tenant_apps.assets.services.depreciation import depreciation_run
from tenant_apps.assets.services.figures import asset_figures_publish

MONTHLY = SystemActor("assets.monthly")
FIGURES = SystemActor("assets.figures")


@shared_task(name="tenant_apps.assets.tasks.assets_figures_task")
def assets_figures_task() -> None:
    """Hand the school's asset totals and its annual full count to the district. Idempotent."""
    asset_figures_publish(actor=FIGURES)


@shared_task(name="tenant_apps.assets.tasks.depreciation_task")
def depreciation_task() -> str | None:
    """Depreciate last month, unless it was done already (by hand, or by an earlier run)."""
    month = previous_month()
    if depreciation_run_list().filter(month=month).exists():
        return None
    return str(depreciation_run(month=month, actor=MONTHLY).amount)
