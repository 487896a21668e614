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


# Lockout a stranger cannot use against an account's owner --------------------------------------

STRANGER = "203.0.113.66"
OWNER = "198.51.100.5"


def _sign_in(host: str, username: str, password: str, address: str, client: Any = None) -> Any:
    client = client or HostClient(host, REMOTE_ADDR=address)
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_a_stranger_cannot_lock_the_owner_out(db: Any, school_a: Any) -> None:
    from tenants.routing import school_host

    user = user_with_role(Role.PRINCIPAL, school_a)
    host = school_host(school_a.code)
    for _attempt in range(2 * settings.AXES_FAILURE_LIMIT):
        _sign_in(host, user.username, "wrong", STRANGER)
    assert _sign_in(host, user.username, PASSWORD, OWNER).status_code == 200


def test_the_strangers_own_address_is_locked(db: Any, school_a: Any) -> None:
    from tenants.routing import school_host

    user = user_with_role(Role.PRINCIPAL, school_a)
    host = school_host(school_a.code)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(host, user.username, "wrong", STRANGER).status_code == 400
    assert _sign_in(host, user.username, "wrong", STRANGER).status_code == 429
    locked = _sign_in(host, user.username, PASSWORD, STRANGER)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"


def test_failures_on_one_host_count_on_every_other(
    db: Any, school_a: Any, school_b: Any, district_host: str
) -> None:
    from tenants.routing import school_host

    user = user_with_role(Role.DISTRICT_ADMIN)
    hosts = [school_host(school_a.code), school_host(school_b.code), district_host]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(hosts[attempt % len(hosts)], user.username, "wrong", STRANGER)
    for host in hosts:
        assert _sign_in(host, user.username, PASSWORD, STRANGER).status_code == 429, host


def test_the_sign_in_throttle_counts_across_hosts(
    db: Any, school_a: Any, school_b: Any, monkeypatch: Any
) -> None:
    from houqin.api.throttling import SharedScopedRateThrottle
    from tenants.routing import school_host

    monkeypatch.setattr(SharedScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    for _attempt in range(3):
        _sign_in(school_host(school_a.code), "nobody", "wrong", STRANGER)
    throttled = _sign_in(school_host(school_b.code), "nobody", "wrong", STRANGER)
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert _sign_in(school_host(school_b.code), "nobody", "wrong", OWNER).status_code == 400


def test_a_forged_forwarded_for_escapes_neither_throttle_nor_lockout(
    db: Any, school_a: Any, monkeypatch: Any
) -> None:
    from houqin.api.throttling import SharedScopedRateThrottle
    from tenants.routing import school_host

    host = school_host(school_a.code)
    user = user_with_role(Role.PRINCIPAL, school_a)

    def forged(
        n: int, username: str, password: str, via_proxy: bool, address: str = STRANGER
    ) -> Any:
        # Straight to the app, or through our proxy, which puts the real address last.
        real = "127.0.0.1" if via_proxy else address
        header = f"192.0.2.{n}, {address}" if via_proxy else f"192.0.2.{n}"
        return HostClient(host, REMOTE_ADDR=real, HTTP_X_FORWARDED_FOR=header).post(
            "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
        )

    for n in range(settings.AXES_FAILURE_LIMIT):
        forged(n, user.username, "wrong", via_proxy=n % 2 == 0)
    assert forged(99, user.username, PASSWORD, via_proxy=True).status_code == 429
    assert forged(98, user.username, PASSWORD, via_proxy=False).status_code == 429
    # A fresh username each time and an address not seen yet, so that only the throttle counts.
    monkeypatch.setattr(SharedScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    statuses = [
        forged(n, f"nobody{n}", "wrong", via_proxy=False, address=OWNER).status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


def test_the_account_ceiling_bounds_guessing_from_many_addresses_but_not_the_owners_browser(
    db: Any, school_a: Any, district_host: str
) -> None:
    from tenants.routing import school_host

    user = user_with_role(Role.PRINCIPAL, school_a)
    host = school_host(school_a.code)
    known = HostClient(host)
    assert _sign_in(host, user.username, PASSWORD, OWNER, client=known).status_code == 200
    # Fewer than the per-address limit from each of many addresses.
    per_address = settings.AXES_FAILURE_LIMIT - 1
    for n in range(settings.SIGNIN_ACCOUNT_CEILING):
        _sign_in(host, user.username, "wrong", f"10.{n // per_address}.0.{n % per_address + 1}")
    # An unknown browser is refused even with the password, from any address and any host...
    assert _sign_in(host, user.username, PASSWORD, OWNER).status_code == 429
    assert _sign_in(host, user.username, PASSWORD, "10.200.0.1").status_code == 429
    # ...and the owner's own browser signs in, from another address too.
    assert _sign_in(host, user.username, PASSWORD, "10.201.0.1", client=known).status_code == 200


def test_a_known_browser_is_held_to_the_failure_limit_itself(db: Any, school_a: Any) -> None:
    from tenants.routing import school_host

    user = user_with_role(Role.PRINCIPAL, school_a)
    host = school_host(school_a.code)
    known = HostClient(host)
    assert _sign_in(host, user.username, PASSWORD, OWNER, client=known).status_code == 200
    # Its wrong passwords do not lock the address (the owner's colleagues share it) ...
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert _sign_in(host, user.username, "wrong", OWNER, client=known).status_code == 400
    # ... but from now on the browser counts as unknown: the next failures lock the address.
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(host, user.username, "wrong", OWNER, client=known)
    assert _sign_in(host, user.username, PASSWORD, OWNER, client=known).status_code == 429


def test_the_known_browser_cookie_is_for_its_account_and_cannot_be_forged(
    db: Any, school_a: Any
) -> None:
    from shared_apps.accounts.signin import COOKIE
    from tenants.routing import school_host

    owner = user_with_role(Role.PRINCIPAL, school_a)
    other = user_with_role(Role.PRINCIPAL, school_a)
    host = school_host(school_a.code)
    known = HostClient(host)
    assert _sign_in(host, other.username, PASSWORD, STRANGER, client=known).status_code == 200
    cookie = known.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["domain"] == ""
    forged = HostClient(host)
    forged.cookies[COOKIE] = cookie.value[:-2] + ("AA" if cookie.value[-2:] != "AA" else "BB")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(host, owner.username, "wrong", STRANGER, client=known)
    # A browser known for another account, or with a forged cookie, is held like any other.
    assert _sign_in(host, owner.username, PASSWORD, STRANGER, client=known).status_code == 429
    assert _sign_in(host, owner.username, PASSWORD, STRANGER, client=forged).status_code == 429


def test_the_admin_sign_in_makes_the_browser_known(db: Any, district_host: str) -> None:
    from shared_apps.accounts.signin import COOKIE

    user = user_with_role(Role.DISTRICT_ADMIN)
    browser = Client(SERVER_NAME=district_host, REMOTE_ADDR=OWNER)
    browser.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    device = browser.cookies[COOKIE].value
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(district_host, user.username, "wrong", OWNER)
    browser.logout()  # forgets every cookie; the browser keeps its device cookie
    browser.cookies[COOKIE] = device
    response = browser.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
