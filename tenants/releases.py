"""Releases: bring every school's schema to the code's migrations, in seconds and resumably.

Each school records the fingerprint of the migrations applied in its schema, so the schools
already at the target are skipped with one query. The schools behind are grouped by the
migrations they have. For each group the release's SQL is computed once: a scratch schema is made
at the group's migrations (the previous template's script replayed, or Django's migrate when that
script is gone), Django's schema editor collects the SQL of the missing migrations against it, and
the script is proved there: run, the scratch's catalog must then equal the new template's. Each
school of the group then gets that script in one transaction with its search_path, its migration
records, and a check that the relations the script changed came out as the template's; no
project state is rebuilt per school. The whole catalog of every school is compared with the
template's on demand (`schools_drifted`, `migrate_schools --verify`): it costs more than the
script at a thousand schools, and a release changes only what its script names.

A group whose missing migrations run Python code (RunPython), cannot run in one transaction, or
whose script fails its proof falls back to Django's migrate, school by school, as before. Schools
are migrated in worker processes, one transaction per school, each school's outcome recorded,
workers recycled every few hundred schools so that neither their memory nor their connection's
catalog cache grows with the district. A school that fails stays behind and is reported; the
others carry on; running again resumes.
"""

import multiprocessing
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, router, transaction
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder

from houqin import context
from houqin.db import reconnect_if_idle, tenant_db
from tenants import provisioning
from tenants.models import SchemaTemplate, School, SchoolMigration
from tenants.provisioning import code_fingerprint, fingerprint_of

# Schools a worker process migrates before it is replaced by a fresh one (fresh connection,
# empty catalog cache, no memory carried over).
SCHOOLS_PER_WORKER = 200
# Worker processes a release runs by default: one more than the database server's cores (two
# here), so that while one worker is between statements the server's cores still have work. At
# 1,000 schools, two workers took 36.4 and 37.3 s, three 30.8 and 34.0 s (docs/benchmarks.md).
WORKERS = 3
# The scratch schema a release's script is computed in; its name in the script stands for the
# school's.
SCRATCH_PREFIX = "houqin_release_"
# A scratch schema costs one run of every migration, about what Django's migrate costs this many
# schools: fewer schools behind at the same migrations (not the template's) are migrated by it.
SCRATCH_MIN_SCHOOLS = 20

Key = tuple[str, str]


@dataclass(frozen=True)
class Outcome:
    school_id: int
    schema_name: str
    status: str
    applied: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""
    # "sql": the release's script; "django": Django's migrate in the school's schema.
    method: str = "django"


@dataclass(frozen=True)
class Script:
    """The SQL that brings a schema at `base` to the code's migrations, with `scratch` standing
    for the schema's name; `records` are the rows it adds to django_migrations, `tables` the
    relations it makes, changes or drops, and `catalog` the template's digest of those."""

    base: str
    scratch: str
    sql: str
    records: list[Key]
    applied: list[str]
    catalog: str
    tables: tuple[str, ...] = ()

    def for_schema(self, schema_name: str) -> str:
        return self.sql.replace(f'"{self.scratch}".', f"{_quote(schema_name)}.").replace(
            f"{self.scratch}.", f"{_quote(schema_name)}."
        )


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def schools_behind(target: str) -> list[tuple[int, str, str]]:
    """The active or suspended schools whose schema is not at `target`, with the fingerprint
    each records: one query."""
    return list(
        School.objects.exclude(migration_fingerprint=target)
        .exclude(status=School.Status.ARCHIVED)
        .order_by("pk")
        .values_list("pk", "schema_name", "migration_fingerprint")
    )


