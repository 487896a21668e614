"""Tokens: issued for a username and password on a host where the user holds a role, valid
there, granting nothing where the user holds none. External accounts (suppliers, evaluators) get
tokens and sessions on the district host only."""

import pytest
from django.test import Client

from houqin.roles import EXTERNAL_ROLES, Role
from shared_apps.accounts.models import ApiToken
from shared_apps.audit.models import SecurityEvent
from tenants.services import school_host
from tests.conftest import HostClient
from tests.factories import PASSWORD, user_with_role


def _issue(host, username, password=PASSWORD):
    return HostClient(host).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_token_is_issued_and_works_where_the_user_holds_a_role(school_a):
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    response = _issue(school_host(school_a.code), user.username)
    assert response.status_code == 201
    key = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=key).exists()  # only the hash is stored
    client = HostClient(school_host(school_a.code))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    bearer = HostClient(school_host(school_a.code))
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.get("/api/v1/me/").status_code == 200


def test_no_token_on_a_school_where_the_user_holds_no_role(school_a, school_b):
    user = user_with_role(Role.PRINCIPAL, school_a)
    response = _issue(school_host(school_b.code), user.username)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert SecurityEvent.objects.filter(kind="login_failed", user_id=user.pk).exists()


def test_a_token_grants_nothing_on_another_school(school_a, school_b):
    user = user_with_role(Role.PRINCIPAL, school_a)
    key = _issue(school_host(school_a.code), user.username).json()["token"]
    elsewhere = HostClient(school_host(school_b.code))
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = elsewhere.get("/api/v1/me/")
    assert me.status_code == 403
    assert me.json()["error"]["code"] == "permission_denied"
    assert elsewhere.get("/api/v1/feedback/").status_code == 403
    assert elsewhere.get("/api/v1/feedback/1000001/").status_code == 404


def test_wrong_password_is_a_clear_400_and_is_recorded(school_a):
    user = user_with_role(Role.STAFF, school_a)
    response = _issue(school_host(school_a.code), user.username, "wrong")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert SecurityEvent.objects.filter(kind="login_failed", username=user.username).exists()


def test_token_creation_is_recorded(school_a):
    user = user_with_role(Role.STAFF, school_a)
    _issue(school_host(school_a.code), user.username)
    event = SecurityEvent.objects.get(kind="token_created", user_id=user.pk)
    assert event.schema_name == school_a.schema_name
    assert event.host == school_host(school_a.code)


def test_missing_or_malformed_body_is_400(school_a):
    client = HostClient(school_host(school_a.code))
    assert client.post("/api/v1/auth/token/", {}, format="json").status_code == 400
    response = client.post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_invalid_or_malformed_token_is_401(school_a):
    for header in ["Token nope", "Token", "Token a b", "Bearer \u00e9\u00e9"]:
        client = HostClient(school_host(school_a.code))
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/me/")
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "not_authenticated"


def test_deactivated_users_token_stops_working(school_a):
    user = user_with_role(Role.STAFF, school_a)
    client = HostClient(school_host(school_a.code), user)
    assert client.get("/api/v1/me/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me/").status_code == 401


EXTERNAL = sorted(EXTERNAL_ROLES)


def test_the_external_accounts_are_the_suppliers_and_evaluators():
    assert set(EXTERNAL) == {Role.SUPPLIER, Role.EVALUATOR}


@pytest.mark.parametrize("role", EXTERNAL)
def test_external_accounts_get_tokens_on_the_district_host_only(school_a, district_host, role):
    user = user_with_role(role)
    assert _issue(district_host, user.username).status_code == 201
    refused = _issue(school_host(school_a.code), user.username)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.filter(user=user).count() == 1  # the district host's


@pytest.mark.parametrize("role", EXTERNAL)
def test_external_accounts_sign_in_to_the_admin_on_the_district_host_only(
    school_a, district_host, role
):
    user = user_with_role(role)
    body = {"username": user.username, "password": PASSWORD}
    school = Client(SERVER_NAME=school_host(school_a.code))
    refused = school.post("/admin/login/", body)
    assert refused.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in school.session
    district = Client(SERVER_NAME=district_host)
    assert district.post("/admin/login/", body).status_code == 302
    assert district.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("role", EXTERNAL)
def test_an_external_accounts_token_answers_nothing_on_a_school_host(school_a, district_host, role):
    user = user_with_role(role)
    key = _issue(district_host, user.username).json()["token"]
    school = HostClient(school_host(school_a.code))
    school.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for path in ("/api/v1/me/", "/api/v1/procurement/catalogue/", "/api/v1/feedback/"):
        response = school.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"
