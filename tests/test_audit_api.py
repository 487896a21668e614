"""Security events (sign-ins, failures, tokens, sign-outs) and the auditors' API: the trail across
schools from the centre, one school from its host, read-only for everyone, findings for auditors."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Max
from django.test import Client, RequestFactory

from houqin import context
from houqin.roles import Role
from shared_apps.audit.models import Change, Finding, SecurityEvent
from shared_apps.audit.services import SIGN_IN, security_event_record
from tenant_apps.feedback.models import Feedback
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import PASSWORD, make_user, user_with_role

ClientFor = Callable[..., HostClient]
InSchool = Callable[[School], Any]

CHANGES = "/api/v1/audit/changes/"
EVENTS = "/api/v1/audit/security-events/"
FINDINGS = "/api/v1/audit/findings/"


def last_event_id() -> int:
    return SecurityEvent.objects.across_schools().aggregate(m=Max("id"))["m"] or 0


def events_since(mark: int, **filters: Any) -> list[SecurityEvent]:
    return list(
        SecurityEvent.objects.across_schools().filter(id__gt=mark, **filters).order_by("id")
    )


# --- Security events -----------------------------------------------------------------------


def test_token_with_wrong_password_records_login_failed(client_for: ClientFor) -> None:
    user = user_with_role(Role.AUDITOR)
    mark = last_event_id()

    response = client_for(None).post(
        "/api/v1/auth/token/", {"username": user.username, "password": "wrong-password"}
    )

    assert response.status_code == 400, response.content
    [event] = events_since(mark)
    assert event.kind == SecurityEvent.Kind.LOGIN_FAILED
    assert event.username == user.username
    assert event.schema_name == "public"
    assert event.request_id == response["X-Request-ID"]
    assert event.ip == "127.0.0.1"
    assert "wrong-password" not in str(event.detail)


def test_token_for_unknown_user_records_login_failed_with_the_name_given(
    client_for: ClientFor,
) -> None:
    mark = last_event_id()
    response = client_for(None).post(
        "/api/v1/auth/token/", {"username": "nobody-here", "password": "whatever-2026"}
    )
    assert response.status_code == 400, response.content
    [event] = events_since(mark)
    assert (event.kind, event.username, event.user_id) == ("login_failed", "nobody-here", None)


def test_token_with_right_password_records_token_created(client_for: ClientFor) -> None:
    user = user_with_role(Role.AUDITOR)
    mark = last_event_id()

    response = client_for(None).post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        HTTP_HOST="localhost",
    )

    assert response.status_code == 200, response.content
    [event] = events_since(mark)
    assert event.kind == SecurityEvent.Kind.TOKEN_CREATED
    assert (event.user_id, event.username) == (user.pk, user.username)
    assert (event.schema_name, event.host) == ("public", "localhost")
    assert event.request_id == response["X-Request-ID"]
    assert "token_id" in event.detail
    assert response.json()["token"] not in str(event.detail)


def test_token_on_a_school_host_records_that_school(
    client_for: ClientFor, school_a: School
) -> None:
    user = user_with_role(Role.STAFF, school_a)
    mark = last_event_id()
    response = client_for(school_a).post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    [event] = events_since(mark)
    assert (event.kind, event.user_id, event.schema_name) == ("token_created", user.pk, "s_100001")


def test_token_where_the_user_holds_no_role_records_login_failed(
    client_for: ClientFor, school_a: School, school_b: School
) -> None:
    user = user_with_role(Role.STAFF, school_a)
    mark = last_event_id()
    response = client_for(school_b).post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 400, response.content
    [event] = events_since(mark)
    assert (event.kind, event.user_id, event.schema_name) == ("login_failed", user.pk, "s_100002")


def test_admin_session_login_and_logout_are_recorded(db: Any, district_host: str) -> None:
    user = user_with_role(Role.DISTRICT_ADMIN)
    browser = Client(HTTP_HOST=district_host)
    mark = last_event_id()

    response = browser.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302, response.content
    [event] = events_since(mark)
    assert event.kind == SecurityEvent.Kind.LOGIN
    assert (event.user_id, event.username) == (user.pk, user.username)
    assert (event.schema_name, event.host) == ("public", district_host)
    assert event.request_id == response["X-Request-ID"]

    mark = last_event_id()
    response = browser.post("/admin/logout/")
    assert response.status_code in (200, 302), response.content
    [event] = events_since(mark)
    assert (event.kind, event.user_id) == ("logout", user.pk)
    assert event.request_id == response["X-Request-ID"]


def test_admin_session_login_failure_is_recorded(db: Any, district_host: str) -> None:
    user = user_with_role(Role.DISTRICT_ADMIN)
    mark = last_event_id()
    response = Client(HTTP_HOST=district_host).post(
        "/admin/login/", {"username": user.username, "password": "not-it", "next": "/admin/"}
    )
    assert response.status_code == 200  # the form again, with its error
    [event] = events_since(mark)
    assert (event.kind, event.username) == ("login_failed", user.username)
    assert event.request_id == response["X-Request-ID"]


def test_force_login_records_login(db: Any, district_host: str) -> None:
    """The test client's force_login signs in with a request that has no host at all."""
    user = user_with_role(Role.DISTRICT_ADMIN)
    mark = last_event_id()
    Client(HTTP_HOST=district_host).force_login(user)
    [event] = events_since(mark)
    assert (event.kind, event.user_id, event.host) == ("login", user.pk, "")


