"""Bulk onboarding: schools created from a CSV or Excel list, each alone, with a per-row report.

Reading and creating are two steps. `read_school_rows` turns a file into `SchoolRow`s as written
(or refuses the whole file: unsupported type, unreadable, missing columns, too many rows).
`schools_import` checks every row before it creates anything, then creates each valid school with
`school_create`, one transaction per school: a school that fails leaves nothing behind and the
others carry on. Codes already in the district are reported as "exists" and skipped, so running
the same list again after an interruption resumes where it stopped.

Rows are numbered as a spreadsheet numbers them: the header is row 1, so the first school listed
is row 2. That is the number the person who wrote the list sees beside the line to fix.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houqin.door import Actor
from houqin.exceptions import Conflict, ServiceError
from houqin.imports import ImportReport, RowResult, RowStatus, listed_twice, other_rows
from houqin.tables import Source, read_table
from tenants.models import School, validate_school_code
from tenants.services import school_create

logger = logging.getLogger(__name__)

# One upload at most: each row makes a school's schema. The command, which reports progress and
# resumes, reads lists as long as the upload limit of every other import.
MAX_ROWS = 2000
MAX_FILE_BYTES = 5 * 1024 * 1024
# Creating a school touches every table of its new schema; PostgreSQL's per-connection catalog
# caches grow with each, so a long run starts a fresh connection now and then (between schools).
RECONNECT_EVERY = 200
# What a row of the list becomes, besides an error.
STATUSES = (RowStatus.CREATED, RowStatus.EXISTS, RowStatus.READY)

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "学校代码"),
    "name": ("name", "学校名称"),
    "kind": ("kind", "学校类型"),
    "boarding": ("boarding", "寄宿"),
    "address": ("address", "地址"),
}
REQUIRED_COLUMNS = ("code", "name", "kind")

KINDS: dict[str, str] = {
    **{value: value for value in School.Kind.values},
    "小学": School.Kind.PRIMARY,
    "初级中学": School.Kind.JUNIOR,
    "初中": School.Kind.JUNIOR,
    "高级中学": School.Kind.SENIOR,
    "高中": School.Kind.SENIOR,
    "九年一贯制学校": School.Kind.NINE_YEAR,
    "完全中学": School.Kind.COMPLETE,
}
BOOLEANS: dict[str, bool] = {
    "yes": True,
    "true": True,
    "1": True,
    "是": True,
    "no": False,
    "false": False,
    "0": False,
    "否": False,
    "": False,
}
NAME_MAX = School._meta.get_field("name").max_length or 200
ADDRESS_MAX = School._meta.get_field("address").max_length or 300


@dataclass(frozen=True)
class SchoolRow:
    """One school of a list, as written. `row` is the spreadsheet's row number (header = 1)."""

    row: int
    code: str
    name: str
    kind: str
    boarding: str = ""
    address: str = ""


# Reading -----------------------------------------------------------------------------------------


def read_school_rows(
    path_or_file: Source,
    filename: str | None = None,
    *,
    max_rows: int | None = MAX_ROWS,
) -> list[SchoolRow]:
    """Read a list of schools (see `houqin.tables`). Raises `InvalidInput` when the whole file
    cannot be used; problems of single rows are left for `schools_import` to report."""
    return [
        SchoolRow(row=number, **values)
        for number, values in read_table(
            path_or_file,
            filename,
            columns=COLUMNS,
            required=REQUIRED_COLUMNS,
            max_rows=max_rows,
            max_bytes=MAX_FILE_BYTES,
        )
    ]


# Importing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Valid:
    row: SchoolRow
    kind: str
    boarding: bool


