"""The isolation and role matrix, generated for every API operation.

The declarations in tests/matrix/ name, for each operation of the OpenAPI schema of a
school host and of the district host, the roles allowed to perform it. Every other role, a member of
another school, and anonymous callers are denied: 401 when anonymous, 404 on detail operations
(not allowed looks the same as not found), 403 otherwise; a denied call changes no row (the audit
trail, which records every write, does not grow) and queues no task. `test_every_operation_is_
declared` fails when an endpoint is added without an entry here.
"""

from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest

from houqin.roles import DISTRICT_ROLES, EXTERNAL_ROLES, SCHOOL_ROLES, Role
from shared_apps.audit.models import Change
from tenants.models import School
from tenants.routing import school_host
from tests.conftest import SCHOOL_B, HostClient
from tests.factories import user_with_role
from tests.matrix import DISTRICT_OPERATIONS, SCHOOL_OPERATIONS, R, Scene

# Operations meant for anonymous callers, tested in test_tokens.py.
PUBLIC_OPERATIONS = {("POST", "/api/v1/auth/token/")}

OUTSIDER = "member of another school"
ANONYMOUS = "anonymous"
SUCCESS = {"GET": 200, "POST": (200, 201), "PATCH": 200, "DELETE": 204}


def _denied_status(method: str, path: str, anonymous: bool) -> int:
    if anonymous:
        return 401
    return 404 if "{" in path else 403


def _call(client: HostClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    # A body that carries a file is an upload, sent as multipart; every other body as JSON.
    upload = body is not None and any(hasattr(value, "read") for value in body.values())
    return getattr(client, method.lower())(path, body, format="multipart" if upload else "json")


def _cells(operations: dict[tuple[str, str], frozenset[Role]], extra: list[str]) -> list[Any]:
    who: list[Any] = [*sorted(DISTRICT_ROLES), *sorted(SCHOOL_ROLES), *extra]
    return [
        pytest.param(method, path, w, id=f"{method} {path} as {w}")
        for (method, path) in operations
        for w in who
    ]


@pytest.fixture
def no_tasks_queued() -> Iterator[mock.MagicMock]:
    with mock.patch("celery.app.base.Celery.send_task") as send_task:
        yield send_task


def _run_cell(
    client_for: Callable[..., HostClient],
    where: School | None,
    scene: Scene,
    allowed: frozenset[Role],
    method: str,
    path: str,
    who: Any,
    no_tasks_queued: mock.MagicMock,
) -> None:
    if who == ANONYMOUS:
        client = client_for(where, None)
    elif who == OUTSIDER:
        client = client_for(where, user_with_role(R.PRINCIPAL, School.objects.get(code=SCHOOL_B)))
    elif where is None and who in SCHOOL_ROLES:
        # A school's member on the district host: they hold no role there.
        client = client_for(None, user_with_role(who, School.objects.get(code=SCHOOL_B)))
    else:
        client = client_for(where, who)
    url, body = scene.path_and_body(method, path)
    changes_before = Change.objects.count()
    response = _call(client, method, url, body)
    if who in allowed:
        expected = SUCCESS[method]
        assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), (
            response.status_code,
            response.content[:300],
        )
    else:
        assert response.status_code == _denied_status(method, path, who == ANONYMOUS), (
            response.content[:300]
        )
        assert response.json()["error"]["status"] == response.status_code
        assert Change.objects.count() == changes_before, "a denied call wrote something"
        assert not no_tasks_queued.called, "a denied call queued a task"


@pytest.mark.parametrize(
    ("method", "path", "who"), _cells(SCHOOL_OPERATIONS, [OUTSIDER, ANONYMOUS])
)
def test_school_operation(client_for, school_a, method, path, who, no_tasks_queued):
    allowed = SCHOOL_OPERATIONS[(method, path)]
    _run_cell(client_for, school_a, Scene(school_a), allowed, method, path, who, no_tasks_queued)


@pytest.mark.parametrize(("method", "path", "who"), _cells(DISTRICT_OPERATIONS, [ANONYMOUS]))
def test_district_operation(client_for, school_a, method, path, who, no_tasks_queued):
    allowed = DISTRICT_OPERATIONS[(method, path)]
    _run_cell(client_for, None, Scene(None), allowed, method, path, who, no_tasks_queued)


def _schema_operations(host: str) -> set[tuple[str, str]]:
    paths = HostClient(host).get("/api/schema/?format=json").json()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_operation_is_declared(school_a, district_host):
    assert (
        _schema_operations(school_host(school_a.code)) == set(SCHOOL_OPERATIONS) | PUBLIC_OPERATIONS
    )
    assert _schema_operations(district_host) == set(DISTRICT_OPERATIONS) | PUBLIC_OPERATIONS


def test_no_school_operation_answers_an_external_account():
    """Suppliers' and evaluators' accounts exist on the district host only (houqin.roles): the
    cells above try each of them on every school operation and expect a refusal."""
    for operation, allowed in SCHOOL_OPERATIONS.items():
        assert not allowed & EXTERNAL_ROLES, operation
