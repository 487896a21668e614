"""The school calendar: terms, holidays inside them and weekend days worked instead decide which
days are school days for meals, servings and claims; before a school's first term (so always, for a
school that has recorded none) the rule from before the calendar holds. A change that would leave
served meals on a day that is no longer a school day is refused, also when it races the servings."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from houqin.db import tenant_db
from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.subsidies import services as subsidies
from shared_apps.subsidies.models import Programme
from tenant_apps.canteen import selectors
from tenant_apps.canteen.models import CalendarDay, MealSession, SchoolTerm, Serving
from tenant_apps.canteen.services.calendar import (
    holiday_add,
    make_up_day_add,
    school_term_add,
    school_term_delete,
)
from tenant_apps.canteen.services.servings import meal_session_open, servings_record
from tenant_apps.people.models import Student, SubsidyEligibility
from tenants.models import School
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A
from tests.factories import SETUP, programme_row
from tests.matrix.people import make_student
from tests.matrix.subsidies import make_budget

D = datetime.date
# The autumn term of 2025: National Day (国庆) from Wednesday 1 to Wednesday 8 October, worked
# back on Sunday 28 September and Saturday 11 October.
AUTUMN = (D(2025, 9, 1), D(2026, 1, 16))
NATIONAL_DAY = [D(2025, 10, day) for day in (1, 2, 3, 6, 7, 8)]
MAKE_UP = [D(2025, 9, 28), D(2025, 10, 11)]
TERMS = "/api/v1/calendar/terms/"
HOLIDAYS = "/api/v1/calendar/holidays/"
MAKE_UP_DAYS = "/api/v1/calendar/make-up-days/"


@pytest.fixture
def school(school_a: School) -> Iterator[School]:
    """School A's schema in force for the ORM calls of the test."""
    with schema_context(school_a.schema_name):
        yield school_a


def autumn() -> SchoolTerm:
    term = school_term_add(
        school_year=2025,
        name="2025—2026学年第一学期",
        start_date=AUTUMN[0],
        end_date=AUTUMN[1],
        actor=SETUP,
    )
    for day in NATIONAL_DAY:
        holiday_add(date=day, name="国庆节", actor=SETUP)
    for day in MAKE_UP:
        make_up_day_add(date=day, name="国庆调休", actor=SETUP)
    return term


def served(day: D, *, meal: str = "lunch", count: int = 1) -> MealSession:
    """A meal of `day` eaten by `count` new students (recorded as the canteen does)."""
    session = MealSession.objects.create(date=day, meal=meal)
    pupils = [make_student(tenant_db().schema_name) for _ in range(count)]
    servings_record(actor=SETUP, session=session, source="card", student_ids=[p.pk for p in pupils])
    return session


# The rule ----------------------------------------------------------------------------------------


def test_school_days_are_the_terms_weekdays_without_holidays_and_with_make_up_days(school):
    autumn()
    days = selectors.school_days_between(D(2025, 9, 22), D(2025, 10, 12))
    assert days == [
        *(D(2025, 9, d) for d in (22, 23, 24, 25, 26)),
        D(2025, 9, 28),  # a Sunday worked
        D(2025, 9, 29),
        D(2025, 9, 30),
        # 1–3 October: holidays; 4–5: the weekend; 6–8: holidays.
        D(2025, 10, 9),
        D(2025, 10, 10),
        D(2025, 10, 11),  # a Saturday worked
    ]
    # After the term: the winter holidays, until the next term is recorded.
    assert selectors.school_days_between(D(2026, 1, 12), D(2026, 1, 25)) == [
        D(2026, 1, d) for d in (12, 13, 14, 15, 16)
    ]
    assert not selectors.is_school_day(D(2026, 1, 19))
    assert selectors.is_school_day(D(2025, 10, 11))
    assert not selectors.is_school_day(D(2025, 10, 2))


def test_before_the_first_term_the_rule_from_before_the_calendar_holds(school):
    """The days a school served and claimed before it recorded terms keep their meaning: up to its
    first term a school day is a weekday that is not a holiday (so, for a school with no term at
    all, every day)."""
    kept = CalendarDay.objects.create(date=D(2025, 6, 2), kind="holiday", name="端午节")
    june = selectors.school_days_between(D(2025, 6, 1), D(2025, 6, 30))
    assert D(2025, 6, 2) not in june
    assert len(june) == 20
    autumn()
    assert selectors.school_days_between(D(2025, 6, 1), D(2025, 6, 30)) == june
    # The summer before the first term still follows the old rule; the winter after it does not.
    assert selectors.is_school_day(D(2025, 8, 29))
    assert not selectors.is_school_day(D(2026, 2, 2))
    kept.refresh_from_db()
    assert kept.term is None


