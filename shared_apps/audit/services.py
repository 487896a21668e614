"""Writes to the audit app: security events and auditors' findings."""

from datetime import date
from typing import Any, TypedDict, Unpack

from django.core.exceptions import DisallowedHost
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import context
from houqin.db import tenant_db
from houqin.door import Actor, SystemActor, actor_id, service
from houqin.exceptions import InvalidInput
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


def _check_deadline(rectify_by: date | None) -> None:
    """A rectification deadline being set is a day to come (today at the earliest)."""
    if rectify_by is not None and rectify_by < timezone.localdate():
        message = _("A rectification deadline cannot be in the past.")
        raise InvalidInput(message, code="deadline_past", fields={"rectify_by": [message]})


@service
def finding_create(
    *,
    school: Model | None,
    title: str,
    body: str,
    severity: str,
    rectify_by: date | None = None,
    actor: Actor,
) -> Finding:
    """An auditor's finding: a person's, whom it names; with the day by which it must be
    rectified, when there is one."""
    author = actor_id(actor)
    if author is None:
        raise TypeError("a finding is an auditor's, not the system's")
    _check_deadline(rectify_by)
    return Finding.objects.create(
        school_id=None if school is None else school.pk,
        title=title,
        body=body,
        severity=severity,
        rectify_by=rectify_by,
        created_by_id=author,
    )


class FindingChanges(TypedDict, total=False):
    title: str
    body: str
    severity: str
    status: str
    rectify_by: date | None


@service
def finding_update(*, finding: Finding, actor: Actor, **changes: Unpack[FindingChanges]) -> Finding:
    """Follow a finding up: its wording, severity, status and deadline. A deadline moved is a
    day to come."""
    if "rectify_by" in changes and changes["rectify_by"] != finding.rectify_by:
        _check_deadline(changes["rectify_by"])
    for field, value in changes.items():
        setattr(finding, field, value)
    finding.save()
    return finding
