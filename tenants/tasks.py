"""Periodic checks run in every school's schema."""

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from houqin.db import tenant_db
from shared_apps.audit.triggers import missing_triggers
from tenants import provisioning
from tenants.models import School


@shared_task(name="tenants.tasks.pool_refill_task")
def pool_refill_task() -> int:
    """Keep SCHOOL_POOL_SIZE schemas ready for new schools. Idempotent: it only tops up."""
    return provisioning.pool_refill(size=settings.SCHOOL_POOL_SIZE)


@shared_task(name="tenants.tasks.school_check_task")
def school_check_task() -> list[str]:
    """Record, on the school's row, any table of its schema whose audit triggers are missing."""
    schema_name = tenant_db().schema_name
    problems = [f"audit triggers missing on {table}" for table in missing_triggers(connection)]
    School.objects.filter(schema_name=schema_name).update(
        checked_at=timezone.now(), check_problems=problems
    )
    return problems
