"""Reading the spreadsheets users upload: a .csv (UTF-8 or GBK, with or without Excel's BOM) or
an .xlsx workbook whose first row names the columns, in English or Chinese.

`read_table` returns each non-blank row with its number as a spreadsheet counts it (the header is
row 1, the first entry row 2: the number the person who wrote the file sees beside the line to
fix), or refuses the whole file with `InvalidInput`: unsupported type, too large, unreadable,
missing or repeated columns, no rows, too many rows. Checking each row is the caller's job.
"""

import csv
import io
import os
import zipfile
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from houqin.exceptions import InvalidInput
from houqin.textfiles import decode_upload

MAX_FILE_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip archive: refuse one that would unpack to far more than any list would.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024

Source = str | os.PathLike[str] | IO[bytes]
Row = tuple[int, dict[str, str]]
# A required column, or a tuple of columns of which one is required.
Required = str | tuple[str, ...]


def read_table(
    source: Source,
    filename: str | None = None,
    *,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[Required],
    max_rows: int | None,
    max_bytes: int = MAX_FILE_BYTES,
    column_of: Callable[[str], str | None] | None = None,
) -> list[Row]:
    """The rows of `source` as {column: text}. A header names a column when it is one of the
    names `columns` gives it (the last is the one shown to people), or, with `column_of`, when
    that function says so."""
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
    data = _read_bytes(source, max_bytes)
    lines = _csv_lines(data) if suffix == ".csv" else _xlsx_lines(data)
    if column_of is None:
        aliases = {
            header_key(alias): column for column, names in columns.items() for alias in names
        }

        def column_of(title: str) -> str | None:
            return aliases.get(header_key(title))

    # Closed on every way out, so that a workbook refused part-way is closed at once.
    with closing(lines):
        return _rows(lines, columns, required, max_rows, column_of)


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


def _csv_lines(data: bytes) -> Generator[list[str]]:
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


def _xlsx_lines(data: bytes) -> Generator[list[str]]:
    # Imported here: only Excel uploads need it.
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _unreadable(_("it is not an .xlsx workbook.")) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _unreadable(_("the workbook unpacks to far more than a list would."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; all mean the same
        raise _unreadable(_("it is not an .xlsx workbook.")) from exc
    try:
        if not workbook.worksheets:
            return
        # The first sheet, not the one last viewed: what a person sees first when opening it.
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except Exception as exc:  # as above: a damaged sheet fails while its rows are read
        raise _unreadable(_("a sheet of the workbook is damaged.")) from exc
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def header_key(text: str) -> str:
    """A header as compared: trimmed, lower case, without the `*` that marks a required column."""
    return text.strip().lstrip("\ufeff").rstrip("*＊").strip().lower()


def _label(columns: Mapping[str, Sequence[str]], column: str) -> str:
    return columns[column][-1] if column in columns else column


def _rows(
    lines: Iterator[list[str]],
    columns: Mapping[str, Sequence[str]],
    required: Sequence[Required],
    max_rows: int | None,
    column_of: Callable[[str], str | None],
) -> list[Row]:
    header = next(lines, None)
    if header is None:
        raise InvalidInput(_("The file is empty."), code="no_rows")
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = column_of(title)
        if column is None:
            continue  # other columns (notes, contacts) are allowed and ignored
        if column in positions:
            raise InvalidInput(
                _("The column {column} appears twice in the first row.").format(column=title),
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
        values = {
            column: (line[index].strip() if index < len(line) else "")
            for column, index in positions.items()
        }
        if not any(values.values()):
            continue
        if max_rows is not None and len(rows) >= max_rows:
            raise InvalidInput(
                _("The file has more than {max} rows; split it into smaller files.").format(
                    max=max_rows
                ),
                code="too_many_rows",
            )
        rows.append((number, values))
    if not rows:
        raise InvalidInput(_("The file has no rows below its header."), code="no_rows")
    return rows
