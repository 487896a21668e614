"""The isolation and role matrix, generated for every API operation.

`SCHOOL_OPERATIONS` and `DISTRICT_OPERATIONS` name, for each operation of the OpenAPI schema of a
school host and of the district host, the roles allowed to perform it. Every other role, a member of
another school, and anonymous callers are denied: 401 when anonymous, 404 on detail operations
(not allowed looks the same as not found), 403 otherwise; a denied call changes no row (the audit
trail, which records every write, does not grow) and queues no task. `test_every_operation_is_
declared` fails when an endpoint is added without an entry here.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from houqin.roles import DISTRICT_ROLES, SCHOOL_ROLES, Role
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Change, Finding, SecurityEvent
from tenant_apps.feedback.models import Feedback
from tenants.models import School
from tenants.services import school_host
from tests.conftest import SCHOOL_B, HostClient
from tests.factories import make_user, user_with_role

R = Role
EVERY_SCHOOL_ROLE = frozenset(SCHOOL_ROLES)
EVERY_DISTRICT_ROLE = frozenset(DISTRICT_ROLES)
SCHOOL_MANAGERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR})
PEOPLE_READERS = SCHOOL_MANAGERS | {R.AUDITOR, R.DISTRICT_ADMIN}
PEOPLE_WRITERS = frozenset({R.LOGISTICS_DIRECTOR, R.DISTRICT_ADMIN})
AUDITOR = frozenset({R.AUDITOR})
DISTRICT_ADMIN = frozenset({R.DISTRICT_ADMIN})

# (method, path) -> roles allowed, on a school's host.
SCHOOL_OPERATIONS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/me/"): EVERY_SCHOOL_ROLE | EVERY_DISTRICT_ROLE,
    ("GET", "/api/v1/feedback/"): EVERY_SCHOOL_ROLE | AUDITOR,
    ("POST", "/api/v1/feedback/"): EVERY_SCHOOL_ROLE,
    ("GET", "/api/v1/feedback/{id}/"): SCHOOL_MANAGERS | AUDITOR,
    ("POST", "/api/v1/feedback/{id}/respond/"): SCHOOL_MANAGERS,
    ("POST", "/api/v1/feedback/{id}/assign/"): SCHOOL_MANAGERS,
    ("GET", "/api/v1/memberships/"): PEOPLE_READERS,
    ("POST", "/api/v1/memberships/"): PEOPLE_WRITERS,
    ("GET", "/api/v1/memberships/{id}/"): PEOPLE_READERS,
    ("DELETE", "/api/v1/memberships/{id}/"): PEOPLE_WRITERS,
    ("GET", "/api/v1/users/"): PEOPLE_READERS,
    ("POST", "/api/v1/users/"): PEOPLE_WRITERS,
    ("GET", "/api/v1/users/{id}/"): PEOPLE_READERS,
    ("PATCH", "/api/v1/users/{id}/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/audit/changes/"): AUDITOR,
    ("GET", "/api/v1/audit/changes/{id}/"): AUDITOR,
    ("GET", "/api/v1/audit/findings/"): AUDITOR,
    ("POST", "/api/v1/audit/findings/"): AUDITOR,
    ("GET", "/api/v1/audit/findings/{id}/"): AUDITOR,
    ("PATCH", "/api/v1/audit/findings/{id}/"): AUDITOR,
}

# (method, path) -> roles allowed, on the district centre's host.
DISTRICT_OPERATIONS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/me/"): EVERY_DISTRICT_ROLE,
    ("GET", "/api/v1/schools/"): EVERY_DISTRICT_ROLE,
    ("POST", "/api/v1/schools/"): DISTRICT_ADMIN,
    ("POST", "/api/v1/schools/import/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/schools/{code}/"): EVERY_DISTRICT_ROLE,
    ("POST", "/api/v1/schools/{code}/suspend/"): DISTRICT_ADMIN,
    ("POST", "/api/v1/schools/{code}/reactivate/"): DISTRICT_ADMIN,
    ("POST", "/api/v1/schools/{code}/archive/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/memberships/"): DISTRICT_ADMIN | AUDITOR,
    ("POST", "/api/v1/memberships/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/memberships/{id}/"): DISTRICT_ADMIN | AUDITOR,
    ("DELETE", "/api/v1/memberships/{id}/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/users/"): DISTRICT_ADMIN | AUDITOR,
    ("POST", "/api/v1/users/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/users/{id}/"): DISTRICT_ADMIN | AUDITOR,
    ("PATCH", "/api/v1/users/{id}/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/audit/changes/"): AUDITOR,
    ("GET", "/api/v1/audit/changes/{id}/"): AUDITOR,
    ("GET", "/api/v1/audit/security-events/"): AUDITOR,
    ("GET", "/api/v1/audit/security-events/{id}/"): AUDITOR,
    ("GET", "/api/v1/audit/findings/"): AUDITOR,
    ("POST", "/api/v1/audit/findings/"): AUDITOR,
    ("GET", "/api/v1/audit/findings/{id}/"): AUDITOR,
    ("PATCH", "/api/v1/audit/findings/{id}/"): AUDITOR,
}

# Operations meant for anonymous callers, tested in test_tokens.py.
PUBLIC_OPERATIONS = {("POST", "/api/v1/auth/token/")}

OUTSIDER = "member of another school"
ANONYMOUS = "anonymous"
SUCCESS = {"GET": 200, "POST": (200, 201), "PATCH": 200, "DELETE": 204}


@dataclass
class Scene:
    """The objects one operation acts on, made fresh in one school (and the centre)."""

    school: School | None  # None: the district centre
    _seq: Iterator[int] = field(default_factory=itertools.count)

    def member(self, role: Role = R.STAFF) -> User:
        if self.school is None:
            return user_with_role(R.NUTRITION_OFFICER, None)
        return user_with_role(role, self.school)

    def feedback(self) -> Feedback:
        assert self.school is not None
        author = self.member(R.STUDENT)
        with schema_context(self.school.schema_name):
            return Feedback.objects.create(author=author, category="praise", subject="s", body="b")

    def path_and_body(self, method: str, path: str) -> tuple[str, dict[str, Any] | None]:
        n = next(self._seq)
        params: dict[str, Any] = {}
        body: dict[str, Any] | None = None
        if "/feedback/" in path:
            if "{id}" in path:
                params["id"] = self.feedback().pk
            if path.endswith("/respond/"):
                body = {"response": "已处理，谢谢。"}
            elif path.endswith("/assign/"):
                body = {"username": self.member(R.CANTEEN_MANAGER).username}
            elif method == "POST":
                body = {"category": "suggestion", "subject": "建议", "body": "多一些蔬菜"}
        elif "/memberships/" in path:
            if "{id}" in path:
                params["id"] = Membership.objects.filter(user=self.member()).get().pk
            elif method == "POST":
                role = R.STAFF if self.school else R.NUTRITION_OFFICER
                body = {"username": make_user().username, "role": role.value}
        elif "/users/" in path:
            if "{id}" in path:
                params["id"] = self.member().pk
                body = {"display_name": "新名字"} if method == "PATCH" else None
            elif method == "POST":
                body = {
                    "username": f"new-user-{n}-{make_user().pk}",
                    "password": "Strong-pass-2026",
                }
        elif "/audit/changes/" in path:
            self.feedback() if self.school else make_user()
            params["id"] = Change.objects.latest("id").pk
        elif "/audit/security-events/" in path:
            params["id"] = SecurityEvent.objects.create(kind="login", schema_name="public").pk
        elif "/audit/findings/" in path:
            if "{id}" in path:
                finding = Finding.objects.create(
                    school=self.school,
                    title="t",
                    body="b",
                    severity="low",
                    created_by=make_user(),
                )
                params["id"] = finding.pk
                body = {"status": "rectifying"} if method == "PATCH" else None
            else:
                body = {"title": "食堂留样不足", "body": "三月两次未留样", "severity": "medium"}
        elif path.endswith("/schools/import/"):
            csv = f"学校代码,学校名称,学校类型\n8{n:05d},导入学校,小学\n".encode()
            body = {"file": SimpleUploadedFile("schools.csv", csv, content_type="text/csv")}
        elif "/schools/" in path:
            if "{code}" in path:
                params["code"] = SCHOOL_B
                body = {"reason": "整改"} if method == "POST" else None
            elif method == "POST":
                body = {"code": f"9{n:05d}", "name": "新建学校", "kind": "primary"}
        return path.format(**params), body


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
