"""Calendar months, the one helper every app counts months with."""

from datetime import date

import pytest

from houqin.months import (
    add_months,
    month_bounds,
    month_end,
    next_month,
    parse_month,
    previous_month,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 10), -1, date(2024, 12, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 6, 1), 60, date(2030, 6, 1)),
    ],
)
def test_add_months_clamps_to_the_last_day(day, months, expected) -> None:
    assert add_months(day, months) == expected


def test_a_month_is_named_by_its_first_day() -> None:
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_bounds(date(2025, 12, 31)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert next_month(date(2025, 12, 31)) == date(2026, 1, 1)
    assert previous_month(date(2026, 1, 5)) == date(2025, 12, 1)
    assert previous_month(date(2026, 3, 31)) == date(2026, 2, 1)


def test_parse_month_reads_year_dash_month_and_a_day_of_it() -> None:
    assert parse_month("2026-02") == date(2026, 2, 1)
    assert parse_month("2026-02-01") == parse_month("2026-02-17") == date(2026, 2, 1)
    for text in ("2026-2", "2026-13", "202602", "2026/02", "2026-02-30", "2026-0a", "+2026-02", ""):
        with pytest.raises(ValueError):
            parse_month(text)
