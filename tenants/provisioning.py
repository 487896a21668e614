"""School schemas from a template: fast, all-or-nothing, and never out of date.

The template schema is built by running every migration into it, once per set of migrations. Its
structure is then read back from the catalog into one DDL script (tables, constraints with their
names, indexes, triggers) plus the rows it holds (the migration records), with a placeholder for
the schema name. A new school's schema is that script replayed in the caller's transaction: a few
hundred milliseconds instead of running every migration again. A warm pool keeps schemas ready
made from the same script; taking one is a rename.

The script is tied to the fingerprint of the code's migrations (and of how the code wires the
audit triggers): a template built from other migrations is refused (`TemplateOutOfDate`) and
rebuilt, by a role that may create schemas (the migrator, at a release).

The application's role may not create schemas, nor own what fires the audit triggers. It makes a
school's schema through two functions that run as the owner of the school schemas (SECURITY
DEFINER, `SCHEMA_FUNCTIONS_SQL`): one replays the stored script, which only the owner may write,
into a new schema; the other renames a pool schema. The application hands them names, never SQL.
"""

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from houqin.db import tenant_db
from houqin.exceptions import Conflict
from shared_apps.audit.triggers import FUNCTION_SEARCH_PATH, wiring_signature
from tenants.models import CODE_PATTERN, SCHEMA_PREFIX, PoolSchema, SchemaTemplate

TEMPLATE_SCHEMA = "houqin_template"
POOL_PREFIX = "houqin_pool_"
PLACEHOLDER = "__houqin_schema__"
# The names the provisioning functions accept: a school's schema, a pool schema.
SCHOOL_SCHEMA_PATTERN = f"^{SCHEMA_PREFIX}{CODE_PATTERN.pattern.removeprefix('^')}"
POOL_SCHEMA_PATTERN = f"^{POOL_PREFIX}[0-9a-f]{{16}}$"
# Serialises template builds and pool refills across processes.
_LOCK_KEY = 0x686F7571  # "houq"


