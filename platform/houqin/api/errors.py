"""DRF's exception handler, rewritten to answer every error in the one error shape."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from houqin.errors import error_body
from houqin.exceptions import ServiceError

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict):
        return str(_("Some fields are invalid."))
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    set_rollback()
    if isinstance(exc, ServiceError):
        body = error_body(exc.status, exc.code, exc.message, exc.fields)
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, IntegrityError):
        exc = exceptions.APIException(_("This conflicts with existing data."))
        exc.status_code = status.HTTP_409_CONFLICT
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    code = _CODES.get(exc.status_code, "error")
    fields = exc.detail if isinstance(exc.detail, dict) else None
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        fields = {"non_field_errors": exc.detail}
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    return Response(
        error_body(exc.status_code, code, _message(exc.detail), fields),
        status=exc.status_code,
        headers=headers,
    )
