"""Spreadsheets in and out: the files users upload, and every file they download.

Reading. `read_table` reads a .csv (UTF-8 or GBK, with or without Excel's BOM) or an .xlsx
workbook whose first row names the columns, in English or Chinese. It returns each non-blank
row with its number as a spreadsheet counts it (the header is row 1, the first entry row 2: the
number the person who wrote the file sees beside the line to fix), or refuses the whole file
with `InvalidInput`: unsupported type, too large, unreadable, missing or repeated columns, no
rows, rows past the limit. Checking each row is the caller's job.

Nothing a workbook says about itself is trusted. Its parts are counted, their unpacked sizes
summed and their compression checked before anything is parsed (zipfile never inflates a part
past the size it declares). Its `<dimension>` is dropped: openpyxl would otherwise produce every
row and column it claims, one by one. Rows are read as wide as the header (at most
`MAX_COLUMNS`) and no further down than the row limit, so the work is bounded by the limit times
the header's width, plus the parsing of what the file really holds, itself bounded by the caps.

Writing. Every file users download is written here: `csv_bytes`, `xlsx_bytes` (one plain table)
and `Workbook` (openpyxl's, for formatted reports; saving it escapes its cells). A text cell that
a spreadsheet program would take for a formula gets a leading apostrophe (OWASP's rule against
CSV injection), and reading a file strips that apostrophe again, so an export imports as it was.
Numbers, money and dates are written as typed cells: a negative amount stays a number.
"""

import csv
import io
import os
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

from houqin.exceptions import InvalidInput
from houqin.textfiles import decode_upload

MAX_FILE_BYTES = 5 * 1024 * 1024
# What a workbook may unpack to: a register of 20,000 students in 15 columns unpacks to 17 MB.
MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024
# A spreadsheet's XML compresses 10 to 20 times; a large part squeezed a hundredfold or more was
# made to be unpacked, not read.
MAX_XLSX_RATIO = 100
# An .xlsx holds a dozen parts, and one more for each sheet, image or comment.
MAX_XLSX_PARTS = 1000
# Columns read from the left (Excel 2003's last column, IV); a header naming a known column
# further right is missing that column.
MAX_COLUMNS = 256

# The first characters that make a spreadsheet program read a cell as a formula: OWASP's list,
# the line feed, and the full-width forms that Apple Numbers (and Excel with an East Asian
# input method) turn into them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

Source = str | os.PathLike[str] | IO[bytes]
Row = tuple[int, dict[str, str]]
# A required column, or a tuple of columns of which one is required.
Required = str | tuple[str, ...]


