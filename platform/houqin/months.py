"""Calendar months. A month is named by the date of its first day."""

import calendar
from datetime import date

from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(month: date) -> date:
    """The last day of the month that holds `month`."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month that holds `month`."""
    return month.replace(day=1), month_end(month)


def next_month(month: date) -> date:
    """The first day of the month after the one that holds `month`."""
    return add_months(month.replace(day=1), 1)


def previous_month(today: date | None = None) -> date:
    """The first day of the month before `today`'s (today in Asia/Shanghai by default)."""
    return add_months((today or timezone.localdate()).replace(day=1), -1)


# How the API writes a month: "YYYY-MM"; "YYYY-MM-DD" (the month holding that day) is read too.
MONTH_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"


def parse_month(text: str) -> date:
    """The first day of the month "YYYY-MM" names, or of the month holding the day "YYYY-MM-DD";
    ValueError for anything else."""
    if len(text) == 10 and text[7] == "-":
        return date.fromisoformat(text).replace(day=1)
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        raise ValueError(text)
    return date(int(text[:4]), int(text[5:]), 1)


def names_a_day(text: str) -> bool:
    """Whether a month was written as one of its days ("YYYY-MM-DD"), the older form."""
    return len(text.strip()) == 10
