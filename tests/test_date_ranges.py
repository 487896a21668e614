"""Date ranges on lists (docs/api.md, "Date ranges"): `<stem>_from`/`<stem>_to`, both days
included; a moment counts on its day in the district's time (Asia/Shanghai); a bad day is a 400
naming the parameter."""

from datetime import date
from datetime import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin.roles import Role
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.feedback.models import Feedback
from tenants.models import School
from tests.matrix.subsidies import make_budget, make_programme

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEEDBACK = "/api/v1/feedback/"
TERMS = "/api/v1/calendar/terms/"


@pytest.fixture
def feedback(client_for: Any, school_a: School, in_school: Any) -> dict[str, int]:
    """Three items: late on 1 March, just after midnight on 2 March (still 1 March in UTC), and
    on 5 March 2026."""
    student = client_for(school_a, Role.STUDENT)
    moments = {
        "late_1st": dt(2026, 3, 1, 23, 30, tzinfo=SHANGHAI),
        "early_2nd": dt(2026, 3, 2, 0, 30, tzinfo=SHANGHAI),
        "5th": dt(2026, 3, 5, 12, 0, tzinfo=SHANGHAI),
    }
    made = {}
    for name, moment in moments.items():
        answer = student.post(
            FEEDBACK, {"category": "suggestion", "subject": name, "body": "正文"}, format="json"
        )
        assert answer.status_code == 201, answer.content
        made[name] = answer.json()["id"]
        with in_school(school_a):
            Feedback.objects.filter(pk=made[name]).update(created_at=moment)
    return made


@pytest.fixture
def terms(school_a: School, in_school: Any) -> dict[str, int]:
    with in_school(school_a):
        rows = {
            "spring": SchoolTerm.objects.create(
                school_year=2025,
                name="第二学期",
                start_date=date(2026, 3, 2),
                end_date=date(2026, 7, 10),
            ),
            "autumn": SchoolTerm.objects.create(
                school_year=2026,
                name="第一学期",
                start_date=date(2026, 9, 1),
                end_date=date(2027, 1, 20),
            ),
        }
    return {name: row.pk for name, row in rows.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("created_from=2026-03-02&created_to=2026-03-05", {"early_2nd", "5th"}),
        ("created_from=2026-03-01&created_to=2026-03-01", {"late_1st"}),
        ("created_from=2026-03-02", {"early_2nd", "5th"}),
        ("created_to=2026-03-04", {"late_1st", "early_2nd"}),
        ("created_from=2026-03-06&created_to=2026-03-31", set()),
    ],
)
def test_a_moment_counts_on_its_day_in_the_district(
    client_for: Any, school_a: School, feedback: dict[str, int], query: str, expected: set[str]
) -> None:
    answer = client_for(school_a, Role.PRINCIPAL).get(f"{FEEDBACK}?{query}")
    assert answer.status_code == 200, answer.content
    ids = {row["id"] for row in answer.json()["results"]}
    assert ids & set(feedback.values()) == {feedback[name] for name in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start_from=2026-03-02&start_to=2026-03-02", {"spring"}),
        ("start_from=2026-03-03&start_to=2026-09-01", {"autumn"}),
        ("start_from=2026-01-01&start_to=2026-12-31", {"spring", "autumn"}),
        ("start_to=2026-03-01", set()),
    ],
)
def test_a_date_range_includes_both_days(
    client_for: Any, school_a: School, terms: dict[str, int], query: str, expected: set[str]
) -> None:
    answer = client_for(school_a, Role.PRINCIPAL).get(f"{TERMS}?{query}")
    assert answer.status_code == 200, answer.content
    rows = answer.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert {row["id"] for row in rows} & set(terms.values()) == {terms[n] for n in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("period_from=2026-01-31&period_to=2026-02-01", {"autumn", "spring"}),
        ("period_from=2026-02-01&period_to=2026-02-01", {"spring"}),
        ("period_from=2025-06-01&period_to=2025-08-31", set()),
        ("period_to=2025-09-01", {"autumn"}),
    ],
)
def test_a_period_is_found_by_any_day_it_is_in_force(
    client_for: Any, school_a: School, query: str, expected: set[str]
) -> None:
    programme = make_programme()
    budgets = {
        "autumn": make_budget(school_a, programme).pk,
        "spring": make_budget(
            school_a, programme, start=date(2026, 2, 1), end=date(2026, 7, 31), year=2026
        ).pk,
    }
    client = client_for(None, Role.FINANCE_OFFICER)
    answer = client.get(f"/api/v1/subsidies/budgets/?programme={programme.code}&{query}")
    assert answer.status_code == 200, answer.content
    assert {row["id"] for row in answer.json()["results"]} == {budgets[n] for n in expected}


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        (FEEDBACK, "created_from", "2026-13-01"),
        (FEEDBACK, "created_to", "yesterday"),
        (TERMS, "start_from", "0001-01-01"),
        (TERMS, "start_to", "2026-03-02T10:00"),
        ("/api/v1/repairs/scorecards/", "month_from", "2026-13"),
        ("/api/v1/procurement/contracts/", "valid_to", "9999-12-31"),
    ],
)
def test_a_bad_day_is_a_400_naming_the_parameter(
    client_for: Any, school_a: School, path: str, name: str, value: str
) -> None:
    answer = client_for(school_a, Role.PRINCIPAL).get(f"{path}?{name}={value}")
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["error"]["fields"]) == [name]
