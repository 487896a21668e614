"""Writes to the audit app: security events and auditors' findings."""

from typing import Any

from django.core.exceptions import DisallowedHost
from django.db.models import Model
from django.http import HttpRequest

from houqin import context
from houqin.db import tenant_db
from houqin.door import Actor, SystemActor, actor_id, service
from shared_apps.audit.models import Finding, SecurityEvent

# Who signs in, before the credentials name anyone (a failed sign-in, a sign-out without one).
SIGN_IN = SystemActor("audit.sign_in")


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@service
def security_event_record(
    *,
    kind: str,
    actor: Actor,
    request: HttpRequest | None = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Record what `actor` did (signed in, read what is sensitive...); `username` names whoever
    tried to sign in when no account answered."""
    user_id = actor_id(actor)
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
        user_id=user_id,
        username=username or (actor.get_username() if user_id else ""),
        schema_name=tenant_db().schema_name,
        host=host,
        ip=_client_ip(request),
        request_id=context.current().request_id,
        detail=detail or {},
    )


@service
def finding_create(
    *, school: Model | None, title: str, body: str, severity: str, actor: Actor
) -> Finding:
    """An auditor's finding: a person's, whom it names."""
    author = actor_id(actor)
    if author is None:
        raise TypeError("a finding is an auditor's, not the system's")
    return Finding.objects.create(
        school_id=None if school is None else school.pk,
        title=title,
        body=body,
        severity=severity,
        created_by_id=author,
    )


@service
def finding_update(*, finding: Finding, actor: Actor, **changes: object) -> Finding:
    for field in ("title", "body", "severity", "status"):
        if field in changes:
            setattr(finding, field, changes[field])
    finding.save()
    return finding
