"""The host picks the schema; unknown hosts are 404; suspended schools 403; resolution is cached."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin.db import tenant_db
from houqin.roles import Role
from tenants import routing
from tenants.models import Domain
from tenants.routing import school_host
from tenants.services import school_archive, school_suspend
from tests.conftest import HostClient
from tests.factories import SETUP


def test_district_host_serves_the_district_api(client_for):
    response = client_for(None, Role.DISTRICT_ADMIN).get("/api/v1/schools/")
    assert response.status_code == 200
    assert {"100001", "100002"} <= {s["code"] for s in response.json()["results"]}


def test_school_host_serves_that_school(client_for, school_a):
    assert client_for(school_a, Role.PRINCIPAL).get("/api/v1/me/").json()["school"]["code"] == (
        school_a.code
    )
    # District-only endpoints do not exist on a school's host.
    assert client_for(school_a, Role.DISTRICT_ADMIN).get("/api/v1/schools/").status_code == 404


@pytest.mark.parametrize("host", ["nosuchschool.localhost", "999999.localhost", "a.b.localhost"])
def test_unknown_host_is_404_never_the_district(db, host):
    response = HostClient(host).get("/api/v1/me/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_host"
    assert HostClient(host).get("/admin/login/").status_code == 404


@pytest.mark.parametrize("host", ["evil.example.com", "localhost.evil.com", "bad host!"])
def test_foreign_or_malformed_host_is_400(db, host):
    response = HostClient(host).get("/api/v1/me/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_suspended_school_answers_403_with_the_reason(client_for, school_a):
    client = client_for(school_a, Role.PRINCIPAL)
    school_suspend(actor=SETUP, school=school_a, reason="食品安全整改")
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "school_suspended"
    assert "食品安全整改" in error["message"]


def test_archived_school_answers_403(client_for, school_a):
    client = client_for(school_a, Role.PRINCIPAL)
    school_archive(actor=SETUP, school=school_a, reason="撤并")
    assert client.get("/api/v1/me/").json()["error"]["code"] == "school_archived"


def test_a_known_host_costs_no_query(school_a):
    cache.clear()
    host = school_host(school_a.code)
    assert routing.resolve_school(host) == school_a
    with CaptureQueriesContext(connection) as queries:
        assert routing.resolve_school(host) == school_a
    assert len(queries) == 0


def test_cache_is_invalidated_when_the_school_changes(school_a):
    host = school_host(school_a.code)
    routing.resolve_school(host)
    school_suspend(actor=SETUP, school=school_a, reason="x")
    resolved = routing.resolve_school(host)
    assert resolved is not None
    assert resolved.status == "suspended"


def test_cache_is_invalidated_when_a_domain_changes(school_a):
    old_host = school_host(school_a.code)
    assert routing.resolve_school(old_host) == school_a
    assert routing.resolve_school("new-name.localhost") is None  # remembered as unknown
    domain = Domain.objects.get(domain=old_host)
    domain.domain = "new-name.localhost"
    domain.save()
    assert routing.resolve_school(old_host) is None
    assert routing.resolve_school("new-name.localhost") == school_a


def test_schema_is_public_again_after_a_school_request(client_for, school_a):
    client_for(school_a, Role.PRINCIPAL).get("/api/v1/me/")
    assert tenant_db().schema_name == "public"


def test_every_response_carries_a_request_id(client_for, school_a):
    response = client_for(school_a, Role.PRINCIPAL).get("/api/v1/me/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    unsafe = client_for(school_a, Role.PRINCIPAL).get(
        "/api/v1/me/", HTTP_X_REQUEST_ID="bad id; drop"
    )
    assert unsafe["X-Request-ID"] != "bad id; drop"
    assert len(unsafe["X-Request-ID"]) == 32


def test_client_address_comes_from_the_trusted_proxy_only(school_a):
    from shared_apps.audit.models import SecurityEvent
    from tests.factories import PASSWORD, user_with_role

    user = user_with_role(Role.STAFF, school_a)
    body = {"username": user.username, "password": PASSWORD}
    host = school_host(school_a.code)
    HostClient(host, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").post(
        "/api/v1/auth/token/", body, format="json"
    )
    HostClient(host, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9").post(
        "/api/v1/auth/token/", body, format="json"
    )
    ips = list(
        SecurityEvent.objects.across_schools()
        .filter(user_id=user.pk, kind="token_created")
        .order_by("id")
        .values_list("ip", flat=True)
    )
    assert ips == ["203.0.113.9", "198.51.100.7"]
