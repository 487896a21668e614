"""Reads about the canteen, for its API, its pages and other school apps.

The contract with the subsidies app: `school_days_between` and `subsidised_student_days`. Which
days are school days is the school's calendar's to say (`Calendar`).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from shared_apps.standards import selectors as standards
from shared_apps.standards.models import MealPlan
from shared_apps.subsidies import selectors as subsidies
from shared_apps.subsidies.models import ProgrammeCode
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    Meal,
    MealSession,
    Menu,
    MenuItem,
    SchoolTerm,
    Serving,
)
from tenant_apps.people import selectors as people
from tenant_apps.people.models import Student

CENT = Decimal("0.01")
DEFAULT_PROGRAMME = ProgrammeCode.NUTRITION_IMPROVEMENT.value


def subsidy_daily_rate(programme: str = DEFAULT_PROGRAMME) -> Decimal:
    """What `programme` pays per eligible student per school day (CNY): the daily rate the
    district set on the active programme; the SUBSIDY_DAILY_RATE setting only while no such
    programme is active."""
    active = subsidies.programme_active_get(code=programme)
    if active is not None:
        rate: Decimal = active.daily_rate
        return rate
    return Decimal(str(settings.SUBSIDY_DAILY_RATE))


# School days -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """This school's calendar as read once: its terms, and its holidays and make-up days.

    A school day is a day inside a term that is a weekday (Monday to Friday) and not a holiday,
    or a make-up day (a Saturday or Sunday worked, 调休上班). Before the school's first term,
    and so on every day for a school that has recorded no term, the rule from before the
    calendar holds: a weekday that is not a holiday. The meals a school served and claimed
    before it recorded its terms keep counting as they did."""

    terms: tuple[tuple[date, date], ...]
    holidays: frozenset[date]
    make_up_days: frozenset[date]

    @property
    def begins(self) -> date | None:
        """The first day of the school's first term; None when it has recorded none."""
        return min((start for start, _end in self.terms), default=None)

    def in_term(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.terms)

    def is_school_day(self, day: date) -> bool:
        begins = self.begins
        if begins is not None and day >= begins:
            if not self.in_term(day):
                return False
            if day in self.make_up_days:
                return True
        return day.isoweekday() <= 5 and day not in self.holidays

    def is_working_day(self, day: date) -> bool:
        """A working day, in term or not: a weekday that is no holiday, or a make-up day."""
        return day in self.make_up_days or (day.isoweekday() <= 5 and day not in self.holidays)


def calendar_read(start: date, end: date) -> Calendar:
    """The calendar with every term and the holidays and make-up days in [start, end]: two
    queries."""
    days = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind")
    by_kind: dict[str, set[date]] = {kind: set() for kind in CalendarDay.Kind.values}
    for day, kind in days:
        by_kind[kind].add(day)
    terms = SchoolTerm.objects.order_by("start_date").values_list("start_date", "end_date")
    return Calendar(
        terms=tuple(terms),
        holidays=frozenset(by_kind[CalendarDay.Kind.HOLIDAY]),
        make_up_days=frozenset(by_kind[CalendarDay.Kind.MAKE_UP_DAY]),
    )


def school_days_between(start: date, end: date) -> list[date]:
    """This school's school days in [start, end], in order (the rule: `Calendar`)."""
    if end < start:
        return []
    calendar = calendar_read(start, end)
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in days if calendar.is_school_day(day)]


