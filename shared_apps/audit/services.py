"""Writes to the audit app: security events and auditors' findings."""

from typing import Any

from django.core.exceptions import DisallowedHost
from django.db import transaction

from houqin import context
from houqin.db import tenant_db
from shared_apps.audit.models import Finding, SecurityEvent


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def security_event_record(
    *,
    kind: str,
    request: Any = None,
    user: Any = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
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
        user_id=getattr(user, "pk", None),
        username=username or getattr(user, "username", ""),
        schema_name=tenant_db().schema_name,
        host=host,
        ip=_client_ip(request),
        request_id=context.current().request_id,
        detail=detail or {},
    )


@transaction.atomic
def finding_create(*, school: Any, title: str, body: str, severity: str, actor: Any) -> Finding:
    return Finding.objects.create(
        school=school, title=title, body=body, severity=severity, created_by=actor
    )


@transaction.atomic
def finding_update(*, finding: Finding, actor: Any, **changes: Any) -> Finding:
    for field in ("title", "body", "severity", "status"):
        if field in changes:
            setattr(finding, field, changes[field])
    finding.save()
    return finding
