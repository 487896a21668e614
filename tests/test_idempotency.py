"""Idempotency-Key: five concurrent replays of one request make exactly one effect and all get
the same response; a key reused for another request is refused; a failed request can be retried."""

from typing import Any

from django.db import connection

from houqin.models import IdempotencyRecord
from houqin.roles import Role
from tenants.models import Domain, School
from tests.concurrency import at_once
from tests.conftest import HostClient
from tests.factories import discard_user, user_with_role


def _drop_school(code: str) -> None:
    for school in School.objects.filter(code=code):
        Domain.objects.filter(tenant=school).delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{school.schema_name}" CASCADE')
        school.delete()


def test_five_concurrent_replays_create_one_school(committed: list[Any]) -> None:
    admin = user_with_role(Role.DISTRICT_ADMIN)
    committed.append(lambda: discard_user(admin))
    committed.append(lambda: _drop_school("500001"))
    committed.append(
        lambda: IdempotencyRecord.objects.across_schools().filter(user_id=admin.pk).delete()
    )
    body = {"code": "500001", "name": "幂等学校", "kind": "primary"}

    def post(_i: int) -> Any:
        return HostClient("localhost", admin).post(
            "/api/v1/schools/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-500001"
        )

    responses = at_once(5, post)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    assert {r.status_code for r in responses} == {201}  # type: ignore[union-attr]
    assert len({r.content for r in responses}) == 1  # type: ignore[union-attr]
    assert School.objects.filter(code="500001").count() == 1


def test_a_key_reused_for_another_request_is_422(client_for: Any, school_a: School) -> None:
    client = client_for(school_a, Role.STAFF)
    first = {"category": "praise", "subject": "一", "body": "好"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "feedback-1"}
    created = client.post("/api/v1/feedback/", first, format="json", **headers)
    replayed = client.post("/api/v1/feedback/", first, format="json", **headers)
    assert created.status_code == replayed.status_code == 201
    assert created.json() == replayed.json()
    other = client.post("/api/v1/feedback/", {**first, "subject": "二"}, format="json", **headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_failed_request_leaves_the_key_free(client_for: Any, school_a: School) -> None:
    client = client_for(school_a, Role.STAFF)
    headers = {"HTTP_IDEMPOTENCY_KEY": "feedback-2"}
    bad = client.post("/api/v1/feedback/", {"category": "nonsense"}, format="json", **headers)
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.across_schools().filter(key="feedback-2").exists()


def test_a_malformed_key_is_400(client_for: Any, school_a: School) -> None:
    response = client_for(school_a, Role.STAFF).post(
        "/api/v1/feedback/",
        {"category": "praise", "subject": "s", "body": "b"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="bad key with spaces",
    )
    assert response.status_code == 400