def working_days_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (by `Calendar.is_working_day`): a deadline of
    `count` working days from `day`."""
    # Holidays never run longer than a few weeks: a year ahead holds every deadline of months.
    calendar = calendar_read(day, day + timedelta(days=366))
    found = 0
    while found < count:
        day += timedelta(days=1)
        found += calendar.is_working_day(day)
    return day


def term_first_days_between(start: date, end: date) -> list[date]:
    """The first school day of each term that begins in [start, end] (a term whose first day
    is no school day begins on its first school day, when that falls in [start, end])."""
    calendar = calendar_read(start, end + timedelta(days=31))
    firsts = []
    for term_start, term_end in calendar.terms:
        if start <= term_start <= end:
            days = (term_start + timedelta(days=i) for i in range((term_end - term_start).days + 1))
            first = next((day for day in days if calendar.is_school_day(day)), None)
            if first is not None and first <= end:
                firsts.append(first)
    return sorted(firsts)


def is_school_day(day: date) -> bool:
    return calendar_read(day, day).is_school_day(day)


def term_covering(day: date) -> SchoolTerm | None:
    """The term that `day` falls in, if any."""
    return SchoolTerm.objects.filter(start_date__lte=day, end_date__gte=day).first()


def term_list() -> QuerySet[SchoolTerm]:
    return SchoolTerm.objects.all()


def calendar_day_list(*, kind: str | None = None) -> QuerySet[CalendarDay]:
    days = CalendarDay.objects.all()
    return days if kind is None else days.filter(kind=kind)


# The contract with the subsidies app -------------------------------------------------------------


def _eligible_on_session_day(programme: str) -> Exists:
    """The served student holds an eligibility period for `programme` covering the session's
    day (people's rule: both ends inclusive, an empty end open)."""
    return people.eligibility_in_force(
        student=OuterRef("student"), on=OuterRef("session__date"), programme=programme
    )


def subsidised_student_days(
    *, start: date, end: date, programme: str, school_days: Collection[date]
) -> dict[date, int]:
    """For the current school's schema: per school day in [start, end], the number of distinct
    students who were served at least one meal that day and were eligible for `programme` that
    day (people's eligibility periods: valid_from ≤ day ≤ valid_to or valid_to null). At most one
    per student per day.

    Every day of `school_days` within [start, end] is a key (0 when nobody eligible ate); days
    outside `school_days` are never counted. One SQL aggregate."""
    days = sorted({day for day in school_days if start <= day <= end})
    counts = dict.fromkeys(days, 0)
    if not days:
        return counts
    rows = (
        Serving.objects.filter(session__date__in=days)
        .filter(_eligible_on_session_day(programme))
        .values("session__date")
        .annotate(students=Count("student", distinct=True))
        .order_by()
        .values_list("session__date", "students")
    )
    for day, students in rows:
        counts[day] = students
    return counts


@dataclass(frozen=True)
class ClassCount:
    """One class's eligible students served per school day under a programme."""

    grade: int
    class_name: str
    per_day: dict[date, int]

    @property
    def student_days(self) -> int:
        return sum(self.per_day.values())


def subsidised_student_days_by_class(
    *, start: date, end: date, programme: str, school_days: Collection[date]
) -> list[ClassCount]:
    """`subsidised_student_days` class by class (the class a student is in now), in the order
    of the register: what a month's claim counts, for reviewing it. One SQL aggregate."""
    days = sorted({day for day in school_days if start <= day <= end})
    rows = (
        Serving.objects.filter(session__date__in=days)
        .filter(_eligible_on_session_day(programme))
        .values("student__grade", "student__class_name", "session__date")
        .annotate(students=Count("student", distinct=True))
        .order_by("student__grade", "student__class_name", "session__date")
        .values_list("student__grade", "student__class_name", "session__date", "students")
    )
    classes: dict[tuple[int, str], ClassCount] = {}
    for grade, class_name, day, students in rows:
        key = (grade, class_name)
        if key not in classes:
            classes[key] = ClassCount(grade=grade, class_name=class_name, per_day={})
        classes[key].per_day[day] = students
    return list(classes.values())


# Lists -------------------------------------------------------------------------------------------


def menu_list() -> QuerySet[Menu]:
    return Menu.objects.select_related("created_by")


def menu_item_list() -> QuerySet[MenuItem]:
    return MenuItem.objects.all()


def meal_session_list() -> QuerySet[MealSession]:
    # A grouped query drops Meta.ordering: order it again.
    return MealSession.objects.annotate(serving_count=Count("servings")).order_by(
        "-date", "meal", "-id"
    )


def serving_list() -> QuerySet[Serving]:
    return Serving.objects.select_related("session", "student")


def accompanied_meal_list() -> QuerySet[AccompaniedMeal]:
    return AccompaniedMeal.objects.select_related("session", "leader")


def food_sample_list() -> QuerySet[FoodSample]:
    return FoodSample.objects.select_related("session")


def inbound_inspection_list() -> QuerySet[InboundInspection]:
    return InboundInspection.objects.all()


def cold_reading_list() -> QuerySet[ColdStorageReading]:
    return ColdStorageReading.objects.all()


def daily_close_list() -> QuerySet[DailyClose]:
    return DailyClose.objects.all()


# Alerts ------------------------------------------------------------------------------------------


def sessions_without_sample(*, start: date, end: date) -> QuerySet[MealSession]:
    """Meals served in [start, end] (up to today) of which no dish was sampled (留样)."""
    end = min(end, timezone.localdate())
    return MealSession.objects.filter(date__range=(start, end)).exclude(
        Exists(FoodSample.objects.filter(session=OuterRef("pk")))
    )


def cold_readings_out_of_range(*, since: datetime) -> QuerySet[ColdStorageReading]:
    return ColdStorageReading.objects.filter(measured_at__gte=since, out_of_range=True)


@dataclass(frozen=True)
class CostCheck:
    """One meal's ingredient cost against what the subsidy pays for those it fed."""

    session: MealSession
    eligible_served: int
    cost_per_student: Decimal | None
    rate: Decimal

    @property
    def below_rate(self) -> bool:
        return self.cost_per_student is not None and self.cost_per_student < self.rate


def session_cost_checks(
    *,
    start: date,
    end: date,
    rate: Decimal | None = None,
    programme: str = DEFAULT_PROGRAMME,
) -> list[CostCheck]:
    """Each meal in [start, end] that fed eligible students: its ingredient cost per eligible
    student served, against `rate` (by default the programme's daily rate, `subsidy_daily_rate`).
    Eligible students are counted with people's
    `students_eligible_on` (one query per day)."""
    rate = subsidy_daily_rate(programme) if rate is None else rate
    sessions = list(MealSession.objects.filter(date__range=(start, end)).order_by("date", "meal"))
    checks: list[CostCheck] = []
    by_day: dict[date, list[MealSession]] = {}
    for session in sessions:
        by_day.setdefault(session.date, []).append(session)
    for day, day_sessions in by_day.items():
        eligible = people.students_eligible_on(day, programme)
        served = dict(
            Serving.objects.filter(session__in=day_sessions, student__in=eligible.values("pk"))
            .values("session")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("session", "n")
        )
        for session in day_sessions:
            count = served.get(session.pk, 0)
            per_student = (
                (session.ingredient_cost / count).quantize(CENT, rounding=ROUND_HALF_UP)
                if count
                else None
            )
            checks.append(CostCheck(session, count, per_student, rate))
    return checks


def skimming_alerts(
    *, start: date, end: date, rate: Decimal | None = None, programme: str = DEFAULT_PROGRAMME
) -> list[CostCheck]:
    """Meals whose ingredient cost per eligible student fell below the subsidy rate (克扣)."""
    return [
        check
        for check in session_cost_checks(start=start, end=end, rate=rate, programme=programme)
        if check.below_rate
    ]


def alert_list(*, start: date, end: date, rate: Decimal | None = None) -> list[dict[str, Any]]:
    """Every food-safety and cost alert of [start, end], as rows the API shows."""
    alerts: list[dict[str, Any]] = []
    for session in sessions_without_sample(start=start, end=end).order_by("date", "meal"):
        alerts.append(
            {
                "kind": "no_sample",
                "date": session.date,
                "session": session.pk,
                "meal": session.meal,
                "detail": {},
            }
        )
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = since + timedelta(days=(end - start).days + 1)
    for reading in cold_readings_out_of_range(since=since).filter(measured_at__lt=until):
        alerts.append(
            {
                "kind": "cold_out_of_range",
                "date": timezone.localtime(reading.measured_at).date(),
                "session": None,
                "meal": None,
                "detail": {
                    "reading": reading.pk,
                    "unit": reading.unit,
                    "temperature_c": str(reading.temperature_c),
                    "measured_at": reading.measured_at,
                },
            }
        )
    for check in skimming_alerts(start=start, end=end, rate=rate):
        alerts.append(
            {
                "kind": "cost_below_subsidy",
                "date": check.session.date,
                "session": check.session.pk,
                "meal": check.session.meal,
                "detail": {
                    "ingredient_cost": str(check.session.ingredient_cost),
                    "eligible_served": check.eligible_served,
                    "cost_per_student": str(check.cost_per_student),
                    "rate": str(check.rate),
                },
            }
        )
    return alerts


# The canteen's pages -----------------------------------------------------------------------------


def _per_session(model: type[Model]) -> Coalesce:
    """How many rows of `model` each meal session has (a subquery: counting several kinds of rows
    by joins would multiply them)."""
    rows = (
        model._default_manager.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def meal_session_overview() -> QuerySet[MealSession]:
    """Meal sessions with their menu and how many servings, samples (留样) and accompanied meals
    (陪餐) each has."""
    return (
        MealSession.objects.select_related("menu")
        .annotate(
            serving_count=_per_session(Serving),
            sample_count=_per_session(FoodSample),
            accompanied_count=_per_session(AccompaniedMeal),
        )
        .order_by("-date", "meal", "-id")
    )


def menus_in_force_on(day: date) -> QuerySet[Menu]:
    """The menus in force (one per age band) whose period holds `day`."""
    return Menu.objects.filter(
        status=Menu.Status.ACTIVE, start_date__lte=day, end_date__gte=day
    ).order_by("age_band", "id")


def session_dishes(session: MealSession) -> list[MenuItem]:
    """The dishes of this meal: its menu's for its day and meal; without a menu, those of every
    menu in force that day."""
    items = MenuItem.objects.filter(date=session.date, meal=session.meal)
    if session.menu_id is not None:
        items = items.filter(menu_id=session.menu_id)
    else:
        items = items.filter(menu__status=Menu.Status.ACTIVE)
    return list(items.order_by("menu__age_band", "id"))


@dataclass(frozen=True)
class RosterClass:
    """One class of the register on a day: its grade, its name and how many students it has."""

    grade: int
    class_name: str
    students: int


def roster_classes(*, day: date) -> list[RosterClass]:
    """The classes of the students at school on `day`, in the register's order."""
    rows = (
        people.students_at_school_on(day)
        .order_by()
        .values("grade", "class_name")
        .annotate(n=Count("pk"))
        .order_by("grade", "class_name")
        .values_list("grade", "class_name", "n")
    )
    return [RosterClass(grade, class_name, n) for grade, class_name, n in rows]


def roster_students(*, session: MealSession, grade: int, class_name: str) -> QuerySet[Student]:
    """The students of one class at school on the session's day, each with `served`: whether
    they are already recorded as eating this meal."""
    return (
        people.students_at_school_on(session.date)
        .filter(grade=grade, class_name=class_name)
        .annotate(served=Exists(Serving.objects.filter(session=session, student=OuterRef("pk"))))
        .order_by("student_number")
    )


def servings_latest(*, session: MealSession, count: int = 10) -> list[Serving]:
    """The last servings recorded for this meal, newest first, with their students."""
    return list(serving_list().filter(session=session).order_by("-recorded_at", "-id")[:count])


def sessions_without_accompanied_meal(*, start: date, end: date) -> QuerySet[MealSession]:
    """Meals served in [start, end] (up to today) that no leader accompanied (陪餐)."""
    end = min(end, timezone.localdate())
    return MealSession.objects.filter(date__range=(start, end)).exclude(
        Exists(AccompaniedMeal.objects.filter(session=OuterRef("pk")))
    )


def alert_board(*, start: date, end: date) -> list[dict[str, Any]]:
    """The alerts of [start, end] as `alert_list` gives them, with the meals no leader
    accompanied (kind "no_accompanied_meal"), newest day first, each with its meal's name."""
    alerts = alert_list(start=start, end=end)
    for session in sessions_without_accompanied_meal(start=start, end=end):
        alerts.append(
            {
                "kind": "no_accompanied_meal",
                "date": session.date,
                "session": session.pk,
                "meal": session.meal,
                "detail": {},
            }
        )
    labels = dict(Meal.choices)
    return [
        {**alert, "meal_label": labels.get(alert["meal"], "")}
        for alert in sorted(alerts, key=lambda alert: alert["date"], reverse=True)
    ]


@dataclass(frozen=True)
class CanteenDay:
    """What waits in the canteen on one day: meals of the menu not opened yet, meals opened
    without a sample (留样) or an accompanying leader (陪餐), cold readings out of range, meals
    costing less than the subsidy pays (克扣), and the district's plans for next week not adopted
    yet."""

    day: date
    school_day: bool
    meals_to_open: int
    without_sample: int
    without_accompanied_meal: int
    cold_out_of_range: int
    below_subsidy: int
    plans_to_adopt: int


def canteen_day_get(*, day: date) -> CanteenDay:
    """The canteen's waiting work on `day`."""
    opened = set(MealSession.objects.filter(date=day).values_list("meal", flat=True))
    school_day = is_school_day(day)
    since = timezone.make_aware(datetime.combine(day, time.min))
    next_monday = day + timedelta(days=7 - day.weekday())
    return CanteenDay(
        day=day,
        school_day=school_day,
        meals_to_open=len(set(dishes_on(day)) - opened) if school_day else 0,
        without_sample=sessions_without_sample(start=day, end=day).count(),
        without_accompanied_meal=sessions_without_accompanied_meal(start=day, end=day).count(),
        cold_out_of_range=cold_readings_out_of_range(since=since)
        .filter(measured_at__lt=since + timedelta(days=1))
        .count(),
        below_subsidy=len(skimming_alerts(start=day, end=day)),
        plans_to_adopt=sum(
            offer.waiting for offer in plan_offers(week_from=next_monday, week_to=next_monday)
        ),
    )


@dataclass(frozen=True)
class NutrientCheck:
    """How a menu (or a district plan) meets the nutrition standard, in words: whether it meets
    every target (None when nothing was checked), a one-line summary, and each target missed
    (the report's flags, in plain words in `texts`)."""

    standard: str
    meets: bool | None
    summary: str
    flags: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [standards.check_text(flag) for flag in self.flags]


def nutrient_check(
    report: dict[str, Any], *, start: date | None = None, end: date | None = None
) -> NutrientCheck:
    """The check a menu or plan was made with (its `report`), in words; with `start` and `end`,
    only the flags of one day's menu in that period (a week's average always concerns it)."""
    standard = str((report.get("standard") or {}).get("code") or standards.STANDARD_CODE)
    flags = [
        flag
        for flag in report.get("flags") or []
        if not flag.get("date")
        or start is None
        or end is None
        or start.isoformat() <= str(flag["date"]) <= end.isoformat()
    ]
    if flags:
        text = ngettext(
            "This menu misses %(count)d target of the nutrition standard %(standard)s:",
            "This menu misses %(count)d targets of the nutrition standard %(standard)s:",
            len(flags),
        )
        return NutrientCheck(
            standard, False, text % {"count": len(flags), "standard": standard}, flags
        )
    # Not met, yet nothing flagged anywhere: no target applied (nothing was checked).
    if not report.get("meets_standard") and not report.get("flags"):
        return NutrientCheck(
            standard,
            None,
            gettext("This menu has not been checked against a nutrition standard."),
            [],
        )
    return NutrientCheck(
        standard,
        True,
        gettext("This menu meets every target of the nutrition standard %s.") % standard,
        [],
    )


@dataclass(frozen=True)
class MenuDay:
    """One day of a menu or plan: its meals (by name, in the order of the day), each with the
    names of its dishes."""

    date: date
    meals: list[tuple[str, list[str]]]


def _menu_days(dishes: Iterable[tuple[date, str, str]]) -> list[MenuDay]:
    """(day, meal, dish) in the order served, as days."""
    labels = dict(Meal.choices)
    by_day: dict[date, dict[str, list[str]]] = {}
    for day, meal, dish in dishes:
        by_day.setdefault(day, {}).setdefault(meal, []).append(dish)
    return [
        MenuDay(
            day,
            [
                (str(labels.get(meal, meal)), names)
                for meal, names in sorted(
                    meals.items(), key=lambda pair: standards.MEAL_ORDER.get(pair[0], 99)
                )
            ],
        )
        for day, meals in sorted(by_day.items())
    ]


@dataclass(frozen=True)
class PlanOffer:
    """A published district plan as this school sees it: the plan, its report (as published),
    and this school's menu in force for the plan's week and age band, if any."""

    plan: MealPlan
    in_force: Menu | None

    @cached_property
    def report(self) -> dict[str, Any]:
        return standards.plan_report(plan=self.plan)

    @cached_property
    def check(self) -> NutrientCheck:
        return nutrient_check(self.report)

    @cached_property
    def days(self) -> list[MenuDay]:
        return _menu_days(
            (
                self.plan.week_start + timedelta(days=int(entry["weekday"]) - 1),
                str(entry["meal"]),
                str(entry["recipe_name"]),
            )
            for entry in self.report.get("entries") or []
        )

    @property
    def adopted(self) -> bool:
        """The menu in force is this version of the plan."""
        return self.in_force is not None and self.in_force.plan_id == self.plan.pk

    @property
    def older_version_adopted(self) -> bool:
        return (
            self.in_force is not None
            and self.in_force.origin == Menu.Origin.PLAN
            and self.in_force.plan_id != self.plan.pk
        )

    @property
    def waiting(self) -> bool:
        """Nothing is in force for the week (or an older version of the plan is): the school
        has the plan to adopt. A school's own menu in force is its choice, not a wait."""
        return self.in_force is None or self.older_version_adopted


def plan_offers(
    *, week_from: date, week_to: date | None = None, age_band: str | None = None
) -> list[PlanOffer]:
    """The district's published plans for the weeks from `week_from` (to `week_to`), by week
    and band, each with this school's menu in force for its week and band: two queries."""
    plans = standards.plan_published_list(age_band=age_band).filter(week_start__gte=week_from)
    if week_to is not None:
        plans = plans.filter(week_start__lte=week_to)
    found = list(plans.order_by("week_start", "age_band"))
    in_force = {
        (menu.start_date, menu.age_band): menu
        for menu in Menu.objects.filter(
            status=Menu.Status.ACTIVE, start_date__in={plan.week_start for plan in found}
        )
    }
    return [PlanOffer(plan, in_force.get((plan.week_start, plan.age_band))) for plan in found]


def cold_units() -> list[tuple[str, str]]:
    """The cold stores readings were recorded for: (unit, type of unit), by name."""
    return list(
        ColdStorageReading.objects.order_by("unit", "unit_type")
        .values_list("unit", "unit_type")
        .distinct()
    )


def per_serving(cost: Decimal, served: int) -> Decimal | None:
    """A meal's ingredient cost per student served (None when nobody was served)."""
    return (cost / served).quantize(CENT, rounding=ROUND_HALF_UP) if served else None


def dishes_on(day: date) -> dict[str, list[MenuItem]]:
    """The dishes the menus in force serve on `day`, by meal."""
    dishes: dict[str, list[MenuItem]] = {}
    items = MenuItem.objects.filter(date=day, menu__status=Menu.Status.ACTIVE).order_by(
        "menu__age_band", "id"
    )
    for item in items:
        dishes.setdefault(item.meal, []).append(item)
    return dishes


def menu_days(menu: Menu) -> list[MenuDay]:
    """The menu's days with their meals and dishes: one query."""
    return _menu_days(
        MenuItem.objects.filter(menu=menu)
        .order_by("date", "id")
        .values_list("date", "meal", "recipe_name")
    )
