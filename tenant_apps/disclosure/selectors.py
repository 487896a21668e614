"""What a school discloses to parents and the public (no sign-in): this week's menu and how it
meets the nutrition standard, what each meal's ingredients cost per student served against the
subsidy's daily rate, the month's servings per school day, the leaders' accompanied meals, and
per term the boarding fees charged and refunded and the boarders' living allowance paid.

Only aggregates and the school's own records: never a student's name, number or id (servings are
counted, never listed), and a leader is named by their role in the school, never by username or
name. Reads go through the canteen, dorms, standards, subsidies and accounts selectors;
everything runs in the schema in force (the school's, on its host).
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from houqin.db import tenant_db
from houqin.roles import REGISTRY, Role
from shared_apps.accounts import selectors as accounts
from shared_apps.standards import selectors as standards
from shared_apps.standards.selectors import MEAL_ORDER
from shared_apps.subsidies import selectors as subsidies
from tenant_apps.canteen import selectors as canteen
from tenant_apps.canteen.models import Meal, Menu
from tenant_apps.dorms import selectors as dorms
from tenant_apps.dorms.selectors import TermMoney
from tenants.models import School

ONE = Decimal("1")

# Who a leader is, in the order a parent would expect them named: the first role they hold here.
LEADER_ROLES = (
    Role.PRINCIPAL,
    Role.LOGISTICS_DIRECTOR,
    Role.CANTEEN_MANAGER,
    Role.ACCOUNTANT,
    Role.DORM_MANAGER,
    Role.ASSET_KEEPER,
    Role.REPAIR_TECHNICIAN,
    Role.STAFF,
)


@dataclass(frozen=True)
class MenuMeal:
    """One meal of one day: its dishes and what they bring (from the menu's snapshots)."""

    meal: str
    meal_label: str
    dishes: list[str]
    energy_kcal: Decimal
    protein_g: Decimal


@dataclass(frozen=True)
class MenuDay:
    date: date
    meals: list[MenuMeal]


@dataclass(frozen=True)
class NutrientFlag:
    """A target the menu misses, in plain words (`text`) and as figures."""

    meal: str
    date: date | None
    nutrient: str
    status: str
    actual: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    text: str


@dataclass(frozen=True)
class WeekMenu:
    """The menu in force for one age band, its days within the week and its nutrient check."""

    age_band: str
    title: str
    origin: str
    standard: str
    meets_standard: bool | None
    summary: str
    flags: list[NutrientFlag]
    days: list[MenuDay]


@dataclass(frozen=True)
class MealCost:
    """One meal served this week: its ingredient cost per student served."""

    date: date
    meal: str
    meal_label: str
    ingredient_cost: Decimal
    students_served: int
    cost_per_student: Decimal | None
    below_daily_rate: bool


@dataclass(frozen=True)
class ServingDay:
    """One school day: how many students ate at least one meal, and how many meals were eaten."""

    date: date
    students: int
    meals: int


@dataclass(frozen=True)
class AccompaniedEntry:
    """A leader ate a meal with the students (陪餐): when, which meal, who (by role), remarks."""

    date: date
    meal: str
    meal_label: str
    leader: str
    comments: str


@dataclass(frozen=True)
class Disclosure:
    """Everything the school's public page shows."""

    school_name: str
    today: date
    week_start: date
    week_end: date
    month_start: date
    menus: list[WeekMenu]
    subsidy_programme: str
    subsidy_daily_rate: Decimal
    costs: list[MealCost]
    serving_days: list[ServingDay]
    student_days_total: int
    meals_total: int
    accompanied_meals: list[AccompaniedEntry]
    # Per term: the boarding fees charged and refunded, the boarders' allowance paid (counts).
    boarding: list[TermMoney]

    @property
    def is_empty(self) -> bool:
        return not (self.menus or self.costs or self.meals_total or self.accompanied_meals)

    @property
    def today_meals(self) -> list[MenuMeal]:
        """What the menus serve today (the first menu that serves anything today)."""
        for menu in self.menus:
            for day in menu.days:
                if day.date == self.today and day.meals:
                    return day.meals
        return []

    @property
    def week_cost_per_student(self) -> Decimal | None:
        """The week's ingredient cost over the students served, all meals together."""
        served = sum(cost.students_served for cost in self.costs)
        spent = sum((cost.ingredient_cost for cost in self.costs), Decimal(0))
        return canteen.per_serving(spent, served)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _meal_label(meal: str) -> str:
    return str(Meal(meal).label) if meal in Meal.values else meal


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _school() -> School | None:
    tenant = tenant_db().tenant
    if isinstance(tenant, School):
        return tenant
    # schema_context() (tasks, tests) puts a stand-in tenant on the connection.
    return School.objects.filter(schema_name=tenant_db().schema_name).first()


# This week's menu --------------------------------------------------------------------------------


def _flag(raw: dict[str, Any]) -> NutrientFlag:
    day = date.fromisoformat(raw["date"]) if isinstance(raw.get("date"), str) else raw.get("date")
    return NutrientFlag(
        meal=str(raw.get("meal", "")),
        date=day,
        nutrient=str(raw.get("nutrient", "")),
        status=str(raw.get("status", "")),
        actual=_decimal(raw.get("actual")),
        lower=_decimal(raw.get("lower")),
        upper=_decimal(raw.get("upper")),
        text=standards.check_text(raw),
    )


def week_menus(*, week_start: date, week_end: date) -> list[WeekMenu]:
    """The menus in force with dishes in [week_start, week_end], one per age band."""
    items = (
        canteen.menu_item_list()
        .filter(date__range=(week_start, week_end), menu__status=Menu.Status.ACTIVE)
        .select_related("menu")
        .order_by("menu__age_band", "menu_id", "date", "id")
    )
    by_menu: dict[int, tuple[Menu, dict[date, dict[str, list[Any]]]]] = {}
    for item in items:
        _menu, days = by_menu.setdefault(item.menu_id, (item.menu, defaultdict(dict)))
        days[item.date].setdefault(item.meal, []).append(item)
    menus = []
    for menu, days in by_menu.values():
        menu_days = []
        for day in sorted(days):
            meals = []
            for meal in sorted(days[day], key=lambda m: MEAL_ORDER.get(m, 99)):
                dishes = days[day][meal]
                meals.append(
                    MenuMeal(
                        meal=meal,
                        meal_label=_meal_label(meal),
                        dishes=[d.recipe_name for d in dishes],
                        energy_kcal=_sum(dishes, "energy_kcal", ONE),
                        protein_g=_sum(dishes, "protein_g", ONE),
                    )
                )
            menu_days.append(MenuDay(date=day, meals=meals))
        # An own menu's flags are per day: only this week's days concern this page.
        check = canteen.nutrient_check(menu.report or {}, start=week_start, end=week_end)
        menus.append(
            WeekMenu(
                age_band=menu.age_band,
                title=menu.title,
                origin=str(Menu.Origin(menu.origin).label),
                standard=str(((menu.report or {}).get("standard") or {}).get("code") or ""),
                meets_standard=check.meets,
                summary=check.summary,
                flags=[_flag(raw) for raw in check.flags],
                days=menu_days,
            )
        )
    return menus


def _sum(items: list[Any], key: str, step: Decimal) -> Decimal:
    total = sum((_decimal(item.nutrients.get(key)) or Decimal(0) for item in items), Decimal(0))
    return total.quantize(step, rounding=ROUND_HALF_UP)


# What the meals cost -----------------------------------------------------------------------------


def subsidy_rate() -> tuple[str, Decimal]:
    """The nutrition improvement programme's name and daily rate (the canteen's default rate
    when the district has not set the programme up)."""
    programme = subsidies.programme_active_get(code=canteen.DEFAULT_PROGRAMME)
    if programme is None:
        return _("Nutrition improvement programme"), canteen.subsidy_daily_rate()
    return programme.name, programme.daily_rate


def week_costs(*, week_start: date, week_end: date, rate: Decimal) -> list[MealCost]:
    """Each meal served in [week_start, week_end]: ingredient cost over the students served."""
    sessions = (
        canteen.meal_session_list()
        .filter(date__range=(week_start, week_end))
        .order_by("date", "meal", "id")
    )
    costs = []
    for session in sorted(sessions, key=lambda s: (s.date, MEAL_ORDER.get(s.meal, 99))):
        served: int = session.serving_count  # type: ignore[attr-defined]
        per_student = canteen.per_serving(session.ingredient_cost, served)
        costs.append(
            MealCost(
                date=session.date,
                meal=session.meal,
                meal_label=_meal_label(session.meal),
                ingredient_cost=session.ingredient_cost,
                students_served=served,
                cost_per_student=per_student,
                below_daily_rate=per_student is not None and per_student < rate,
            )
        )
    return costs


# The month's servings ----------------------------------------------------------------------------


def month_servings(*, start: date, end: date) -> list[ServingDay]:
    """Per school day in [start, end]: students who ate at least one meal, and meals eaten.
    Counts only (one aggregate query); no student is ever named."""
    days = canteen.school_days_between(start, end)
    rows = (
        canteen.serving_list()
        .filter(session__date__range=(start, end))
        .values("session__date")
        .annotate(students=Count("student", distinct=True), meals=Count("id"))
        .order_by()
        .values_list("session__date", "students", "meals")
    )
    counts = {day: (students, meals) for day, students, meals in rows}
    # A meal served on a day the calendar now calls a holiday still counts.
    return [
        ServingDay(date=day, students=counts.get(day, (0, 0))[0], meals=counts.get(day, (0, 0))[1])
        for day in sorted({*days, *counts})
    ]


# Accompanied meals -------------------------------------------------------------------------------


def _leader_labels(school: School | None, leader_ids: set[int]) -> dict[int, str]:
    """Each leader's most senior role in this school, as words (never a name or username)."""
    roles: dict[int, set[str]] = defaultdict(set)
    if school is not None and leader_ids:
        memberships = (
            accounts.membership_list()
            .for_school(school)
            .filter(user_id__in=leader_ids)
            .values_list("user_id", "role")
        )
        for user_id, role_name in memberships:
            roles[user_id].add(role_name)
    labels = {}
    for leader in leader_ids:
        senior = next((r for r in LEADER_ROLES if r.value in roles[leader]), None)
        labels[leader] = str(REGISTRY[senior].label) if senior else _("School leader")
    return labels


def month_accompanied_meals(
    *, school: School | None, start: date, end: date
) -> list[AccompaniedEntry]:
    rows = sorted(
        canteen.accompanied_meal_list()
        .filter(session__date__range=(start, end))
        # Only these columns: the leader's user row (username, name) is never read.
        .values_list("session__date", "session__meal", "leader_id", "comments", "id"),
        key=lambda row: (row[0], MEAL_ORDER.get(row[1], 99), row[4]),
    )
    labels = _leader_labels(school, {row[2] for row in rows})
    return [
        AccompaniedEntry(
            date=day,
            meal=meal,
            meal_label=_meal_label(meal),
            leader=labels[leader_id],
            comments=comments,
        )
        for day, meal, leader_id, comments, _id in rows
    ]


# The page ----------------------------------------------------------------------------------------


def disclosure_for(*, today: date) -> Disclosure:
    """The current school's disclosure as of `today`: the week (Monday to Friday) that holds
    `today`, and the month up to `today`."""
    school = _school()
    week_start = today - timedelta(days=today.weekday())
    week_end = week_start + timedelta(days=4)
    month_start = today.replace(day=1)
    programme, rate = subsidy_rate()
    serving_days = month_servings(start=month_start, end=today)
    return Disclosure(
        school_name=school.name if school is not None else "",
        today=today,
        week_start=week_start,
        week_end=week_end,
        month_start=month_start,
        menus=week_menus(week_start=week_start, week_end=week_end),
        subsidy_programme=str(programme),
        subsidy_daily_rate=rate,
        costs=week_costs(week_start=week_start, week_end=week_end, rate=rate),
        serving_days=serving_days,
        student_days_total=sum(d.students for d in serving_days),
        meals_total=sum(d.meals for d in serving_days),
        accompanied_meals=month_accompanied_meals(school=school, start=month_start, end=today),
        boarding=dorms.term_money(school_id=school.pk) if school is not None else [],
    )