def test_security_event_is_recorded_even_for_an_unexpected_host(db: Any) -> None:
    request = RequestFactory().post("/admin/login/", HTTP_HOST="evil.example")
    event = security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED, request=request, actor=SIGN_IN, username="x"
    )
    assert (event.host, event.username) == ("evil.example", "x")


def test_auditor_lists_security_events_and_filters_them(client_for: ClientFor) -> None:
    user = user_with_role(Role.AUDITOR)
    client_for(None).post("/api/v1/auth/token/", {"username": user.username, "password": "x"})
    auditor = client_for(None, Role.AUDITOR)

    response = auditor.get(EVENTS, {"kind": "login_failed", "username": user.username})

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert len(results) == 1
    assert results[0]["kind"] == "login_failed" and results[0]["username"] == user.username


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_security_events_cannot_be_written_through_the_api(
    client_for: ClientFor, method: str
) -> None:
    user = user_with_role(Role.AUDITOR)
    client_for(None).post("/api/v1/auth/token/", {"username": user.username, "password": "x"})
    event = SecurityEvent.objects.across_schools().get(username=user.username)
    count = SecurityEvent.objects.across_schools().count()
    for role in (Role.AUDITOR, Role.DISTRICT_ADMIN):
        client = client_for(None, role)
        path = EVENTS if method == "post" else f"{EVENTS}{event.pk}/"
        response = getattr(client, method)(path, {"username": "tampered"})
        assert response.status_code in (403, 404, 405), (role, response.content)
    assert SecurityEvent.objects.across_schools().count() == count
    event.refresh_from_db()
    assert event.username == user.username


def test_district_admin_cannot_list_security_events(client_for: ClientFor) -> None:
    assert client_for(None, Role.DISTRICT_ADMIN).get(EVENTS).status_code == 403


# --- The trail through the API -------------------------------------------------------------


