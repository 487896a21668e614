"""Writes of the schools' upkeep figures into the district's rollup tables, called by each
school's jobs in the public schema: each call replaces that school's figures whole, so that a
repeated or late call changes nothing but the time they are as of."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from houqin.door import Actor, service
from shared_apps.reporting.models import SchoolAssetCategory, SchoolUpkeep
from tenants.models import School


@service
def repair_figures_record(
    *,
    school: School,
    open_requests: int,
    overdue_requests: int,
    completed_30_days: int,
    mean_hours_to_finish: Decimal | None,
    satisfaction: Decimal | None,
    actor: Actor,
) -> SchoolUpkeep:
    upkeep, _created = SchoolUpkeep.objects.for_school(school).update_or_create(
        school=school,
        defaults={
            "open_requests": open_requests,
            "overdue_requests": overdue_requests,
            "completed_30_days": completed_30_days,
            "mean_hours_to_finish": mean_hours_to_finish,
            "satisfaction": satisfaction,
            "repairs_updated_at": timezone.now(),
        },
    )
    return upkeep


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    kind: str
    count: int
    cost: Decimal


@service
def asset_figures_record(
    *,
    school: School,
    categories: Sequence[CategoryFigures],
    full_count_closed_at: datetime | None,
    actor: Actor,
) -> SchoolUpkeep:
    rows = SchoolAssetCategory.objects.for_school(school)
    rows.delete()
    SchoolAssetCategory.objects.bulk_create(
        SchoolAssetCategory(
            school=school, category=c.category, kind=c.kind, count=c.count, cost=c.cost
        )
        for c in categories
    )
    upkeep, _created = SchoolUpkeep.objects.for_school(school).update_or_create(
        school=school,
        defaults={
            "assets": sum(c.count for c in categories),
            "assets_cost": sum((c.cost for c in categories), Decimal(0)),
            "full_count_closed_at": full_count_closed_at,
            "assets_updated_at": timezone.now(),
        },
    )
    return upkeep
