"""Tokens: issued for a username and password on a host where the user holds a role, valid
there, granting nothing where the user holds none, until they expire or are revoked. External
accounts (suppliers, evaluators) get tokens and sessions on the district host only."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from houqin.roles import EXTERNAL_ROLES, Role
from shared_apps.accounts.models import ApiToken, hash_token_key
from shared_apps.audit.models import SecurityEvent
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import PASSWORD, token_for, user_with_role


def _issue(host, username, password=PASSWORD):
    return HostClient(host).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_token_is_issued_and_works_where_the_user_holds_a_role(school_a):
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    response = _issue(school_host(school_a.code), user.username)
    assert response.status_code == 200
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
    assert (
        SecurityEvent.objects.across_schools().filter(kind="login_failed", user_id=user.pk).exists()
    )


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
    assert (
        SecurityEvent.objects.across_schools()
        .filter(kind="login_failed", username=user.username)
        .exists()
    )


def test_token_creation_is_recorded(school_a):
    user = user_with_role(Role.STAFF, school_a)
    _issue(school_host(school_a.code), user.username)
    event = SecurityEvent.objects.across_schools().get(kind="token_created", user_id=user.pk)
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
    assert _issue(district_host, user.username).status_code == 200
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


# Expiry and revocation -------------------------------------------------------------------------


def _client_with(host, key):
    client = HostClient(host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _token_of(key):
    return ApiToken.objects.get(key_hash=hash_token_key(key))


def test_a_token_expires_its_lifetime_after_issue_however_much_it_is_used(school_a, settings):
    user = user_with_role(Role.STAFF, school_a)
    host = school_host(school_a.code)
    before = timezone.now()
    key = _issue(host, user.username).json()["token"]
    token = _token_of(key)
    assert before + settings.API_TOKEN_LIFETIME <= token.expires_at
    assert token.expires_at <= timezone.now() + settings.API_TOKEN_LIFETIME
    client = _client_with(host, key)
    assert client.get("/api/v1/me/").status_code == 200
    almost = token.expires_at - timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=almost):
        assert client.get("/api/v1/me/").status_code == 200
    assert _token_of(key).expires_at == token.expires_at  # use does not extend it
    with mock.patch("django.utils.timezone.now", return_value=token.expires_at):
        expired = client.get("/api/v1/me/")
    assert expired.status_code == 401
    error = expired.json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["status"] == 401 and error["request_id"]
    assert error["message"] == "此令牌已过期。"


def test_when_a_token_was_last_used_is_kept_to_the_quarter_hour(school_a):
    user = user_with_role(Role.STAFF, school_a)
    host = school_host(school_a.code)
    key = _issue(host, user.username).json()["token"]
    assert _token_of(key).last_used_at is None
    client = _client_with(host, key)
    client.get("/api/v1/me/")
    first = _token_of(key).last_used_at
    assert first is not None
    client.get("/api/v1/me/")
    assert _token_of(key).last_used_at == first  # no write for every request
    later = first + timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.get("/api/v1/me/")
    assert _token_of(key).last_used_at == later


def test_the_owner_lists_and_revokes_their_own_tokens(school_a):
    user = user_with_role(Role.PRINCIPAL, school_a)
    host = school_host(school_a.code)
    first = _issue(host, user.username).json()["token"]
    second = _issue(host, user.username).json()["token"]
    someone_else = token_for(user_with_role(Role.PRINCIPAL, school_a))
    client = _client_with(host, second)
    listed = client.get("/api/v1/me/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [_token_of(second).pk, _token_of(first).pk]
    assert [t["current"] for t in listed] == [True, False]
    assert all(t["active"] and t["user"]["username"] == user.username for t in listed)
    assert not {"key", "key_hash", "token"} & set(listed[0])

    other = _token_of(someone_else).pk
    assert client.post(f"/api/v1/me/tokens/{other}/revoke/").status_code == 404
    revoked = client.post(f"/api/v1/me/tokens/{_token_of(first).pk}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False and revoked.json()["revoked_at"]
    refused = _client_with(host, first).get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "此令牌已被撤销。"
    assert _client_with(host, someone_else).get("/api/v1/me/").status_code == 200
    event = SecurityEvent.objects.across_schools().get(kind="token_revoked", user_id=user.pk)
    assert event.detail == {"token_id": _token_of(first).pk, "owner_id": user.pk}
    assert event.schema_name == school_a.schema_name

    again = client.post(f"/api/v1/me/tokens/{_token_of(first).pk}/revoke/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_revoked"
    # Revoking the token in use signs the caller out.
    assert client.post(f"/api/v1/me/tokens/{_token_of(second).pk}/revoke/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 401


def test_the_district_administrator_revokes_anyones_token(school_a, client_for, district_host):
    owner = user_with_role(Role.PRINCIPAL, school_a)
    key = _issue(school_host(school_a.code), owner.username).json()["token"]
    token = _token_of(key)
    admin = client_for(None, Role.DISTRICT_ADMIN)
    listed = admin.get("/api/v1/tokens/", {"username": owner.username, "active": True}).json()
    assert [t["id"] for t in listed["results"]] == [token.pk]
    auditor = client_for(None, Role.AUDITOR)
    assert auditor.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404
    response = admin.post(f"/api/v1/tokens/{token.pk}/revoke/")
    assert response.status_code == 200
    assert _client_with(school_host(school_a.code), key).get("/api/v1/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_by_id == admin.user.pk
    event = SecurityEvent.objects.across_schools().get(
        kind="token_revoked", detail__token_id=token.pk
    )
    assert event.user_id == admin.user.pk and event.detail["owner_id"] == owner.pk
    inactive = admin.get("/api/v1/tokens/", {"username": owner.username, "active": False}).json()
    assert [t["id"] for t in inactive["results"]] == [token.pk]
