"""Hooks that feed the trail: the actor prefix on every write, and sign-in events."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest

from houqin.context import audit_context_wrapper
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record


def install_context_wrapper(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if audit_context_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(audit_context_wrapper)


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEvent.Kind.LOGIN, request=request, user=user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
    )


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEvent.Kind.LOGOUT, request=request, user=user)
