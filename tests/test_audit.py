"""The audit trail: what the triggers record (API writes, bulk and queryset writes), what they
never copy (secrets), that the trail is append-only, that migrations wire every table (and
unwire it when reversed), and the install check. The trail against the application's own role:
tests/test_trail_roles.py; redaction by rule: test_trail_redaction.py."""

import json
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import django.db
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.db.models.signals import post_migrate
from django_tenants.utils import schema_context

from houqin import context
from houqin.roles import Role
from shared_apps.accounts.models import ApiToken, hash_token_key
from shared_apps.audit import triggers
from shared_apps.audit.models import Change, SecurityEvent
from shared_apps.audit.sealed import seal_trail
from shared_apps.audit.services import SIGN_IN, security_event_record
from shared_apps.procurement.models import Bid
from tenant_apps.feedback.models import Feedback
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import PASSWORD, SETUP, make_user, user_with_role

ClientFor = Callable[..., HostClient]
InSchool = Callable[[School], Any]

FEEDBACK = {"category": "complaint", "subject": "米饭太硬", "body": "今天午饭的米饭没有煮熟。"}


def last_change_id() -> int:
    return Change.objects.across_schools().aggregate(m=Max("id"))["m"] or 0


def changes_since(mark: int, **filters: Any) -> list[Change]:
    return list(Change.objects.across_schools().filter(id__gt=mark, **filters).order_by("id"))


# --- API writes on a school host -----------------------------------------------------------


def test_api_insert_on_school_host_is_recorded_with_actor_and_request_id(
    client_for: ClientFor, school_a: School
) -> None:
    client = client_for(school_a, Role.STAFF)
    assert client.user is not None
    mark = last_change_id()

    response = client.post("/api/v1/feedback/", FEEDBACK)

    assert response.status_code == 201, response.content
    request_id = response["X-Request-ID"]
    assert request_id
    rows = changes_since(mark, table_name="feedback_feedback")
    assert len(rows) == 1
    row = rows[0]
    assert row.schema_name == "s_100001"
    assert row.operation == Change.Operation.INSERT
    assert row.row_id == str(response.json()["id"])
    assert row.actor_id == client.user.pk
    assert row.request_id == request_id
    assert row.before is None and row.after is not None
    assert row.after["subject"] == FEEDBACK["subject"]
    assert row.after["author_id"] == client.user.pk
    assert row.after["status"] == "open"
    # Every write of that request carries the same actor and request id.
    for other in changes_since(mark, request_id=request_id):
        assert other.actor_id == client.user.pk


def test_api_update_on_school_host_is_recorded_with_before_and_after(
    client_for: ClientFor, school_a: School
) -> None:
    created = client_for(school_a, Role.STAFF).post("/api/v1/feedback/", FEEDBACK)
    assert created.status_code == 201, created.content
    feedback_id = created.json()["id"]
    principal = client_for(school_a, Role.PRINCIPAL)
    assert principal.user is not None
    mark = last_change_id()

    response = principal.post(
        f"/api/v1/feedback/{feedback_id}/respond/", {"response": "已经更换了电饭锅。"}
    )

    assert response.status_code == 200, response.content
    rows = changes_since(mark, table_name="feedback_feedback")
    assert len(rows) == 1
    row = rows[0]
    assert row.schema_name == "s_100001"
    assert row.operation == Change.Operation.UPDATE
    assert row.row_id == str(feedback_id)
    assert row.actor_id == principal.user.pk
    assert row.request_id == response["X-Request-ID"]
    assert row.before is not None and row.after is not None
    assert row.before["status"] == "open"
    assert row.before["response"] == ""
    assert row.before["responded_by_id"] is None
    assert row.after["status"] == "answered"
    assert row.after["response"] == "已经更换了电饭锅。"
    assert row.after["responded_by_id"] == principal.user.pk
    assert row.after["responded_at"] is not None


