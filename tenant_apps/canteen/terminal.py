"""The file a card terminal (刷卡机) exports after a meal, read for an import of the meal's
servings: a .csv (UTF-8 or GBK) or .xlsx whose first row names the columns, one swipe per row.
Reading the file itself is `houqin.tables`'s; checking each row against the register is
`services.importing.servings_import`'s. Rows are numbered as a spreadsheet numbers them (the
header is row 1).

Terminals name their columns in many ways: the student's number (学号, 学籍号, or the number on
the card, 卡号, which is the student number here) is required; the name (姓名) and the time of
the swipe (刷卡时间) are checked when given; other columns are ignored.
"""

from dataclasses import dataclass
from datetime import date
from typing import IO

from houqin.tables import read_table
from tenant_apps.people.register import parse_date

# Each column's accepted headers; the last is the name shown in messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "student_number": ("student_number", "card_number", "card", "学籍号", "卡号", "学号"),
    "name": ("name", "student_name", "姓名"),
    "time": ("time", "swiped_at", "时间", "消费时间", "就餐时间", "刷卡时间"),
}
REQUIRED_COLUMNS = ("student_number",)


@dataclass(frozen=True)
class Swipe:
    """One row of a terminal's export, as written."""

    row: int
    student_number: str
    name: str = ""
    time: str = ""

    def day(self) -> date | None:
        """The day of the swipe when its time names one (a time of day alone names none)."""
        first = self.time.split()[0] if self.time.strip() else ""
        if not first or ":" in first:
            return None
        return parse_date(first)

    def time_unreadable(self) -> bool:
        first = self.time.split()[0] if self.time.strip() else ""
        return bool(first) and ":" not in first and parse_date(first) is None


def read_swipes(source: IO[bytes], filename: str) -> list[Swipe]:
    """The rows of a terminal's export; raises `InvalidInput` when the whole file cannot be used
    (unsupported type, too large, unreadable, no student number column, more rows than an
    import takes)."""
    rows = read_table(source, filename, columns=COLUMNS, required=REQUIRED_COLUMNS)
    return [Swipe(row=number, **values) for number, values in rows]
