"""The audit trail against the application's own database role, on a database set up as
production sets it up (deploy/postgres/bootstrap.sql and trail_ownership.sql, run by the harness):
as `houqin_app`, on a connection of its own, every way of forging, altering or silencing the
trail fails; the trail check that web and worker run at start catches what a superuser could
still do (a disabled trigger, a changed function, the trail re-owned)."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import override_settings
from psycopg2 import errors

from houqin import devstack
from houqin.celery import worker_refuses_unless_database_is_sound
from houqin.startup import refuse_unless_database_is_sound
from shared_apps.audit import triggers
from shared_apps.audit.checks import trail_problems
from tenants import provisioning
from tests.conftest import SCHOOL_A, HostClient

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = f"s_{SCHOOL_A}"
APP = devstack.APP_ROLE


def _app_url() -> str:
    return devstack.url_as(
        os.environ["DATABASE_URL"], user=APP, database=str(connection.settings_dict["NAME"])
    )


@pytest.fixture
def app(db: Any) -> Iterator[Any]:
    """A cursor on a connection of its own, logged in as the application's role. Each statement
    is its own transaction (autocommit): what the test's transaction holds is not visible, what
    the harness committed is."""
    conn = psycopg2.connect(_app_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


def _refused(cursor: Any, sql: str, params: Any = None) -> str:
    with pytest.raises(errors.InsufficientPrivilege) as caught:
        cursor.execute(sql, params)
    return str(caught.value)


def _trail_row_id(cursor: Any) -> int:
    cursor.execute("SELECT max(id) FROM public.audit_change")
    return int(cursor.fetchone()[0])


# --- Who the application is ------------------------------------------------------------------


def test_the_app_role_owns_nothing_creates_nothing_and_is_nobody_else(app: Any) -> None:
    app.execute(
        "SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls "
        "FROM pg_roles r WHERE r.rolname = current_user"
    )
    assert app.fetchone() == (APP, False, False, False, False)
    app.execute("SELECT count(*) FROM pg_auth_members WHERE member = %s::regrole", [APP])
    assert app.fetchone() == (0,), "member of another role"
    for catalog, owner in [
        ("pg_class", "relowner"),
        ("pg_namespace", "nspowner"),
        ("pg_proc", "proowner"),
        ("pg_database", "datdba"),
    ]:
        app.execute(f"SELECT count(*) FROM {catalog} WHERE {owner} = %s::regrole", [APP])
        assert app.fetchone() == (0,), f"owns something in {catalog}"
    app.execute(
        "SELECT nspname FROM pg_namespace WHERE has_schema_privilege(current_user, oid, 'CREATE')"
    )
    assert app.fetchall() == [], "may create in a schema"
    app.execute("SELECT has_database_privilege(current_database(), 'CREATE, TEMPORARY')")
    assert app.fetchone() == (False,)


def test_what_the_app_writes_is_recorded_by_the_trail_function(app: Any) -> None:
    """The app has no INSERT on the trail, yet its writes are recorded: by the function, as the
    trail's role, with the actor the app named."""
    app.execute("BEGIN")
    try:
        mark = _trail_row_id(app)
        app.execute(
            "SELECT set_config('houqin.actor_id', '4242', true), "
            "set_config('houqin.request_id', 'as-the-app', true)"
        )
        app.execute("UPDATE public.tenants_school SET name = name WHERE code = %s", [SCHOOL_A])
        app.execute(
            "SELECT table_name, operation, actor_id, request_id FROM public.audit_change "
            "WHERE id > %s",
            [mark],
        )
        assert app.fetchall() == [("tenants_school", "UPDATE", 4242, "as-the-app")]
    finally:
        app.execute("ROLLBACK")


# --- Forging, altering, silencing --------------------------------------------------------------

