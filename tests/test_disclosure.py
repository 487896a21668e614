"""The public disclosure page (公示) on a school's host: anonymous, per school, no personal data,
no script, cached per school, readable on a phone."""

import datetime
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from houqin.roles import REGISTRY, Role
from shared_apps.subsidies.models import Claim, Programme, ProgrammeCode
from tenant_apps.canteen.models import AccompaniedMeal, MealSession, Menu, MenuItem
from tenant_apps.canteen.services.servings import servings_record
from tenant_apps.disclosure.selectors import disclosure_for
from tenant_apps.people.models import Student
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import SETUP, user_with_role
from tests.matrix.dorms import make_fee
from tests.matrix.subsidies import make_budget, make_claim

# A Wednesday: the week is 2025-03-10 … 03-14, the month so far 2025-03-03 … 03-12.
TODAY = datetime.date(2025, 3, 12)
MONDAY = datetime.date(2025, 3, 10)
URL = "/disclosure/"


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The clock stands on TODAY (for the page and for the canteen's "not in the future")."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def programme(db: Any) -> Programme:
    programme, _created = Programme.objects.update_or_create(
        code="nutrition_improvement",
        defaults={"name": "营养改善计划", "daily_rate": Decimal("5.00"), "active": True},
    )
    return programme


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def pupils(prefix: str, tag: str, count: int) -> list[Student]:
    return [
        Student.objects.create(
            student_number=f"{prefix}-SECRET-{i:04d}",
            name=f"{tag}欧阳{'甲乙丙丁'[i]}翠",
            gender=Student.Gender.FEMALE,
            grade=4,
            class_name="1班",
        )
        for i in range(count)
    ]


def meal(day: datetime.date, kind: str, cost: str, who: list[Student]) -> MealSession:
    session = MealSession.objects.create(date=day, meal=kind, ingredient_cost=Decimal(cost))
    servings_record(actor=SETUP, session=session, source="card", student_ids=[s.pk for s in who])
    return session


def week_menu(dish: str, flags: list[dict[str, Any]]) -> Menu:
    menu = Menu.objects.create(
        start_date=MONDAY,
        end_date=MONDAY + datetime.timedelta(days=4),
        age_band="9-11",
        origin=Menu.Origin.OWN,
        report={
            "standard": {"code": "WS/T 554-2017", "version": 1},
            "meets_standard": not flags,
            "flags": flags,
        },
    )
    for offset in range(5):
        MenuItem.objects.create(
            menu=menu,
            date=MONDAY + datetime.timedelta(days=offset),
            meal="lunch",
            recipe_id=offset + 1,
            recipe_name=f"{dish}{offset + 1}号",
            nutrients={"energy_kcal": "650.00", "protein_g": "25.00"},
        )
    return menu


LOW_CALCIUM = {
    "date": "2025-03-11",
    "meal": "lunch",
    "nutrient": "calcium_mg",
    "status": "low",
    "actual": "250.00",
    "target": "400.00",
    "lower": "320.00",
    "upper": None,
}


@pytest.fixture
def school_a_data(school_a: School, today: datetime.date, programme: Programme) -> dict[str, Any]:
    principal = user_with_role(
        Role.PRINCIPAL, school_a, username="principal.login.secret", display_name="王真名校长"
    )
    with schema_context(school_a.schema_name):
        students = pupils("A", "甲校", 3)
        week_menu("甲校番茄炒蛋", [LOW_CALCIUM])
        meal(datetime.date(2025, 3, 4), "lunch", "10.00", students[:2])
        meal(datetime.date(2025, 3, 11), "breakfast", "7.50", students)
        lunch = meal(datetime.date(2025, 3, 11), "lunch", "18.00", students)
        # 3.00 a head: below the 5.00 daily rate.
        meal(TODAY, "lunch", "9.00", students)
        AccompaniedMeal.objects.create(session=lunch, leader=principal, comments="甲校饭菜温度合适")
    return {"students": students, "principal": principal}


@pytest.fixture
def school_b_data(school_b: School, today: datetime.date, programme: Programme) -> dict[str, Any]:
    director = user_with_role(Role.LOGISTICS_DIRECTOR, school_b, username="director.b.secret")
    with schema_context(school_b.schema_name):
        students = pupils("B", "乙校", 2)
        week_menu("乙校红烧肉", [])
        lunch = meal(datetime.date(2025, 3, 10), "lunch", "77.77", students)
        AccompaniedMeal.objects.create(session=lunch, leader=director, comments="乙校口味偏咸")
    return {"students": students}


@pytest.fixture
def anonymous(
    client_for: Callable[..., HostClient],
) -> Callable[[School | None], HostClient]:
    return lambda school: client_for(school)


def page(client: HostClient, **params: str) -> Any:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    return response


def test_anonymous_visitors_read_the_schools_page(anonymous, school_a, school_a_data):
    response = page(anonymous(school_a))
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "测试学校甲" in html
    # The week's dishes, Monday to Friday, and the menu's check in plain words.
    for n in range(1, 6):
        assert f"甲校番茄炒蛋{n}号" in html
    assert "650" in html  # the week's energy, whatever unit word the language uses
    assert "250.00" in html and "320.00" in html
    # Cost per student served against the daily rate: 18.00 / 3 and 9.00 / 3.
    assert "¥5.00" in html
    assert "¥18.00" in html and "¥6.00" in html
    assert "¥3.00" in html and 'class="below"' in html
    # The month: 2 + 3 + 3 students on three days (8 student-days), 2 + 6 + 3 meals.
    assert "<strong>8</strong>" in html
    assert ">11</td>" in html
    # The accompanied meal: the leader by role, never by name or username.
    with translation.override("zh-hans"):
        principal = str(REGISTRY[Role.PRINCIPAL].label)
    assert principal in html
    assert "甲校饭菜温度合适" in html
    assert "principal.login.secret" not in html
    assert "王真名校长" not in html
    # No session, no CSRF cookie: nothing set on a parent's phone.
    assert not response.cookies


def test_the_selector_gathers_the_figures(school_a, school_a_data):
    with schema_context(school_a.schema_name):
        disclosure = disclosure_for(today=TODAY)
    assert disclosure.school_name == "测试学校甲"
    assert (disclosure.week_start, disclosure.week_end) == (MONDAY, datetime.date(2025, 3, 14))
    [menu] = disclosure.menus
    assert menu.meets_standard is False
    [flag] = menu.flags
    assert (flag.nutrient, flag.status, flag.actual, flag.lower) == (
        "calcium_mg",
        "low",
        Decimal("250.00"),
        Decimal("320.00"),
    )
    assert [len(day.meals) for day in menu.days] == [1, 1, 1, 1, 1]
    costs = [(c.date.day, c.meal, c.students_served, c.cost_per_student) for c in disclosure.costs]
    assert costs == [
        (11, "breakfast", 3, Decimal("2.50")),
        (11, "lunch", 3, Decimal("6.00")),
        (12, "lunch", 3, Decimal("3.00")),
    ]
    assert [c.below_daily_rate for c in disclosure.costs] == [True, False, True]
    assert disclosure.subsidy_daily_rate == Decimal("5.00")
    # Every school day of the month so far, eaten or not.
    assert [d.date.day for d in disclosure.serving_days] == [3, 4, 5, 6, 7, 10, 11, 12]
    assert [d.students for d in disclosure.serving_days] == [0, 2, 0, 0, 0, 0, 3, 3]
    assert (disclosure.student_days_total, disclosure.meals_total) == (8, 11)
    [entry] = disclosure.accompanied_meals
    assert (entry.date.day, entry.meal, entry.comments) == (11, "lunch", "甲校饭菜温度合适")


def test_the_page_leads_with_what_parents_look_for(anonymous, school_a, school_a_data):
    html = page(anonymous(school_a)).content.decode()
    # First: today's dishes, the week's cost per student and meal, the month's meals.
    order = [html.index(f'id="{part}"') for part in ("glance", "menu", "cost", "servings")]
    assert order == sorted(order)
    glance = html[html.index('id="glance"') : html.index('id="menu"')]
    assert "甲校番茄炒蛋3号" in glance  # TODAY, Wednesday, the menu's third day
    # (7.50 + 18.00 + 9.00) over 3 + 3 + 3 served.
    assert "¥3.83" in glance and "¥5.00" in glance
    assert "<strong>11</strong>" in glance
    # The nutrient check in one line, its figures folded.
    check = html[html.index('<details class="check flagged">') :]
    summary = check[: check.index("</summary>")]
    assert "1" in summary and "250.00" not in summary
    assert "250.00" in check[: check.index("</details>")]


def test_a_menu_meeting_the_standard_says_so_in_one_line(anonymous, school_b, school_b_data):
    html = page(anonymous(school_b)).content.decode()
    assert '<p class="check ok">' in html and "<details" not in html


def test_each_school_shows_only_its_own_records(
    anonymous, school_a, school_b, school_a_data, school_b_data
):
    a = page(anonymous(school_a)).content.decode()
    b = page(anonymous(school_b)).content.decode()
    assert "乙校红烧肉" in b and "¥77.77" in b and "乙校口味偏咸" in b
    for foreign in ("乙校", "测试学校乙", "77.77"):
        assert foreign not in a
    for foreign in ("甲校", "测试学校甲", "18.00"):
        assert foreign not in b
    with translation.override("zh-hans"):
        director = str(REGISTRY[Role.LOGISTICS_DIRECTOR].label)
    assert director in b


def test_no_student_is_named_or_numbered(anonymous, school_a, school_a_data):
    client = anonymous(school_a)
    html = page(client).content.decode()
    body = page(client, format="json").content.decode()
    for student in school_a_data["students"]:
        for text in (html, body):
            assert student.name not in text
            assert student.student_number not in text
            assert "欧阳" not in text
            assert f'"student": {student.pk}' not in text
    keys = _keys(json.loads(body))
    assert not keys & {"name", "student", "student_id", "student_number", "username", "leader_id"}
    assert "display_name" not in keys


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_page_keeps_the_content_security_policy(anonymous, school_a, school_a_data):
    response = page(anonymous(school_a))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self';" in policy
    html = response.content.decode().lower()
    assert "<script" not in html
    assert " on" + "load=" not in html and "javascript:" not in html
    # Nothing fetched from elsewhere: the one stylesheet is the project's own; no external
    # font, image or link.
    assert "http://" not in html and "https://" not in html
    assert re.findall(r"<link[^>]*>", html) == [
        '<link rel="stylesheet" href="/static/disclosure/disclosure.css">'
    ]
    assert "<img" not in html and "@import" not in html


def test_json_carries_the_same_figures(anonymous, school_a, school_a_data):
    response = page(anonymous(school_a), format="json")
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["school_name"] == "测试学校甲"
    assert data["week_start"] == "2025-03-10"
    dishes = [
        dish for day in data["menus"][0]["days"] for m in day["meals"] for dish in m["dishes"]
    ]
    assert dishes == [f"甲校番茄炒蛋{n}号" for n in range(1, 6)]
    assert data["menus"][0]["flags"][0]["nutrient"] == "calcium_mg"
    assert data["subsidy_daily_rate"] == "5.00"
    assert data["costs"][1]["cost_per_student"] == "6.00"
    assert (data["student_days_total"], data["meals_total"]) == (8, 11)
    assert data["accompanied_meals"][0]["comments"] == "甲校饭菜温度合适"
    assert set(data["accompanied_meals"][0]) == {"date", "meal", "meal_label", "leader", "comments"}


def test_the_page_is_cached_per_school(anonymous, school_a, school_b, school_a_data, school_b_data):
    client_a = anonymous(school_a)
    first = page(client_a).content
    with CaptureQueriesContext(connection) as queries:
        again = page(client_a).content
    assert again == first
    assert len(queries.captured_queries) == 0, [q["sql"] for q in queries.captured_queries]
    # Another school's page is its own (the cache key carries the schema).
    client_b = anonymous(school_b)
    with CaptureQueriesContext(connection) as queries:
        b = page(client_b).content.decode()
    assert queries.captured_queries
    assert "乙校红烧肉" in b and "甲校" not in b
    # JSON is cached apart from the HTML.
    assert page(client_a, format="json").json()["school_name"] == "测试学校甲"
    with CaptureQueriesContext(connection) as queries:
        page(client_a, format="json")
    assert len(queries.captured_queries) == 0
    # Within the five minutes a new record is not shown yet.
    with schema_context(school_a.schema_name):
        MealSession.objects.create(date=TODAY, meal="dinner", ingredient_cost=Decimal("99.99"))
    assert "99.99" not in page(client_a).content.decode()


def test_a_school_without_records_gets_a_friendly_page(anonymous, school_b, today):
    response = page(anonymous(school_b))
    html = response.content.decode()
    assert zh("Nothing to show yet") in html
    assert zh("No menu has been published for this week.") in html
    assert zh("No meal has been served this week yet.") in html
    assert zh("No accompanied meal has been recorded this month yet.") in html
    data = page(anonymous(school_b), format="json").json()
    assert data["menus"] == data["costs"] == data["accompanied_meals"] == []
    assert data["student_days_total"] == 0


def test_it_reads_well_on_a_phone(anonymous, school_a, school_a_data):
    html = page(anonymous(school_a)).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="zh-Hans">' in html
    # Narrow screens: tables turn into cards of "label: value" lines.
    css = finders.find("disclosure/disclosure.css")
    assert css is not None
    style = Path(css).read_text()
    assert "@media (max-width:40rem)" in style
    assert "table.stack thead{display:none}" in style
    assert "content:attr(data-label)" in style
    assert "overflow-wrap:anywhere" in style
    assert 'class="stack"' in html and 'data-label="' in html


def test_only_get_and_known_formats(anonymous, school_a, today):
    client = anonymous(school_a)
    posted = client.post(URL, {})
    assert posted.status_code == 405
    assert posted["Allow"] == "GET"
    wrong = client.get(URL, {"format": "xml"}, HTTP_ACCEPT="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "bad_format"


def test_the_district_host_has_no_disclosure(anonymous, db):
    assert anonymous(None).get(URL).status_code == 404


def test_the_boarding_fees_and_the_allowance_paid_show_per_term_with_no_pupil_named(
    anonymous, school_a
):
    charge = make_fee(school_a, left=True)
    with schema_context(school_a.schema_name):
        student = Student.objects.get(pk=charge.student_id)
        term = charge.term
    programme = Programme.objects.get(code=ProgrammeCode.BOARDING_LIVING)
    claim = make_claim(
        school_a,
        status=Claim.Status.PAID,
        amount=Decimal("625.00"),
        budget=make_budget(school_a, programme, start=term.start_date, end=term.end_date),
        month=term.start_date,
    )
    Claim.objects.across_schools().filter(pk=claim.pk).update(disbursed=Decimal("625.00"))
    client = anonymous(school_a)
    body = json.loads(page(client, format="json").content)
    (row,) = body["boarding"]
    assert (row["term"], row["fees_charged"], row["fees"]) == (term.name, 1, "600.00")
    assert (row["allowance_boarders"], row["allowance_paid"]) == (125, "625.00")
    html = page(client).content.decode()
    assert 'id="boarding"' in html and "625.00" in html
    assert student.name not in html and student.student_number not in html
