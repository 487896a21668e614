"""The client's address behind the proxy, and the request id and actor of every request."""

import contextlib
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from houqin import context, errors

REQUEST_ID_HEADER = "X-Request-ID"


class TrustedProxyMiddleware:
    """Behind nginx every request comes from the proxy; the client's address is the last entry of
    X-Forwarded-For, which only a trusted proxy may set (security events and logs record it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = frozenset(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("REMOTE_ADDR") in self.trusted:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
            # No or a malformed header: the request came from the proxy host itself.
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
        return self.get_response(request)


class RequestContextMiddleware:
    """Gives every request an id (the proxy's, when it is safe), echoed in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        with context.acting(request_id=request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestBodyMiddleware:
    """A request body larger than MAX_REQUEST_BODY is refused with 413 before anything reads it.
    A body the view did not read (an anonymous POST answered 401, a refused one) is then read to
    its end, up to twice that size: a client sends its whole body before it reads the answer,
    and a server that closes with unread data in its socket resets the connection, so the client
    would get a reset in the middle of its sending instead of the answer."""

    CHUNK = 64 * 1024

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY:
            response = errors.error_response(
                request, 413, "request_too_large", _("The request is too large.")
            )
        else:
            response = self.get_response(request)
        unread = length and not getattr(request, "_read_started", False)
        if unread and length <= 2 * settings.MAX_REQUEST_BODY:
            while request.read(self.CHUNK):
                pass
        return response


class ActorContextMiddleware:
    """Names the session user as the actor; API token users are named by their authenticator."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.set_actor(user.pk)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends the content security policy (settings.CONTENT_SECURITY_POLICY) on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        return response