def test_client_request_id_is_recorded_when_safe_and_replaced_when_not(
    client_for: ClientFor, school_a: School
) -> None:
    client = client_for(school_a, Role.STAFF)

    mark = last_change_id()
    response = client.post("/api/v1/feedback/", FEEDBACK, HTTP_X_REQUEST_ID="proxy-req-42")
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "proxy-req-42"
    [row] = changes_since(mark, table_name="feedback_feedback")
    assert row.request_id == "proxy-req-42"

    mark = last_change_id()
    unsafe = "x', true); DROP TABLE audit_change; --"
    response = client.post("/api/v1/feedback/", FEEDBACK, HTTP_X_REQUEST_ID=unsafe)
    assert response.status_code == 201, response.content
    replaced = response["X-Request-ID"]
    assert replaced != unsafe
    [row] = changes_since(mark, table_name="feedback_feedback")
    assert row.request_id == replaced


# --- Bulk and queryset writes --------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 40])
def test_bulk_and_queryset_writes_make_one_row_per_row(
    db: Any, school_a: School, in_school: InSchool, n: int
) -> None:
    author = make_user()
    actor = make_user()
    with in_school(school_a):
        untouched = Feedback.objects.create(author=author, category="praise", subject="s", body="b")

        with context.acting(request_id="bulk-insert", actor_id=actor.pk):
            mark = last_change_id()
            created = Feedback.objects.bulk_create(
                [
                    Feedback(author=author, category="suggestion", subject=f"s{i}", body="b")
                    for i in range(n)
                ]
            )
        ids = sorted(f.pk for f in created)
        inserts = changes_since(mark)
        assert len(inserts) == n
        assert sorted(int(r.row_id) for r in inserts) == ids
        for row in inserts:
            assert (row.schema_name, row.table_name) == ("s_100001", "feedback_feedback")
            assert row.operation == Change.Operation.INSERT
            assert (row.actor_id, row.request_id) == (actor.pk, "bulk-insert")
            assert row.before is None and row.after is not None

        with context.acting(request_id="bulk-update", actor_id=actor.pk):
            mark = last_change_id()
            updated = Feedback.objects.filter(pk__in=ids).update(subject="改过了")
        assert updated == n
        updates = changes_since(mark)
        assert len(updates) == n
        assert sorted(int(r.row_id) for r in updates) == ids
        for row in updates:
            assert row.operation == Change.Operation.UPDATE
            assert (row.actor_id, row.request_id) == (actor.pk, "bulk-update")
            assert row.before is not None and row.after is not None
            assert row.before["subject"] != "改过了"
            assert row.after["subject"] == "改过了"
            assert row.before["id"] == row.after["id"] == int(row.row_id)

        with context.acting(request_id="bulk-delete", actor_id=actor.pk):
            mark = last_change_id()
            deleted, _ = Feedback.objects.filter(pk__in=ids).delete()
        assert deleted == n
        deletes = changes_since(mark)
        assert len(deletes) == n
        assert sorted(int(r.row_id) for r in deletes) == ids
        for row in deletes:
            assert row.operation == Change.Operation.DELETE
            assert (row.actor_id, row.request_id) == (actor.pk, "bulk-delete")
            assert row.after is None
            assert row.before is not None and row.before["subject"] == "改过了"

        assert Feedback.objects.filter(pk=untouched.pk).exists()
    assert (
        not Change.objects.across_schools()
        .filter(
            schema_name="s_100001",
            table_name="feedback_feedback",
            row_id=str(untouched.pk),
            operation__in=["UPDATE", "DELETE"],
        )
        .exists()
    )


def test_writes_in_public_schema_are_recorded_with_public_schema(db: Any) -> None:
    actor = make_user()
    with context.acting(request_id="public-write", actor_id=actor.pk):
        mark = last_change_id()
        user = make_user()
    rows = changes_since(mark, table_name="accounts_user")
    assert [r.row_id for r in rows if r.operation == "INSERT"] == [str(user.pk)]
    for row in rows:
        assert row.schema_name == "public"
        assert (row.actor_id, row.request_id) == (actor.pk, "public-write")


