"""District endpoints that create, suspend, reactivate and archive schools."""

from unittest import mock

import pytest
from django.db import connection

from houqin.roles import Role
from shared_apps.accounts.models import Membership
from tenants.models import Domain, School
from tenants.provisioning import schema_from_template
from tenants.routing import school_host
from tenants.services import school_create
from tests.conftest import HostClient
from tests.factories import SETUP, make_user, user_with_role


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_creating_a_school_provisions_schema_and_domain_and_serves(client_for):
    admin = client_for(None, Role.DISTRICT_ADMIN)
    response = admin.post(
        "/api/v1/schools/",
        {"code": "200001", "name": "新城小学", "kind": "primary", "boarding": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["host"] == "200001.localhost"
    school = School.objects.get(code="200001")
    assert school.schema_name == "s_200001"
    assert _schema_exists("s_200001")
    assert Domain.objects.filter(tenant=school, domain="200001.localhost").exists()
    principal = user_with_role(Role.PRINCIPAL, school)
    served = HostClient(school_host("200001"), principal).get("/api/v1/feedback/")
    assert served.status_code == 200
    assert served.json()["count"] == 0


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("", "invalid"),
        ("A", "invalid_code"),
        ("ABC123", "invalid_code"),
        ("pg_catalog", "invalid_code"),
        ("x;drop schema public", "invalid_code"),
        ("a" * 40, "invalid_code"),
        ("public", "reserved_code"),
        ("www", "reserved_code"),
        ("中文学校", "invalid_code"),
    ],
)
def test_bad_codes_are_refused_with_nothing_created(client_for, code, error_code):
    before = School.objects.count()
    response = client_for(None, Role.DISTRICT_ADMIN).post(
        "/api/v1/schools/", {"code": code, "name": "x", "kind": "primary"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == error_code
    assert School.objects.count() == before


def test_duplicate_code_is_409(client_for, school_a):
    response = client_for(None, Role.DISTRICT_ADMIN).post(
        "/api/v1/schools/", {"code": school_a.code, "name": "x", "kind": "primary"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_code"


def test_unknown_kind_and_missing_fields_are_400(client_for):
    admin = client_for(None, Role.DISTRICT_ADMIN)
    response = admin.post("/api/v1/schools/", {"code": "200002"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name", "kind"}
    response = admin.post(
        "/api/v1/schools/", {"code": "200002", "name": "x", "kind": "castle"}, format="json"
    )
    assert response.status_code == 400


def _failing_once_the_schema_is_made(template, schema_name):
    schema_from_template(template, schema_name)
    raise RuntimeError("step failed after the schema was made")


@pytest.mark.parametrize(
    ("failing_step", "effect"),
    [
        ("tenants.services.Domain.objects.create", RuntimeError("step failed")),
        ("tenants.provisioning.schema_create", RuntimeError("step failed")),
        ("tenants.provisioning.schema_from_template", _failing_once_the_schema_is_made),
    ],
)
def test_a_failed_creation_leaves_no_school_no_domain_no_schema(db, failing_step, effect):
    with mock.patch(failing_step, side_effect=effect), pytest.raises(Exception):  # noqa: B017
        school_create(actor=SETUP, code="200003", name="失败学校", kind="primary")
    assert not School.objects.filter(code="200003").exists()
    assert not Domain.objects.filter(domain="200003.localhost").exists()
    assert not _schema_exists("s_200003")


def test_suspend_reactivate_archive(client_for, school_b):
    admin = client_for(None, Role.DISTRICT_ADMIN)
    principal = client_for(school_b, Role.PRINCIPAL)
    base = f"/api/v1/schools/{school_b.code}"
    assert admin.post(f"{base}/suspend/", {}, format="json").status_code == 400  # no reason
    suspended = admin.post(f"{base}/suspend/", {"reason": "审计整改"}, format="json")
    assert suspended.json()["status"] == "suspended"
    assert principal.get("/api/v1/me/").status_code == 403
    assert admin.post(f"{base}/reactivate/", {}, format="json").json()["status"] == "active"
    assert principal.get("/api/v1/me/").status_code == 200
    assert (
        admin.post(f"{base}/archive/", {"reason": "撤并"}, format="json").json()["status"]
        == "archived"
    )
    again = admin.post(f"{base}/reactivate/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "school_archived"


def test_district_admin_grants_a_school_role_from_the_centre(client_for, school_a):
    admin = client_for(None, Role.DISTRICT_ADMIN)
    user = make_user(school=school_a)
    response = admin.post(
        "/api/v1/memberships/",
        {"username": user.username, "role": "principal", "school": school_a.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (
        Membership.objects.across_schools()
        .filter(user=user, school=school_a, role="principal")
        .exists()
    )
    wrong_scope = admin.post(
        "/api/v1/memberships/", {"username": user.username, "role": "principal"}, format="json"
    )
    assert wrong_scope.status_code == 400
    assert wrong_scope.json()["error"]["code"] == "role_scope"
    duplicate = admin.post(
        "/api/v1/memberships/",
        {"username": user.username, "role": "principal", "school": school_a.code},
        format="json",
    )
    assert duplicate.status_code == 409


def test_a_school_cannot_grant_district_roles(client_for, school_a):
    director = client_for(school_a, Role.LOGISTICS_DIRECTOR)
    user = user_with_role(None)
    response = director.post(
        "/api/v1/memberships/", {"username": user.username, "role": "auditor"}, format="json"
    )
    assert response.status_code == 400
    assert not Membership.objects.across_schools().filter(user=user).exists()
