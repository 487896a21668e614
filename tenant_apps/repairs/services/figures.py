"""The school's repair figures handed to the district's rollup (`reporting.SchoolUpkeep`), in
the public schema: the district reads them without visiting the school's schema."""

from django_tenants.utils import schema_context

from houqin.door import Actor, service
from shared_apps.reporting.services import repair_figures_record
from tenant_apps.repairs.selectors import figures
from tenants.selectors import current_school


@service
def repair_figures_publish(*, actor: Actor) -> None:
    school = current_school()
    now = figures()
    with schema_context("public"):
        repair_figures_record(
            school=school,
            open_requests=now.open_requests,
            overdue_requests=now.overdue_requests,
            completed_30_days=now.completed_30_days,
            mean_hours_to_finish=now.mean_hours_to_finish,
            satisfaction=now.satisfaction,
            actor=actor,
        )
