"""The isolation and role matrix, generated for every API operation.

The declarations in tests/matrix/ name, for each operation of the OpenAPI schema of a
school host and of the district host, the roles allowed to perform it. Every other role, a member of
another school, and anonymous callers are denied: 401 when anonymous, 404 on detail operations
(not allowed looks the same as not found), 403 otherwise; a denied call changes no row (the audit
trail, which records every write, does not grow) and queues no task, not even on commit.
`test_every_operation_is_declared` fails when an endpoint is added without an entry here.

The admin's pages join the matrix (tests/matrix/admin.py): every model registered on the admin
site, on its host, for every role, a member of another school and anonymous callers. Whoever
holds no role on the host is sent to sign in; a role is let through a page when the registry
grants it on the whole model and, to write, when the model admin writes through a service;
everyone else gets 403, and a refused page writes nothing.
"""

import contextlib
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import models, transaction
from django.test import Client

from houqin.admin import site, stored_in_schools
from houqin.api.permissions import RolePermission
from houqin.roles import DISTRICT_ROLES, EXTERNAL_ROLES, SCHOOL_ROLES, Role
from houqin.tasks import SchoolTask
from tenants.models import School
from tenants.routing import school_host
from tenants.tasks import pool_refill_task, school_check_task
from tests.conftest import SCHOOL_B, HostClient, last_change, tasks_queued
from tests.factories import user_with_role
from tests.matrix import DISTRICT_OPERATIONS, SCHOOL_OPERATIONS, R, Scene, send
from tests.matrix.admin import PAGES, WRITES, may, row_id

# Operations meant for anonymous callers, tested in test_tokens.py.
PUBLIC_OPERATIONS = {("POST", "/api/v1/auth/token/")}
# Operations a device calls with its own key instead of a user's token (the district host's GPS
# ingest, tested in test_transport_api.py; a school's boarding terminals, tested in
# test_riders_terminals.py).
DEVICE_OPERATIONS = {("POST", "/api/v1/transport/telemetry/")}
SCHOOL_DEVICE_OPERATIONS = {
    ("POST", "/api/v1/riders/terminal/passages/"),
    ("POST", "/api/v1/riders/terminal/passages/report/"),
}

OUTSIDER = "member of another school"
ANONYMOUS = "anonymous"
SUCCESS = {"GET": 200, "POST": (200, 201), "PATCH": 200, "DELETE": 204}


def _denied_status(method: str, path: str, anonymous: bool) -> int:
    if anonymous:
        return 401
    return 404 if "{" in path else 403


def _cells(operations: dict[tuple[str, str], frozenset[Role]], extra: list[str]) -> list[Any]:
    """A cell for each role allowed an operation, and one for all the callers it refuses.

    The refused callers share one cell, one scene and one transaction: a refusal writes nothing
    (each call checks it), so none of them can change what the next one meets, and a cell per
    refusal cost the suite a scene and a transaction each, thousands of times. Their cells run
    untraced by coverage (no_cover): they all take the same few refusals, which the allowed
    cells and the other suites cover."""
    who: list[Any] = [*sorted(DISTRICT_ROLES), *sorted(SCHOOL_ROLES), *extra]
    cells = []
    for (method, path), allowed in operations.items():
        cells += [
            pytest.param(method, path, (w,), id=f"{method} {path} as {w}")
            for w in who
            if w in allowed
        ]
        refused = tuple(w for w in who if w not in allowed)
        cells.append(
            pytest.param(
                method, path, refused, id=f"{method} {path} refused", marks=pytest.mark.no_cover
            )
        )
    return cells


def _caller(client_for: Callable[..., HostClient], where: School | None, who: Any) -> HostClient:
    if who == ANONYMOUS:
        return client_for(where, None)
    if who == OUTSIDER:
        return client_for(where, user_with_role(R.PRINCIPAL, School.objects.get(code=SCHOOL_B)))
    if where is None and who in SCHOOL_ROLES:
        # A school's member on the district host: they hold no role there.
        return client_for(None, user_with_role(who, School.objects.get(code=SCHOOL_B)))
    return client_for(where, who)


