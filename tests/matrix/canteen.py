"""The canteen's operations on a school's host: the school calendar, menus, meal sessions,
servings, food-safety records and alerts.

Grants in houqin/roles.py: `canteen.*` for the canteen manager and the logistics director;
`canteen.view_*` for the principal and the accountant (and `canteen.add_accompaniedmeal` for the
principal); `canteen.view_menu` and the calendar's views for every member; `*.view_*` for the
auditor."""

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.standards import services as standards
from shared_apps.standards.models import MealPlan, Recipe
from tenant_apps.canteen.models import CalendarDay, FoodSample, MealSession, Menu, SchoolTerm
from tests.factories import SETUP
from tests.matrix import AUDITOR, EVERY_SCHOOL_ROLE, Built, Operations, R, Scene
from tests.matrix.people import make_student

READERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER, R.ACCOUNTANT}) | AUDITOR
WRITERS = frozenset({R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER})
MENU_READERS = EVERY_SCHOOL_ROLE | AUDITOR

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/calendar/terms/"): MENU_READERS,
    ("POST", "/api/v1/calendar/terms/"): WRITERS,
    ("GET", "/api/v1/calendar/terms/{id}/"): MENU_READERS,
    ("DELETE", "/api/v1/calendar/terms/{id}/"): WRITERS,
    ("GET", "/api/v1/calendar/holidays/"): MENU_READERS,
    ("POST", "/api/v1/calendar/holidays/"): WRITERS,
    ("GET", "/api/v1/calendar/holidays/{id}/"): MENU_READERS,
    ("DELETE", "/api/v1/calendar/holidays/{id}/"): WRITERS,
    ("GET", "/api/v1/calendar/make-up-days/"): MENU_READERS,
    ("POST", "/api/v1/calendar/make-up-days/"): WRITERS,
    ("GET", "/api/v1/calendar/make-up-days/{id}/"): MENU_READERS,
    ("DELETE", "/api/v1/calendar/make-up-days/{id}/"): WRITERS,
    ("GET", "/api/v1/menus/"): MENU_READERS,
    ("POST", "/api/v1/menus/"): WRITERS,
    ("GET", "/api/v1/menus/{id}/"): MENU_READERS,
    ("PATCH", "/api/v1/menus/{id}/"): WRITERS,
    ("POST", "/api/v1/menus/adopt/"): WRITERS,
    ("GET", "/api/v1/sessions/"): READERS,
    ("POST", "/api/v1/sessions/"): WRITERS,
    ("GET", "/api/v1/sessions/{id}/"): READERS,
    ("PATCH", "/api/v1/sessions/{id}/"): WRITERS,
    ("POST", "/api/v1/sessions/{id}/servings/"): WRITERS,
    ("POST", "/api/v1/sessions/{id}/servings/import/"): WRITERS,
    ("GET", "/api/v1/servings/"): READERS,
    ("GET", "/api/v1/accompanied-meals/"): READERS,
    ("POST", "/api/v1/accompanied-meals/"): WRITERS | {R.PRINCIPAL},
    ("GET", "/api/v1/samples/"): READERS,
    ("POST", "/api/v1/samples/"): WRITERS,
    ("POST", "/api/v1/samples/{id}/discard/"): WRITERS,
    ("GET", "/api/v1/inspections/"): READERS,
    ("POST", "/api/v1/inspections/"): WRITERS,
    ("GET", "/api/v1/cold-readings/"): READERS,
    ("POST", "/api/v1/cold-readings/"): WRITERS,
    ("GET", "/api/v1/alerts/"): READERS,
    ("GET", "/api/v1/daily-closes/"): READERS,
}

DISTRICT_OPERATIONS: Operations = {}

RICE, EGG, TOMATO = "CT001", "EG001", "VG022"
# Past school days (weekdays; the test schools have no holidays), one per call.
FIRST_DAY = datetime.date(2024, 1, 1)
# One-week terms, one per call, far from any other test's days.
FIRST_TERM_MONDAY = datetime.date(2040, 1, 2)
# District plans far from any other test's weeks.
FIRST_PLAN_MONDAY = datetime.date(2036, 1, 7)
_serial = itertools.count(1)


