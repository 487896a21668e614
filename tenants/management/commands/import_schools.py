"""manage.py import_schools FILE [--report report.csv] [--dry-run]

Creates the schools a CSV or Excel list names, with a progress bar on stderr and a per-row report.
Run it again after an interruption: schools already created are reported "exists" and skipped.
Exits 0 when no row had an error, 1 otherwise.
"""

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from houqin import context
from houqin.door import SystemActor
from houqin.exceptions import ServiceError
from houqin.imports import ImportReport, RowStatus
from houqin.tables import csv_bytes
from tenants.onboarding import read_school_rows, schools_import

BAR_WIDTH = 30


class ProgressBar:
    """`[#####.....] 50/100 schools`, redrawn in place on a terminal. Elsewhere (a log file) a
    line is written at each tenth of the way, so the log does not fill with redraws."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.in_place = stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        filled = BAR_WIDTH * done // total
        text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} schools"
        if self.in_place:
            self.stream.write(f"\r{text}", ending="\n" if done == total else "", style_func=_plain)
            self.stream.flush()
            return
        tenth = 10 * done // total
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            self.stream.write(text, style_func=_plain)


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Create schools from a .csv (UTF-8) or .xlsx list whose first row names the columns "
        "code/学校代码, name/学校名称, kind/学校类型 and optionally boarding/寄宿, address/地址. "
        "Codes already in the district are skipped, so a re-run resumes an interrupted one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the list of schools (.csv or .xlsx)")
        parser.add_argument(
            "--report",
            type=Path,
            help="write the per-row report to this CSV file (row, code, status, message)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row, create nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            # Not the upload's cap of schools: the command shows progress and resumes.
            rows = read_school_rows(path, path.name, max_rows=None)
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except ServiceError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        with context.acting(request_id=f"import-schools-{uuid.uuid4().hex[:12]}"):
            report = schools_import(
                rows=rows,
                actor=SystemActor("tenants.import_schools"),
                progress=ProgressBar(self.stderr),
                dry_run=options["dry_run"],
            )
        report_path = Path(options["report"]) if options["report"] else None
        if report_path is not None:
            write_report(report, report_path)
        self._summarise(report, report_path)
        if report.errors:
            raise CommandError(
                f"{report.errors} of {len(report.rows)} rows had errors; nothing of those rows "
                "was created. Fix them and run the same list again.",
                returncode=1,
            )

    def _summarise(self, report: ImportReport, report_path: Path | None) -> None:
        ready, exists = report.count(RowStatus.READY), report.count(RowStatus.EXISTS)
        if report.dry_run:
            self.stdout.write(
                f"Dry run, nothing created: {ready} ready to create, "
                f"{exists} already exist, {report.errors} with errors "
                f"({len(report.rows)} rows)."
            )
        else:
            self.stdout.write(
                f"{report.count(RowStatus.CREATED)} created, {exists} already existed, "
                f"{report.errors} with errors ({len(report.rows)} rows)."
            )
        for result in report.rows:
            if result.failed:
                self.stdout.write(f"  row {result.row} {result.key}: {'; '.join(result.messages)}")
        if report_path:
            self.stdout.write(f"Report written to {report_path}")


def write_report(report: ImportReport, path: Path) -> None:
    """One line per row, in a CSV file that Excel opens as it is (see `houqin.tables`)."""
    lines = [[r.row, r.key, r.status, "; ".join(r.messages)] for r in report.rows]
    path.write_bytes(csv_bytes([["row", "code", "status", "message"], *lines]))
