"""The isolation and role matrix, generated for every API operation.

The declarations in tests/matrix/ name, for each operation of the OpenAPI schema of a
school host and of the district host, the roles allowed to perform it. Every other role, a member of
another school, and anonymous callers are denied: 401 when anonymous, 404 on detail operations
(not allowed looks the same as not found), 403 otherwise; a denied call changes no row (the audit
trail, which records every write, does not grow) and queues no task, not even on commit.
`test_every_operation_is_declared` fails when an endpoint is added without an entry here.
"""

import contextlib
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import transaction

from houqin.api.permissions import RolePermission
from houqin.roles import DISTRICT_ROLES, EXTERNAL_ROLES, SCHOOL_ROLES, Role
from houqin.tasks import SchoolTask
from shared_apps.audit.models import Change
from tenants.models import School
from tenants.services import school_host
from tenants.tasks import pool_refill_task, school_check_task
from tests.conftest import SCHOOL_B, HostClient, tasks_queued
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
    """Every role and `extra` caller on every operation. The denied cells run untraced by
    coverage (no_cover): thousands of them take the same few refusals, which the allowed cells
    and the other suites cover, and tracing them would add a minute and a half to the run."""
    who: list[Any] = [*sorted(DISTRICT_ROLES), *sorted(SCHOOL_ROLES), *extra]
    return [
        pytest.param(
            method,
            path,
            w,
            id=f"{method} {path} as {w}",
            marks=() if w in allowed else pytest.mark.no_cover,
        )
        for (method, path), allowed in operations.items()
        for w in who
    ]


def _run_cell(
    client_for: Callable[..., HostClient],
    where: School | None,
    scene: Scene,
    allowed: frozenset[Role],
    method: str,
    path: str,
    who: Any,
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
    with tasks_queued() as queued:
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
        assert queued == [], f"a denied call queued {queued}"


@pytest.mark.parametrize(
    ("method", "path", "who"), _cells(SCHOOL_OPERATIONS, [OUTSIDER, ANONYMOUS])
)
def test_school_operation(client_for, school_a, method, path, who):
    allowed = SCHOOL_OPERATIONS[(method, path)]
    _run_cell(client_for, school_a, Scene(school_a), allowed, method, path, who)


@pytest.mark.parametrize(("method", "path", "who"), _cells(DISTRICT_OPERATIONS, [ANONYMOUS]))
def test_district_operation(client_for, school_a, method, path, who):
    allowed = DISTRICT_OPERATIONS[(method, path)]
    _run_cell(client_for, None, Scene(None), allowed, method, path, who)


# The cells' checks can fail: the harness sees what a denied call queues on commit, though the
# test's transaction never commits.


def test_a_cell_fails_when_a_denied_call_queues_a_task(client_for, school_a, monkeypatch):
    refuse = RolePermission.has_permission

    def queue_then_refuse(self: RolePermission, request: Any, view: Any) -> bool:
        cast(SchoolTask, school_check_task).delay_on_commit()
        return refuse(self, request, view)

    monkeypatch.setattr(RolePermission, "has_permission", queue_then_refuse)
    method, path = "GET", "/api/v1/memberships/"
    allowed = SCHOOL_OPERATIONS[(method, path)]
    assert R.STAFF not in allowed
    with pytest.raises(AssertionError, match=r"a denied call queued.*school_check_task"):
        _run_cell(client_for, school_a, Scene(school_a), allowed, method, path, R.STAFF)


def test_tasks_queued_sees_what_the_commit_would_send(db):
    with tasks_queued() as queued:
        cast(SchoolTask, school_check_task).delay_on_commit()
        pool_refill_task.delay()
        # Queued in a savepoint that is rolled back: the commit would send nothing for it.
        with contextlib.suppress(RuntimeError), transaction.atomic():
            transaction.on_commit(pool_refill_task.delay)
            raise RuntimeError
        assert queued == [pool_refill_task.name]
    assert queued == [pool_refill_task.name, school_check_task.name]


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
