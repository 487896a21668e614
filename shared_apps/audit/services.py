"""Writes to the audit app: security events and auditors' findings."""

from typing import Any

from django.core.exceptions import DisallowedHost

from houqin import context
from houqin.db import tenant_db
from houqin.door import SystemActor, service
from shared_apps.accounts.actors import Actor, person
from shared_apps.accounts.models import User
from shared_apps.audit.models import Finding, SecurityEvent
from tenants.models import School

# Who signs in, before the credentials name anyone (a failed sign-in, a sign-out without one).
SIGN_IN = SystemActor("audit.sign_in")


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@service
def security_event_record(
    *,
    kind: str,
    actor: Actor,
    request: Any = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Record what `actor` did (signed in, read what is sensitive...); `username` names whoever
    tried to sign in when no account answered."""
    user = person(actor)
    host = ""
    if request is not None:
        # Routing validated the host before any view ran; a request built by hand (the test
        # client's force_login, a script calling login()) may carry no host at all, and the
        # event must be recorded all the same.
        try:
            host = request.get_host()[:255]
        except (KeyError, DisallowedHost):
            host = str(request.META.get("HTTP_HOST", ""))[:255]
    return SecurityEvent.objects.create(
        kind=kind,
        user_id=user.pk if user else None,
        username=username or (user.username if user else ""),
        schema_name=tenant_db().schema_name,
        host=host,
        ip=_client_ip(request),
        request_id=context.current().request_id,
        detail=detail or {},
    )


@service
def finding_create(
    *, school: School | None, title: str, body: str, severity: str, actor: User
) -> Finding:
    """An auditor's finding: a person's, whom it names."""
    return Finding.objects.create(
        school=school, title=title, body=body, severity=severity, created_by=actor
    )


@service
def finding_update(*, finding: Finding, actor: Actor, **changes: Any) -> Finding:
    for field in ("title", "body", "severity", "status"):
        if field in changes:
            setattr(finding, field, changes[field])
    finding.save()
    return finding
