"""Sign-in lockout that a stranger cannot turn against an account's owner.

Three limits, each counted where every host sees it (django-axes' table in the public schema, the
`global` cache), so that wrong passwords on one school's host count on every other host:

- Per username and client address (django-axes, AXES_LOCKOUT_PARAMETERS): AXES_FAILURE_LIMIT wrong
  passwords lock that username *from that address* for AXES_COOLOFF_TIME. A stranger elsewhere
  locks only their own address, never the owner's.
- Per username, from every address together: past SIGNIN_ACCOUNT_CEILING wrong passwords within
  SIGNIN_ACCOUNT_WINDOW, browsers the account has not signed in with before are refused until the
  window ends. Guessing spread over many addresses is bounded by the ceiling.
- Per known browser: a successful sign-in leaves a signed cookie naming the browser and (as keyed
  digests) the accounts that signed in with it. Such a browser is exempt from both limits above,
  so the owner still signs in from it while either holds; it is itself held to AXES_FAILURE_LIMIT
  wrong passwords per AXES_COOLOFF_TIME, after which it counts as unknown again.

A refused attempt tests no password and counts nowhere.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from houqin.exceptions import InvalidInput, TooManyAttempts
from houqin.permissions import current_school_id, roles_of
from shared_apps.accounts import services
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import schools_of
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from tenants.models import School

COOKIE = "houqin_device"
_SALT = "houqin.accounts.known-device"
# Accounts one browser remembers (a school office's shared computer), most recent first.
_MAX_ACCOUNTS = 20
# Set on the request by the ceiling backend once django-axes let the attempt through: only then
# does a wrong password count.
_CHECKED = "signin_password_checked"
_REMEMBER = "signin_remember_device"
_HANDOVER_SALT = "houqin.accounts.handover"
# The backend a session names: the one that checks passwords and answers from the role registry.
_BACKEND = "houqin.permissions.RoleBackend"


def _cache() -> Any:
    return caches["global"]


def _account_key(username: str) -> str:
    return "signin:account:" + hashlib.sha256(username.encode()).hexdigest()


def _device_key(device: str) -> str:
    return f"signin:device:{device}"


def _account_tag(username: str) -> str:
    return salted_hmac(_SALT, username).hexdigest()[:20]


def _count(key: str) -> int:
    return int(_cache().get(key, 0))


def _bump(key: str, window: timedelta) -> None:
    """One more failure, in a window that starts at the first one."""
    cache = _cache()
    cache.add(key, 0, timeout=int(window.total_seconds()))
    try:
        cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=int(window.total_seconds()))


def _read_cookie(request: HttpRequest) -> dict[str, Any] | None:
    value = request.COOKIES.get(COOKIE)
    if not value:
        return None
    try:
        payload = signing.loads(
            value, salt=_SALT, max_age=timedelta(days=settings.SIGNIN_KNOWN_DEVICE_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("accounts"), list):
        return None
    return payload


def _known_device(request: HttpRequest, username: str) -> str | None:
    """The id of this browser when the account signed in with it and it is not locked itself."""
    payload = _read_cookie(request)
    if payload is None or _account_tag(username) not in payload["accounts"]:
        return None
    device = str(payload.get("device", ""))
    if not device or _count(_device_key(device)) >= settings.AXES_FAILURE_LIMIT:
        return None
    return device


def known_device_signin(request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: a known browser is not held to the per-address lock."""
    username = str((credentials or {}).get("username") or "")
    return bool(username) and _known_device(request, username) is not None


def remember_device(request: HttpRequest, username: str) -> None:
    """After a successful sign-in: the response makes (or keeps) this browser known for it."""
    payload = _read_cookie(request) or {}
    device = str(payload.get("device") or secrets.token_urlsafe(16))
    tag = _account_tag(username)
    accounts = [tag, *(a for a in payload.get("accounts", []) if a != tag)][:_MAX_ACCOUNTS]
    setattr(request, _REMEMBER, signing.dumps({"device": device, "accounts": accounts}, salt=_SALT))


