"""Statements as files: Excel (openpyxl, through `houqin.tables`) and PDF (reportlab).

The PDF embeds its font, so that every reader shows every character the same: WenQuanYi Micro
Hei (文泉驿微米黑, Apache-2.0, fonts/), cut down to what statements write: Latin, punctuation,
full-width forms and the 20,902 CJK Unified Ideographs (all of GBK's). reportlab embeds the
glyphs a document uses, no more. The font is read on the first PDF, not on import.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from houqin.tables import Workbook
from shared_apps.reporting.selectors import (
    DistrictStatement,
    SchoolStatement,
    StatementRow,
    Totals,
)

MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "WenQuanYiMicroHei-Subset.ttf"


@cache
def pdf_font() -> TTFont:
    """The statements' font, registered with reportlab under FONT."""
    font = TTFont(FONT, str(FONT_FILE))
    pdfmetrics.registerFont(font)
    # One face: paragraphs' bold and italic are set in it too.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return font


@dataclass(frozen=True)
class Column:
    """One column of a statement table: its heading, how to read a row, how to show it."""

    title: str
    value: Callable[[StatementRow], Any]
    kind: str = "text"  # text, count, money, time
    width: int = 12
    total: Callable[[Totals], Any] | None = None
    wrap: bool = False  # long text, wrapped in the PDF


def status_label(status: str) -> str:
    from shared_apps.subsidies.models import Claim

    if status in Claim.Status.values:
        return str(Claim.Status(status).label)
    return _("no claim")


def row_label(row: StatementRow) -> str:
    """The programme, and for an adjustment's own line which claim it adjusts."""
    if row.adjusts is None:
        return row.programme_name
    return _("%(programme)s: adjustment of claim #%(claim)s") % {
        "programme": row.programme_name,
        "claim": row.adjusts,
    }


def _columns(*, district: bool) -> list[Column]:
    school = (
        [
            Column(_("School code"), lambda r: r.school_code, width=14),
            Column(_("School"), lambda r: r.school_name, width=28, wrap=True),
        ]
        if district
        else []
    )
    return [
        *school,
        Column(_("Programme"), row_label, width=24, wrap=True),
        Column(_("Status"), lambda r: status_label(r.status), width=10),
        Column(_("School days"), lambda r: r.school_days, "count", 10),
        Column(_("Student-days"), lambda r: r.student_days, "count", 12, lambda t: t.student_days),
        Column(_("Claimed"), lambda r: r.amount, "money", 14, lambda t: t.amount),
        Column(_("Approved"), lambda r: r.approved, "money", 14, lambda t: t.approved),
        Column(_("Disbursed"), lambda r: r.disbursed, "money", 14, lambda t: t.disbursed),
        Column(_("Decided at"), lambda r: r.decided_at, "time", 17),
        Column(
            _("Decided by"), lambda r: r.decided_by.display_name if r.decided_by else "", width=12
        ),
        Column(_("Allocated"), lambda r: r.allocated, "money", 14, lambda t: t.allocated),
        Column(_("Supplemented"), lambda r: r.supplemented, "money", 14, lambda t: t.supplemented),
        Column(_("Carried in"), lambda r: r.carried_in, "money", 14, lambda t: t.carried_in),
        Column(_("Carried out"), lambda r: r.carried_out, "money", 14, lambda t: t.carried_out),
        Column(_("Committed"), lambda r: r.committed, "money", 14, lambda t: t.committed),
        Column(_("Remaining"), lambda r: r.remaining, "money", 14, lambda t: t.remaining),
    ]


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def school_title(statement: SchoolStatement) -> str:
    return _("%(school)s: subsidy statement for %(month)s") % {
        "school": statement.school_name,
        "month": month_label(statement.month),
    }


def district_name() -> str:
    """The district's name, when the deployment sets DISTRICT_NAME."""
    return str(settings.DISTRICT_NAME or _("District logistics centre"))


def district_title(statement: DistrictStatement) -> str:
    return _("%(district)s: subsidy statement for %(month)s") % {
        "district": district_name(),
        "month": month_label(statement.month),
    }


# Excel --------------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _cell_value(value: Any, kind: str) -> Any:
    if kind == "time" and isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    return value


