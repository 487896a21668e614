"""Reads about schools."""

from django.db.models import QuerySet

from tenants.models import School


def school_list() -> QuerySet[School]:
    return School.objects.all()


def active_school_schemas() -> list[str]:
    return list(
        School.objects.filter(status=School.Status.ACTIVE).values_list("schema_name", flat=True)
    )