TABLE = f'"{SCHEMA}"."feedback_feedback"'
FORGED = (
    "INSERT INTO public.audit_change (occurred_at, schema_name, table_name, operation, row_id) "
    "VALUES (now(), 'public', 'tenants_school', 'UPDATE', '1')"
)
ATTACKS = {
    "forge a trail row": FORGED,
    "alter a trail row": "UPDATE public.audit_change SET actor_id = NULL",
    "delete trail rows": "DELETE FROM public.audit_change",
    "truncate the trail": "TRUNCATE public.audit_change",
    "alter a security event": "UPDATE public.audit_securityevent SET username = 'x'",
    "delete security events": "DELETE FROM public.audit_securityevent",
    "disable a trigger": f"ALTER TABLE {TABLE} DISABLE TRIGGER houqin_audit_update",
    "disable every trigger": "ALTER TABLE public.tenants_school DISABLE TRIGGER ALL",
    "disable the trail's guard": "ALTER TABLE public.audit_change DISABLE TRIGGER ALL",
    "drop a trigger": f"DROP TRIGGER houqin_audit_delete ON {TABLE}",
    "rewire a trigger": (
        f"CREATE OR REPLACE TRIGGER houqin_audit_update AFTER UPDATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION public.houqin_append_only()"
    ),
    "replace the trigger function with a no-op": (
        "CREATE OR REPLACE FUNCTION public.houqin_audit_rows() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
    ),
    "take the trigger function": f"ALTER FUNCTION public.houqin_audit_rows() OWNER TO {APP}",
    "weaken the trigger function": "ALTER FUNCTION public.houqin_audit_rows() RESET search_path",
    "drop the trigger function": "DROP FUNCTION public.houqin_audit_rows() CASCADE",
    "take a business table": f"ALTER TABLE {TABLE} OWNER TO {APP}",
    "truncate a business table (no row triggers)": f"TRUNCATE {TABLE}",
    "add a rule that skips the table": (
        f"CREATE RULE quiet AS ON UPDATE TO {TABLE} DO INSTEAD NOTHING"
    ),
    "skip triggers as a replica": "SET session_replication_role = replica",
    "become the owner role": "SET ROLE houqin_owner",
    "become the trail role": "SET ROLE houqin_trail",
    "plant a function in public for a superuser": (
        "CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'"
    ),
    "plant a function in a school schema": (
        f'CREATE FUNCTION "{SCHEMA}".now() RETURNS timestamptz LANGUAGE sql AS '
        "'SELECT pg_catalog.now()'"
    ),
    "plant a table in public": "CREATE TABLE public.audit_change_copy (id int)",
    "plant the superuser's own schema ($user)": "CREATE SCHEMA postgres",
    "plant a temporary function": (
        "CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1'"
    ),
    "write the school template the owner runs": (
        "UPDATE public.tenants_schematemplate SET script = script || ' DROP TABLE x;'"
    ),
    "attach the reference check, run as its owner, to a table of one's own": (
        "CREATE TEMPORARY TABLE probe (id bigint); CREATE TRIGGER probe AFTER INSERT ON probe "
        "FOR EACH ROW EXECUTE FUNCTION public.houqin_refers_to('id', 'public.accounts_user', 'id')"
    ),
    "drop the guard of the rows schools refer to": (
        "DROP TRIGGER houqin_school_references ON public.accounts_user"
    ),
    "disable a school's reference check": (
        f'ALTER TABLE "{SCHEMA}".feedback_feedback DISABLE TRIGGER houqin_ref_author_id_i'
    ),
    "move a school schema": f'ALTER SCHEMA "{SCHEMA}" RENAME TO s_stolen',
    "drop a school schema": f'DROP SCHEMA "{SCHEMA}" CASCADE',
}


@pytest.mark.parametrize("sql", list(ATTACKS.values()), ids=list(ATTACKS))
def test_every_attack_by_the_app_role_is_refused(app: Any, sql: str) -> None:
    app.execute("SELECT count(*), max(id) FROM public.audit_change")
    before = app.fetchone()
    message = _refused(app, sql)
    assert "permission denied" in message or "must be owner" in message, message
    app.execute("SELECT count(*), max(id) FROM public.audit_change")
    assert app.fetchone() == before
    assert triggers.missing_triggers(connection) == []