# Run as the owner of the school schemas. The template's script is read from the table only that
# owner may write (the migration revokes every other role's writes, and the function refuses to
# run a script its caller could have written); names are checked against the patterns above.
SCHEMA_FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION public.houqin_schema_from_template(target text, wanted text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = {FUNCTION_SEARCH_PATH} AS $body$
DECLARE
    script text;
BEGIN
    IF target !~ '{SCHOOL_SCHEMA_PATTERN}'
       AND target !~ '{POOL_SCHEMA_PATTERN}' THEN
        RAISE EXCEPTION 'not a school or pool schema name: %', target
            USING ERRCODE = 'invalid_schema_name';
    END IF;
    IF has_table_privilege(session_user, 'public.tenants_schematemplate', 'INSERT, UPDATE')
       AND NOT pg_has_role(session_user, current_user, 'MEMBER') THEN
        RAISE EXCEPTION 'the school template is writable by %, who may not act as %',
            session_user, current_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT t.script INTO script FROM public.tenants_schematemplate t
    WHERE t.id = 1 AND t.fingerprint = wanted;
    IF script IS NULL THEN
        RAISE EXCEPTION 'no school template built from migrations %', wanted
            USING ERRCODE = 'no_data_found';
    END IF;
    EXECUTE replace(script, '{PLACEHOLDER}', quote_ident(target));
END $body$;

CREATE OR REPLACE FUNCTION public.houqin_schema_take(pooled text, target text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = {FUNCTION_SEARCH_PATH} AS $body$
BEGIN
    IF pooled !~ '{POOL_SCHEMA_PATTERN}'
       OR target !~ '{SCHOOL_SCHEMA_PATTERN}' THEN
        RAISE EXCEPTION 'not a pool schema and a school schema: %, %', pooled, target
            USING ERRCODE = 'invalid_schema_name';
    END IF;
    EXECUTE format('ALTER SCHEMA %I RENAME TO %I', pooled, target);
END $body$;

DO $revoke$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'public.tenants_schematemplate'::regclass
          AND a.grantee <> c.relowner AND a.privilege_type <> 'SELECT'
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER '
                       'ON public.tenants_schematemplate FROM %s', grantee);
    END LOOP;
END $revoke$;
"""


class TemplateOutOfDate(Conflict):
    code = "template_out_of_date"


class TemplateUnsupported(Exception):
    """The template holds something the script cannot reproduce faithfully."""


_graph: frozenset[tuple[str, str]] | None = None


def code_migrations() -> frozenset[tuple[str, str]]:
    """Every migration in the code's graph (squashed ones stand for those they replace)."""
    global _graph
    if _graph is None:
        _graph = frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    return _graph


def code_fingerprint() -> str:
    """A hash of every migration the code defines and of how it wires the audit triggers: what a
    school schema must have."""
    return fingerprint_of(code_migrations())


def fingerprint_of(applied: Any) -> str:
    """The fingerprint of a schema's applied migrations, counting only those the code still
    defines (a squashed migration's predecessors are recorded too, and ignored here), with the
    code's trigger wiring: a release that changes what the trail redacts brings every school
    behind, and re-wires it (`releases.migrate_school` installs the triggers)."""
    names = "\n".join(f"{app}.{name}" for app, name in sorted(set(applied) & code_migrations()))
    return hashlib.sha256(f"{names}\n{wiring_signature()}".encode()).hexdigest()


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _migrate_into(schema: str) -> None:
    db = tenant_db()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {_quote(schema)}")
    # As django-tenants does: the migration table must be created in the schema itself.
    db.set_schema(schema, include_public=False)
    try:
        MigrationRecorder(connection).ensure_schema()
        db.set_schema(schema)
        # Django's own migrate: django-tenants' `migrate` would migrate every schema.
        call_command(DjangoMigrate(), interactive=False, verbosity=0)
    finally:
        db.set_schema_to_public()


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _column_sql(
    name: str, type_: str, not_null: bool, default: str | None, identity: str, generated: str
) -> str:
    parts = [_quote(name), type_]
    if identity:
        parts.append(
            "GENERATED ALWAYS AS IDENTITY"
            if identity == "a"
            else "GENERATED BY DEFAULT AS IDENTITY"
        )
    elif generated == "s":
        parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
    elif default is not None:
        if "nextval(" in default:
            raise TemplateUnsupported(f"column {name} takes its default from a sequence")
        parts.append(f"DEFAULT {default}")
    if not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


def _script_from(schema: str) -> str:
    """The DDL and data that recreate `schema`, with PLACEHOLDER for its name. Names of other
    schemas' objects (public tables, the audit function) are kept, fully qualified."""
    tables = _rows(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
        [schema],
    )
    creates: list[str] = []
    data: list[str] = []
    keys: list[str] = []
    fks: list[str] = []
    indexes: list[str] = []
    triggers: list[str] = []
    for oid, table in tables:
        qualified = f"{PLACEHOLDER}.{_quote(table)}"
        columns = _rows(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d "
            "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            [oid],
        )
        body = ",\n    ".join(_column_sql(*column) for column in columns)
        creates.append(f"CREATE TABLE {qualified} (\n    {body}\n);")
        for name, definition, kind in _rows(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s ORDER BY contype, conname",
            [oid],
        ):
            statement = f"ALTER TABLE {qualified} ADD CONSTRAINT {_quote(name)} {definition};"
            (fks if kind == "f" else keys).append(statement)
        indexes += [
            f"{definition};"
            for (definition,) in _rows(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                "AND c.conrelid = i.indrelid) ORDER BY i.indexrelid",
                [oid],
            )
        ]
        triggers += [
            f"{definition};"
            for (definition,) in _rows(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = %s AND NOT tgisinternal ORDER BY tgname",
                [oid],
            )
        ]
        if _rows(f"SELECT EXISTS (SELECT 1 FROM {_quote(schema)}.{_quote(table)})", [])[0][0]:
            names = ", ".join(_quote(column[0]) for column in columns)
            data.append(
                f"INSERT INTO {qualified} ({names}) OVERRIDING SYSTEM VALUE "
                f"SELECT {names} FROM {_quote(schema)}.{_quote(table)};"
            )
            data += [
                f"SELECT setval(pg_get_serial_sequence('{qualified}', '{column[0]}'), "
                f"(SELECT max({_quote(column[0])}) FROM {qualified}));"
                for column in columns
                if column[4]
            ]
    statements = [
        f"CREATE SCHEMA {PLACEHOLDER};",
        *creates,
        *data,
        *keys,
        *indexes,
        *fks,
        *triggers,
    ]
    # The catalog printed every name schema-qualified (search_path was pg_catalog): the
    # template's own names now point at the placeholder, public's stay. The row copies read from
    # the template, whose name they quote, so they are left alone.
    return "\n".join(statements).replace(f"{schema}.", f"{PLACEHOLDER}.")


@dataclass(frozen=True)
class Template:
    fingerprint: str


_template: Template | None = None


def template_build() -> Template:
    """Migrate the template schema from scratch and store its script. Takes the build lock."""
    global _template
    fingerprint = code_fingerprint()
    with transaction.atomic():
        _lock()
        # Another process may have built it while this one waited for the lock.
        if SchemaTemplate.objects.filter(pk=1, fingerprint=fingerprint).exists():
            _template = Template(fingerprint)
            return _template
        _migrate_into(TEMPLATE_SCHEMA)
        applied = _rows(f"SELECT app, name FROM {_quote(TEMPLATE_SCHEMA)}.django_migrations", [])
        if fingerprint_of(applied) != fingerprint:
            raise TemplateUnsupported("the template did not end with every migration applied")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL search_path = pg_catalog")
            script = _script_from(TEMPLATE_SCHEMA)
            cursor.execute("SET LOCAL search_path = public")
        SchemaTemplate.objects.update_or_create(
            pk=1, defaults={"fingerprint": fingerprint, "script": script}
        )
        # Pool schemas made from an older script are useless now.
        for stale in PoolSchema.objects.exclude(fingerprint=fingerprint):
            _drop(stale.schema_name)
            stale.delete()
    tenant_db().set_schema_to_public()
    _template = Template(fingerprint)
    return _template


def _out_of_date() -> TemplateOutOfDate:
    return TemplateOutOfDate(
        _("The school template was built from other migrations; rebuild it first.")
    )


def current_template() -> Template:
    """The stored template for the code's migrations, built when missing or out of date by a
    role that may create schemas; the application's role may not, and is told to wait for the
    release (`migrate_schools` builds it)."""
    global _template
    fingerprint = code_fingerprint()
    if _template is not None and _template.fingerprint == fingerprint:
        return _template
    if not SchemaTemplate.objects.filter(pk=1, fingerprint=fingerprint).exists():
        if not _rows("SELECT has_database_privilege(current_database(), 'CREATE')", [])[0][0]:
            raise _out_of_date()
        return template_build()
    _template = Template(fingerprint)
    return _template


def schema_from_template(template: Template, schema_name: str) -> None:
    """Make `schema_name` from the stored template, in the caller's transaction."""
    if template.fingerprint != code_fingerprint():
        raise _out_of_date()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public.houqin_schema_from_template(%s, %s)",
            [schema_name, template.fingerprint],
        )


def schema_create(schema_name: str) -> bool:
    """Create `schema_name` in the caller's transaction: from the warm pool when a schema is
    ready there (a rename), from the template script otherwise. True when the pool gave it."""
    fingerprint = code_fingerprint()
    pooled = (
        PoolSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=fingerprint)
        .order_by("id")
        .first()
    )
    if pooled is None:
        schema_from_template(current_template(), schema_name)
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public.houqin_schema_take(%s, %s)", [pooled.schema_name, schema_name]
        )
    pooled.delete()
    return True


def _drop(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema_name)} CASCADE")


def pool_refill(*, size: int) -> int:
    """Top the warm pool up to `size` ready schemas; returns how many were made."""
    template = current_template()
    made = 0
    with transaction.atomic():
        _lock()
        missing = size - PoolSchema.objects.filter(fingerprint=template.fingerprint).count()
    for _slot in range(max(missing, 0)):
        with transaction.atomic():
            name = f"{POOL_PREFIX}{uuid.uuid4().hex[:16]}"
            schema_from_template(template, name)
            PoolSchema.objects.create(schema_name=name, fingerprint=template.fingerprint)
            made += 1
    return made
