"""Reads about schools."""

from django.db.models import QuerySet

from houqin.db import tenant_db
from tenants.models import School


def school_list() -> QuerySet[School]:
    return School.objects.all()


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