def test_reading_the_calendar_costs_two_queries_whatever_the_period(school):
    autumn()
    with CaptureQueriesContext(connection) as queries:
        days = selectors.school_days_between(D(2025, 1, 1), D(2026, 12, 31))
    assert len(queries.captured_queries) == 2
    assert D(2025, 10, 11) in days


def test_a_claim_counts_the_calendars_school_days(school_a):
    """Through the subsidies app: a make-up Saturday is claimed, a holiday is not."""
    schema = school_a.schema_name
    with schema_context(schema):
        autumn()
        pupil = make_student(schema)
        SubsidyEligibility.objects.create(
            student=pupil,
            programme=programme_row("nutrition_improvement"),
            reason="rural_compulsory",
            valid_from=D(2025, 9, 1),
        )
        for day in (D(2025, 10, 9), D(2025, 10, 11)):
            session = MealSession.objects.create(date=day, meal="lunch")
            servings_record(actor=SETUP, session=session, source="card", student_ids=[pupil.pk])
    programme = Programme.objects.get(code="nutrition_improvement")
    make_budget(school_a, programme)
    claim = subsidies.claim_compute(
        school=school_a, programme=programme, month=D(2025, 10, 1), actor=SETUP
    )
    # 23 weekdays in October 2025, six of them holidays, one Saturday worked.
    assert claim.school_days == 18
    assert D(2025, 10, 11).isoformat() in claim.breakdown
    assert D(2025, 10, 2).isoformat() not in claim.breakdown
    assert claim.student_days == 2
    assert claim.amount == Decimal("10.00")


# Servings follow the calendar --------------------------------------------------------------------


def test_meals_are_served_on_make_up_days_and_not_on_holidays_or_between_terms(school):
    autumn()
    saturday = served(D(2025, 10, 11))
    assert Serving.objects.filter(session=saturday).count() == 1
    for day in (D(2025, 10, 2), D(2026, 1, 19)):
        with pytest.raises(InvalidInput) as refused:
            served(day)
        assert refused.value.code == "not_school_day"
        with pytest.raises(InvalidInput):
            meal_session_open(date=day, meal="dinner", actor=SETUP)


# Changing the calendar ---------------------------------------------------------------------------


def test_the_calendar_over_the_api(client_for, school_a):
    director = client_for(school_a, Role.LOGISTICS_DIRECTOR)
    term = {
        "school_year": 2025,
        "name": "第一学期",
        "start_date": AUTUMN[0].isoformat(),
        "end_date": AUTUMN[1].isoformat(),
    }
    made = director.post(TERMS, term, format="json")
    assert made.status_code == 201, made.content
    # Every member reads the calendar.
    listed = client_for(school_a, Role.STUDENT).get(TERMS).json()["results"]
    assert [t["name"] for t in listed] == ["第一学期"]

    overlapping = director.post(
        TERMS, {**term, "name": "第二学期", "start_date": "2026-01-16", "end_date": "2026-07-10"}
    )
    assert overlapping.status_code == 409
    assert overlapping.json()["error"]["code"] == "term_overlaps"
    wrong_year = director.post(
        TERMS, {**term, "name": "第二学期", "start_date": "2027-03-01", "end_date": "2027-07-10"}
    )
    assert wrong_year.status_code == 400
    backwards = director.post(
        TERMS, {**term, "name": "第二学期", "start_date": "2026-07-10", "end_date": "2026-03-01"}
    )
    assert backwards.status_code == 400

    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    holiday = manager.post(HOLIDAYS, {"date": "2025-10-01", "name": "国庆节"}, format="json")
    assert holiday.status_code == 201, holiday.content
    assert holiday.json()["term"] == made.json()["id"]
    again = manager.post(MAKE_UP_DAYS, {"date": "2025-10-01"}, format="json")
    assert again.status_code == 400  # a Wednesday
    assert again.json()["error"]["code"] == "not_a_weekend"
    twice = manager.post(HOLIDAYS, {"date": "2025-10-01"}, format="json")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "day_exists"
    outside = manager.post(HOLIDAYS, {"date": "2026-05-01", "name": "劳动节"}, format="json")
    assert outside.status_code == 409
    assert outside.json()["error"]["code"] == "outside_terms"
    saturday = manager.post(MAKE_UP_DAYS, {"date": "2025-10-11"}, format="json")
    assert saturday.status_code == 201, saturday.content
    assert [d["date"] for d in manager.get(MAKE_UP_DAYS).json()["results"]] == ["2025-10-11"]
    assert [d["date"] for d in manager.get(HOLIDAYS).json()["results"]] == ["2025-10-01"]

    assert manager.delete(f"{HOLIDAYS}{holiday.json()['id']}/").status_code == 204
    # A make-up day is not a holiday: each list removes only its own kind.
    assert manager.delete(f"{HOLIDAYS}{saturday.json()['id']}/").status_code == 404
    with schema_context(school_a.schema_name):
        assert selectors.is_school_day(D(2025, 10, 1))
        assert selectors.is_school_day(D(2025, 10, 11))
    # Members who only read cannot change it.
    principal = client_for(school_a, Role.PRINCIPAL)
    assert principal.post(HOLIDAYS, {"date": "2025-10-02"}, format="json").status_code == 403
    assert principal.delete(f"{TERMS}{made.json()['id']}/").status_code == 404