def _run_cell(
    client_for: Callable[..., HostClient],
    where: School | None,
    scene: Scene,
    allowed: frozenset[Role],
    method: str,
    path: str,
    callers: tuple[Any, ...],
) -> None:
    # The first caller's account is made before the scene: a scene may act as the last account
    # made (the caller's, as the owner of what it opens).
    client = _caller(client_for, where, callers[0])
    url, body = scene.path_and_body(method, path)
    for index, who in enumerate(callers):
        if index:
            client = _caller(client_for, where, who)
        before = last_change()
        with tasks_queued() as queued:
            response = send(client, method, url, body)
        if who in allowed:
            expected = SUCCESS[method]
            assert response.status_code in (
                expected if isinstance(expected, tuple) else (expected,)
            ), (who, response.status_code, response.content[:300])
            continue
        assert response.status_code == _denied_status(method, path, who == ANONYMOUS), (
            who,
            response.content[:300],
        )
        assert response.json()["error"]["status"] == response.status_code, who
        assert last_change() == before, f"a denied call wrote something, as {who}"
        assert queued == [], f"a denied call queued {queued}, as {who}"


@pytest.mark.parametrize(
    ("method", "path", "callers"), _cells(SCHOOL_OPERATIONS, [OUTSIDER, ANONYMOUS])
)
def test_school_operation(client_for, school_a, method, path, callers):
    allowed = SCHOOL_OPERATIONS[(method, path)]
    _run_cell(client_for, school_a, Scene(school_a), allowed, method, path, callers)


@pytest.mark.parametrize(("method", "path", "callers"), _cells(DISTRICT_OPERATIONS, [ANONYMOUS]))
def test_district_operation(client_for, school_a, method, path, callers):
    allowed = DISTRICT_OPERATIONS[(method, path)]
    _run_cell(client_for, None, Scene(None), allowed, method, path, callers)


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
        _run_cell(client_for, school_a, Scene(school_a), allowed, method, path, (R.STAFF,))


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
        _schema_operations(school_host(school_a.code))
        == set(SCHOOL_OPERATIONS) | PUBLIC_OPERATIONS | SCHOOL_DEVICE_OPERATIONS
    )
    assert (
        _schema_operations(district_host)
        == set(DISTRICT_OPERATIONS) | PUBLIC_OPERATIONS | DEVICE_OPERATIONS
    )


def test_no_school_operation_answers_an_external_account():
    """Suppliers' and evaluators' accounts exist on the district host only (houqin.roles): the
    cells above try each of them on every school operation and expect a refusal."""
    for operation, allowed in SCHOOL_OPERATIONS.items():
        assert not allowed & EXTERNAL_ROLES, operation


# The admin's pages ------------------------------------------------------------------------------

ADMIN_MODELS = sorted(site._registry, key=lambda model: model._meta.label)


def _holds_nothing(school_models: bool, who: Any) -> bool:
    """Whether `who` holds no role on the admin's host (see _admin_browser)."""
    if who in (ANONYMOUS, OUTSIDER):
        return True
    return who in (EXTERNAL_ROLES if school_models else SCHOOL_ROLES)


def _admin_cells(school_models: bool) -> list[Any]:
    """Every role and `extra` caller on every model admin of the host. The cells of callers who
    hold nothing there run untraced by coverage (no_cover), like the API's denied cells: they all
    take the same way to the sign-in page."""
    extra = [OUTSIDER, ANONYMOUS] if school_models else [ANONYMOUS]
    who: list[Any] = [*sorted(DISTRICT_ROLES), *sorted(SCHOOL_ROLES), *extra]
    return [
        pytest.param(
            model,
            w,
            id=f"admin {model._meta.label} as {w}",
            marks=pytest.mark.no_cover if _holds_nothing(school_models, w) else (),
        )
        for model in ADMIN_MODELS
        if stored_in_schools(model) == school_models
        for w in who
    ]


