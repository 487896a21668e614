"""The database triggers that write the audit trail: what they must look like, and the check that
they do.

Every table of every app in every schema gets three statement-level triggers (insert, update,
delete) with transition tables, so a bulk or queryset update of ten thousand rows costs one extra
INSERT ... SELECT, not ten thousand. The actor and request id come from transaction-local settings
that the database backend sets once per transaction (`houqin.context.audit_context_wrapper`).
Migrations install the functions and attach the triggers
(`shared_apps.audit.operations.AuditTriggers`), each with the SQL written out in it; this module
says what the code expects them to be, from the models, and finds where the database differs.

The trigger function runs as its owner (SECURITY DEFINER, with a fixed search_path), and its owner
is the trail's role that nobody logs in as (deploy/postgres/trail_ownership.sql): the
application's role, which owns neither the trail nor any table that fires a trigger, may not write
a trail row itself, so it can neither forge nor silence one. The trail never copies key material
or ciphertext: every binary column is redacted, whatever it is called, and so is every column a
model names in `audit_redacted_fields`.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django_tenants.routers import TenantSyncRouter
from django_tenants.utils import get_public_schema_name

# Tables whose rows are not business records: the trail itself, Django's bookkeeping, sessions.
UNTRACKED_TABLES = frozenset(
    {"audit_change", "audit_securityevent", "django_migrations", "django_session"}
)

# Inside the functions nothing resolves through the caller's search_path: every name is
# schema-qualified or in pg_catalog, and pg_temp comes last, so a table, function or operator the
# caller planted cannot be picked up by code running as the trail's owner.
FUNCTION_SEARCH_PATH = "pg_catalog, pg_temp"

AUDIT_ROWS_BODY = r"""
DECLARE
    pk text := TG_ARGV[0];
    redacted text[] := TG_ARGV[1:TG_NARGS - 1];
    actor bigint := NULLIF(current_setting('houqin.actor_id', true), '')::bigint;
    request text := NULLIF(current_setting('houqin.request_id', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(n) ->> pk, NULL,
               to_jsonb(n) - redacted, actor, request
        FROM new_rows n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(n) ->> pk,
               to_jsonb(o) - redacted, to_jsonb(n) - redacted, actor, request
        FROM new_rows n JOIN old_rows o ON (to_jsonb(o) ->> pk) = (to_jsonb(n) ->> pk);
    ELSE
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(o) ->> pk,
               to_jsonb(o) - redacted, NULL, actor, request
        FROM old_rows o;
    END IF;
    RETURN NULL;
END """

APPEND_ONLY_BODY = r"""
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END """


# name -> (body, SECURITY DEFINER?): the functions the latest audit migration installs
# (0004_trail_functions_run_as_the_trail), as the trail check expects them.
TRAIL_FUNCTIONS = {
    "houqin_audit_rows": (AUDIT_ROWS_BODY, True),
    "houqin_append_only": (APPEND_ONLY_BODY, False),
}


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


TRIGGER_NAMES = ("houqin_audit_insert", "houqin_audit_update", "houqin_audit_delete")


def redacted_columns(model: type[models.Model]) -> tuple[str, ...]:
    """The columns of `model` the trail never copies: every binary column (keys, locked keys,
    shares, sealed contents, ciphertext), and those named in `audit_redacted_fields` (hashes,
    secrets kept as text)."""
    binary = {
        str(field.column)
        for field in model._meta.concrete_fields
        if isinstance(field, models.BinaryField)
    }
    declared = {
        str(model._meta.get_field(name).column)  # type: ignore[union-attr]
        for name in getattr(model, "audit_redacted_fields", ())
    }
    return tuple(sorted(binary | declared))


def tracked_tables(*, public: bool) -> dict[str, tuple[str, ...]]:
    """table -> the arguments its triggers pass (the primary key column, then the redacted
    columns), for every model stored in the public schema (`public`) or in each school's."""
    router = TenantSyncRouter()
    installed = settings.SHARED_APPS if public else settings.TENANT_APPS
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        if not router.app_in_list(model._meta.app_label, installed):
            continue
        table = str(model._meta.db_table)
        if table not in UNTRACKED_TABLES:
            tables[table] = (str(model._meta.pk.column), *redacted_columns(model))
    return tables


def _trigger_args(args: tuple[str, ...]) -> bytes:
    """The arguments as pg_trigger.tgargs holds them: each one NUL-terminated."""
    return b"".join(arg.encode() + b"\0" for arg in args)


# Tracked tables present in the schemas asked about whose three audit triggers are not all there,
# enabled, calling the trail function with the code's arguments. `ALTER TABLE ... DISABLE
# TRIGGER` keeps a trigger in pg_trigger but it no longer fires: 'O' and 'A' are the states in
# which it fires in a normal session.
_UNWIRED_SQL = """
WITH expected (public, table_name, args) AS (
    SELECT * FROM unnest(%(public)s::boolean[], %(tables)s::text[], %(args)s::bytea[])
), present AS (
    SELECT n.nspname, e.table_name, e.args, c.oid
    FROM unnest(%(schemas)s::text[]) AS s (nspname)
    JOIN pg_namespace n ON n.nspname = s.nspname
    JOIN expected e ON e.public = (s.nspname = %(public_schema)s)
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = e.table_name AND c.relkind = 'r'
)
SELECT p.nspname, p.table_name FROM present p
WHERE (
    SELECT count(*) FROM pg_trigger t
    WHERE t.tgrelid = p.oid AND t.tgname = ANY(%(names)s) AND t.tgenabled IN ('O', 'A')
      AND t.tgfoid = to_regprocedure('public.houqin_audit_rows()') AND t.tgargs = p.args
) < %(count)s
ORDER BY 1, 2
"""


def unwired_tables(
    schemas: list[str], conn: BaseDatabaseWrapper = connection
) -> list[tuple[str, str]]:
    """(schema, table) for every tracked table of `schemas` whose audit triggers are missing,
    disabled, or wired otherwise than the code wires them. One query, however many schemas."""
    public, tables, args = [], [], []
    for is_public in (True, False):
        for table, table_args in tracked_tables(public=is_public).items():
            public.append(is_public)
            tables.append(table)
            args.append(_trigger_args(table_args))
    with conn.cursor() as cursor:
        cursor.execute(
            _UNWIRED_SQL,
            {
                "public": public,
                "tables": tables,
                "args": args,
                "schemas": schemas,
                "public_schema": get_public_schema_name(),
                "names": list(TRIGGER_NAMES),
                "count": len(TRIGGER_NAMES),
            },
        )
        return [(schema, table) for schema, table in cursor.fetchall()]


def missing_triggers(conn: BaseDatabaseWrapper = connection) -> list[str]:
    """Tracked tables of the current schema whose audit triggers are missing, disabled or wired
    otherwise than the code wires them."""
    schema = conn.schema_name  # type: ignore[attr-defined]
    return [table for _schema, table in unwired_tables([schema], conn)]


def function_problems(conn: BaseDatabaseWrapper = connection) -> list[str]:
    """What is wrong with the trail's functions and owners: a function missing, its body not the
    one the code installs (by hash), not SECURITY DEFINER or without the fixed search_path, owned
    by another role than the trail; the trail owned by a role that can log in, or that owns the
    tables the trail records (and could therefore silence their triggers)."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, p.prosrc, p.prosecdef, p.proconfig, p.proowner::regrole::text "
            "FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.pronargs = 0 "
            "AND p.proname = ANY(%s)",
            [list(TRAIL_FUNCTIONS)],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT c.relname, c.relowner::regrole::text, r.rolcanlogin FROM pg_class c "
            "JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
            "AND c.relname = ANY(%s)",
            [[*UNTRACKED_TABLES, *tracked_tables(public=True)]],
        )
        owners = {table: (owner, can_login) for table, owner, can_login in cursor.fetchall()}
    if "audit_change" not in owners:
        return ["the audit trail table public.audit_change is missing"]
    trail_owner, trail_can_login = owners["audit_change"]
    problems = []
    for name, (body, definer) in TRAIL_FUNCTIONS.items():
        if name not in found:
            problems.append(f"{name}() is missing")
            continue
        source, secdef, config, owner = found[name]
        if body_hash(source) != body_hash(body):
            problems.append(
                f"{name}() is not the function the code installs: its body hashes to "
                f"{body_hash(source)[:16]}, the code's to {body_hash(body)[:16]}"
            )
        if secdef != definer or f"search_path={FUNCTION_SEARCH_PATH}" not in (config or []):
            problems.append(f"{name}() lost its security settings (definer, search_path)")
        if owner != trail_owner:
            problems.append(f"{name}() belongs to {owner}, not to the trail's owner {trail_owner}")
    if owners.get("audit_securityevent", (trail_owner, False))[0] != trail_owner:
        problems.append("public.audit_securityevent does not belong to the trail's owner")
    if trail_can_login:
        problems.append(f"the trail belongs to {trail_owner}, a role that can log in")
    recorded = sorted(
        table
        for table, (owner, _can_login) in owners.items()
        if owner == trail_owner and table not in UNTRACKED_TABLES
    )
    if recorded:
        problems.append(
            f"the trail's owner {trail_owner} also owns tables it records ({recorded[0]}, ...): "
            "run deploy/postgres/trail_ownership.sql as a superuser"
        )
    return problems


def tables_owned_by_connected_role(
    schemas: list[str], conn: BaseDatabaseWrapper = connection
) -> list[tuple[str, str]]:
    """(schema, table) for every table of `schemas` the connected role owns: whoever owns a table
    may disable its triggers, so the application's role must own none."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') "
            "AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) "
            "ORDER BY 1, 2",
            [schemas],
        )
        return [(schema, table) for schema, table in cursor.fetchall()]
