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


def parse_month(text: str) -> date:
    """The first day of the month "YYYY-MM" names; ValueError for anything else."""
    if len(text) != 7 or text[4] != "-":
        raise ValueError(text)
    return date(int(text[:4]), int(text[5:]), 1)