def test_the_trigger_function_cannot_be_called_to_write_a_row(app: Any) -> None:
    with pytest.raises(errors.FeatureNotSupported):
        app.execute("SELECT public.houqin_audit_rows()")


def test_security_events_are_appended_by_the_app_and_never_changed(app: Any) -> None:
    """The application is the only witness of a sign-in: it appends security events (their own
    table, apart from the row trail), and can alter none."""
    app.execute("BEGIN")
    try:
        app.execute(
            "INSERT INTO public.audit_securityevent (occurred_at, kind, username, schema_name, "
            "host, detail) VALUES (now(), 'logout', 'probe', 'public', '', '{}') RETURNING id"
        )
        (event,) = app.fetchone()
        app.execute("SAVEPOINT s")
        _refused(app, "UPDATE public.audit_securityevent SET username = 'x' WHERE id = %s", [event])
        app.execute("ROLLBACK TO SAVEPOINT s")
    finally:
        app.execute("ROLLBACK")


def test_provisioning_functions_take_names_not_sql(app: Any) -> None:
    fingerprint = provisioning.code_fingerprint()
    for target in ["public", "pg_catalog", "s_x; DROP TABLE y", "houqin_template"]:
        with pytest.raises(errors.InvalidSchemaName):
            app.execute("SELECT public.houqin_schema_from_template(%s, %s)", [target, fingerprint])
    with pytest.raises(errors.InvalidSchemaName):
        app.execute("SELECT public.houqin_schema_take(%s, %s)", [SCHEMA, "s_stolen"])
    with pytest.raises(errors.NoDataFound):
        app.execute("SELECT public.houqin_schema_from_template('s_300999', %s)", ["0" * 64])


def test_the_app_provisions_a_school_from_the_template_owned_by_the_owner(app: Any) -> None:
    app.execute("BEGIN")
    try:
        app.execute(
            "SELECT public.houqin_schema_from_template('s_300998', %s)",
            [provisioning.code_fingerprint()],
        )
        app.execute(
            "SELECT nspowner::regrole::text, has_schema_privilege(current_user, oid, 'CREATE') "
            "FROM pg_namespace WHERE nspname = 's_300998'"
        )
        assert app.fetchone() == ("houqin_owner", False)
        app.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'feedback_feedback' AND c.relnamespace = 's_300998'::regnamespace "
            "AND t.tgname LIKE 'houqin_audit_%'"
        )
        assert app.fetchone() == (3,)
        _refused(app, "ALTER TABLE s_300998.feedback_feedback DISABLE TRIGGER ALL")
    finally:
        app.execute("ROLLBACK")


def test_a_template_its_caller_could_write_is_not_run(
    committed: list[Callable[[], Any]],
) -> None:
    """Were the app ever granted writes on the stored template, the owner's function refuses to
    run it for the app rather than run SQL the app could have written."""
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE ON public.tenants_schematemplate TO {APP}")
    committed.append(lambda: _revoke_template_update())
    conn = psycopg2.connect(_app_url())
    try:
        with conn.cursor() as cursor, pytest.raises(errors.InsufficientPrivilege, match="writable"):
            cursor.execute(
                "SELECT public.houqin_schema_from_template('s_300997', %s)",
                [provisioning.code_fingerprint()],
            )
    finally:
        conn.close()


def _revoke_template_update() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE UPDATE ON public.tenants_schematemplate FROM {APP}")


# --- The trail check at start --------------------------------------------------------------


def test_the_database_as_production_sets_it_up_passes_the_trail_check(db: Any) -> None:
    assert trail_problems() == []
    with override_settings(DATABASE_CHECKS_AT_START=True):
        refuse_unless_database_is_sound()
        worker_refuses_unless_database_is_sound()


