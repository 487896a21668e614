"""Reads about schools."""

from dataclasses import dataclass
from typing import Any

from celery.result import AsyncResult
from django.db.models import QuerySet

from houqin.db import tenant_db
from houqin.roles import Role
from tenants.models import School, SchoolImport


def school_list() -> QuerySet[School]:
    return School.objects.all()


def schools_lacking(*, role: Role) -> QuerySet[School]:
    """Active schools where nobody holds `role` (through the memberships the accounts app keeps
    of each school): schools still to be staffed after they were created."""
    return School.objects.filter(status=School.Status.ACTIVE).exclude(memberships__role=role.value)


def active_school_schemas() -> list[str]:
    return list(
        School.objects.filter(status=School.Status.ACTIVE).values_list("schema_name", flat=True)
    )


def current_school() -> School:
    """The school whose schema is in force (a task or command may have only its schema)."""
    db = tenant_db()
    if db.schema_name == "public":
        raise RuntimeError("no school's schema is in force")
    if isinstance(db.tenant, School):
        return db.tenant
    return School.objects.get(schema_name=db.schema_name)


def school_import_list() -> QuerySet[SchoolImport]:
    """Imports of school lists, newest first, without the rows they carry."""
    return SchoolImport.objects.select_related("created_by").defer("rows")


def school_import_get(*, import_id: int) -> SchoolImport | None:
    return SchoolImport.objects.select_related("created_by").filter(pk=import_id).first()


def school_imports_under_way() -> QuerySet[SchoolImport]:
    return school_import_list().exclude(status=SchoolImport.Status.DONE)


# The state a running import's task reports, its meta {"done": rows settled, "total": rows}.
PROGRESS = "PROGRESS"


@dataclass(frozen=True)
class Progress:
    """How far an import got: rows settled of all, and whether its task has started."""

    done: int
    total: int
    started: bool

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


def school_import_progress(school_import: SchoolImport) -> Progress:
    """What the import's task says of its progress (its Celery state), or the import's own
    record once it is done."""
    if school_import.finished:
        return Progress(school_import.total, school_import.total, started=True)
    result: AsyncResult[Any] = AsyncResult(school_import.task_id)
    info = result.info if result.state == PROGRESS and isinstance(result.info, dict) else {}
    started = bool(info) or school_import.status == SchoolImport.Status.RUNNING
    return Progress(int(info.get("done", 0)), school_import.total, started=started)