def _number_format(kind: str) -> str | None:
    return {"money": MONEY_FORMAT, "count": COUNT_FORMAT, "time": TIME_FORMAT}.get(kind)


def _sheet_table(
    sheet: Worksheet,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[StatementRow],
    totals: Totals,
) -> None:
    """Title in row 1, headings in row 2 (frozen with the title), the rows, then the totals."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([c.title for c in columns])
    for cell in sheet[2]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([_cell_value(c.value(row), c.kind) for c in columns])
    sheet.append([c.total(totals) if c.total else None for c in columns])
    last = sheet.max_row
    sheet.cell(row=last, column=1, value=_("Total"))
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        number_format = _number_format(column.kind)
        for (cell,) in sheet.iter_rows(min_row=3, max_row=last, min_col=index, max_col=index):
            if number_format:
                cell.number_format = number_format
            if cell.row == last:
                cell.font = _BOLD
    sheet.freeze_panes = "A3"


def _generated_line(generated_at: datetime) -> str:
    return _("Generated at %(time)s (Beijing time)") % {
        "time": f"{timezone.localtime(generated_at):%Y-%m-%d %H:%M}"
    }


def school_statement_xlsx(statement: SchoolStatement) -> bytes:
    """Two sheets: the month by programme, and the student-days per school day."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Statement")
    _sheet_table(
        sheet, school_title(statement), _columns(district=False), statement.rows, statement.totals
    )
    sheet.append([])
    sheet.append([_generated_line(statement.generated_at)])

    days = workbook.create_sheet(_("Daily"))
    days.append([school_title(statement)])
    days["A1"].font = Font(bold=True, size=13)
    days.append([_("Day"), _("Programme"), _("Student-days")])
    for cell in days[2]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for row in statement.rows:
        for day in row.days:
            days.append([day.day, row.programme_name, day.student_days])
    days.append([_("Total"), None, statement.totals.student_days])
    last = days.max_row
    for day_cell, _programme, count_cell in days.iter_rows(min_row=3, max_row=last):
        day_cell.number_format = DATE_FORMAT
        count_cell.number_format = COUNT_FORMAT
    for cell in days[last]:
        cell.font = _BOLD
    for letter, width in (("A", 12), ("B", 24), ("C", 12)):
        days.column_dimensions[letter].width = width
    days.freeze_panes = "A3"
    workbook.properties.title = school_title(statement)
    return workbook.to_bytes()


