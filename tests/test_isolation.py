"""Two schools isolated from each other through every endpoint: school B's objects never show
through school A's host, and A's members get nothing on B's host.

Generated from the declarations in test_matrix.py, so a new operation is covered as soon as it is
declared there (and it must be, or test_every_operation_is_declared fails)."""

import pytest

from houqin.roles import DISTRICT_ROLES, Role
from shared_apps.audit.models import Change
from tenants.models import School
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import user_with_role
from tests.matrix import SCHOOL_OPERATIONS, Scene, send

R = Role
# The widest reader of each operation, in this order of preference.
PREFERENCE = [R.AUDITOR, R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.DISTRICT_ADMIN, R.STAFF, R.ACCOUNTANT]
DETAIL = [op for op in SCHOOL_OPERATIONS if "{" in op[1]]
# Lists answering a file rather than rows: each has an isolation test of its own
# (test_assets.py: a label sheet holds only its own school's assets).
FILES = {"/api/v1/assets/labels/"}
LISTS = [
    op
    for op in SCHOOL_OPERATIONS
    if op[0] == "GET" and "{" not in op[1] and op[1] != "/api/v1/me/" and op[1] not in FILES
]


def _strongest(allowed: frozenset[Role]) -> Role:
    # An operation nobody may perform on another's object (revoking someone's token) is tried by
    # the first of them all.
    return next((role for role in PREFERENCE if role in allowed), PREFERENCE[0])


def _client(school: School, role: Role, member_of: School) -> HostClient:
    user = user_with_role(role, None if role in DISTRICT_ROLES else member_of)
    return HostClient(school_host(school.code), user)


@pytest.mark.parametrize(("method", "path"), DETAIL, ids=[f"{m} {p}" for m, p in DETAIL])
def test_school_b_objects_are_not_found_through_school_a(method, path, school_a, school_b):
    role = _strongest(SCHOOL_OPERATIONS[(method, path)])
    url, body = Scene(school_b).path_and_body(method, path)
    client = _client(school_a, role, member_of=school_a)
    before = Change.objects.across_schools().count()
    response = send(client, method, url, body)
    assert response.status_code == 404, response.content[:300]
    assert Change.objects.across_schools().count() == before


@pytest.mark.parametrize(("method", "path"), LISTS, ids=[f"{m} {p}" for m, p in LISTS])
def test_lists_on_school_a_show_nothing_of_school_b(method, path, school_a, school_b):
    role = _strongest(SCHOOL_OPERATIONS[(method, path)])
    scene_b = Scene(school_b)
    b_urls = [
        scene_b.path_and_body("GET", p)[0] for m, p in DETAIL if m == "GET" and p.startswith(path)
    ]
    b_ids = {url.rstrip("/").rsplit("/", 1)[1] for url in b_urls}
    response = _client(school_a, role, member_of=school_a).get(path, {"page_size": 500})
    assert response.status_code == 200
    body = response.json()
    rows = body if isinstance(body, list) else body.get("results", [body])
    leaked = [row for row in rows if str(row.get("id")) in b_ids]
    assert leaked == [], leaked
    for row in rows:
        assert row.get("schema_name", school_a.schema_name) == school_a.schema_name
        assert row.get("school", school_a.code) in (school_a.code, None)


@pytest.mark.parametrize(
    ("method", "path"), list(SCHOOL_OPERATIONS), ids=[f"{m} {p}" for m, p in SCHOOL_OPERATIONS]
)
def test_school_a_members_get_nothing_on_school_b(method, path, school_a, school_b):
    """Every role of school A, with a real token, on B's host: 404 on B's objects, 403 on lists
    and creations, and nothing written."""
    for role in sorted(SCHOOL_OPERATIONS[(method, path)] - DISTRICT_ROLES):
        url, body = Scene(school_b).path_and_body(method, path)
        client = _client(school_b, role, member_of=school_a)
        before = Change.objects.across_schools().count()
        response = send(client, method, url, body)
        assert response.status_code == (404 if "{" in path else 403), (role, response.content)
        assert Change.objects.across_schools().count() == before