class AccountCeilingBackend:
    """Second in AUTHENTICATION_BACKENDS, after django-axes' per-address lock: refuses unknown
    browsers once the account took SIGNIN_ACCOUNT_CEILING wrong passwords in the window. It
    authenticates nobody itself."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or not username:
            return None
        if (
            _known_device(request, username) is None
            and _count(_account_key(username)) >= settings.SIGNIN_ACCOUNT_CEILING
        ):
            # Answered like django-axes' own lock (429), by its middleware or by token_sign_in.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied
        setattr(request, _CHECKED, True)
        return None


def on_signin_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password (not a refusal): it counts against the account and the known browser."""
    if request is None or not getattr(request, _CHECKED, False):
        return
    username = str(credentials.get("username") or "")
    _bump(_account_key(username), settings.SIGNIN_ACCOUNT_WINDOW)
    device = _known_device(request, username)
    if device is not None:
        _bump(_device_key(device), settings.AXES_COOLOFF_TIME)


def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        remember_device(request, user.get_username())


class KnownDeviceMiddleware:
    """Sets the known-browser cookie on the response to a successful sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = getattr(request, _REMEMBER, None)
        if value:
            response.set_cookie(
                COOKIE,
                value,
                max_age=int(timedelta(days=settings.SIGNIN_KNOWN_DEVICE_DAYS).total_seconds()),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _checked_user(
    *,
    username: str,
    password: str,
    request: HttpRequest,
    may_here: Callable[[User], object] = roles_of,
) -> User:
    """The account these credentials open, when it holds a role on this host; the lockout and
    the refusals speak as plainly as the sign-in page shows them."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts(
            _(
                "Too many wrong passwords: signing in is paused for a while. Try again later, "
                "or from a browser you signed in with before."
            ),
            code="locked_out",
        )
    if not isinstance(user, User) or not may_here(user):
        if isinstance(user, User):
            security_event_record(
                kind=SecurityEvent.Kind.LOGIN_FAILED,
                request=request,
                actor=user,
                detail={"reason": "no role on this host"},
            )
        raise InvalidInput(
            _("Unable to sign in here with these credentials."), code="invalid_credentials"
        )
    return user


def token_sign_in(*, username: str, password: str, request: HttpRequest) -> str:
    """Check the credentials and issue a token (`services.token_issue`) to a user who holds a
    role on this host. Returns the key."""
    user = _checked_user(username=username, password=password, request=request)
    key = services.token_issue(actor=user, request=request)
    remember_device(request, user.username)
    return key


def _member_here(user: User) -> bool:
    """Who may sign in to the pages here: a holder of a role here, and on the district host a
    member of a school too (the front door then sends them to their school's host)."""
    return bool(roles_of(user)) or (current_school_id() is None and bool(schools_of(user=user)))


def session_sign_in(*, username: str, password: str, request: HttpRequest) -> User:
    """Check the credentials of the pages' sign-in and open a session on this host (the browser
    becomes known for the account through `user_logged_in`)."""
    user = _checked_user(
        username=username, password=password, request=request, may_here=_member_here
    )
    login(request, user, backend=_BACKEND)
    return user


def handover_issue(*, user: User, school: School) -> str:
    """A signed, single-use pass that signs `user` in on `school`'s host within
    SIGNIN_HANDOVER_SECONDS: sessions belong to one host, and the district host sends a school's
    member on without a second password."""
    payload = {"user": user.pk, "school": school.pk, "nonce": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=_HANDOVER_SALT)


def handover_take(*, value: str, request: HttpRequest) -> User | None:
    """Sign in with a pass from `handover_issue`, once, on the host of the school it names, for a
    user holding a role there; None for anything else (expired, reused, forged, elsewhere)."""
    try:
        payload = signing.loads(
            value, salt=_HANDOVER_SALT, max_age=settings.SIGNIN_HANDOVER_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("school") != current_school_id():
        return None
    nonce = str(payload.get("nonce", ""))
    if not _cache().add(f"signin:handover:{nonce}", 1, timeout=settings.SIGNIN_HANDOVER_SECONDS):
        return None
    user = User.objects.filter(pk=int(payload.get("user") or 0), is_active=True).first()
    if user is None or not roles_of(user):
        return None
    login(request, user, backend=_BACKEND)
    return user
