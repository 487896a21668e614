"""The fan-out that runs a job in every active school, and the periodic checks of schools."""

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.db import tenant_db
from houqin.tasks import queue_headers, spread_offset
from shared_apps.audit.triggers import missing_triggers
from tenants import onboarding, provisioning, school_imports
from tenants.models import School
from tenants.selectors import PROGRESS, active_school_schemas, school_import_get


@shared_task(name="tenants.tasks.for_every_school_task")
def for_every_school_task(task_name: str, spread_seconds: int | None = None) -> int:
    spread = settings.SCHOOL_JOB_SPREAD_SECONDS if spread_seconds is None else spread_seconds
    schemas = active_school_schemas()
    for schema_name in schemas:
        with schema_context(schema_name):
            for_every_school_task.app.send_task(
                task_name, countdown=spread_offset(schema_name, spread), headers=queue_headers()
            )
    return len(schemas)


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


@shared_task(name="tenants.tasks.schools_import_task", bind=True)
def schools_import_task(self: Task[Any, Any], import_id: int) -> None:
    """Create the schools of an uploaded list (tenants.school_imports), as the person who
    uploaded it, saying how far it got. Idempotent: a finished import is left alone, and one run
    again resumes (the schools made before count as existing)."""
    school_import = school_import_get(import_id=import_id)
    if school_import is None or school_import.finished:
        return
    actor = school_import.created_by
    school_imports.school_import_begin(school_import=school_import, actor=actor)

    def progress(done: int, total: int) -> None:
        self.update_state(state=PROGRESS, meta={"done": done, "total": total})

    report = onboarding.schools_import(
        rows=[onboarding.SchoolRow(**row) for row in school_import.rows],
        actor=actor,
        progress=progress,
    )
    school_imports.school_import_finish(school_import=school_import, report=report, actor=actor)