def _check(result: RowResult, row: SchoolRow) -> _Valid | None:
    """Add the problems of one row to its result; the row ready to create when it has none."""
    if not row.code:
        result.problem("code", "required_code", _("The school code is missing."))
    else:
        try:
            validate_school_code(row.code)
        except ValidationError as exc:
            result.problem(
                "code",
                exc.error_list[0].code or "invalid_code",
                _("School code “{code}”: {problem}").format(code=row.code, problem=exc.messages[0]),
            )
    if not row.name:
        result.problem("name", "required_name", _("The school name is missing."))
    elif len(row.name) > NAME_MAX:
        result.problem(
            "name",
            "name_too_long",
            _("The school name is longer than {max} characters.").format(max=NAME_MAX),
        )
    kind = KINDS.get(row.kind) or KINDS.get(row.kind.lower())
    if not row.kind:
        result.problem("kind", "required_kind", _("The kind of school is missing."))
    elif kind is None:
        result.problem(
            "kind",
            "unknown_kind",
            _("Unknown kind of school “{kind}”; use one of: {kinds}.").format(
                kind=row.kind, kinds="小学, 初级中学, 高级中学, 九年一贯制学校, 完全中学"
            ),
        )
    boarding = BOOLEANS.get(row.boarding.lower())
    if boarding is None:
        result.problem(
            "boarding",
            "invalid_boarding",
            _("Boarding “{value}” is not understood; write 是 or 否 (yes or no).").format(
                value=row.boarding
            ),
        )
    if len(row.address) > ADDRESS_MAX:
        result.problem(
            "address",
            "address_too_long",
            _("The address is longer than {max} characters.").format(max=ADDRESS_MAX),
        )
    if result.failed or kind is None or boarding is None:
        return None
    return _Valid(row=row, kind=kind, boarding=boarding)


def schools_import(
    *,
    rows: Iterable[SchoolRow],
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row, then create each valid school not yet in the district, each in its own
    transaction. A code listed twice is refused on every row that lists it; a code already in
    the district is reported as "exists" and left alone. `progress(done, total)` is called as
    rows are settled. With `dry_run`, nothing is created: valid new rows are reported "ready"."""
    rows = list(rows)
    total = len(rows)
    twice = listed_twice((row.code, row.row) for row in rows)
    results = [RowResult(row.row, row.code) for row in rows]
    to_create: list[tuple[int, _Valid]] = []
    for index, (row, result) in enumerate(zip(rows, results, strict=True)):
        if row.code in twice:
            others = [n for n in twice[row.code] if n != row.row]
            result.problem(
                "code",
                "duplicate_in_file",
                ngettext(
                    "School code “{code}” is also listed in row {rows}; none of these rows is "
                    "created.",
                    "School code “{code}” is also listed in rows {rows}; none of these rows is "
                    "created.",
                    len(others),
                ).format(code=row.code, rows=other_rows(twice[row.code], row.row)),
            )
        valid = _check(result, row)
        if valid is not None:
            to_create.append((index, valid))
    existing = set(
        School.objects.filter(code__in=[v.row.code for _, v in to_create]).values_list(
            "code", flat=True
        )
    )
    pending = []
    for index, valid in to_create:
        if valid.row.code in existing:
            results[index] = _exists(valid.row)
        else:
            pending.append((index, valid))

    done = total - len(pending)
    if progress is not None:
        progress(done, total)
    created = 0
    for index, valid in pending:
        if not dry_run:
            results[index] = _create(valid, actor)
            if results[index].status == RowStatus.CREATED:
                created += 1
                if created % RECONNECT_EVERY == 0 and not connection.in_atomic_block:
                    connection.close()  # the next query opens a fresh one
        done += 1
        if progress is not None:
            progress(done, total)
    return ImportReport(rows=results, dry_run=dry_run, saved=not dry_run, statuses=STATUSES)


def _exists(row: SchoolRow) -> RowResult:
    return RowResult(
        row.row,
        row.code,
        RowStatus.EXISTS,
        [_("A school with this code already exists; it was left as it is.")],
        ["exists"],
    )


def _failed(row: SchoolRow, reason: str, message: str) -> RowResult:
    result = RowResult(row.row, row.code)
    result.problem("code", reason, message)
    return result


def _create(valid: _Valid, actor: Actor) -> RowResult:
    row = valid.row
    try:
        school_create(
            code=row.code,
            name=row.name,
            kind=valid.kind,
            boarding=valid.boarding,
            address=row.address,
            actor=actor,
        )
    except Conflict as exc:
        if exc.code == "duplicate_code":  # created meanwhile, by another run or person
            return _exists(row)
        return _failed(row, exc.code, exc.message)
    except ServiceError as exc:
        return _failed(row, exc.code, exc.message)
    except Exception:  # one school failing must not stop the others; school_create kept nothing
        if School.objects.filter(code=row.code).exists():
            # Not ours (ours was rolled back): another run created it between check and insert.
            return _exists(row)
        logger.exception("creating school %s (row %s) failed", row.code, row.row)
        return _failed(
            row,
            "create_failed",
            _("Creating this school failed; nothing of it was kept. Try the list again later."),
        )
    return RowResult(row.row, row.code, RowStatus.CREATED)