# One line per table, column, constraint, index and trigger of a schema (of the relations named
# by %(tables)s when it is not null), each with its relation's name, the schema's own name taken out
# of what the catalog prints: their digest compares two schemas' structure in one query.
_CATALOG_LINES = """
WITH ns AS (
    SELECT oid FROM pg_namespace WHERE nspname = %(schema)s
), rels AS (
    -- The whole schema through pg_depend's index (what depends on the schema), not a scan of
    -- every schema's relations; named relations by pg_class's index on name and schema.
    SELECT c.oid, c.relname, c.relkind FROM pg_depend d
    JOIN pg_class c ON c.oid = d.objid
    WHERE %(tables)s::text[] IS NULL
    AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_namespace'::regclass
    AND d.refobjid = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT c.oid, c.relname, c.relkind FROM pg_class c
    WHERE c.relname = ANY(%(tables)s::text[]) AND c.relnamespace = (SELECT oid FROM ns)
    AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
), lines AS (
    SELECT relname, 'rel ' || relname || ' ' || relkind::text AS line FROM rels
    UNION ALL
    SELECT r.relname, 'col ' || r.relname || '.' || a.attname || ' '
        || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
        || a.attidentity::text || a.attgenerated::text || ' '
        || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    UNION ALL
    SELECT r.relname, 'con ' || r.relname || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
    FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid
    UNION ALL
    SELECT r.relname, 'idx ' || r.relname || ' ' || pg_get_indexdef(i.indexrelid)
    FROM rels r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT r.relname, 'trg ' || r.relname || ' ' || pg_get_triggerdef(t.oid)
    FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
), own AS (
    SELECT relname, replace(replace(line, %(quoted)s || '.', ''), %(schema)s || '.', '') AS line
    FROM lines
)
"""
_DIGEST = "SELECT md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM own"
_DIGEST_BY_RELATION = (
    "SELECT relname, md5(string_agg(line, E'\\n' ORDER BY line)) FROM own GROUP BY relname"
)


def _catalog(schema_name: str, tables: Sequence[str] | None, select: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _CATALOG_LINES + select,
            {
                "schema": schema_name,
                "quoted": _quote(schema_name),
                "tables": None if tables is None else list(tables),
            },
        )
        return list(cursor.fetchall())


def catalog_digest(schema_name: str, tables: Sequence[str] | None = None) -> str:
    """A digest of `schema_name`'s structure (of its relations named `tables`, when given):
    equal for two schemas with the same tables, columns, constraints, indexes and triggers under
    the same names."""
    return str(_catalog(schema_name, tables, _DIGEST)[0][0])


def _relation_digests(schema_name: str) -> dict[str, str]:
    """A digest of each relation of `schema_name`, by its name."""
    return dict(_catalog(schema_name, None, _DIGEST_BY_RELATION))


def _changed(before: dict[str, str], after: dict[str, str]) -> tuple[str, ...]:
    """The relations made, changed or dropped between two `_relation_digests` of a schema."""
    return tuple(sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n)))


def _applied_in(schema_name: str) -> list[Key]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {_quote(schema_name)}.django_migrations")
        return [(app, name) for app, name in cursor.fetchall()]


def _runs_python(operation: Operation) -> bool:
    if isinstance(operation, SeparateDatabaseAndState):
        return any(_runs_python(inner) for inner in operation.database_operations)
    return not operation.reduces_to_sql


def _sql_only(migration: Migration) -> bool:
    """Whether `migration` does in a school's schema only what its SQL says: no operation of an
    app migrated there runs Python code, and it runs in a transaction."""
    if not router.allow_migrate(DEFAULT_DB_ALIAS, migration.app_label):
        return True
    return migration.atomic and not any(_runs_python(op) for op in migration.operations)


def _scratch_at(base: list[Key], previous: tuple[str, str] | None) -> str:
    """A new schema at the migrations `base`: the previous template's script replayed when it was
    built from them (read before the template is rebuilt: its row copies read the template), or
    those migrations run into it."""
    scratch = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    if previous is not None and previous[0] == fingerprint_of(base):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(previous[1].replace(provisioning.PLACEHOLDER, _quote(scratch)))
        return scratch
    db = tenant_db()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_quote(scratch)}")
    try:
        db.set_schema(scratch, include_public=False)
        MigrationRecorder(connection).ensure_schema()
        db.set_schema(scratch)
        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        wanted = set(base) & set(graph.nodes)
        targets = [key for key in wanted if not graph.node_map[key].children & wanted]
        executor.migrate(targets, plan=executor.migration_plan(targets, clean_start=True))
    finally:
        db.set_schema_to_public()
    return scratch


def _drop(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema_name)} CASCADE")


