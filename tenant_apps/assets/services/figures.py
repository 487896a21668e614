"""The school's asset totals by category, and its annual full count, handed to the district's
rollup (`reporting.SchoolUpkeep`, `reporting.SchoolAssetCategory`) in the public schema."""

from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.door import Actor, service
from shared_apps.reporting.services import CategoryFigures, asset_figures_record
from tenant_apps.assets.selectors import last_full_count, totals_by_category
from tenants.selectors import current_school


@service
def asset_figures_publish(*, actor: Actor) -> None:
    school = current_school()
    totals = [CategoryFigures(t.category, t.kind, t.count, t.cost) for t in totals_by_category()]
    full = last_full_count(timezone.localdate().year)
    with schema_context("public"):
        asset_figures_record(
            school=school,
            categories=totals,
            full_count_closed_at=full.closed_at if full else None,
            actor=actor,
        )