def test_a_write_after_the_context_ended_is_not_credited_to_its_actor(db: Any) -> None:
    """The settings are transaction-local: a later write in the same transaction, made with no
    context, must not inherit them."""
    actor = make_user()
    with context.acting(request_id="ended", actor_id=actor.pk):
        make_user()
    mark = last_change_id()
    anonymous = make_user()
    rows = changes_since(mark, table_name="accounts_user", row_id=str(anonymous.pk))
    assert rows
    assert {(row.actor_id, row.request_id) for row in rows} == {(None, None)}


# --- Redaction -----------------------------------------------------------------------------


def _assert_never_copied(rows: list[Change], column: str, secret: str) -> None:
    for row in rows:
        for image in (row.before, row.after):
            if image is not None:
                assert column not in image, f"{column} copied into {row}"
                assert secret not in json.dumps(image), f"secret copied into {row}"


def test_user_password_is_never_in_the_trail(db: Any) -> None:
    mark = last_change_id()
    user = make_user()  # INSERT, then the save after set_password (UPDATE)
    user.set_password("Another-password-2026")
    user.save()
    secret_hash = user.password
    user.display_name = "改名"
    user.save()
    user_pk = user.pk
    # Not user.delete(): its collector would look for feedback rows in the public schema.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user_pk])

    rows = changes_since(mark, table_name="accounts_user", row_id=str(user_pk))
    assert {r.operation for r in rows} == {"INSERT", "UPDATE", "DELETE"}
    assert any(r.after and r.after.get("display_name") == "改名" for r in rows)
    assert all((r.after or r.before or {}).get("username") == user.username for r in rows)
    _assert_never_copied(rows, "password", secret_hash)


def test_password_is_not_in_the_trail_of_a_session_login(
    db: Any, client: Any, district_host: str
) -> None:
    user = user_with_role(Role.DISTRICT_ADMIN)
    mark = last_change_id()
    response = client.post(
        "/admin/login/",
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
        HTTP_HOST=district_host,
    )
    assert response.status_code == 302, response.content
    rows = changes_since(mark, table_name="accounts_user")
    assert rows, "the last_login update should be in the trail"
    user.refresh_from_db()
    _assert_never_copied(rows, "password", user.password)


def test_api_token_hash_is_never_in_the_trail(client_for: ClientFor) -> None:
    user = user_with_role(Role.AUDITOR)
    mark = last_change_id()

    response = client_for(None).post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 200, response.content
    key_hash = hash_token_key(response.json()["token"])
    token = ApiToken.objects.get(key_hash=key_hash)
    token_pk = token.pk
    token.delete()
    rows = changes_since(mark, table_name="accounts_apitoken", row_id=str(token_pk))
    assert [r.operation for r in rows] == ["INSERT", "DELETE"]
    assert rows[0].after is not None and rows[0].after["user_id"] == user.pk
    assert rows[0].request_id == response["X-Request-ID"]
    _assert_never_copied(rows, "key_hash", key_hash)


# --- Append-only ---------------------------------------------------------------------------

TRAIL_TABLES = ["audit_change", "audit_securityevent"]
TAMPERING = [
    "UPDATE public.{table} SET schema_name = 'tampered' WHERE id = %s",
    "DELETE FROM public.{table} WHERE id = %s",
    "TRUNCATE public.{table}",
    "TRUNCATE public.{table} CASCADE",
]


@pytest.fixture
def trail_rows(db: Any) -> dict[str, int]:
    """One row in each trail table (their ids, by table)."""
    make_user()
    event = security_event_record(kind=SecurityEvent.Kind.LOGOUT, actor=SIGN_IN, username="someone")
    return {"audit_change": last_change_id(), "audit_securityevent": event.pk}


