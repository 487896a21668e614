"""The district's spend views as an Excel workbook (openpyxl, through `houqin.tables`): a summary
sheet, one sheet for each grouping (school, category, supplier) with its totals row, and the
orders outside contracts. The figures are the JSON view's, cell for cell."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from houqin.tables import Workbook
from shared_apps.procurement.selectors.spend import SpendFigures, SpendGroup, SpendSummary
from shared_apps.reporting.renderers import COUNT_FORMAT, DATE_FORMAT, MONEY_FORMAT

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def figure_columns() -> list[tuple[str, Callable[[SpendFigures], Any], str | None]]:
    """(heading, value, number format) of each figure, in the order the sheets show them."""
    return [
        (_("Orders"), lambda f: f.orders, COUNT_FORMAT),
        (_("Lines"), lambda f: f.lines, COUNT_FORMAT),
        (_("Amount ordered"), lambda f: f.amount, MONEY_FORMAT),
        (_("Invoiced"), lambda f: f.invoiced, MONEY_FORMAT),
        (_("At reference prices"), lambda f: f.reference_amount, MONEY_FORMAT),
        (_("Savings"), lambda f: f.savings, MONEY_FORMAT),
        (_("Savings %"), lambda f: f.savings_pct, MONEY_FORMAT),
        (_("Lines outside contracts"), lambda f: f.outside_contract_lines, COUNT_FORMAT),
        (_("Amount outside contracts"), lambda f: f.outside_contract_amount, MONEY_FORMAT),
        (_("On time"), lambda f: f.on_time, COUNT_FORMAT),
        (_("Late"), lambda f: f.late, COUNT_FORMAT),
        (_("On-time rate %"), lambda f: f.on_time_rate, MONEY_FORMAT),
    ]


def _heading(sheet: Worksheet, titles: Sequence[str]) -> None:
    sheet.append(list(titles))
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL


def _formats(sheet: Worksheet, first_row: int, formats: Sequence[str | None]) -> None:
    for index, number_format in enumerate(formats, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=first_row, min_col=index, max_col=index):
            cell.number_format = number_format


def _groups(
    workbook: Workbook, title: str, key: str, groups: Sequence[SpendGroup], totals: SpendFigures
) -> None:
    sheet = workbook.create_sheet(title)
    columns = figure_columns()
    _heading(sheet, [key, _("Name"), *(c[0] for c in columns)])
    for group in groups:
        sheet.append([group.key, group.name, *(c[1](group.figures) for c in columns)])
    sheet.append([_("Total"), None, *(c[1](totals) for c in columns)])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    _formats(sheet, 2, [None, None, *(c[2] for c in columns)])
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "C2"


def _period(summary: SpendSummary) -> str:
    return _("Spend from %(start)s to %(end)s") % {
        "start": f"{summary.date_from:%Y-%m-%d}",
        "end": f"{summary.date_to:%Y-%m-%d}",
    }


def _generated(generated_at: datetime) -> str:
    return _("Generated at %(time)s (Beijing time)") % {
        "time": f"{timezone.localtime(generated_at):%Y-%m-%d %H:%M}"
    }


def spend_xlsx(summary: SpendSummary) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Summary")
    sheet.append([_period(summary)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_generated(summary.generated_at)])
    _heading(sheet, [_("Figure"), _("Value")])
    for title, value, number_format in figure_columns():
        sheet.append([title, value(summary.totals)])
        if number_format:
            sheet.cell(sheet.max_row, 2).number_format = number_format
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 18
    _groups(workbook, _("By school"), _("School code"), summary.by_school, summary.totals)
    _groups(workbook, _("By category"), _("Category"), summary.by_category, summary.totals)
    _groups(workbook, _("By supplier"), _("Supplier id"), summary.by_supplier, summary.totals)

    outside = workbook.create_sheet(_("Outside contracts"))
    _heading(
        outside,
        [
            _("School code"),
            _("School"),
            _("Order"),
            _("Supplier"),
            _("Ordered on"),
            _("Lines"),
            _("Amount"),
            _("Reason"),
        ],
    )
    for order in summary.outside_contract:
        outside.append(
            [
                order.school_code,
                order.school_name,
                order.order_number,
                order.supplier_name,
                order.ordered_on,
                order.lines,
                order.amount,
                order.reason,
            ]
        )
    _formats(outside, 2, [None, None, None, None, DATE_FORMAT, COUNT_FORMAT, MONEY_FORMAT, None])
    outside.freeze_panes = "A2"
    workbook.properties.title = _period(summary)
    return workbook.to_bytes()