def district_statement_xlsx(statement: DistrictStatement) -> bytes:
    """Two sheets: every school's row with totals, and the claims counted by status."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("District")
    _sheet_table(
        sheet,
        district_title(statement),
        _columns(district=True),
        statement.rows,
        statement.totals,
    )
    sheet.append([])
    sheet.append([_generated_line(statement.generated_at)])

    counts = workbook.create_sheet(_("By status"))
    counts.append([_("Status"), _("Rows")])
    for cell in counts[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for status, count in statement.status_counts.items():
        counts.append([status_label(status), count])
    counts.append([_("Schools"), statement.school_count])
    counts.column_dimensions["A"].width = 16
    counts.column_dimensions["B"].width = 10
    counts.freeze_panes = "A2"
    workbook.properties.title = district_title(statement)
    return workbook.to_bytes()


# PDF ----------------------------------------------------------------------------------------------

_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20, spaceAfter=4)
_TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9, leading=13)
# Small enough for the wide district table's figures to fit their columns.
CELL_SIZE = 6.5
CELL_PADDING = 3
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=CELL_SIZE, leading=8.5)


def _pdf_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind == "count":
        return f"{value:,}"
    if kind == "time" and isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


def _pdf_cell(text: str, column: Column, room: float) -> Any:
    """A cell's text, wrapped (a Paragraph) when it is long text or does not fit its column:
    a Paragraph per cell is what makes big tables slow, so only those wrap."""
    if column.wrap or pdfmetrics.stringWidth(text, FONT, CELL_SIZE) > room:
        return Paragraph(escape(text), _CELL)
    return text


def _pdf_table(
    columns: Sequence[Column], rows: Sequence[StatementRow], totals: Totals, width: float
) -> Table:
    scale = width / sum(c.width for c in columns)
    widths = [c.width * scale for c in columns]
    data: list[list[Any]] = [[Paragraph(escape(c.title), _CELL) for c in columns]]
    for row in rows:
        data.append(
            [
                _pdf_cell(_pdf_text(c.value(row), c.kind), c, w - 2 * CELL_PADDING)
                for c, w in zip(columns, widths, strict=True)
            ]
        )
    data.append([_pdf_text(c.total(totals), c.kind) if c.total else "" for c in columns])
    data[-1][0] = _("Total")
    table = Table(data, colWidths=widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for index, column in enumerate(columns):
        if column.kind in ("money", "count"):
            style.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
    table.setStyle(TableStyle(style))
    return table


class _NumberedCanvas(Canvas):
    """Writes "page n of N" on every page once the number of pages is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The embedded font from the first page on: no other font is named in the file.
        super().__init__(*args, **{**kwargs, "initialFontName": FONT})
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            width = self._pagesize[0]
            self.setFont(FONT, 8)
            self.setFillColor(colors.grey)
            self.drawCentredString(
                width / 2,
                10 * mm,
                _("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total},
            )
            super().showPage()
        super().save()


def _pdf(title: str, subtitle: str, story: list[Flowable], *, wide: bool, compress: bool) -> bytes:
    out = io.BytesIO()
    pagesize = landscape(A4) if wide else A4
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=14 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Houqin",
        pageCompression=1 if compress else 0,
        invariant=0 if compress else 1,
    )
    head: list[Flowable] = [
        Paragraph(escape(title), _TITLE),
        Paragraph(escape(subtitle), _TEXT),
        Spacer(1, 4 * mm),
    ]
    doc.build([*head, *story], canvasmaker=_NumberedCanvas)
    return out.getvalue()


def _usable_width(wide: bool) -> float:
    pagesize = landscape(A4) if wide else A4
    return float(pagesize[0] - 24 * mm)


def school_statement_pdf(statement: SchoolStatement, *, compress: bool = True) -> bytes:
    """A4 landscape: the month by programme with totals, then the student-days per school day."""
    pdf_font()
    width = _usable_width(True)
    subtitle = " · ".join(
        [
            _("School: %(name)s (%(code)s)")
            % {"name": statement.school_name, "code": statement.school_code},
            _("Month: %(month)s") % {"month": month_label(statement.month)},
            _generated_line(statement.generated_at),
        ]
    )
    story: list[Flowable] = [
        _pdf_table(_columns(district=False), statement.rows, statement.totals, width)
    ]
    daily = [
        [f"{day.day:%Y-%m-%d}", row.programme_name, f"{day.student_days:,}"]
        for row in statement.rows
        for day in row.days
    ]
    if daily:
        data: list[list[Any]] = [[_("Day"), _("Programme"), _("Student-days")], *daily]
        data.append([_("Total"), "", f"{statement.totals.student_days:,}"])
        table = Table(data, colWidths=[30 * mm, 70 * mm, 30 * mm], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                    ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")),
                    ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ]
            )
        )
        story += [Spacer(1, 6 * mm), Paragraph(_("Student-days per school day"), _TEXT), table]
    return _pdf(school_title(statement), subtitle, story, wide=True, compress=compress)


def district_statement_pdf(statement: DistrictStatement, *, compress: bool = True) -> bytes:
    """A4 landscape: every school's row with totals, then the claims counted by status."""
    pdf_font()
    width = _usable_width(True)
    counts = ", ".join(
        f"{status_label(status)} {count}" for status, count in statement.status_counts.items()
    )
    subtitle = " · ".join(
        [
            _("Month: %(month)s") % {"month": month_label(statement.month)},
            _("Schools: %(count)d") % {"count": statement.school_count},
            _generated_line(statement.generated_at),
        ]
    )
    story: list[Flowable] = [
        _pdf_table(_columns(district=True), statement.rows, statement.totals, width),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("Claims by status: %(counts)s") % {"counts": counts}), _TEXT),
    ]
    return _pdf(district_title(statement), subtitle, story, wide=True, compress=compress)