def _insert_records(cursor: Any, records: list[Key]) -> None:
    """The migration records of `records`, in the schema in force, in one statement."""
    cursor.execute(
        "INSERT INTO django_migrations (app, name, applied) "
        "SELECT unnest(%s::text[]), unnest(%s::text[]), now()",
        [[app for app, _name in records], [name for _app, name in records]],
    )


def _collected(schema_name: str, base: list[Key]) -> Script | None:
    """The release's script for schemas at `base`, collected against `schema_name` (a schema at
    `base`) without running it; None when it cannot be one (a migration that runs Python code
    in a school's schema or cannot run in a transaction)."""
    db = tenant_db()
    try:
        db.set_schema(schema_name)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        migrations = [migration for migration, _backwards in plan]
        if not all(_sql_only(migration) for migration in migrations):
            return None
        graph = executor.loader.graph
        applied = [key for key in executor.loader.applied_migrations or {} if key in graph.nodes]
        state = executor.loader.project_state(applied, at_end=True)
        statements: list[str] = []
        for migration in migrations:
            with connection.schema_editor(collect_sql=True, atomic=True) as editor:
                state = migration.apply(state, editor, collect_sql=True)
            statements += editor.collected_sql
    finally:
        db.set_schema_to_public()
    return Script(
        base=fingerprint_of(base),
        scratch=schema_name,
        sql="\n".join(statements),
        records=[
            key
            for migration in migrations
            for key in (migration.replaces or [(migration.app_label, migration.name)])
        ],
        applied=[f"{m.app_label}.{m.name}" for m in migrations],
        catalog="",
    )


def _run(script: Script, schema_name: str) -> None:
    """Run `script` in `schema_name` and record its migrations there, in the caller's
    transaction."""
    db = tenant_db()
    db.set_schema(schema_name)
    try:
        with connection.cursor() as cursor:
            if script.records:
                cursor.execute(script.for_schema(schema_name))
                _insert_records(cursor, script.records)
    finally:
        db.set_schema_to_public()


def release_script(scratch: str, base: list[Key], catalog: str) -> Script | None:
    """The release's script for schemas at `base`, collected against `scratch` (a schema at
    `base`) and proved there: run, the scratch's catalog must equal the template's (whose digest
    is `catalog`). None when it cannot be one."""
    script = _collected(scratch, base)
    if script is None:
        return None
    before = _relation_digests(scratch)
    with transaction.atomic():
        _run(script, scratch)
        if catalog_digest(scratch) != catalog:
            return None
        return _checked_by(script, scratch, before)


def _checked_by(script: Script, schema_name: str, before: dict[str, str]) -> Script:
    """`script` with what a school's check compares once it has run: the relations it changed in
    `schema_name` (whose relations' digests were `before` it ran), and their digest there."""
    tables = _changed(before, _relation_digests(schema_name))
    return replace(script, tables=tables, catalog=catalog_digest(schema_name, tables))


def _advance_template(base: list[Key]) -> Script | None:
    """When the template schema is at `base` (the previous release's migrations), the release's
    script collected against it and run in it, and the template's script read again: the
    template reaches the code's migrations without running every migration from scratch. None
    (the template untouched) when the script cannot be one."""
    template = provisioning.TEMPLATE_SCHEMA
    try:
        with transaction.atomic():
            provisioning.lock()
            if fingerprint_of(_applied_in(template)) != fingerprint_of(base):
                return None
            script = _collected(template, base)
            if script is None:
                return None
            before = _relation_digests(template)
            _run(script, template)
            provisioning.template_store(code_fingerprint())
            return _checked_by(script, template, before)
    except DatabaseError:
        # The template is rebuilt from every migration instead, and the schools migrated by
        # Django's migrate; what failed is reported by the schools that fail the same way.
        tenant_db().set_schema_to_public()
        return None