def _admin_browser(where: School | None, who: Any) -> tuple[Client, frozenset[Role]]:
    """A browser on the host of `where` (the centre's for None), signed in as `who`, and the
    roles `who` holds there."""
    host = settings.DISTRICT_DOMAIN if where is None else school_host(where.code)
    client = Client(HTTP_HOST=host)
    if who == ANONYMOUS:
        return client, frozenset()
    school_b = School.objects.get(code=SCHOOL_B)
    if who == OUTSIDER:
        client.force_login(user_with_role(R.PRINCIPAL, school_b))
        return client, frozenset()
    if where is None and who in SCHOOL_ROLES:
        # A school's member on the district host: they hold no role there.
        client.force_login(user_with_role(who, school_b))
        return client, frozenset()
    client.force_login(user_with_role(who, None if who in DISTRICT_ROLES else where))
    # An external account holds nothing on a school's host.
    return client, frozenset() if where is not None and who in EXTERNAL_ROLES else frozenset({who})


def _run_admin_cell(where: School | None, model: type[models.Model], who: Any) -> None:
    client, roles = _admin_browser(where, who)
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    # A row to open when the role may see the model; a refusal comes before any look-up.
    pk = row_id(model, Scene(where)) if may(model, "view", roles) else 0
    urls = {
        "list": base,
        "view": f"{base}{pk}/change/",
        "add": f"{base}add/",
        "change": f"{base}{pk}/change/",
        "delete": f"{base}{pk}/delete/",
    }
    allowed = {page for page, _action, _write in PAGES if roles and may(model, page, roles)}
    # Whatever is refused writes nothing: checked once for the cell when it writes nothing at
    # all (a page at a time when it may write).
    writes = {page for page, _action, write in PAGES if write} & allowed
    before = last_change()
    for page, _action, write in PAGES:
        if writes:
            before = last_change()
        if write is None:
            response = client.get(urls[page])
        else:
            response = client.post(urls[page], {"post": "yes"} if page == "delete" else {})
        where_to = f"{page} {urls[page]}"
        if not roles:
            assert response.status_code == 302, (where_to, response.status_code)
            assert response["Location"].startswith("/admin/login/"), where_to
        elif page in allowed:
            expected = {"list": (200,), "view": (200,), "delete": (302,)}.get(page, (200, 302))
            assert response.status_code in expected, (where_to, response.status_code)
        else:
            assert response.status_code == 403, (where_to, response.status_code)
        if writes and page not in allowed:
            assert last_change() == before, f"{where_to} wrote something"
    if not writes:
        assert last_change() == before, "a refused page wrote something"


@pytest.mark.parametrize(("model", "who"), _admin_cells(school_models=True))
def test_school_admin_page(school_a, model, who):
    _run_admin_cell(school_a, model, who)


@pytest.mark.parametrize(("model", "who"), _admin_cells(school_models=False))
def test_district_admin_page(school_a, model, who):
    _run_admin_cell(None, model, who)


@pytest.mark.parametrize("who", [*sorted(DISTRICT_ROLES), *sorted(SCHOOL_ROLES), ANONYMOUS])
@pytest.mark.parametrize("on_school_host", [True, False], ids=["school host", "district host"])
def test_the_other_schemas_models_answer_no_one(school_a, on_school_host, who):
    """A model is opened only on the host whose schema stores it."""
    client, roles = _admin_browser(school_a if on_school_host else None, who)
    for model in ADMIN_MODELS:
        if stored_in_schools(model) == on_school_host:
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for response in (client.get(base), client.post(f"{base}add/", {})):
            assert response.status_code == (403 if roles else 302), (model, response.status_code)


def test_every_admin_write_is_declared():
    """What each model admin writes (through its services) is what the matrix expects."""
    declared = {}
    for model, model_admin in site._registry.items():
        writes = {
            kind
            for kind in ("add", "change", "delete")
            if getattr(model_admin, f"{kind}_through") is not None
        }
        writes |= {getattr(action, "__name__", str(action)) for action in model_admin.actions or ()}
        if writes:
            declared[model] = frozenset(writes)
    assert declared == WRITES