# Writing -----------------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """`text` as a cell that shows it and never evaluates it: with an apostrophe in front when
    it starts, or starts after blanks, with a formula character."""
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def _unescape_text(text: str) -> str:
    """What `escape_text` was given, for text it wrote; other text as it is."""
    if text.startswith("'") and escape_text(text[1:]) != text[1:]:
        return text[1:]
    return text


def _typed(value: Any) -> bool:
    """A value written as a number or a date, never as text."""
    return isinstance(value, int | float | Decimal | date) and not isinstance(value, bool)


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if _typed(value):
        return str(value)
    return escape_text(str(value))


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows (the header first) as CSV in UTF-8, with the byte-order mark Excel needs to read it
    as UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_field(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode()


def xlsx_bytes(title: str, rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows (the header first) as a workbook of one sheet, written as they come (openpyxl's
    write-only mode: a long table never sits in memory as cells)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet)
            _set_cell(cell, value)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set_cell(cell: Any, value: Any) -> None:
    if value is None or _typed(value):
        cell.value = value
        if type(value) is date:
            cell.number_format = "yyyy-mm-dd"
        return
    cell.value = escape_text(str(value))
    cell.data_type = "s"  # text, even when it reads like an error value such as #N/A


class Workbook(openpyxl.Workbook):
    """openpyxl's workbook for formatted reports, which never saves a formula: on saving, every
    text cell is escaped and written as text, however it was set."""

    def __init__(self) -> None:
        # Never write-only: its rows are gone before saving could see them (see `xlsx_bytes`).
        super().__init__()

    def save(self, filename: Any) -> None:
        for sheet in self.worksheets:
            # `_cells` holds exactly the cells openpyxl writes.
            for cell in sheet._cells.values():
                if cell.data_type == "f" or isinstance(cell.value, str):
                    _set_cell(cell, cell.value)
        super().save(filename)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.save(out)
        return out.getvalue()


# Reading -----------------------------------------------------------------------------------------


def read_table(
    source: Source,
    filename: str | None = None,
    *,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[Required],
    max_rows: int | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    column_of: Callable[[str], str | None] | None = None,
) -> list[Row]:
    """The rows of `source` as {column: text}. A header names a column when it is one of the
    names `columns` gives it (the last is the one shown to people), or, with `column_of`, when
    that function says so. At most `max_rows` rows below the header, blank ones included, and
    never more than `settings.IMPORT_MAX_ROWS`; a file that goes on further is refused whole."""
    if filename is None:
        if not isinstance(source, str | os.PathLike):
            raise TypeError("filename is required when reading from a file object")
        filename = os.fspath(source)
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(
            _("Upload a .csv (UTF-8) or .xlsx file; {name} is neither.").format(
                name=Path(filename).name or "?"
            ),
            code="unsupported_file",
        )
    limit = settings.IMPORT_MAX_ROWS
    if max_rows is not None:
        limit = min(limit, max_rows)
    data = _read_bytes(source, max_bytes)
    # One row past the limit is read, to tell a file that goes on from one that ends there.
    lines = _csv_lines(data) if suffix == ".csv" else _xlsx_lines(data, last_row=limit + 2)
    if column_of is None:
        aliases = {
            header_key(alias): column for column, names in columns.items() for alias in names
        }

        def column_of(title: str) -> str | None:
            return aliases.get(header_key(title))

    # Closed on every way out, so that a workbook refused part-way is closed at once.
    with closing(lines):
        return _rows(lines, columns, required, limit, column_of)


def _read_bytes(source: Source, max_bytes: int) -> bytes:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            data = f.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(
            _("The file is larger than {size} MB; split it.").format(size=max_bytes // 2**20),
            code="file_too_large",
        )
    return data


def _unreadable(detail: str) -> InvalidInput:
    return InvalidInput(
        _("The file could not be read: {detail}").format(detail=detail), code="unreadable_file"
    )


def _csv_lines(data: bytes) -> Generator[Sequence[Any]]:
    try:
        text = decode_upload(data)
    except UnicodeDecodeError as exc:
        raise _unreadable(
            _("it is neither UTF-8 nor GBK text. In Excel, save it as “CSV UTF-8”.")
        ) from exc
    if "\x00" in text:
        raise _unreadable(_("it is not a text file."))
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise _unreadable(str(exc)) from exc


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _unreadable(_("it is not an .xlsx workbook.")) from exc
    unpacked = sum(part.file_size for part in parts)
    squeezed = any(
        part.file_size > 2**20 and part.file_size > MAX_XLSX_RATIO * part.compress_size
        for part in parts
    )
    if len(parts) > MAX_XLSX_PARTS or unpacked > MAX_XLSX_UNPACKED_BYTES or squeezed:
        raise _unreadable(_("the workbook unpacks to far more than a list would."))


def _xlsx_lines(data: bytes, *, last_row: int) -> Generator[Sequence[Any]]:
    _check_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; all mean the same
        raise _unreadable(_("it is not an .xlsx workbook.")) from exc
    try:
        if not workbook.worksheets:
            return
        # The first sheet, not the one last viewed: what a person sees first when opening it.
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        header = next(
            sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ()
        )
        yield header
        width = next((i + 1 for i in reversed(range(len(header))) if _cell_text(header[i])), 0)
        if width:
            yield from sheet.iter_rows(min_row=2, max_row=last_row, max_col=width, values_only=True)
    except Exception as exc:  # as above: a damaged sheet fails while its rows are read
        raise _unreadable(_("a sheet of the workbook is damaged.")) from exc
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _unescape_text(value).strip()
    return str(value)


def header_key(text: str) -> str:
    """A header as compared: trimmed, lower case, without the `*` that marks a required column."""
    return text.strip().lstrip("\ufeff").rstrip("*＊").strip().lower()


def _label(columns: Mapping[str, Sequence[str]], column: str) -> str:
    return columns[column][-1] if column in columns else column


def _rows(
    lines: Iterator[Sequence[Any]],
    columns: Mapping[str, Sequence[str]],
    required: Sequence[Required],
    max_rows: int,
    column_of: Callable[[str], str | None],
) -> list[Row]:
    header = next(lines, None)
    if header is None:
        raise InvalidInput(_("The file is empty."), code="no_rows")
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = column_of(_cell_text(title))
        if column is None:
            continue  # other columns (notes, contacts) are allowed and ignored
        if column in positions:
            raise InvalidInput(
                _("The column {column} appears twice in the first row.").format(
                    column=_cell_text(title)
                ),
                code="duplicate_column",
            )
        positions[column] = index
    missing = [
        " / ".join(_label(columns, c) for c in ((need,) if isinstance(need, str) else need))
        for need in required
        if not any(c in positions for c in ((need,) if isinstance(need, str) else need))
    ]
    if missing:
        known = ", ".join("/".join(reversed(names)) for names in columns.values())
        raise InvalidInput(
            _(
                "The first row must name the columns; missing: {missing}. Known columns: {known}."
            ).format(missing=", ".join(missing), known=known),
            code="missing_columns",
            fields={"columns": missing},
        )
    rows: list[Row] = []
    for number, line in enumerate(lines, start=2):
        if number > max_rows + 1:
            raise InvalidInput(
                _(
                    "The file goes on past row {last}: at most {max} rows below the header, "
                    "blank rows included. Split it into smaller files."
                ).format(last=max_rows + 1, max=max_rows),
                code="too_many_rows",
            )
        values = {
            column: (_cell_text(line[index]) if index < len(line) else "")
            for column, index in positions.items()
        }
        if not any(values.values()):
            continue
        rows.append((number, values))
    if not rows:
        raise InvalidInput(_("The file has no rows below its header."), code="no_rows")
    return rows