@pytest.fixture
def trail(db: Any, in_school: InSchool, school_a: School, school_b: School) -> dict[str, Any]:
    """Known writes in school A, school B and the centre, each under its own request id."""
    actor_a, actor_b, actor_public = make_user(), make_user(), make_user()
    author = make_user()
    with in_school(school_a), context.acting(request_id="trail-a", actor_id=actor_a.pk):
        a1 = Feedback.objects.create(author=author, category="praise", subject="a1", body="b")
        a2 = Feedback.objects.create(author=author, category="praise", subject="a2", body="b")
        Feedback.objects.filter(pk=a1.pk).update(subject="a1!")
    with in_school(school_b), context.acting(request_id="trail-b", actor_id=actor_b.pk):
        Feedback.objects.create(author=author, category="complaint", subject="b1", body="b")
    with context.acting(request_id="trail-public", actor_id=actor_public.pk):
        make_user()
    return {
        "a": actor_a,
        "b": actor_b,
        "public": actor_public,
        "a_ids": {str(a1.pk), str(a2.pk)},
        "b_change": Change.objects.across_schools().get(request_id="trail-b"),
    }


def _all(client: HostClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every row of a list endpoint, over all its pages."""
    response = client.get(path, {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    rows: list[dict[str, Any]] = body["results"]
    while body["next"]:
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
    return rows


def test_auditor_on_the_district_host_filters_changes_by_school(
    client_for: ClientFor, trail: dict[str, Any]
) -> None:
    auditor = client_for(None, Role.AUDITOR)

    school_a = _all(auditor, CHANGES, school="100001")
    assert school_a, "school A's changes should be listed"
    assert {r["schema_name"] for r in school_a} == {"s_100001"}
    assert {r["request_id"] for r in school_a} >= {"trail-a"}
    assert "trail-b" not in {r["request_id"] for r in school_a}

    district = _all(auditor, CHANGES, school="district")
    assert {r["schema_name"] for r in district} == {"public"}
    assert "trail-public" in {r["request_id"] for r in district}

    everything = _all(auditor, CHANGES)
    assert {"s_100001", "s_100002", "public"} <= {r["schema_name"] for r in everything}
    assert len(everything) == Change.objects.across_schools().count()


def test_change_filters(client_for: ClientFor, trail: dict[str, Any]) -> None:
    auditor = client_for(None, Role.AUDITOR)

    by_request = _all(auditor, CHANGES, request_id="trail-a")
    assert len(by_request) == 3
    assert {r["request_id"] for r in by_request} == {"trail-a"}
    assert {r["row_id"] for r in by_request} == trail["a_ids"]

    updates = _all(auditor, CHANGES, request_id="trail-a", operation="UPDATE")
    assert len(updates) == 1
    assert updates[0]["before"]["subject"] == "a1" and updates[0]["after"]["subject"] == "a1!"

    inserts = _all(auditor, CHANGES, operation="INSERT", request_id="trail-a")
    assert {r["operation"] for r in inserts} == {"INSERT"} and len(inserts) == 2

    by_actor = _all(auditor, CHANGES, actor_id=trail["a"].pk)
    assert len(by_actor) == 3
    assert {r["actor_id"] for r in by_actor} == {trail["a"].pk}

    by_table = _all(auditor, CHANGES, table_name="feedback_feedback", request_id="trail-b")
    assert len(by_table) == 1 and by_table[0]["schema_name"] == "s_100002"
    assert _all(auditor, CHANGES, table_name="accounts_user", request_id="trail-b") == []

    users = _all(auditor, CHANGES, table_name="accounts_user", actor_id=trail["public"].pk)
    assert len(users) >= 1
    assert {(r["table_name"], r["schema_name"]) for r in users} == {("accounts_user", "public")}


def test_auditor_on_a_school_host_sees_only_that_school(
    client_for: ClientFor, school_a: School, trail: dict[str, Any]
) -> None:
    auditor = client_for(school_a, Role.AUDITOR)

    rows = _all(auditor, CHANGES)
    assert rows
    assert {r["schema_name"] for r in rows} == {"s_100001"}
    assert "trail-a" in {r["request_id"] for r in rows}
    # Not through the filters either, nor by id.
    assert _all(auditor, CHANGES, school="100002") == []
    assert _all(auditor, CHANGES, school="district") == []
    assert _all(auditor, CHANGES, request_id="trail-b") == []
    assert _all(auditor, CHANGES, actor_id=trail["b"].pk) == []
    assert auditor.get(f"{CHANGES}{trail['b_change'].pk}/").status_code == 404
    # The centre's security events are not served on a school host.
    assert auditor.get(EVENTS).status_code == 404


def test_auditor_retrieves_one_change(client_for: ClientFor, trail: dict[str, Any]) -> None:
    change = trail["b_change"]
    response = client_for(None, Role.AUDITOR).get(f"{CHANGES}{change.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["schema_name"], body["operation"], body["request_id"]) == (
        "s_100002",
        "INSERT",
        "trail-b",
    )


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.NUTRITION_OFFICER])
def test_district_roles_other_than_auditor_cannot_list_changes(
    client_for: ClientFor, school_a: School, trail: dict[str, Any], role: Role
) -> None:
    assert client_for(None, role).get(CHANGES).status_code == 403
    assert client_for(school_a, role).get(CHANGES).status_code == 403
    detail = client_for(None, role).get(f"{CHANGES}{trail['b_change'].pk}/")
    assert detail.status_code in (403, 404)


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.LOGISTICS_DIRECTOR, Role.STAFF])
def test_school_roles_cannot_list_changes(
    client_for: ClientFor, school_a: School, role: Role
) -> None:
    assert client_for(school_a, role).get(CHANGES).status_code == 403


@pytest.mark.parametrize(
    ("where", "role"),
    [
        (None, Role.AUDITOR),
        (None, Role.DISTRICT_ADMIN),
        ("a", Role.AUDITOR),
        ("a", Role.DISTRICT_ADMIN),
        ("a", Role.PRINCIPAL),
        ("a", Role.LOGISTICS_DIRECTOR),
    ],
)
def test_no_role_can_write_a_change_through_the_api(
    client_for: ClientFor, in_school: InSchool, school_a: School, where: str | None, role: Role
) -> None:
    client = client_for(None if where is None else school_a, role)
    with context.acting(request_id="target", actor_id=None):
        author = make_user()
    target = Change.objects.across_schools().get(
        table_name="accounts_user", row_id=str(author.pk), operation="INSERT"
    )
    with context.acting(request_id="target-a", actor_id=None), in_school(school_a):
        Feedback.objects.create(author=author, category="praise", subject="x", body="b")
    target_a = Change.objects.across_schools().get(request_id="target-a")
    snapshot = {c.pk: (c.schema_name, c.row_id, c.before, c.after) for c in (target, target_a)}
    count = Change.objects.across_schools().count()
    body = {"schema_name": "x", "table_name": "x", "operation": "DELETE", "row_id": "1"}

    for change in (target, target_a):
        detail = f"{CHANGES}{change.pk}/"
        for method, path in [
            ("post", CHANGES),
            ("put", detail),
            ("patch", detail),
            ("delete", detail),
            ("put", CHANGES),
            ("delete", CHANGES),
        ]:
            response = getattr(client, method)(path, body)
            assert response.status_code in (403, 404, 405), (method, path, response.content)

    assert Change.objects.across_schools().count() == count
    for c in Change.objects.across_schools().filter(pk__in=snapshot):
        assert (c.schema_name, c.row_id, c.before, c.after) == snapshot[c.pk]


# --- Findings ------------------------------------------------------------------------------


def test_auditor_creates_a_finding_and_follows_it_up(
    client_for: ClientFor, school_a: School
) -> None:
    auditor = client_for(None, Role.AUDITOR)
    assert auditor.user is not None

    response = auditor.post(
        FINDINGS,
        {
            "school": "100001",
            "title": "食堂台账缺失",
            "body": "三月份的采购台账未归档。",
            "severity": "high",
        },
    )

    assert response.status_code == 201, response.content
    finding = response.json()
    assert finding["school"] == "100001"
    assert (finding["status"], finding["severity"]) == ("open", "high")
    assert finding["created_by"]["id"] == auditor.user.pk
    stored = Finding.objects.across_schools().get(pk=finding["id"])
    assert stored.school_id == school_a.pk
    [insert] = Change.objects.across_schools().filter(
        table_name="audit_finding", row_id=str(stored.pk)
    )
    assert (insert.operation, insert.actor_id) == ("INSERT", auditor.user.pk)
    assert insert.request_id == response["X-Request-ID"]

    response = auditor.patch(f"{FINDINGS}{stored.pk}/", {"status": "rectifying"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rectifying"
    stored.refresh_from_db()
    assert stored.status == Finding.Status.RECTIFYING
    [update] = Change.objects.across_schools().filter(
        table_name="audit_finding", row_id=str(stored.pk), operation="UPDATE"
    )
    assert update.before is not None and update.after is not None
    assert (update.before["status"], update.after["status"]) == ("open", "rectifying")
    assert update.actor_id == auditor.user.pk

    listed = _all(auditor, FINDINGS, school="100001")
    assert stored.pk in {f["id"] for f in listed}
    # On the school's host the auditor sees it too.
    assert stored.pk in {f["id"] for f in _all(client_for(school_a, Role.AUDITOR), FINDINGS)}


def test_auditor_on_a_school_host_files_findings_against_that_school(
    client_for: ClientFor, school_a: School, school_b: School
) -> None:
    auditor = client_for(school_a, Role.AUDITOR)
    response = auditor.post(
        FINDINGS, {"school": "100002", "title": "t", "body": "b", "severity": "low"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["school"] == "100001"
    finding_id = response.json()["id"]
    other = client_for(school_b, Role.AUDITOR)
    assert finding_id not in {f["id"] for f in _all(other, FINDINGS)}
    assert other.patch(f"{FINDINGS}{finding_id}/", {"status": "closed"}).status_code == 404
    assert Finding.objects.across_schools().get(pk=finding_id).status == "open"


def test_finding_for_unknown_school_is_a_404(client_for: ClientFor) -> None:
    response = client_for(None, Role.AUDITOR).post(
        FINDINGS, {"school": "999999", "title": "t", "body": "b", "severity": "low"}
    )
    assert response.status_code == 404
    assert not Finding.objects.across_schools().exists()


def test_district_admin_cannot_create_or_change_findings(
    client_for: ClientFor, school_a: School
) -> None:
    auditor = client_for(None, Role.AUDITOR)
    created = auditor.post(
        FINDINGS, {"school": "100001", "title": "t", "body": "b", "severity": "medium"}
    )
    assert created.status_code == 201, created.content
    finding_id = created.json()["id"]
    admin = client_for(None, Role.DISTRICT_ADMIN)
    count = Finding.objects.across_schools().count()

    response = admin.post(
        FINDINGS, {"school": "100001", "title": "t", "body": "b", "severity": "low"}
    )
    assert response.status_code == 403, response.content
    assert Finding.objects.across_schools().count() == count

    # A row the caller may not change answers like a missing one (404), or 403.
    response = admin.patch(f"{FINDINGS}{finding_id}/", {"status": "closed"})
    assert response.status_code in (403, 404), response.content
    assert Finding.objects.across_schools().get(pk=finding_id).status == "open"

    assert admin.get(FINDINGS).status_code == 403
    for method in ("put", "delete"):
        for client in (auditor, admin):
            response = getattr(client, method)(f"{FINDINGS}{finding_id}/", {"title": "x"})
            assert response.status_code in (403, 404, 405), response.content
    assert Finding.objects.across_schools().filter(pk=finding_id, title="t").exists()


@pytest.mark.parametrize(
    "params",
    [{"actor_id": "abc"}, {"operation": "TRUNCATE"}, {"since": "yesterday"}, {"page": "x"}],
)
def test_bad_change_filters_are_a_clear_4xx(client_for: ClientFor, params: dict[str, str]) -> None:
    response = client_for(None, Role.AUDITOR).get(CHANGES, params)
    assert response.status_code in (400, 404), response.content
    assert response.json()["error"]["status"] == response.status_code
