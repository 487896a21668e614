"""Reads about the canteen, for its API and for other school apps.

The contract with the subsidies app: `school_days_between` and `subsidised_student_days`. Which
days are school days is the school's calendar's to say (`Calendar`).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from shared_apps.subsidies import selectors as subsidies
from shared_apps.subsidies.models import ProgrammeCode
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    MenuItem,
    SchoolTerm,
    Serving,
)
from tenant_apps.people import selectors as people

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
