"""The one error shape, for every error the project answers:

    {"error": {"status": 404, "code": "not_found", "message": "...", "fields": {...},
               "request_id": "..."}}

`fields` appears only for input errors and maps each field (or row) to its messages. API paths
and JSON clients get JSON; browsers get the same content as a small HTML page.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from houqin import context


def error_body(status: int, code: str, message: str, fields: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    error["request_id"] = context.current().request_id
    return {"error": error}


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or ("application/json" in request.headers.get("Accept", ""))
    )


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: Any = None
) -> HttpResponse:
    body = error_body(status, code, message, fields)
    if wants_json(request):
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    # In the frame, but a server error's page is drawn without the request: whatever failed must
    # not fail again while it is explained.
    html = render_to_string(
        "houqin/error.html", {"error": body["error"]}, request=request if status < 500 else None
    )
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request, 403, "permission_denied", _("You do not have permission to do this.")
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(
        request, 500, "server_error", _("Something went wrong on our side; it has been logged.")
    )


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' response to a sign-in while the account is locked."""
    return error_response(
        request,
        429,
        "locked_out",
        _(
            "Too many wrong passwords: signing in is paused for a while. Try again later, "
            "or from a browser you signed in with before."
        ),
    )
