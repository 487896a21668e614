"""Hardening: sign-in lockout that holds under 50 concurrent wrong passwords, a content security
policy, host-scoped cookies, Argon2 first."""

from typing import Any

from django.conf import settings
from django.test import Client

from houqin.roles import Role
from tests.concurrency import at_once
from tests.conftest import HostClient
from tests.factories import PASSWORD, discard_user, user_with_role


def _token(host: str, username: str, password: str) -> Any:
    return HostClient(host).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_lockout_holds_under_fifty_concurrent_wrong_passwords(committed: list[Any]) -> None:
    from axes.models import AccessAttempt

    user = user_with_role(Role.DISTRICT_ADMIN)
    committed.append(lambda: discard_user(user))
    committed.append(lambda: AccessAttempt.objects.filter(username=user.username).delete())
    responses = at_once(50, lambda _i: _token("localhost", user.username, "wrong"))
    statuses = [getattr(r, "status_code", r) for r in responses]
    assert set(statuses) <= {400, 429}, statuses
    assert statuses.count(400) <= 50
    locked = _token("localhost", user.username, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"


def test_the_admin_login_is_locked_too(db: Any) -> None:
    user = user_with_role(Role.DISTRICT_ADMIN)
    client = Client(SERVER_NAME="localhost")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": user.username, "password": "wrong"})
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429


def test_every_response_carries_a_content_security_policy(client_for: Any, school_a: Any) -> None:
    for response in (
        client_for(school_a, Role.PRINCIPAL).get("/api/v1/me/"),
        HostClient("localhost").get("/admin/login/"),
        HostClient("localhost").get("/api/docs/"),
        HostClient("nowhere.localhost").get("/"),
    ):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy


def test_swagger_ui_needs_no_inline_script_and_no_cdn(db: Any) -> None:
    page = HostClient("localhost").get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in page
    assert "<script>" not in page.replace(" ", "")


def test_session_cookie_stays_on_its_host_and_argon2_is_first(db: Any) -> None:
    user = user_with_role(Role.DISTRICT_ADMIN)
    client = Client(SERVER_NAME="localhost")
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["domain"] == ""
    assert cookie["httponly"]
    assert "Argon2" in settings.PASSWORD_HASHERS[0] or settings.PASSWORD_HASHERS[0].endswith(
        "MD5PasswordHasher"
    )
