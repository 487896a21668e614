"""The trail as people read it: who acted (their name and roles), what they acted on (the model's
verbose name and the row's title), and which fields went from what to what (by their verbose
names, values as the model shows them).

Who is who is the accounts app's to say: it hands its selectors over in its AppConfig.ready
(`people_from`), so that the trail imports no app above it. What a row is comes from the trail's
own copy of it: its title is the model's `str()` of that copy, made without reading any other row
(no query runs for it; a title that would need one is the row's id instead).
"""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.routers import TenantSyncRouter
from django_tenants.utils import get_public_schema_name

from houqin.db import tenant_db
from shared_apps.audit.triggers import tracked_tables

# A value longer than this is cut short on the page (the API gives it whole).
SHOWN_LENGTH = 200


@dataclass(frozen=True)
class Person:
    """Someone named in the trail: their name, and the labels of the roles they hold by the
    schema where they hold them (the public schema's: the district's roles)."""

    name: str
    roles: Mapping[str, tuple[str, ...]]

    def roles_in(self, schema_name: str) -> tuple[str, ...]:
        """Their roles where a row changed: the district's, and that school's."""
        public = get_public_schema_name()
        here = () if schema_name == public else self.roles.get(schema_name, ())
        return (*self.roles.get(public, ()), *here)


class PeopleNamed(Protocol):
    def __call__(self, user_ids: Collection[int]) -> dict[int, Person]: ...


class PeopleMatching(Protocol):
    def __call__(self, text: str) -> "QuerySet[Any, int]": ...


_named: PeopleNamed | None = None
_matching: PeopleMatching | None = None


def people_from(*, named: PeopleNamed, matching: PeopleMatching) -> None:
    """Name the people of the trail with `named` (user ids -> who they are, in a fixed number of
    queries) and find them with `matching` (text -> a query of the ids of the users whose
    username or name holds it)."""
    global _named, _matching
    _named, _matching = named, matching


def people_named(user_ids: Collection[int]) -> dict[int, Person]:
    if _named is None:
        raise ImproperlyConfigured("No installed app names the people of the trail.")
    return _named({pk for pk in user_ids if pk is not None})


def people_matching(text: str) -> "QuerySet[Any, int]":
    if _matching is None:
        raise ImproperlyConfigured("No installed app names the people of the trail.")
    return _matching(text)


# What a row is ------------------------------------------------------------------------------------


@cache
def _models_by_table() -> dict[str, type[models.Model]]:
    """Table -> its model (not a proxy of it: an admin's or a report's view of the same rows)."""
    return {
        str(model._meta.db_table): model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    }


def model_of(table_name: str) -> type[models.Model] | None:
    return _models_by_table().get(table_name)


# The records the libraries keep for the district, named for people (the libraries' own names
# are not translated).
LIBRARY_RECORDS = {
    "guardian_groupobjectpermission": gettext_lazy("a group's grant on one record"),
    "guardian_userobjectpermission": gettext_lazy("a person's grant on one record"),
}


# Columns the libraries give the district's models, named for people.
LIBRARY_COLUMNS = {"schema_name": gettext_lazy("schema")}


@cache
def sign_in_tables() -> tuple[str, ...]:
    """The sign-in lockout's bookkeeping (django-axes' tables): sign-ins are read as security
    events, apart from the trail of records."""
    if not apps.is_installed("axes"):
        return ()
    return tuple(str(model._meta.db_table) for model in apps.get_app_config("axes").get_models())


@cache
def _tracked() -> tuple[str, ...]:
    tables = {*tracked_tables(public=True), *tracked_tables(public=False)}
    return tuple(sorted(tables - set(sign_in_tables())))


def what_of(model: type[models.Model]) -> str:
    """What a row of `model` is, for people."""
    return str(LIBRARY_RECORDS.get(str(model._meta.db_table)) or capfirst(model._meta.verbose_name))


def schema_of(model: type[models.Model]) -> str:
    """The schema where the rows of `model` seen here live: the public schema for the
    district's apps, the one in force for a school's."""
    if TenantSyncRouter().app_in_list(model._meta.app_label, settings.SHARED_APPS):
        return get_public_schema_name()
    return str(tenant_db().schema_name)


def object_types() -> list[tuple[str, str]]:
    """(table, the model's verbose name) of every table the trail records, by name."""
    named = [(table, what_of(model)) for table in _tracked() if (model := model_of(table))]
    return sorted(named, key=lambda pair: pair[1])


class _QueryRefused(Exception):
    pass


def _refuse(*args: Any) -> None:
    raise _QueryRefused


def _copy(model: type[models.Model], data: Mapping[str, Any]) -> models.Model:
    """An unsaved instance holding the trail's copy of a row."""
    row = model()
    for field in model._meta.concrete_fields:
        if field.column is not None and field.column in data:
            setattr(row, field.attname, field.to_python(data[field.column]))
    return row


def title_of(model: type[models.Model], data: Mapping[str, Any] | None, row_id: str) -> str:
    """The row's title as its model writes it, from the trail's copy; its id when the copy
    cannot say (the title would need another row, or the copy is gone)."""
    if data:
        try:
            with connection.execute_wrapper(_refuse):
                return str(_copy(model, data))
        except (_QueryRefused, ObjectDoesNotExist, ValidationError, ValueError, TypeError):
            pass
    return f"#{row_id}"


# Which fields changed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of a row: its label, and its value before and after (None: no such side)."""

    label: str
    before: str | None
    after: str | None


def _shown(field: "models.Field[Any, Any] | None", value: Any) -> str:
    """A value of the trail's copy as the model would show it."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.is_relation:
        return f"#{value}"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _automatic(field: "models.Field[Any, Any] | None") -> bool:
    """The primary key and the times a row keeps of itself: the trail row says them already."""
    if field is None:
        return False
    return bool(
        field.primary_key
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
    )


def field_changes(
    model: type[models.Model] | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> list[FieldChange]:
    """The fields an update changed, from what to what; every field an insert wrote or a delete
    took away (empty ones left out). Columns the trail redacts are in neither copy."""
    fields = {f.column: f for f in model._meta.concrete_fields} if model is not None else {}
    if before is not None and after is not None:
        columns = [column for column in after if before.get(column) != after.get(column)]
    else:
        side = after if after is not None else before or {}
        columns = [column for column, value in side.items() if value not in (None, "", [], {})]
    changes = []
    for column in columns:
        field = fields.get(column)
        if _automatic(field):
            continue
        name = LIBRARY_COLUMNS.get(column) or (field.verbose_name if field is not None else column)
        label = str(capfirst(name))
        changes.append(
            FieldChange(
                label,
                None if before is None else _shown(field, before.get(column)),
                None if after is None else _shown(field, after.get(column)),
            )
        )
    return changes
