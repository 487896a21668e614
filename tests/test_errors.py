"""Every error answers in the one shape: {"error": {"status", "code", "message", ...}}."""

import math
import time
from typing import Any

import pytest

from houqin import health
from houqin.celery import app
from houqin.roles import Role
from tenants.routing import school_host
from tests.conftest import HostClient


def _assert_shape(response, status):
    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] and error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def test_unknown_route_on_a_school_is_404_in_shape(client_for, school_a):
    _assert_shape(client_for(school_a, Role.PRINCIPAL).get("/api/v1/nope/"), 404)


def test_method_not_allowed_is_405_in_shape(client_for, school_a):
    _assert_shape(client_for(school_a, Role.PRINCIPAL).put("/api/v1/me/", {}), 405)


def test_malformed_json_is_400_in_shape(client_for, school_a):
    response = client_for(school_a, Role.STAFF).post(
        "/api/v1/feedback/", data='{"subject": ', content_type="application/json"
    )
    _assert_shape(response, 400)


def test_unsupported_media_type_is_415_in_shape(client_for, school_a):
    response = client_for(school_a, Role.STAFF).post(
        "/api/v1/feedback/", data="<x/>", content_type="application/xml"
    )
    _assert_shape(response, 415)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"category": "nonsense", "subject": "s", "body": "b"},
        {"category": "praise", "subject": "s" * 5000, "body": "b"},
        {"category": "praise", "subject": "s\x00", "body": "b"},
        {"category": ["praise"], "subject": {"a": 1}, "body": 3},
    ],
)
def test_invalid_fields_are_400_with_field_messages(client_for, school_a, body):
    error = _assert_shape(
        client_for(school_a, Role.STAFF).post("/api/v1/feedback/", body, format="json"), 400
    )
    assert error["fields"]


@pytest.mark.parametrize("query", ["page=0", "page=99999", "page=abc", "page_size=-1"])
def test_bad_pages_are_4xx_not_500(client_for, school_a, query):
    response = client_for(school_a, Role.PRINCIPAL).get(f"/api/v1/feedback/?{query}")
    assert response.status_code in (200, 404)
    if response.status_code == 404:
        _assert_shape(response, 404)


def test_non_numeric_id_is_404(client_for, school_a):
    _assert_shape(client_for(school_a, Role.PRINCIPAL).get("/api/v1/feedback/abc/"), 404)


def test_browser_errors_are_html_pages(school_a):
    response = HostClient(school_host(school_a.code)).get("/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert response.templates[0].name == "houqin/error.html"
    # The page in the user's frame names the request, so a call to the centre can find it.
    assert response["X-Request-ID"] in response.content.decode()


def test_healthz_reports_database_and_broker(db, district_host):
    response = HostClient(district_host).get("/healthz")
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ok"
    assert response.status_code == 200


def test_healthz_asks_the_broker_at_most_every_few_seconds(db, district_host, monkeypatch):
    """Asking the broker opens a connection (most of the endpoint's time): a process keeps the
    answer BROKER_CHECK_SECONDS."""
    opened: list[int] = []
    real = app.connection_for_write

    def counted(*args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(app, "connection_for_write", counted)
    monkeypatch.setattr(health, "_broker_answer", (-math.inf, ""))
    client = HostClient(district_host)
    for _ in range(3):
        assert client.get("/healthz").json()["checks"]["broker"] == "ok"
    assert len(opened) == 1
    # The answer's time is up: the next probe asks again.
    monkeypatch.setattr(
        health, "_broker_answer", (time.monotonic() - health.BROKER_CHECK_SECONDS, "ok")
    )
    client.get("/healthz")
    assert len(opened) == 2


@pytest.mark.parametrize(
    "since", ["0360-01-03T02:03:50+22:01", "9999-12-31T00:00:00Z", "2026-01-01T00:00:00+15:00"]
)
def test_timestamps_postgres_cannot_hold_are_400_not_500(client_for, school_a, since):
    response = client_for(None, Role.AUDITOR).get("/api/v1/audit/changes/", {"since": since})
    error = _assert_shape(response, 400)
    assert "since" in error["fields"]