def migrate_school(school_id: int, schema_name: str, target: str) -> Outcome:
    """Apply the missing migrations to one school's schema with Django's migrate (the project
    state rebuilt from every migration) and record the outcome."""
    started = time.perf_counter()
    db = tenant_db()
    applied: list[str] = []
    try:
        with context.acting(request_id=f"release-{target[:12]}"):
            db.set_schema(schema_name)
            executor = MigrationExecutor(connection)
            leaves = executor.loader.graph.leaf_nodes()
            plan = executor.migration_plan(leaves)
            applied = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
            # One transaction for the whole school, unless a migration declares it cannot run
            # inside one (CREATE INDEX CONCURRENTLY and the like).
            whole = all(m.atomic for m, _backwards in plan)
            with transaction.atomic() if whole else nullcontext():
                if plan:
                    executor.migrate(leaves, plan=plan)
                reached = fingerprint_of(MigrationRecorder(connection).applied_migrations())
                if reached != target:
                    raise RuntimeError("the schema did not reach the target migrations")
                School.objects.filter(pk=school_id).update(migration_fingerprint=reached)
                _record(school_id, target, SchoolMigration.Status.DONE, applied, started, "")
        return Outcome(school_id, schema_name, "done", applied, time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - one school's failure is reported, the others carry on
        return _failed(school_id, schema_name, target, applied, started, "django")
    finally:
        db.set_schema_to_public()


def apply_script(school_id: int, schema_name: str, target: str, script: Script) -> Outcome:
    """Run the release's script in one school's schema, in one transaction with its
    search_path: its migrations recorded, the relations it changed checked against the
    template's (the whole catalog is compared by `schools_drifted`). A school whose migrations
    are not the script's base gets Django's migrate instead."""
    if fingerprint_of(_applied_in(schema_name)) != script.base:
        return migrate_school(school_id, schema_name, target)
    started = time.perf_counter()
    db = tenant_db()
    try:
        with context.acting(request_id=f"release-{target[:12]}"), transaction.atomic():
            _run(script, schema_name)
            if catalog_digest(schema_name, script.tables) != script.catalog:
                raise RuntimeError("the schema's catalog differs from the template's")
            School.objects.filter(pk=school_id).update(migration_fingerprint=target)
            _record(school_id, target, SchoolMigration.Status.DONE, script.applied, started, "")
        return Outcome(
            school_id,
            schema_name,
            "done",
            script.applied,
            time.perf_counter() - started,
            method="sql",
        )
    except Exception:  # noqa: BLE001 - one school's failure is reported, the others carry on
        return _failed(school_id, schema_name, target, script.applied, started, "sql")
    finally:
        db.set_schema_to_public()


def _failed(
    school_id: int, schema_name: str, target: str, applied: list[str], started: float, how: str
) -> Outcome:
    error = traceback.format_exc(limit=5)
    tenant_db().set_schema_to_public()
    _record(school_id, target, SchoolMigration.Status.FAILED, applied, started, error)
    return Outcome(
        school_id, schema_name, "failed", applied, time.perf_counter() - started, error, how
    )


def _record(
    school_id: int, target: str, status: str, applied: list[str], started: float, error: str
) -> None:
    """The school's outcome for `target`, written or overwritten in one statement."""
    SchoolMigration.objects.for_school(school_id).bulk_create(
        [
            SchoolMigration(
                school_id=school_id,
                target=target,
                status=status,
                applied=applied,
                error=error,
                seconds=time.perf_counter() - started,
            )
        ],
        update_conflicts=True,
        unique_fields=["school", "target"],
        update_fields=["status", "applied", "error", "seconds", "finished_at"],
    )


Task = tuple[int, str, Script | None]


def _migrate(task: Task, target: str) -> Outcome:
    school_id, schema_name, script = task
    if script is None:
        return migrate_school(school_id, schema_name, target)
    return apply_script(school_id, schema_name, target, script)


def _in_worker(batch: list[Task], target: str) -> list[Outcome]:
    outcomes = [_migrate(task, target) for task in batch]
    connections.close_all()
    return outcomes


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _scripts(behind: list[tuple[int, str, str]]) -> dict[str, Script | None]:
    """One script per fingerprint the schools behind record (None: Django's migrate for them);
    the template left at the code's migrations. Schools at the template's migrations (the
    previous release's) get the script that advances the template; others, one collected
    against a scratch schema made at their migrations and proved against the template, when
    there are enough of them (SCRATCH_MIN_SCHOOLS)."""
    bases: dict[str, list[Key]] = {}
    for _pk, schema_name, recorded in behind:
        if recorded not in bases:
            bases[recorded] = _applied_in(schema_name)
    stored = SchemaTemplate.objects.filter(pk=1).values_list("fingerprint", "script").first()
    scripts: dict[str, Script | None] = {}
    template_at = stored[0] if stored else ""
    for recorded, base in bases.items():
        if template_at != code_fingerprint() and fingerprint_of(base) == template_at:
            scripts[recorded] = _advance_template(base)
            template_at = code_fingerprint()
    # Scratch schemas made from the previous template's script before the template is rebuilt
    # (its row copies read the template).
    behind_by = Counter(recorded for _pk, _schema, recorded in behind)
    scratches = {
        recorded: _scratch_at(base, stored)
        for recorded, base in bases.items()
        if recorded not in scripts and behind_by[recorded] >= SCRATCH_MIN_SCHOOLS
    }
    try:
        provisioning.current_template()
        catalog = catalog_digest(provisioning.TEMPLATE_SCHEMA)
        for recorded, base in bases.items():
            scratch = scratches.get(recorded)
            if recorded not in scripts:
                scripts[recorded] = release_script(scratch, base, catalog) if scratch else None
    finally:
        for scratch in scratches.values():
            _drop(scratch)
    return scripts


def migrate_schools(
    *,
    workers: int = WORKERS,
    batch_size: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Migrate every school behind the code's migrations; returns one outcome per school."""
    target = code_fingerprint()
    behind = schools_behind(target)
    if not behind:
        return []
    scripts = _scripts(behind)
    tasks: list[Task] = [(pk, schema, scripts[recorded]) for pk, schema, recorded in behind]
    outcomes: list[Outcome] = []
    if workers <= 1:
        for task in tasks:
            outcomes.append(_migrate(task, target))
            if progress:
                progress(len(outcomes), len(tasks))
        return outcomes
    # A round gives each worker at most SCHOOLS_PER_WORKER schools; every round forks fresh
    # workers. Children must open their own connections: none is shared across a fork.
    fork = multiprocessing.get_context("fork")
    for round_ in _batches(tasks, workers * SCHOOLS_PER_WORKER):
        connections.close_all()
        with ProcessPoolExecutor(max_workers=workers, mp_context=fork) as pool:
            futures = [
                pool.submit(_in_worker, batch, target) for batch in _batches(round_, batch_size)
            ]
            for future in as_completed(futures):
                outcomes.extend(future.result())
                if progress:
                    progress(len(outcomes), len(tasks))
    return outcomes


def schools_verify() -> int:
    """Recompute every school's recorded fingerprint from its schema (one query per few hundred
    schools); returns how many records were corrected."""
    corrected = 0
    schools = list(School.objects.values_list("pk", "schema_name", "migration_fingerprint"))
    for batch in _batches([(pk, schema) for pk, schema, _fp in schools], SCHOOLS_PER_WORKER):
        union = " UNION ALL ".join(
            f"SELECT {pk}, app, name FROM {connection.ops.quote_name(schema)}.django_migrations"
            for pk, schema in batch
        )
        applied: dict[int, list[tuple[str, str]]] = {pk: [] for pk, _schema in batch}
        with connection.cursor() as cursor:
            cursor.execute(union)
            for pk, app, name in cursor.fetchall():
                applied[pk].append((app, name))
        reconnect_if_idle()
        recorded = {pk: fp for pk, _schema, fp in schools}
        for pk, migrations in applied.items():
            actual = fingerprint_of(migrations)
            if actual != recorded[pk]:
                School.objects.filter(pk=pk).update(migration_fingerprint=actual)
                corrected += 1
    return corrected


def schools_drifted() -> list[str]:
    """The schemas of the schools at the code's migrations whose whole catalog differs from the
    template's (a release checks only the relations it changes): one query a school, on a
    connection opened anew every few hundred schools (its catalog cache stays bounded)."""
    provisioning.current_template()
    template = catalog_digest(provisioning.TEMPLATE_SCHEMA)
    schools = (
        School.objects.filter(migration_fingerprint=code_fingerprint())
        .exclude(status=School.Status.ARCHIVED)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    drifted = []
    for batch in _batches(list(schools), SCHOOLS_PER_WORKER):
        drifted += [schema for schema in batch if catalog_digest(schema) != template]
        reconnect_if_idle()
    return drifted
