"""Tenancy that fails closed, for the district's (public) tables whose rows belong to schools.

A model whose rows belong to a school says so: `school_field` names the path to its school, a
foreign key to the tenant (`"school"`, `"claim__school"`) or the name of its schema
(`"schema_name"`, the trail's), or several paths, any of which makes a row the school's. Its
manager is `SchoolOwnedQuerySet.as_manager()`: a query states whose rows it reads before it runs,

- `.here()`: the current school's rows on a school's host; every school's on the district's host
  (the district roles' view),
- `.for_school(school)`: one school's rows, wherever it runs,
- `.across_schools()`: every school's rows, said out loud (the district's work, releases),

and one that states none of them refuses to be evaluated (`UnscopedQuery`). Rows reached through
their parent (`claim.events`, `budget.claims`, a prefetch) are the parent's business: they run.
Django's own base manager stays plain, so deletion and forward relations keep working.

`houqin.permissions.restrict()` applies `here()` to every queryset of such a model, so an API or
admin list answers only the school's rows on its host even where the view said nothing.
"""

from dataclasses import dataclass
from typing import Any, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from houqin.db import tenant_db

M = TypeVar("M", bound=models.Model)


class UnscopedQuery(Exception):
    """A query over rows that belong to schools that did not say whose: a programming error."""


def school_paths(model: type[models.Model]) -> tuple[str, ...]:
    """The paths from `model` to the school its rows belong to; none when they belong to none."""
    declared: str | tuple[str, ...] | None = getattr(model, "school_field", None)
    if declared is None:
        return ()
    return (declared,) if isinstance(declared, str) else tuple(declared)


@dataclass(frozen=True)
class SchoolScope:
    """Whose rows a read covers: one school's (by id, or by schema where only that is known), or
    every school's (neither)."""

    school_id: int | None = None
    schema_name: str | None = None

    @classmethod
    def here(cls) -> "SchoolScope":
        """The school whose schema is in force; every school in the district centre."""
        db = tenant_db()
        if db.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return cls()
        return cls(school_id=getattr(db.tenant, "pk", None), schema_name=db.schema_name)

    @classmethod
    def every(cls) -> "SchoolScope":
        """Every school: the district's work."""
        return cls()

    @classmethod
    def of(cls, school: Any) -> "SchoolScope":
        """One school, given as the school itself or its id."""
        if isinstance(school, int):
            return cls(school_id=school)
        return cls(school_id=school.pk, schema_name=school.schema_name)

    @property
    def every_school(self) -> bool:
        return self.school_id is None and self.schema_name is None


def _tenant_model() -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(settings.TENANT_MODEL)


def _path_q(model: type[models.Model], path: str, scope: SchoolScope) -> Q:
    """The rows of `model` whose `path` leads to the school of `scope`."""
    tenant = _tenant_model()
    field: Any = None
    current: Any = model
    many = False
    for name in path.split("__"):
        field = current._meta.get_field(name)
        many = many or field.many_to_many or field.one_to_many
        current = field.related_model
    if field.is_relation and field.related_model is tenant:
        q = (
            Q(**{path: scope.school_id})
            if scope.school_id is not None
            else Q(**{f"{path}__schema_name": scope.schema_name})
        )
    elif scope.schema_name is not None:
        q = Q(**{path: scope.schema_name})
    else:
        schema = tenant._base_manager.filter(pk=scope.school_id).values("schema_name")
        q = Q(**{f"{path}__in": schema})
    if many:  # a row reached by several paths counts once
        return Q(pk__in=model._base_manager.filter(q).values("pk"))
    return q


def school_q(model: type[models.Model], scope: SchoolScope) -> Q:
    """The rows of `model` that belong to the school of `scope`."""
    paths = school_paths(model)
    if not paths:
        raise TypeError(f"{model._meta.label} does not declare a school_field.")
    q = Q()
    for path in paths:
        q |= _path_q(model, path, scope)
    return q


def scoped_here(queryset: "models.QuerySet[M]") -> "models.QuerySet[M]":
    """`queryset` narrowed to the current school's rows on a school's host, for a model whose rows
    belong to schools; unchanged otherwise."""
    if isinstance(queryset, SchoolOwnedQuerySet):
        return queryset.here()
    if not school_paths(queryset.model):
        return queryset
    scope = SchoolScope.here()
    return queryset if scope.every_school else queryset.filter(school_q(queryset.model, scope))


class SchoolOwnedQuerySet(models.QuerySet[M]):
    """Rows that belong to schools: the query says whose before it runs."""

    # The scope rides on the SQL query, which every derived queryset copies.
    def _scoped(self, how: str, q: Q | None = None) -> Self:
        clone = self.all() if q is None else self.filter(q)
        clone.query.school_scope = how  # type: ignore[attr-defined]
        return clone

    def scoped(self, scope: SchoolScope) -> Self:
        if scope.every_school:
            return self._scoped("every school")
        return self._scoped("one school", school_q(self.model, scope))

    def here(self) -> Self:
        return self.scoped(SchoolScope.here())

    def for_school(self, school: Any) -> Self:
        return self.scoped(SchoolScope.of(school))

    def across_schools(self) -> Self:
        return self.scoped(SchoolScope.every())

    def none(self) -> Self:
        return super().none()._scoped("no school")

    def _require_scope(self) -> None:
        scope = getattr(self.query, "school_scope", None)
        if scope is None and getattr(self, "_hints", {}).get("instance") is None:
            label = self.model._meta.label
            raise UnscopedQuery(
                f"A query over {label} must say whose rows it reads: "
                f"{label}.objects.here(), .for_school(school) or .across_schools()."
            )

    def __repr__(self) -> str:
        if getattr(self.query, "school_scope", None) is None and self._result_cache is None:
            return f"<{type(self).__name__} of {self.model._meta.label}, not scoped yet>"
        return super().__repr__()

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._require_scope()
        return super().iterator(chunk_size)

    def count(self) -> int:
        self._require_scope()
        return super().count()

    def exists(self) -> bool:
        self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()

    def explain(self, *, format: Any = None, **options: Any) -> str:
        self._require_scope()
        return super().explain(format=format, **options)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        # Used inside another query (`pk__in=...`): the same rule holds for a subquery.
        self._require_scope()
        return super().resolve_expression(*args, **kwargs)
