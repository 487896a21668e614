"""Back up one school and restore it, into a new school or over itself.

A backup is a gzipped tar: `manifest.json` (the school, the migrations fingerprint, every table's
row count and checksum, and the school's rows in district tables: its memberships, which the
accounts app hands over in its AppConfig.ready with `keep_in_backups`) and one
PostgreSQL COPY file per table of the school's schema. A restore into a new school builds
its schema from the template (so the backup must come from the same migrations); a restore over
the school it came from keeps its schema and replaces its rows (recorded in the trail like any
other change: the application's role may not drop a schema). Either copies every table back in
one transaction and checks the counts and checksums before it commits.
"""

import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from houqin import context
from houqin.door import Actor, actor_id, service
from houqin.exceptions import Conflict, InvalidInput
from tenants import provisioning
from tenants.models import School
from tenants.services import school_create

FORMAT = 1


@dataclass(frozen=True)
class DistrictRows:
    """A school's rows in a district table: `dump` lists them, ready for JSON; `load` puts the
    listed rows back in place of the school's."""

    dump: Callable[[School], list[dict[str, Any]]]
    load: Callable[[School, list[dict[str, Any]]], None]


_district_rows: dict[str, DistrictRows] = {}


def keep_in_backups(name: str, rows: DistrictRows) -> None:
    """Keep a school's `rows` in its backups' manifest under `name`, and restore them with it."""
    _district_rows[name] = rows


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def table_checksums(schema: str) -> dict[str, dict[str, Any]]:
    """Row count and an md5 over every row's text of every table in `schema`."""
    result = {}
    with connection.cursor() as cursor:
        for table in _tables(schema):
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                f"FROM {_q(schema)}.{_q(table)} t"
            )
            count, checksum = cursor.fetchone()
            result[table] = {"rows": count, "md5": checksum}
    return result


@dataclass(frozen=True)
class BackupSummary:
    code: str
    tables: int
    rows: int


def school_backup(*, school: School, path: Path) -> BackupSummary:
    """Write `school`'s backup to `path`, from one consistent snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # inside a caller's transaction, the caller's snapshot rules
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        checksums = table_checksums(school.schema_name)
        manifest = {
            "format": FORMAT,
            "school": {
                field: getattr(school, field)
                for field in ("code", "name", "kind", "boarding", "address")
            },
            "fingerprint": school.migration_fingerprint,
            "tables": checksums,
            **{name: rows.dump(school) for name, rows in _district_rows.items()},
        }
        with tarfile.open(path, "w:gz") as archive:
            _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
            for table in checksums:
                buffer = io.BytesIO()
                with connection.cursor() as cursor:
                    cursor.cursor.copy_expert(
                        f"COPY {_q(school.schema_name)}.{_q(table)} TO STDOUT", buffer
                    )
                _add(archive, f"{table}.copy", buffer.getvalue())
    return BackupSummary(school.code, len(checksums), sum(t["rows"] for t in checksums.values()))


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _read(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            files = {
                member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
                for member in archive.getmembers()
                if member.isfile()
            }
        manifest = json.loads(files.pop("manifest.json"))
    except (tarfile.TarError, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(_("This is not a school backup."), code="invalid_backup") from exc
    if manifest.get("format") != FORMAT:
        raise InvalidInput(_("This backup's format is not supported."), code="invalid_backup")
    return manifest, files


@service
def school_restore(*, path: Path, code: str | None = None, actor: Actor) -> School:
    """Restore the backup at `path` as a new school `code`, or over the school it was taken
    from when `code` is None. All or nothing."""
    manifest, files = _read(path)
    if manifest["fingerprint"] != provisioning.code_fingerprint():
        raise Conflict(
            _("The backup was taken at other migrations; restore it with that release."),
            code="backup_out_of_date",
        )
    source = manifest["school"]
    with context.acting(request_id=f"restore-{source['code']}", actor_id=actor_id(actor)):
        if code is None:
            school = School.objects.select_for_update().get(code=source["code"])
        else:
            school = school_create(
                code=code,
                name=source["name"],
                kind=source["kind"],
                boarding=source["boarding"],
                address=source["address"],
                actor=actor,
            )
        _copy_in(school.schema_name, manifest["tables"], files)
        for name, rows in _district_rows.items():
            rows.load(school, manifest[name])
        restored = table_checksums(school.schema_name)
        if restored != manifest["tables"]:
            raise Conflict(_("The restored school does not match its backup."), code="mismatch")
    return school


def _copy_in(schema: str, tables: dict[str, Any], files: dict[str, bytes]) -> None:
    present = set(_tables(schema))
    if set(tables) != present:
        raise Conflict(_("The backup's tables differ from the school's."), code="mismatch")
    with connection.cursor() as cursor:
        # Constraints are checked at commit, once every table is back.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in sorted(tables):
            qualified = f"{_q(schema)}.{_q(table)}"
            cursor.execute(f"DELETE FROM {qualified}")
            cursor.cursor.copy_expert(
                f"COPY {qualified} FROM STDIN", io.BytesIO(files[f"{table}.copy"])
            )
            cursor.execute(
                "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass "
                "AND a.attidentity <> '' AND a.attnum > 0",
                [qualified],
            )
            for (column,) in cursor.fetchall():
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                    f"coalesce((SELECT max({_q(column)}) FROM {qualified}), 0) + 1, false)",
                    [qualified, column],
                )
