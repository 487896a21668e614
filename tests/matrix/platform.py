"""The platform's operations: the caller and their tokens, users, memberships, everyone's tokens,
schools, audit, feedback."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from houqin.roles import Role
from shared_apps.accounts.models import ApiToken, Membership, hash_token_key
from shared_apps.audit.models import Change, Finding, SecurityEvent
from tenant_apps.feedback.models import Feedback
from tests.conftest import SCHOOL_B
from tests.factories import make_user, token_for
from tests.matrix import (
    AUDITOR,
    DISTRICT_ADMIN,
    DISTRICT_STAFF,
    EVERY_DISTRICT_ROLE,
    EVERY_SCHOOL_ROLE,
    SCHOOL_MANAGERS,
    Built,
    Operations,
    R,
    Scene,
)

NOBODY: frozenset[Role] = frozenset()
PEOPLE_READERS = SCHOOL_MANAGERS | {R.AUDITOR, R.DISTRICT_ADMIN}
PEOPLE_WRITERS = frozenset({R.LOGISTICS_DIRECTOR, R.DISTRICT_ADMIN})

# (method, path) -> roles allowed, on a school's host.
SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/me/"): EVERY_SCHOOL_ROLE | DISTRICT_STAFF,
    ("GET", "/api/v1/me/tokens/"): EVERY_SCHOOL_ROLE | DISTRICT_STAFF,
    # Someone else's token: nobody revokes it here (one's own: tests/test_tokens.py).
    ("POST", "/api/v1/me/tokens/{id}/revoke/"): NOBODY,
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
DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/me/"): EVERY_DISTRICT_ROLE,
    ("GET", "/api/v1/me/tokens/"): EVERY_DISTRICT_ROLE,
    ("POST", "/api/v1/me/tokens/{id}/revoke/"): NOBODY,
    ("GET", "/api/v1/tokens/"): DISTRICT_ADMIN | AUDITOR,
    ("GET", "/api/v1/tokens/{id}/"): DISTRICT_ADMIN | AUDITOR,
    ("POST", "/api/v1/tokens/{id}/revoke/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/schools/"): DISTRICT_STAFF,
    ("POST", "/api/v1/schools/"): DISTRICT_ADMIN,
    ("POST", "/api/v1/schools/import/"): DISTRICT_ADMIN,
    ("GET", "/api/v1/schools/{code}/"): DISTRICT_STAFF,
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


def _feedback(scene: Scene) -> Feedback:
    assert scene.school is not None
    author = scene.member(R.STUDENT)
    with schema_context(scene.school.schema_name):
        return Feedback.objects.create(author=author, category="praise", subject="s", body="b")


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if "/feedback/" in path:
        if "{id}" in path:
            params["id"] = _feedback(scene).pk
        if path.endswith("/respond/"):
            body = {"response": "已处理，谢谢。"}
        elif path.endswith("/assign/"):
            body = {"username": scene.member(R.CANTEEN_MANAGER).username}
        elif method == "POST":
            body = {"category": "suggestion", "subject": "建议", "body": "多一些蔬菜"}
    elif "tokens/" in path:
        if "{id}" in path:
            key = token_for(scene.member())
            params["id"] = ApiToken.objects.get(key_hash=hash_token_key(key)).pk
    elif "/memberships/" in path:
        if "{id}" in path:
            params["id"] = Membership.objects.across_schools().filter(user=scene.member()).get().pk
        elif method == "POST":
            # An account of this school (of the centre) for its role.
            role = R.STAFF if scene.school else R.NUTRITION_OFFICER
            body = {"username": make_user(school=scene.school).username, "role": role.value}
    elif "/users/" in path:
        if "{id}" in path:
            params["id"] = scene.member().pk
            body = {"display_name": "新名字"} if method == "PATCH" else None
        elif method == "POST":
            body = {
                "username": f"new-user-{n}-{make_user().pk}",
                "password": "Strong-pass-2026",
            }
    elif "/audit/changes/" in path:
        _feedback(scene) if scene.school else make_user()
        params["id"] = Change.objects.across_schools().latest("id").pk
    elif "/audit/security-events/" in path:
        params["id"] = SecurityEvent.objects.create(kind="login", schema_name="public").pk
    elif "/audit/findings/" in path:
        if "{id}" in path:
            finding = Finding.objects.create(
                school=scene.school,
                title="t",
                body="b",
                severity="low",
                created_by=make_user(),
            )
            params["id"] = finding.pk
            body = {"status": "rectifying"} if method == "PATCH" else None
        elif method == "POST":
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
    return params, body