def test_no_school_day_with_meals_served_is_taken_away(client_for, school_a):
    schema = school_a.schema_name
    with schema_context(schema):
        term = autumn()
        served(D(2025, 10, 9))
        saturday = served(D(2025, 10, 11))
        MealSession.objects.create(date=D(2025, 10, 10), meal="lunch")  # opened, nobody ate
    manager = client_for(school_a, Role.CANTEEN_MANAGER)

    refused = manager.post(HOLIDAYS, {"date": "2025-10-09", "name": "临时停课"}, format="json")
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "servings_recorded"
    assert "2025-10-09" in error["message"]
    assert error["fields"] == {"date": ["2025-10-09"]}
    # A meal opened without servings does not hold a day.
    assert manager.post(HOLIDAYS, {"date": "2025-10-10"}, format="json").status_code == 201

    with schema_context(schema):
        make_up_id = CalendarDay.objects.get(date=D(2025, 10, 11)).pk
    removed = manager.delete(f"{MAKE_UP_DAYS}{make_up_id}/")
    assert removed.status_code == 409
    assert removed.json()["error"]["code"] == "servings_recorded"
    gone = manager.delete(f"{TERMS}{term.pk}/")
    assert gone.status_code == 409
    # Without its only term the school would be back on the old rule: the Thursday would stay a
    # school day, the Saturday worked would not.
    assert gone.json()["error"]["fields"] == {"date": ["2025-10-11"]}
    with schema_context(schema):
        assert not CalendarDay.objects.filter(date=D(2025, 10, 9)).exists()
        assert CalendarDay.objects.filter(pk=make_up_id).exists()
        assert SchoolTerm.objects.filter(pk=term.pk).exists()
        assert selectors.is_school_day(saturday.date)
        # Once nobody has eaten on its days, a term goes with its holidays and make-up days.
        Serving.objects.all().delete()
    assert manager.delete(f"{TERMS}{term.pk}/").status_code == 204
    with schema_context(schema):
        assert not CalendarDay.objects.exists()


def test_a_first_term_may_not_leave_out_days_already_served(school):
    """Before any term every weekday counts: a first term that ends before a day meals were
    served on would take that day away."""
    served(D(2026, 1, 19))
    with pytest.raises(Conflict) as refused:
        school_term_add(
            school_year=2025,
            name="第一学期",
            start_date=AUTUMN[0],
            end_date=AUTUMN[1],
            actor=SETUP,
        )
    assert refused.value.code == "servings_recorded"
    assert not SchoolTerm.objects.exists()
    # Recorded to its real end, it is accepted.
    school_term_add(
        school_year=2025,
        name="第一学期",
        start_date=AUTUMN[0],
        end_date=D(2026, 1, 23),
        actor=SETUP,
    )


