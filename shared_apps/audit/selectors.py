"""Reads of the audit trail, for auditors, across every school."""

from django.db.models import QuerySet

from shared_apps.audit.models import Change, Finding, SecurityEvent
from shared_apps.audit.sealed import sealed_changes


def change_list(*, schema_name: str | None = None) -> QuerySet[Change]:
    """The trail, one schema's or every schema's, without the rows its owners keep sealed for
    now (shared_apps.audit.sealed): every reader of the trail reads it through here."""
    qs = Change.objects.all()
    sealed = sealed_changes()
    if sealed is not None:
        qs = qs.exclude(sealed)
    return qs if schema_name is None else qs.filter(schema_name=schema_name)


def security_event_list(*, schema_name: str | None = None) -> QuerySet[SecurityEvent]:
    qs = SecurityEvent.objects.all()
    return qs if schema_name is None else qs.filter(schema_name=schema_name)


def finding_list(*, school_id: int | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("school")
    return qs if school_id is None else qs.filter(school_id=school_id)
