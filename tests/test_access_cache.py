"""Tokens and roles are read from the cache between requests (houqin.access), and every change to
who may do what holds from the next request: a token revoked, an account deactivated, a
membership granted or revoked. Reads open no transaction; writes still name their actor."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin import access
from houqin.door import SystemActor
from houqin.roles import Role
from shared_apps.accounts import services
from shared_apps.accounts.backups import school_memberships, school_memberships_restore
from shared_apps.accounts.models import ApiToken, Membership, hash_token_key
from shared_apps.audit.models import Change
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import make_user, token_for, user_with_role

SETUP = SystemActor("test")


def _queries(client: HostClient, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, [q["sql"] for q in queries.captured_queries]


def _reads(sqls: list[str], table: str) -> int:
    return sum(1 for sql in sqls if f'FROM "{table}"' in sql)


def test_a_known_token_and_its_roles_cost_no_query(school_a):
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = HostClient(school_host(school_a.code), principal)
    first_status, first = _queries(client, "/api/v1/feedback/")
    status, again = _queries(client, "/api/v1/feedback/")
    assert first_status == status == 200
    assert _reads(first, "accounts_apitoken") == 1 and _reads(first, "accounts_membership") == 1
    assert _reads(again, "accounts_apitoken") == 0 and _reads(again, "accounts_membership") == 0
    # A read opens no transaction, so it carries no audit context.
    assert not [sql for sql in again if sql in ("BEGIN", "COMMIT")]


def test_a_revoked_token_is_refused_at_the_next_request(school_a, client_for):
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = HostClient(school_host(school_a.code), principal)
    assert client.get("/api/v1/me/").status_code == 200
    token = ApiToken.objects.get(user=principal)
    admin = client_for(None, Role.DISTRICT_ADMIN)
    assert admin.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 200
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "此令牌已被撤销。"


def test_a_deactivated_account_is_refused_at_the_next_request(school_a, client_for):
    staff = user_with_role(Role.STAFF, school_a)
    client = HostClient(school_host(school_a.code), staff)
    assert client.get("/api/v1/me/").status_code == 200
    admin = client_for(None, Role.DISTRICT_ADMIN)
    assert admin.patch(f"/api/v1/users/{staff.pk}/", {"is_active": False}).status_code == 200
    assert client.get("/api/v1/me/").status_code == 401


def test_a_membership_revoked_or_granted_holds_at_the_next_request(school_a):
    principal = make_user(school=school_a)  # an account of the school's own
    Membership.objects.create(user=principal, role=Role.PRINCIPAL.value, school=school_a)
    client = HostClient(school_host(school_a.code), principal)
    assert client.get("/api/v1/feedback/1/").status_code == 404  # none yet, but allowed to ask
    assert client.get("/api/v1/memberships/").status_code == 200
    held = Membership.objects.for_school(school_a).get(user=principal)
    services.membership_revoke(membership=held, actor=SETUP)
    assert client.get("/api/v1/memberships/").status_code == 403
    services.membership_grant(
        user=principal, role=Role.PRINCIPAL.value, school=school_a, actor=SETUP
    )
    assert client.get("/api/v1/memberships/").status_code == 200


def test_a_district_role_granted_holds_on_every_host_at_the_next_request(school_a, district_host):
    officer = user_with_role(Role.NUTRITION_OFFICER, None)
    district = HostClient(district_host, officer)
    school = HostClient(school_host(school_a.code), officer)
    assert district.get("/api/v1/users/").status_code == 403
    assert school.get("/api/v1/feedback/").status_code == 403
    services.membership_grant(user=officer, role=Role.AUDITOR.value, school=None, actor=SETUP)
    assert district.get("/api/v1/users/").status_code == 200
    assert school.get("/api/v1/feedback/").status_code == 200


def test_memberships_restored_from_a_backup_hold_at_the_next_request(school_a):
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = HostClient(school_host(school_a.code), principal)
    assert client.get("/api/v1/memberships/").status_code == 200
    kept = school_memberships(school_a)
    Membership.objects.for_school(school_a).delete()
    assert client.get("/api/v1/memberships/").status_code == 403
    school_memberships_restore(school_a, kept)
    assert client.get("/api/v1/memberships/").status_code == 200


def test_the_generation_moves_on_again_when_a_change_commits(
    school_a, django_capture_on_commit_callbacks
):
    principal = user_with_role(Role.PRINCIPAL, school_a)
    access.remembered("houqin:test", lambda: "read before the commit")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        held = Membership.objects.for_school(school_a).get(user=principal)
        services.membership_revoke(membership=held, actor=SETUP)
        # A request between the change and its commit kept what it read.
        access.remembered("houqin:test", lambda: "read before the commit")
    assert callbacks
    assert access.remembered("houqin:test", lambda: "read after") == "read after"


def test_a_lost_generation_answers_no_entry_kept_before(school_a):
    access.remembered("houqin:test", lambda: "kept")
    caches[access.CACHE].delete(access.GENERATION_KEY)
    assert access.remembered("houqin:test", lambda: "read again") == "read again"


def test_an_unknown_token_is_not_kept(school_a):
    client = HostClient(school_host(school_a.code))
    client.credentials(HTTP_AUTHORIZATION="Token no-such-token")
    assert client.get("/api/v1/me/").status_code == 401
    key = f"houqin:token:{hash_token_key('no-such-token')}"
    assert caches[access.CACHE].get(key) is None


def test_a_use_is_noted_once_a_quarter_hour_and_read_afresh(school_a):
    principal = user_with_role(Role.PRINCIPAL, school_a)
    key = token_for(principal)
    ApiToken.objects.filter(user=principal).update(last_used_at=None)
    client = HostClient(school_host(school_a.code))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    noted = ApiToken.objects.get(user=principal).last_used_at
    assert noted is not None and timezone.now() - noted < timedelta(minutes=1)
    status, sqls = _queries(client, "/api/v1/me/")
    assert status == 200
    # The noted use was read afresh: the request does not note it again.
    assert not [sql for sql in sqls if sql.startswith('UPDATE "accounts_apitoken"')]


@pytest.mark.parametrize("cached_first", [False, True])
def test_a_write_by_a_cached_token_still_names_its_actor(school_a, cached_first):
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = HostClient(school_host(school_a.code), principal)
    if cached_first:
        assert client.get("/api/v1/feedback/").status_code == 200
    body = {"category": "praise", "subject": "食堂", "body": "饭菜可口"}
    created = client.post("/api/v1/feedback/", body, format="json")
    assert created.status_code == 201
    change = (
        Change.objects.across_schools()
        .filter(table_name="feedback_feedback", row_id=str(created.json()["id"]))
        .get(operation="INSERT")
    )
    assert change.actor_id == principal.pk
    assert change.request_id