def _schema_of_row(table: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT schema_name FROM public.{table} WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.parametrize("table", TRAIL_TABLES)
@pytest.mark.parametrize("statement", TAMPERING)
def test_trail_refuses_update_delete_truncate(
    trail_rows: dict[str, int], table: str, statement: str
) -> None:
    pk = trail_rows[table]
    before = _schema_of_row(table, pk)
    assert before is not None
    sql = statement.format(table=table)
    with (
        pytest.raises(django.db.Error, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [pk] if "%s" in sql else None)
    assert _schema_of_row(table, pk) == before


@pytest.mark.parametrize("model", [Change, SecurityEvent])
def test_trail_refuses_orm_update_and_delete(trail_rows: dict[str, int], model: Any) -> None:
    pk = trail_rows[model._meta.db_table]
    with pytest.raises(django.db.Error), transaction.atomic():
        model.objects.across_schools().filter(pk=pk).update(schema_name="tampered")
    with pytest.raises(django.db.Error), transaction.atomic():
        model.objects.across_schools().filter(pk=pk).delete()
    with pytest.raises(django.db.Error), transaction.atomic():
        model.objects.across_schools().get(pk=pk).delete()
    assert model.objects.across_schools().get(pk=pk).schema_name != "tampered"


PROBE = "houqin_app_probe"


@pytest.fixture
def wrongly_granted(trail_rows: dict[str, int]) -> Iterator[Any]:
    """A cursor acting as a role wrongly granted every privilege on the trail (production grants
    the application SELECT only, and tests/test_trail_roles.py attacks it as that role). Created
    inside the test's transaction, so the role and its grants are rolled back with it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {PROBE} NOLOGIN NOSUPERUSER")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {PROBE}")
        cursor.execute(f"GRANT ALL ON public.audit_change TO {PROBE}")
        cursor.execute(f"SET LOCAL ROLE {PROBE}")
        try:
            yield cursor
        finally:
            cursor.execute("RESET ROLE")


def test_guard_holds_even_where_privileges_were_wrongly_granted(wrongly_granted: Any) -> None:
    cursor = wrongly_granted
    for sql in [
        "UPDATE public.audit_change SET table_name = 'tampered'",
        "DELETE FROM public.audit_change",
        "TRUNCATE public.audit_change",
    ]:
        with pytest.raises(django.db.Error, match="append-only"), transaction.atomic():
            cursor.execute(sql)
    cursor.execute("SELECT count(*) FROM public.audit_change WHERE table_name = 'tampered'")
    assert cursor.fetchone() == (0,)


def test_trail_belongs_to_the_nologin_trail_role(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), r.rolcanlogin FROM pg_class c "
            "JOIN pg_roles r ON r.oid = c.relowner JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relname IN ('audit_change', 'audit_securityevent') "
            "ORDER BY c.relname"
        )
        assert cursor.fetchall() == [
            ("audit_change", "houqin_trail", False),
            ("audit_securityevent", "houqin_trail", False),
        ]


# --- The install check ---------------------------------------------------------------------


def _audit_triggers(schema: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND NOT t.tgisinternal",
            [schema, table],
        )
        return {name for (name,) in cursor.fetchall()}


AUDIT_TRIGGERS = {"houqin_audit_insert", "houqin_audit_update", "houqin_audit_delete"}


def test_every_tracked_table_is_wired_in_every_schema(db: Any) -> None:
    assert triggers.missing_triggers(connection) == []
    assert _audit_triggers("public", "accounts_user") >= AUDIT_TRIGGERS
    assert _audit_triggers("public", "audit_finding") >= AUDIT_TRIGGERS
    assert not AUDIT_TRIGGERS & _audit_triggers("public", "audit_change")
    schools = list(School.objects.all())
    assert {s.code for s in schools} >= {"100001", "100002"}
    for school in schools:
        assert _audit_triggers(school.schema_name, "feedback_feedback") >= AUDIT_TRIGGERS
        with schema_context(school.schema_name):
            assert triggers.missing_triggers(connection) == [], school.schema_name


@pytest.mark.parametrize(
    ("schema", "table"),
    [("s_100001", "feedback_feedback"), ("public", "accounts_user"), ("public", "tenants_school")],
)
@pytest.mark.parametrize("op", ["insert", "update", "delete"])
def test_dropping_a_trigger_is_reported(db: Any, schema: str, table: str, op: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER houqin_audit_{op} ON "{schema}"."{table}"')
    with schema_context(schema):
        assert triggers.missing_triggers(connection) == [table]
    other = "public" if schema != "public" else "s_100002"
    with schema_context(other):
        assert triggers.missing_triggers(connection) == []


def test_disabling_a_trigger_is_reported(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            'ALTER TABLE "s_100001"."feedback_feedback" DISABLE TRIGGER houqin_audit_update'
        )
    with schema_context("s_100001"):
        assert triggers.missing_triggers(connection) == ["feedback_feedback"]


def _migrate_to(*targets: tuple[str, str]) -> None:
    """Migrate the schema in force to `targets` (forwards or backwards), as a release does."""
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_the_migrations_wire_a_school_and_reversing_one_unwires_what_it_wired(
    db: Any, school_a: School, in_school: InSchool
) -> None:
    """The triggers are part of the migration history (no hook after `migrate` adds them):
    reversing the migration that wired feedback's table in a school takes its triggers away, and
    only there; applying it again puts them back."""
    with in_school(school_a):
        _migrate_to(("feedback", "0001_initial"))
        assert triggers.missing_triggers(connection) == ["feedback_feedback"]
        assert not AUDIT_TRIGGERS & _audit_triggers(school_a.schema_name, "feedback_feedback")
        assert _audit_triggers(school_a.schema_name, "people_student") >= AUDIT_TRIGGERS
        _migrate_to(*_leaves())
        assert triggers.missing_triggers(connection) == []
    with schema_context("s_100002"):
        assert triggers.missing_triggers(connection) == []


def test_the_migrations_wire_the_centre_and_reversing_one_unwires_what_it_wired(db: Any) -> None:
    """The audit app's own migration wires Django's, the libraries' and the platform's tables:
    reversed in the centre, those lose their triggers and the other apps' tables keep theirs."""
    _migrate_to(("audit", "0005_token_revoked"))
    unwired = set(triggers.missing_triggers(connection))
    assert {"audit_finding", "auth_group", "django_admin_log", "axes_accessattempt"} <= unwired
    assert {"guardian_userobjectpermission", "houqin_idempotencyrecord"} <= unwired
    assert not {"accounts_user", "tenants_school", "procurement_bid"} & unwired
    with schema_context("s_100001"):
        # Guardian's tables in a school are wired by the school's own run of that migration.
        assert triggers.missing_triggers(connection) == []
    _migrate_to(*_leaves())
    assert triggers.missing_triggers(connection) == []


def test_nothing_of_the_application_listens_for_the_end_of_a_migrate_run() -> None:
    """What `migrate` leaves is what the migrations made: no hook adds triggers afterwards, so a
    release's executor, the school template's build and `migrate` agree."""
    listening = [
        ref() if isinstance(ref, weakref.ReferenceType) else ref
        for _key, ref, _is_async in post_migrate.receivers
    ]
    modules = {str(getattr(receiver, "__module__", "")) for receiver in listening}
    ours = ("houqin", "shared_apps", "tenant_apps", "tenants")
    assert not [module for module in modules if module.split(".")[0] in ours]


def test_a_new_school_schema_is_wired(db: Any) -> None:
    from tenants.services import school_create

    author = make_user()
    school = school_create(actor=SETUP, code="100099", name="新建学校", kind=School.Kind.PRIMARY)
    with schema_context(school.schema_name):
        assert triggers.missing_triggers(connection) == []
        with context.acting(request_id="new-school", actor_id=None):
            mark = last_change_id()
            Feedback.objects.create(author=author, category="praise", subject="s", body="b")
    [row] = changes_since(mark, table_name="feedback_feedback")
    assert (row.schema_name, row.request_id) == ("s_100099", "new-school")


def test_a_sealed_trail_is_the_owners_one_declaration_of_its_district_rows() -> None:
    # A school's rows are named by their schema too, which one selector's ids cannot say.
    with pytest.raises(ImproperlyConfigured, match="every school's schema"):
        seal_trail(Feedback, Feedback.objects.none)
    # Procurement seals its bids; a second, different declaration would silently widen or
    # narrow it.
    with pytest.raises(ImproperlyConfigured, match="already sealed otherwise"):
        seal_trail(Bid, Bid.objects.none)
