"""The request path through tenancy: one search_path per request, no ContentType cache flush; a
request body the view does not read is read to its end, one too large is refused unread."""

import io
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from houqin.db import tenant_db
from houqin.roles import Role
from tenant_apps.feedback.models import Feedback
from tenants.routing import school_host


def test_switching_schools_keeps_the_content_type_cache(school_a, school_b):
    ContentType.objects.get_for_model(Feedback)
    cached = dict(ContentType.objects._cache)  # type: ignore[attr-defined]
    tenant_db().set_tenant(school_a)
    tenant_db().set_tenant(school_b)
    tenant_db().set_schema_to_public()
    assert ContentType.objects._cache == cached  # type: ignore[attr-defined]


def test_a_school_request_sets_the_search_path_once(client_for, school_a):
    client = client_for(school_a, Role.PRINCIPAL)
    client.get("/api/v1/feedback/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/feedback/")
    assert response.status_code == 200
    sets = [q["sql"] for q in queries if q["sql"].startswith("SET search_path")]
    assert len(sets) == 1, sets


class _Body(io.BytesIO):
    """A request body that tells how much of it was read."""


def _post(client: Client, host: str, body: bytes) -> tuple[int, dict[str, Any], _Body]:
    stream = _Body(body)
    extra: dict[str, Any] = {"wsgi.input": stream, "CONTENT_LENGTH": str(len(body))}
    response = client.generic(
        "POST",
        "/api/v1/feedback/",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST=host,
        **extra,
    )
    return response.status_code, response.json(), stream


def test_an_unread_body_is_read_to_its_end(school_a):
    body = b"note=" + b"a" * 500_000
    status, answer, stream = _post(Client(), school_host(school_a.code), body)
    assert (status, answer["error"]["code"]) == (401, "not_authenticated")
    assert stream.tell() == len(body)


@override_settings(MAX_REQUEST_BODY=1000)
def test_a_body_over_the_limit_is_refused_then_read_to_its_end(school_a):
    host = school_host(school_a.code)
    status, answer, stream = _post(Client(), host, b"a" * 2000)
    assert (status, answer["error"]["status"], answer["error"]["code"]) == (
        413,
        413,
        "request_too_large",
    )
    assert stream.tell() == 2000
    # Past twice the limit the body is not read: the connection closes on it.
    status, answer, stream = _post(Client(), host, b"a" * 2001)
    assert (status, stream.tell()) == (413, 0)
