"""Reads of the audit trail, for auditors. The trail, security events and findings belong to
schools (houqin.tenancy): the caller says whose it reads, as `restrict()` does for the API and
the admin (every school's on the centre, one school's on its host)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model

from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.audit.models import Change, Finding, SecurityEvent
from shared_apps.audit.readable import (
    FieldChange,
    Person,
    field_changes,
    model_of,
    people_named,
    sign_in_tables,
    title_of,
    what_of,
)
from shared_apps.audit.sealed import sealed_changes


def change_list() -> SchoolOwnedQuerySet[Change]:
    """The trail without the rows its owners keep sealed for now (shared_apps.audit.sealed):
    every reader of the trail reads it through here."""
    qs = Change.objects.all()
    sealed = sealed_changes()
    return qs if sealed is None else qs.exclude(sealed)


def security_event_list() -> SchoolOwnedQuerySet[SecurityEvent]:
    return SecurityEvent.objects.all()


def finding_list() -> SchoolOwnedQuerySet[Finding]:
    return Finding.objects.select_related("school", "created_by")


# The trail as people read it ---------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a row lives: the district centre (no code), or a school and its host."""

    name: str
    code: str = ""
    host: str = ""


def places(schema_names: Collection[str]) -> dict[str, Place]:
    """Schema -> where that is, in one query."""
    public = get_public_schema_name()
    found = {public: Place(_("District centre"))}
    domains = get_tenant_domain_model().objects.filter(
        is_primary=True, tenant__schema_name__in=set(schema_names) - {public}
    )
    for schema, name, code, host in domains.values_list(
        "tenant__schema_name", "tenant__name", "tenant__code", "domain"
    ):
        found[schema] = Place(name, code, host)
    return found


@dataclass(frozen=True)
class Entry:
    """One change of the trail, readable: who, what, where and which fields."""

    change: Change
    model: type[models.Model] | None
    what: str
    title: str
    who: Person | None
    roles: tuple[str, ...]
    place: Place
    fields: list[FieldChange]


def trail_entries(changes: Sequence[Change]) -> list[Entry]:
    """The changes as people read them, in a fixed number of queries however many there are."""
    people = people_named({c.actor_id for c in changes if c.actor_id is not None})
    where = places({c.schema_name for c in changes})
    entries = []
    for change in changes:
        model = model_of(change.table_name)
        who = people.get(change.actor_id) if change.actor_id is not None else None
        copy = change.after if change.after is not None else change.before
        entries.append(
            Entry(
                change=change,
                model=model,
                what=what_of(model) if model else change.table_name,
                title=title_of(model, copy, change.row_id) if model else f"#{change.row_id}",
                who=who,
                roles=who.roles_in(change.schema_name) if who else (),
                place=where.get(change.schema_name, Place(change.schema_name)),
                fields=field_changes(model, change.before, change.after),
            )
        )
    return entries


def record_changes() -> SchoolOwnedQuerySet[Change]:
    """The trail of records, without the sign-in lockout's bookkeeping (sign-ins are read as
    security events)."""
    return change_list().exclude(table_name__in=sign_in_tables())


def object_history(
    *, schema_name: str, table_name: str, row_id: str
) -> SchoolOwnedQuerySet[Change]:
    """Every change of one row, newest first (as `change_list`, sealed rows left out)."""
    return change_list().filter(schema_name=schema_name, table_name=table_name, row_id=row_id)


@dataclass(frozen=True)
class Event:
    """A security event, readable: who (when the account is known) and where."""

    event: SecurityEvent
    who: Person | None
    roles: tuple[str, ...]
    place: Place


def security_entries(events: Sequence[SecurityEvent]) -> list[Event]:
    people = people_named({e.user_id for e in events if e.user_id is not None})
    where = places({e.schema_name for e in events})
    entries = []
    for event in events:
        who = people.get(event.user_id) if event.user_id is not None else None
        entries.append(
            Event(
                event=event,
                who=who,
                roles=who.roles_in(event.schema_name) if who else (),
                place=where.get(event.schema_name, Place(event.schema_name)),
            )
        )
    return entries


# A finding is due when its rectification deadline is past or comes within this.
DUE_WITHIN = timedelta(days=7)


def due() -> Q:
    """Findings not yet closed whose rectification deadline is past or comes within a week."""
    return Q(rectify_by__lte=timezone.localdate() + DUE_WITHIN) & ~Q(status=Finding.Status.CLOSED)


def findings_due() -> SchoolOwnedQuerySet[Finding]:
    return finding_list().filter(due())