def test_holidays_kept_from_before_the_calendar_join_the_term_that_covers_them(school):
    inside = CalendarDay.objects.create(date=D(2025, 10, 1), kind="holiday", name="国庆节")
    before = CalendarDay.objects.create(date=D(2025, 6, 2), kind="holiday", name="端午节")
    term = school_term_add(
        school_year=2025, name="第一学期", start_date=AUTUMN[0], end_date=AUTUMN[1], actor=SETUP
    )
    inside.refresh_from_db()
    before.refresh_from_db()
    assert (inside.term, before.term) == (term, None)
    assert not selectors.is_school_day(D(2025, 10, 1))
    school_term_delete(term=term, actor=SETUP)
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2025, 6, 2)]


def test_the_database_refuses_overlapping_terms_and_weekday_make_up_days(school):
    term = SchoolTerm.objects.create(
        school_year=2025, name="第一学期", start_date=AUTUMN[0], end_date=AUTUMN[1]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolTerm.objects.create(
            school_year=2025, name="短学期", start_date=AUTUMN[1], end_date=D(2026, 2, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=D(2025, 10, 8), kind="make_up_day", term=term)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(date=D(2025, 10, 11), kind="make_up_day")  # no term
    CalendarDay.objects.create(date=D(2025, 10, 11), kind="make_up_day", term=term)


def test_the_holidays_recorded_before_the_calendar_are_kept_by_its_migration(school):
    """Migrated back to before the calendar, a school's holidays are put in; migrated forward,
    they are the calendar's holidays (the test's transaction undoes both)."""
    executor = MigrationExecutor(connection)
    before = [("canteen", "0002_daily_close")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("canteen", "Holiday")
    old.objects.create(date=D(2025, 5, 1), name="劳动节")
    old.objects.create(date=D(2025, 10, 1), name="国庆节")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("canteen"))
    kept = CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "term")
    # The rows as that older model read them: no term yet.
    assert list(kept) == [  # type: ignore[comparison-overlap]
        (D(2025, 5, 1), "holiday", "劳动节", None),
        (D(2025, 10, 1), "holiday", "国庆节", None),
    ]
    assert selectors.school_days_between(D(2025, 4, 30), D(2025, 5, 2)) == [
        D(2025, 4, 30),
        D(2025, 5, 2),
    ]


# Concurrency -------------------------------------------------------------------------------------


def test_a_holiday_declared_while_meals_are_recorded_never_orphans_them(
    committed: list[Callable[[], Any]],
) -> None:
    """On separate connections, at once: for each of four days a holiday is declared while a
    meal of that day is recorded. Each day ends either a holiday without servings (the servings
    refused) or a school day with them (the holiday refused), never a holiday with servings."""
    school = School.objects.get(code=SCHOOL_A)
    schema = school.schema_name
    days = [D(2025, 10, 13) + datetime.timedelta(days=i) for i in range(4)]

    def cleanup() -> None:
        with schema_context(schema):
            Serving.objects.filter(session__date__in=days).delete()
            MealSession.objects.filter(date__in=days).delete()
            SchoolTerm.objects.filter(start_date=AUTUMN[0]).delete()
            Student.objects.filter(pk__in=[p.pk for p in pupils]).delete()

    pupils: list[Student] = []
    committed.append(cleanup)
    with schema_context(schema):
        school_term_add(
            school_year=2025,
            name="并发学期",
            start_date=AUTUMN[0],
            end_date=AUTUMN[1],
            actor=SETUP,
        )
        sessions = [MealSession.objects.create(date=day, meal="lunch") for day in days]
        pupils.extend(make_student(schema) for _ in days)

    def act(i: int) -> Any:
        day = i // 2
        with schema_context(schema), transaction.atomic():
            if i % 2:
                return holiday_add(date=days[day], name="临时停课", actor=SETUP)
            return servings_record(
                actor=SETUP, session=sessions[day], source="card", student_ids=[pupils[day].pk]
            )

    results = at_once(2 * len(days), act)
    unexpected = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, Conflict | InvalidInput) for r in unexpected), unexpected
    with schema_context(schema):
        for i, day in enumerate(days):
            holiday = CalendarDay.objects.filter(date=day).exists()
            eaten = Serving.objects.filter(session__date=day).exists()
            assert holiday != eaten, (day, results[2 * i], results[2 * i + 1])
