"""The database triggers that write the audit trail.

Every table of every app in every schema gets three statement-level triggers (insert, update,
delete) with transition tables, so a bulk or queryset update of ten thousand rows costs one extra
INSERT ... SELECT, not ten thousand. The actor and request id come from transaction-local settings
that `capture.install_context_wrapper` prefixes to each write.
"""

from typing import Any

from django.apps import apps
from django.db import connection, router
from django.db.backends.base.base import BaseDatabaseWrapper

# Tables whose rows are not business records: the trail itself, Django's bookkeeping, sessions.
UNTRACKED_TABLES = frozenset(
    {"audit_change", "audit_securityevent", "django_migrations", "django_session"}
)

AUDIT_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION public.houqin_audit_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
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
END $$;

CREATE OR REPLACE FUNCTION public.houqin_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

GUARD_SQL = """
CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON public.{table}
    FOR EACH ROW EXECUTE FUNCTION public.houqin_append_only();
CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON public.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION public.houqin_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON public.{table} FROM PUBLIC;
"""

# Hand the trail to a role nobody logs in as, when the migrating role may; the application role
# keeps SELECT and INSERT only. Where it may not, deploy/postgres/trail_ownership.sql does it.
OWNERSHIP_SQL = """
DO $$
DECLARE
    app text := current_user;
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'not a superuser: run deploy/postgres/trail_ownership.sql as one';
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'houqin_trail') THEN
        CREATE ROLE houqin_trail NOLOGIN;
    END IF;
    ALTER TABLE public.audit_change OWNER TO houqin_trail;
    ALTER TABLE public.audit_securityevent OWNER TO houqin_trail;
    EXECUTE format('GRANT SELECT, INSERT ON public.audit_change, public.audit_securityevent TO %I',
                   app);
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE public.audit_change_id_seq,
                    public.audit_securityevent_id_seq TO %I', app);
END $$;
"""

_TRIGGER_SQL = """
CREATE OR REPLACE TRIGGER houqin_audit_{op} AFTER {op} ON {table}
    REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION public.houqin_audit_rows({args});
"""
_REFS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def _tracked_tables(conn: BaseDatabaseWrapper) -> dict[str, tuple[str, tuple[str, ...]]]:
    """table -> (primary key column, redacted columns) for every model stored in this schema."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        if not router.allow_migrate_model(conn.alias, model):
            continue
        redacted = tuple(
            str(model._meta.get_field(name).column)  # type: ignore[union-attr]
            for name in getattr(model, "audit_redacted_fields", ())
        )
        tables[model._meta.db_table] = (str(model._meta.pk.column), redacted)
    return tables


def _present_tables(conn: BaseDatabaseWrapper) -> set[str]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [conn.schema_name],  # type: ignore[attr-defined]
        )
        return {row[0] for row in cursor.fetchall()}


def install(conn: BaseDatabaseWrapper = connection) -> int:
    """Attach the audit triggers to every tracked table of the current schema; returns how many
    tables were (re)wired. Idempotent."""
    schema = conn.schema_name  # type: ignore[attr-defined]
    present = _present_tables(conn)
    wired = 0
    with conn.cursor() as cursor:
        for table, (pk, redacted) in sorted(_tracked_tables(conn).items()):
            if table in UNTRACKED_TABLES or table not in present:
                continue
            qualified = conn.ops.quote_name(schema) + "." + conn.ops.quote_name(table)
            args = ", ".join(f"'{name}'" for name in (pk, *redacted))
            for op, refs in _REFS.items():
                cursor.execute(_TRIGGER_SQL.format(op=op, table=qualified, refs=refs, args=args))
            wired += 1
    return wired


def missing_triggers(conn: BaseDatabaseWrapper = connection) -> list[str]:
    """Tracked tables of the current schema that lack any of the three audit triggers, or whose
    trigger is disabled (`ALTER TABLE ... DISABLE TRIGGER` keeps it in pg_trigger, but it no
    longer fires; 'O' and 'A' are the states in which it fires in a normal session)."""
    expected = sorted(
        t for t in set(_tracked_tables(conn)) & _present_tables(conn) if t not in UNTRACKED_TABLES
    )
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, count(*) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND t.tgname = ANY(%s) AND t.tgenabled IN ('O', 'A') "
            "GROUP BY c.relname",
            [conn.schema_name, [f"houqin_audit_{op}" for op in _REFS]],  # type: ignore[attr-defined]
        )
        wired = {table for table, count in cursor.fetchall() if count == len(_REFS)}
    return [t for t in expected if t not in wired]


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    install(connections[using])
