"""Reads of the audit trail, for auditors. The trail, security events and findings belong to
schools (houqin.tenancy): the caller says whose it reads, as `restrict()` does for the API and
the admin (every school's on the centre, one school's on its host)."""

from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.audit.models import Change, Finding, SecurityEvent
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
    return Finding.objects.select_related("school")