TAMPERING = {
    "disabled trigger": (
        f"ALTER TABLE {TABLE} DISABLE TRIGGER houqin_audit_update",
        f"audit triggers missing or disabled in {SCHEMA}: feedback_feedback",
    ),
    "dropped trigger": (
        "DROP TRIGGER houqin_audit_insert ON public.accounts_user",
        "audit triggers missing or disabled in public: accounts_user",
    ),
    "trigger wired with other redaction": (
        f"CREATE OR REPLACE TRIGGER houqin_audit_update AFTER UPDATE ON {TABLE} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION public.houqin_audit_rows('id', 'body', 'subject')",
        f"audit triggers missing or disabled in {SCHEMA}: feedback_feedback",
    ),
    "function body changed": (
        "CREATE OR REPLACE FUNCTION public.houqin_audit_rows() RETURNS trigger "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
        "AS $$ BEGIN RETURN NULL; END $$",
        "houqin_audit_rows() is not the function the code installs",
    ),
    "guard body changed": (
        "CREATE OR REPLACE FUNCTION public.houqin_append_only() RETURNS trigger "
        "LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN OLD; END $$",
        "houqin_append_only() is not the function the code installs",
    ),
    "function no longer a definer": (
        "ALTER FUNCTION public.houqin_audit_rows() SECURITY INVOKER",
        "houqin_audit_rows() lost its security settings",
    ),
    "function search_path reset": (
        "ALTER FUNCTION public.houqin_audit_rows() RESET search_path",
        "houqin_audit_rows() lost its security settings",
    ),
    "function given to the app": (
        f"ALTER FUNCTION public.houqin_audit_rows() OWNER TO {APP}",
        f"houqin_audit_rows() belongs to {APP}",
    ),
    "trail given to a login role": (
        f"ALTER TABLE public.audit_change OWNER TO {APP}",
        f"the trail belongs to {APP}, a role that can log in",
    ),
    "trail left to the tables' owner": (
        "ALTER TABLE public.accounts_user OWNER TO houqin_trail",
        "the trail's owner houqin_trail also owns tables it records (accounts_user",
    ),
    "a table owned by the connected role": (
        f"ALTER TABLE {TABLE} OWNER TO CURRENT_USER",
        f"the connected role owns tables that fire the audit triggers in {SCHEMA}",
    ),
}


@pytest.mark.parametrize(("sql", "reported"), list(TAMPERING.values()), ids=list(TAMPERING))
def test_the_trail_check_reports_tampering(
    db: Any, district_host: str, sql: str, reported: str
) -> None:
    """As a superuser, tamper (rolled back with the test); the check run at start refuses, and
    the readiness check reports it."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
    problems = trail_problems()
    assert any(reported in problem for problem in problems), problems
    with override_settings(DATABASE_CHECKS_AT_START=True):
        with pytest.raises(SystemCheckError, match="refusing to start") as refused:
            refuse_unless_database_is_sound()
        assert reported in str(refused.value)
        with pytest.raises(SystemExit, match="refusing to start"):
            worker_refuses_unless_database_is_sound()
    response = HostClient(district_host).get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database_checks"].startswith("error")


def _start(argv: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
        "DATABASE_URL": _app_url(),
        "DATABASE_CHECKS_AT_START": "1",
        **extra,
    }
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_web_and_worker_refuse_to_start_as_the_app_on_a_silenced_trail(
    committed: list[Callable[[], Any]],
) -> None:
    loaded = _start(["-c", "import houqin.wsgi"])
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER houqin_audit_delete")
    committed.append(lambda: _enable_triggers())
    web = _start(["-c", "import houqin.wsgi"])
    assert web.returncode != 0
    assert "refusing to start" in web.stderr and "feedback_feedback" in web.stderr, web.stderr
    worker = _start(
        ["-m", "celery", "-A", "houqin", "worker", "--pool=solo", "--without-mingle"],
        CELERY_BROKER_URL="memory://",
    )
    assert worker.returncode != 0
    output = worker.stdout + worker.stderr
    assert "refusing to start" in output and "feedback_feedback" in output, output[-3000:]


def _enable_triggers() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER ALL")
