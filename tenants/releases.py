"""Releases: bring every school's schema to the code's migrations, fast and resumably.

Each school records the fingerprint of the migrations applied in its schema, so the schools
already at the target are skipped with one query. The rest are migrated in worker processes,
one transaction per school (unless a migration refuses to run in one), each school's outcome
recorded, workers recycled every few hundred schools so that neither their memory nor their
connection's catalog cache grows with the district. A school that fails stays behind and is
reported; the others carry on; running again resumes.
"""

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from houqin import context
from houqin.db import reconnect_if_idle, tenant_db
from tenants.models import School, SchoolMigration
from tenants.provisioning import code_fingerprint, fingerprint_of

# Schools a worker process migrates before it is replaced by a fresh one (fresh connection,
# empty catalog cache, no memory carried over).
SCHOOLS_PER_WORKER = 200


@dataclass(frozen=True)
class Outcome:
    school_id: int
    schema_name: str
    status: str
    applied: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""


def schools_behind(target: str) -> list[tuple[int, str]]:
    """The active or suspended schools whose schema is not at `target`: one query."""
    return list(
        School.objects.exclude(migration_fingerprint=target)
        .exclude(status=School.Status.ARCHIVED)
        .order_by("pk")
        .values_list("pk", "schema_name")
    )


def migrate_school(school_id: int, schema_name: str, target: str) -> Outcome:
    """Apply the missing migrations to one school's schema and record the outcome."""
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
        error = traceback.format_exc(limit=5)
        db.set_schema_to_public()
        _record(school_id, target, SchoolMigration.Status.FAILED, applied, started, error)
        return Outcome(
            school_id, schema_name, "failed", applied, time.perf_counter() - started, error
        )
    finally:
        db.set_schema_to_public()


def _record(
    school_id: int, target: str, status: str, applied: list[str], started: float, error: str
) -> None:
    SchoolMigration.objects.for_school(school_id).update_or_create(
        school_id=school_id,
        target=target,
        defaults={
            "status": status,
            "applied": applied,
            "error": error,
            "seconds": time.perf_counter() - started,
        },
    )


def _in_worker(batch: list[tuple[int, str]], target: str) -> list[Outcome]:
    outcomes = [migrate_school(school_id, schema, target) for school_id, schema in batch]
    connections.close_all()
    return outcomes


def _batches(items: list[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def migrate_schools(
    *,
    workers: int = 2,
    batch_size: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Migrate every school behind the code's migrations; returns one outcome per school."""
    target = code_fingerprint()
    behind = schools_behind(target)
    if not behind:
        return []
    outcomes: list[Outcome] = []
    if workers <= 1:
        for school_id, schema in behind:
            outcomes.append(migrate_school(school_id, schema, target))
            if progress:
                progress(len(outcomes), len(behind))
        return outcomes
    # A round gives each worker at most SCHOOLS_PER_WORKER schools; every round forks fresh
    # workers. Children must open their own connections: none is shared across a fork.
    fork = multiprocessing.get_context("fork")
    for round_ in _batches(behind, workers * SCHOOLS_PER_WORKER):
        connections.close_all()
        with ProcessPoolExecutor(max_workers=workers, mp_context=fork) as pool:
            futures = [
                pool.submit(_in_worker, batch, target) for batch in _batches(round_, batch_size)
            ]
            for future in as_completed(futures):
                outcomes.extend(future.result())
                if progress:
                    progress(len(outcomes), len(behind))
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
