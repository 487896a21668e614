"""Lists of schools imported in the background, for the district administrator's page.

The list is read when it is uploaded (a file that cannot be used is refused then, whole), its rows
kept on a `SchoolImport`, and a task (`tenants.tasks.schools_import_task`) creates the schools as
`tenants.onboarding.schools_import` does, each in its own transaction, saying how far it got as
the Celery task's state; the per-row report is kept on the import when it is done. A task run
again (a worker killed mid-list) resumes: the schools already made are reported as existing.
"""

import uuid
from dataclasses import asdict
from typing import IO

from django.utils import timezone

from houqin.door import Actor, actor_id, service
from houqin.imports import ImportReport
from houqin.tasks import queue_on_commit
from tenants import onboarding
from tenants.models import SchoolImport

# By name: the task calls back into this module.
SCHOOLS_IMPORT_TASK = "tenants.tasks.schools_import_task"


@service
def school_import_start(*, upload: IO[bytes], file_name: str, actor: Actor) -> SchoolImport:
    """Read a list of schools (.csv or .xlsx) and queue its import once this transaction
    commits. Refuses a file that cannot be used (`InvalidInput`); the rows' own problems are
    the report's."""
    uploader = actor_id(actor)
    if uploader is None:
        raise TypeError("a list of schools is uploaded by a person, not the system")
    rows = onboarding.read_school_rows(upload, file_name)
    school_import = SchoolImport.objects.create(
        file_name=file_name[: SchoolImport._meta.get_field("file_name").max_length],
        rows=[asdict(row) for row in rows],
        total=len(rows),
        task_id=str(uuid.uuid4()),
        created_by_id=uploader,
    )
    queue_on_commit(SCHOOLS_IMPORT_TASK, school_import.pk, task_id=school_import.task_id)
    return school_import


@service
def school_import_begin(*, school_import: SchoolImport, actor: Actor) -> SchoolImport:
    """The task has started on the list."""
    school_import.status = SchoolImport.Status.RUNNING
    school_import.save(update_fields=["status"])
    return school_import


@service
def school_import_finish(
    *, school_import: SchoolImport, report: ImportReport, actor: Actor
) -> SchoolImport:
    """Keep what became of each row, in place of the rows as written."""
    school_import.status = SchoolImport.Status.DONE
    school_import.report = report.as_dict()
    school_import.rows = []
    school_import.finished_at = timezone.now()
    school_import.save(update_fields=["status", "report", "rows", "finished_at"])
    return school_import
