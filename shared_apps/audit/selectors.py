"""Reads of the audit trail, for auditors, across every school."""

from django.db.models import QuerySet

from shared_apps.audit.models import Change, Finding, SecurityEvent


def change_list(*, schema_name: str | None = None) -> QuerySet[Change]:
    qs = Change.objects.all()
    return qs if schema_name is None else qs.filter(schema_name=schema_name)


def security_event_list(*, schema_name: str | None = None) -> QuerySet[SecurityEvent]:
    qs = SecurityEvent.objects.all()
    return qs if schema_name is None else qs.filter(schema_name=schema_name)


def finding_list(*, school_id: int | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("school")
    return qs if school_id is None else qs.filter(school_id=school_id)
