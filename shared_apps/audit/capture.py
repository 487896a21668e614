"""Hooks that feed the trail: sign-in events (the actor of every write is set by the database
backend, houqin.db_backend)."""

from typing import Any

from django.http import HttpRequest

from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import SIGN_IN, security_event_record


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEvent.Kind.LOGIN, request=request, actor=user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        request=request,
        actor=SIGN_IN,
        username=str(credentials.get("username", ""))[:150],
    )


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event_record(
        kind=SecurityEvent.Kind.LOGOUT, request=request, actor=user if user is not None else SIGN_IN
    )