def school_day(k: int) -> datetime.date:
    """The k-th weekday from FIRST_DAY (a Monday)."""
    return FIRST_DAY + datetime.timedelta(weeks=k // 5, days=k % 5)


def recipe(n: int) -> Recipe:
    return standards.recipe_create(
        name=f"番茄炒蛋盖饭 canteen {n}-{Recipe.objects.count()}",
        meal="lunch",
        items=[
            standards.ItemInput(food=RICE, age_band="9-11", grams=Decimal(120)),
            standards.ItemInput(food=EGG, age_band="9-11", grams=Decimal(50)),
            standards.ItemInput(food=TOMATO, age_band="9-11", grams=Decimal(100)),
        ],
        actor=SETUP,
    )


def published_plan(n: int) -> MealPlan:
    week = FIRST_PLAN_MONDAY + datetime.timedelta(weeks=n + MealPlan.objects.count())
    dish = recipe(n)
    plan = standards.plan_create(
        week_start=week,
        age_band="9-11",
        entries=[
            standards.EntryInput(weekday=day, meal="lunch", recipe=dish.pk) for day in (1, 2, 3)
        ],
        actor=SETUP,
    )
    return standards.plan_publish(plan=plan, actor=SETUP)


def make_session(scene: Scene, serial: int) -> MealSession:
    assert scene.school is not None
    with tenant_context(scene.school):
        return MealSession.objects.create(
            date=school_day(serial), meal="lunch", ingredient_cost=Decimal("1000.00")
        )


def term_week(serial: int) -> tuple[int, datetime.date, datetime.date]:
    """The school year, first and last day (Monday to Sunday) of the serial-th one-week term."""
    monday = FIRST_TERM_MONDAY + datetime.timedelta(weeks=serial)
    return monday.year, monday, monday + datetime.timedelta(days=6)


def make_term(scene: Scene, serial: int) -> SchoolTerm:
    year, monday, sunday = term_week(serial)
    assert scene.school is not None
    with tenant_context(scene.school):
        return SchoolTerm.objects.create(
            school_year=year, name=f"第{serial}学期", start_date=monday, end_date=sunday
        )


def make_calendar_day(scene: Scene, serial: int, kind: str) -> CalendarDay:
    """A holiday on the Wednesday, or a make-up day on the Saturday, of a new term."""
    term = make_term(scene, serial)
    offset = 2 if kind == CalendarDay.Kind.HOLIDAY else 5
    assert scene.school is not None
    with tenant_context(scene.school):
        return CalendarDay.objects.create(
            date=term.start_date + datetime.timedelta(days=offset), kind=kind, term=term
        )


def kept_sample(scene: Scene, serial: int) -> FoodSample:
    """A sample whose keeping time ended yesterday."""
    session = make_session(scene, serial)
    assert scene.school is not None
    taken = timezone.now() - datetime.timedelta(days=3)
    with tenant_context(scene.school):
        return FoodSample.objects.create(
            session=session,
            dish="红烧肉",
            taken_at=taken,
            kept_until=taken + datetime.timedelta(hours=48),
        )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    assert scene.school is not None
    serial = next(_serial)
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if path.startswith("/api/v1/calendar/terms/"):
        if "{id}" in path:
            params["id"] = make_term(scene, serial).pk
        elif method == "POST":
            year, monday, sunday = term_week(serial)
            body = {
                "school_year": year,
                "name": f"第{serial}学期",
                "start_date": monday.isoformat(),
                "end_date": sunday.isoformat(),
            }
    elif path.startswith("/api/v1/calendar/"):
        kind = CalendarDay.Kind.HOLIDAY if "/holidays/" in path else CalendarDay.Kind.MAKE_UP_DAY
        if "{id}" in path:
            params["id"] = make_calendar_day(scene, serial, kind).pk
        elif method == "POST":
            start = make_term(scene, serial).start_date
            day = start + datetime.timedelta(days=2 if kind == CalendarDay.Kind.HOLIDAY else 5)
            body = {"date": day.isoformat(), "name": "调休"}
    elif path == "/api/v1/menus/adopt/":
        body = {"plan": published_plan(serial).pk}
    elif path.startswith("/api/v1/menus/"):
        if "{id}" in path:
            with tenant_context(scene.school):
                menu = Menu.objects.create(
                    start_date=school_day(serial),
                    end_date=school_day(serial) + datetime.timedelta(days=4),
                    age_band="9-11",
                    origin=Menu.Origin.OWN,
                )
            params["id"] = menu.pk
            if method == "PATCH":
                body = {
                    "items": [
                        {
                            "date": menu.start_date.isoformat(),
                            "meal": "lunch",
                            "recipe": recipe(n).pk,
                        }
                    ]
                }
        elif method == "POST":
            day = school_day(serial)
            body = {
                "start_date": day.isoformat(),
                "end_date": (day + datetime.timedelta(days=4)).isoformat(),
                "age_band": "9-11",
                "items": [{"date": day.isoformat(), "meal": "lunch", "recipe": recipe(n).pk}],
            }
    elif path.startswith("/api/v1/sessions/"):
        if "{id}" in path:
            params["id"] = make_session(scene, serial).pk
            if path.endswith("/servings/"):
                student = make_student(scene.school.schema_name)
                body = {"student_numbers": [student.student_number], "source": "card"}
            elif path.endswith("/servings/import/"):
                student = make_student(scene.school.schema_name)
                swipes = f"学号\n{student.student_number}\n".encode()
                body = {"file": SimpleUploadedFile("swipes.csv", swipes, content_type="text/csv")}
            elif method == "PATCH":
                body = {"ingredient_cost": "1234.50", "teachers_shared": True}
        elif method == "POST":
            body = {"date": school_day(serial).isoformat(), "meal": "lunch"}
    elif path == "/api/v1/accompanied-meals/" and method == "POST":
        body = {"session": make_session(scene, serial).pk, "comments": "饭菜可口"}
    elif path == "/api/v1/samples/" and method == "POST":
        body = {"session": make_session(scene, serial).pk, "dish": "番茄炒蛋"}
    elif path == "/api/v1/samples/{id}/discard/":
        params["id"] = kept_sample(scene, serial).pk
    elif path == "/api/v1/inspections/" and method == "POST":
        body = {
            "supplier_name": "县粮油公司",
            "batch": f"B{serial:06d}",
            "certificates": ["营业执照", "检验合格证明"],
            "lines": [{"item": "大米", "quantity": "50", "unit": "kg"}],
            "received_on": "2025-03-03",
            "shelf_life_until": "2026-03-03",
        }
    elif path == "/api/v1/cold-readings/" and method == "POST":
        body = {"unit": "冷藏柜1", "unit_type": "refrigerator", "temperature_c": "4.0"}
    return params, body
