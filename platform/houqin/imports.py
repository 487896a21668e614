"""Imports: the rows of a file (read by `houqin.tables`) checked one by one, then saved, with a
result per row. Every importer (schools, foods, the catalogue, the student register) uses these.

A row's result names the row as the spreadsheet numbers it (the header is row 1) and by its key
(a code, a student number); each problem found adds a message for people, a stable reason code
for programs, and the message again under the field it concerns (`problem(field, reason,
message)`). Once checked, the importer says what became of the row (`RowStatus`).

`save_all_or_nothing` is how an import saves: when any row has a problem nothing is written and
the import is refused (`refuse_faulty`: InvalidInput "invalid_rows", every faulty row under
`fields["rows"]`); a dry run writes nothing either; otherwise the rows are written in one
savepoint, and a constraint failing there refuses the whole import. The district's school list
is the one import that saves row by row instead (each school its own transaction), and reports
the rows that failed.

Every report has one shape: `saved`, `dry_run`, a count per status the import gives, `errors`
and `rows`, each row `{"row", <key>, "status", "messages", "reasons"}`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from houqin.exceptions import Conflict, InvalidInput


class RowStatus(StrEnum):
    READY = "ready"  # checked and valid, not saved (yet, or at all: a dry run)
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    EXISTS = "exists"  # already there and left alone
    ERROR = "error"


# What the upserting imports (by code or student number) report.
UPSERT = (RowStatus.CREATED, RowStatus.UPDATED, RowStatus.UNCHANGED)


@dataclass
class RowResult:
    """One row: its problems, or its values ready to save (`cleaned`), and what became of it."""

    row: int
    key: str
    status: RowStatus = RowStatus.READY
    messages: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    # The same messages by field, for forms and the API's `fields`.
    fields: dict[str, list[str]] = field(default_factory=dict)
    cleaned: dict[str, Any] = field(default_factory=dict)

    def problem(self, field: str, reason: str, message: str) -> None:
        self.status = RowStatus.ERROR
        self.messages.append(message)
        self.reasons.append(reason)
        self.fields.setdefault(field, []).append(message)

    @property
    def failed(self) -> bool:
        return self.status == RowStatus.ERROR

    def as_dict(self, key: str = "code") -> dict[str, Any]:
        return {
            "row": self.row,
            key: self.key,
            "status": self.status.value,
            "messages": list(self.messages),
            "reasons": list(self.reasons),
        }


@dataclass
class ImportReport:
    """The outcome of one import, one result per row in the order of the file. `key` names the
    rows' key in the report; `statuses` are those the import gives, each counted. `saved` is
    false on a dry run and when nothing was written."""

    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False
    saved: bool = False
    key: str = "code"
    statuses: tuple[RowStatus, ...] = UPSERT

    def count(self, status: RowStatus) -> int:
        return sum(1 for result in self.rows if result.status == status)

    @property
    def errors(self) -> int:
        return self.count(RowStatus.ERROR)

    def as_dict(self) -> dict[str, Any]:
        return {
            "saved": self.saved,
            "dry_run": self.dry_run,
            **{status.value: self.count(status) for status in self.statuses},
            "errors": self.errors,
            "rows": [result.as_dict(self.key) for result in self.rows],
        }


def listed_twice(keys: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """Each non-empty key given on more than one row, with the numbers of those rows."""
    seen: dict[str, list[int]] = {}
    for key, row in keys:
        if key:
            seen.setdefault(key, []).append(row)
    return {key: rows for key, rows in seen.items() if len(rows) > 1}


def other_rows(rows: list[int], row: int) -> str:
    """The numbers of `rows` but `row`, for a message."""
    return ", ".join(str(number) for number in rows if number != row)


def refuse_faulty(report: ImportReport) -> None:
    """InvalidInput "invalid_rows", every faulty row under `fields["rows"]`, when any row has a
    problem."""
    faulty = [result for result in report.rows if result.failed]
    if faulty:
        raise InvalidInput(
            _("{count} of {total} rows have problems; nothing was saved.").format(
                count=len(faulty), total=len(report.rows)
            ),
            code="invalid_rows",
            fields={"rows": [result.as_dict(report.key) for result in faulty]},
        )


def save_all_or_nothing(
    report: ImportReport, write: Callable[[], None], *, conflict: Conflict
) -> None:
    """Refuse the import when any row has a problem; else, unless a dry run, `write` the rows in
    one savepoint (an IntegrityError there refuses the whole import with `conflict`) and mark the
    report saved. Call it inside the import's transaction, once the rows' statuses are set."""
    refuse_faulty(report)
    if report.dry_run:
        return
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        raise conflict from exc
    report.saved = True
