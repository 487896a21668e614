"""What the writes about a school's people share."""

from typing import TypeVar

from django.db import models
from django.db.models import QuerySet

from houqin.db import tenant_db

M = TypeVar("M", bound=models.Model)


def school_code() -> str:
    return str(getattr(tenant_db().tenant, "code", tenant_db().schema_name))


def others(queryset: QuerySet[M], obj: models.Model | None) -> QuerySet[M]:
    """`queryset` without `obj` (when it is saved)."""
    if obj is None or obj.pk is None:
        return queryset
    return queryset.exclude(pk=obj.pk)
