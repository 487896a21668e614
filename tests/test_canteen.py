"""The canteen: real-name servings in bulk, the subsidies contract, food-safety alerts, skimming."""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.subsidies.models import Programme, ProgrammeCode
from tenant_apps.canteen import selectors
from tenant_apps.canteen.models import (
    CalendarDay,
    ColdStorageReading,
    FoodSample,
    MealSession,
    Menu,
    Serving,
)
from tenant_apps.canteen.services.food_safety import sample_discard, sample_record
from tenant_apps.canteen.services.menus import OwnItemInput, menu_create_own
from tenant_apps.canteen.services.servings import meal_session_open, servings_record
from tenant_apps.people.models import Student, SubsidyEligibility
from tenants.models import School
from tests.factories import SETUP, programme_row
from tests.matrix.canteen import published_plan, recipe

NUTRITION = ProgrammeCode.NUTRITION_IMPROVEMENT
BOARDING = ProgrammeCode.BOARDING_LIVING
# A month with a holiday in it: Monday 2025-03-03 … Monday 2025-03-31.
MARCH = datetime.date(2025, 3, 3)


@pytest.fixture
def school(school_a: School) -> Iterator[School]:
    """School A's schema in force for the ORM calls of the test."""
    with schema_context(school_a.schema_name):
        yield school_a


def students(count: int, prefix: str = "S", **values: Any) -> list[Student]:
    return Student.objects.bulk_create(
        Student(
            student_number=f"{prefix}{i:06d}",
            name=f"学生{i}",
            gender=Student.Gender.FEMALE,
            grade=4,
            class_name="1班",
            **values,
        )
        for i in range(count)
    )


def eligible(
    student: Student,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    programme: str = NUTRITION,
) -> SubsidyEligibility:
    return SubsidyEligibility.objects.create(
        student=student,
        programme=programme_row(programme),
        reason=SubsidyEligibility.Reason.RURAL_COMPULSORY,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def session(day: datetime.date, meal: str = "lunch", cost: str = "0") -> MealSession:
    return MealSession.objects.create(date=day, meal=meal, ingredient_cost=Decimal(cost))


def serve(meal: MealSession, who: list[Student]) -> None:
    servings_record(actor=SETUP, session=meal, source="card", student_ids=[s.pk for s in who])


# School days ------------------------------------------------------------------------------------


def holiday(day: datetime.date, name: str = "停课") -> CalendarDay:
    """A holiday as the school recorded them before its calendar had terms."""
    return CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name=name)


def test_without_terms_school_days_are_weekdays_without_holidays(school):
    """The rule from before the calendar, for a school that has recorded no term."""
    holiday(datetime.date(2025, 3, 5), "校庆")
    days = selectors.school_days_between(MARCH, MARCH + datetime.timedelta(days=6))
    assert days == [datetime.date(2025, 3, d) for d in (3, 4, 6, 7)]
    assert selectors.school_days_between(MARCH, MARCH - datetime.timedelta(days=1)) == []


def test_a_session_is_opened_only_on_a_school_day(school):
    with pytest.raises(InvalidInput) as saturday:
        meal_session_open(date=datetime.date(2025, 3, 8), meal="lunch", actor=SETUP)
    assert saturday.value.code == "not_school_day"
    opened = meal_session_open(date=MARCH, meal="lunch", actor=SETUP)
    assert opened.pk
    with pytest.raises(Conflict):
        meal_session_open(date=MARCH, meal="lunch", actor=SETUP)


# Servings ---------------------------------------------------------------------------------------


def _post_servings(client: Any, session_id: int, numbers: list[str], **headers: Any) -> Any:
    return client.post(
        f"/api/v1/sessions/{session_id}/servings/",
        {"student_numbers": numbers, "source": "card"},
        format="json",
        **headers,
    )


def test_bulk_servings_are_idempotent(client_for, school_a, in_school):
    with in_school(school_a):
        pupils = students(120)
        lunch = session(MARCH)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    numbers = [p.student_number for p in pupils]
    first = _post_servings(manager, lunch.pk, numbers[:100])
    assert first.status_code == 201, first.content
    assert first.json() == {"session": lunch.pk, "recorded": 100, "already_recorded": 0}
    # A reader replays its batch with 20 more taps: only the new ones are added.
    again = _post_servings(manager, lunch.pk, numbers)
    assert again.json() == {"session": lunch.pk, "recorded": 20, "already_recorded": 100}
    replay = _post_servings(manager, lunch.pk, numbers)
    assert replay.json()["recorded"] == 0
    with in_school(school_a):
        assert Serving.objects.filter(session=lunch).count() == 120
    listed = manager.get("/api/v1/servings/", {"session": lunch.pk, "page_size": 500})
    assert listed.json()["count"] == 120


def test_an_idempotency_key_replays_the_first_answer(client_for, school_a, in_school):
    with in_school(school_a):
        pupils = students(3)
        lunch = session(MARCH)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    numbers = [p.student_number for p in pupils]
    first = _post_servings(manager, lunch.pk, numbers, HTTP_IDEMPOTENCY_KEY="reader-1-batch-7")
    second = _post_servings(manager, lunch.pk, numbers, HTTP_IDEMPOTENCY_KEY="reader-1-batch-7")
    assert first.status_code == second.status_code == 201
    assert (
        second.json() == first.json() == {"session": lunch.pk, "recorded": 3, "already_recorded": 0}
    )


def test_one_insert_per_batch_whatever_the_number_of_students(school):
    pupils = students(600)
    lunch = session(MARCH)
    with CaptureQueriesContext(connection) as queries:
        result = servings_record(
            actor=SETUP,
            session=lunch,
            source="class_list",
            student_numbers=[p.student_number for p in pupils],
        )
    assert result.recorded == 600
    inserts = [q for q in queries.captured_queries if 'INSERT INTO "canteen_serving"' in q["sql"]]
    assert len(inserts) == 1
    assert "ON CONFLICT DO NOTHING" in inserts[0]["sql"]
    assert len(queries.captured_queries) < 12


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        (["S000001"], "duplicate_students", "student_numbers"),
        (["NOBODY-1", "NOBODY-2"], "unknown_students", "student_numbers"),
    ],
)
def test_bad_batches_are_refused_whole(client_for, school_a, in_school, extra, code, field):
    with in_school(school_a):
        pupils = students(5)
        lunch = session(MARCH)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    response = _post_servings(manager, lunch.pk, [p.student_number for p in pupils] + extra)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(extra) <= set(error["fields"][field])
    for number in extra:
        assert number in error["message"]
    with in_school(school_a):
        assert not Serving.objects.filter(session=lunch).exists()


def test_students_who_left_cannot_be_served(school):
    present = students(2)
    gone = students(1, prefix="L", status=Student.Status.LEFT, left_on=MARCH)
    later = session(MARCH + datetime.timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        serve(later, present + gone)
    assert refused.value.code == "students_not_enrolled"
    assert refused.value.fields == {"student_ids": [gone[0].pk]}
    assert not Serving.objects.exists()
    # On their last day they still ate.
    serve(session(MARCH), gone)


def test_future_days_and_non_school_days_are_refused(client_for, school_a, in_school):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with in_school(school_a):
        pupils = students(2)
        future = session(tomorrow)
        holiday(MARCH, "临时停课")
        closed = session(MARCH)
        weekend = session(datetime.date(2025, 3, 9))
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    numbers = [p.student_number for p in pupils]
    for meal, code in (
        (future, "future_date"),
        (closed, "not_school_day"),
        (weekend, "not_school_day"),
    ):
        response = _post_servings(manager, meal.pk, numbers)
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == code
    with in_school(school_a):
        assert not Serving.objects.exists()


def test_either_ids_or_numbers(school):
    lunch = session(MARCH)
    with pytest.raises(InvalidInput):
        servings_record(actor=SETUP, session=lunch, source="card")
    with pytest.raises(InvalidInput):
        servings_record(
            actor=SETUP, session=lunch, source="card", student_ids=[1], student_numbers=["x"]
        )
    with pytest.raises(InvalidInput):
        servings_record(actor=SETUP, session=lunch, source="card", student_ids=[])


# The contract with the subsidies app ------------------------------------------------------------


def test_subsidised_student_days(school):
    holiday(datetime.date(2025, 3, 5))
    a, b, c, d, e = students(5)
    eligible(a, datetime.date(2024, 9, 1))  # all month
    eligible(b, datetime.date(2024, 9, 1), datetime.date(2025, 3, 4))  # ends on the 4th
    eligible(c, datetime.date(2025, 3, 4))  # starts on the 4th
    eligible(d, datetime.date(2024, 9, 1), programme=BOARDING)  # another programme only
    # e: never eligible.
    days = selectors.school_days_between(MARCH, datetime.date(2025, 3, 31))
    for day in (datetime.date(2025, 3, 3), datetime.date(2025, 3, 4), datetime.date(2025, 3, 6)):
        breakfast, lunch = session(day, "breakfast"), session(day, "lunch")
        serve(breakfast, [a, b, c, d, e])
        serve(lunch, [a, b, c, d, e])  # two meals a day count once
    # A meal on a day the calendar does not count (the holiday) is not counted.
    # (Recorded before the holiday was declared: the service now refuses such a day.)
    on_holiday = session(datetime.date(2025, 3, 5))
    now = timezone.now()
    Serving.objects.bulk_create(
        Serving(session=on_holiday, student=s, source="card", recorded_at=now) for s in (a, b, c)
    )
    # Outside [start, end].
    serve(session(datetime.date(2025, 2, 28)), [a, b, c])

    counts = selectors.subsidised_student_days(
        start=MARCH, end=datetime.date(2025, 3, 31), programme=NUTRITION, school_days=days
    )
    assert counts[datetime.date(2025, 3, 3)] == 2  # a, b
    assert counts[datetime.date(2025, 3, 4)] == 3  # a, b (last day), c (first day)
    assert counts[datetime.date(2025, 3, 6)] == 2  # a, c
    assert datetime.date(2025, 3, 5) not in counts
    assert counts[datetime.date(2025, 3, 7)] == 0
    assert set(counts) == set(days)
    assert sum(counts.values()) == 7
    boarding = selectors.subsidised_student_days(
        start=MARCH, end=datetime.date(2025, 3, 31), programme=BOARDING, school_days=days
    )
    assert sum(boarding.values()) == 3
    # The caller's school days decide: a day left out is not counted, one outside the range
    # neither.
    narrow = selectors.subsidised_student_days(
        start=MARCH,
        end=datetime.date(2025, 3, 4),
        programme=NUTRITION,
        school_days=[datetime.date(2025, 3, 4), datetime.date(2025, 3, 6)],
    )
    assert narrow == {datetime.date(2025, 3, 4): 3}


def test_subsidised_student_days_is_one_query(school):
    pupils = students(40)
    for p in pupils:
        eligible(p, datetime.date(2024, 9, 1))
    days = selectors.school_days_between(MARCH, datetime.date(2025, 3, 14))
    for day in days:
        serve(session(day), pupils)
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.subsidised_student_days(
            start=MARCH, end=datetime.date(2025, 3, 14), programme=NUTRITION, school_days=days
        )
    assert len(queries.captured_queries) == 1
    assert counts == dict.fromkeys(days, 40)


# Food safety ------------------------------------------------------------------------------------


def test_samples_default_to_125_g_for_48_hours_and_meals_without_one_are_flagged(school):
    sampled, unsampled = session(MARCH), session(MARCH, "dinner")
    sample = sample_record(session=sampled, dish="红烧肉", actor=SETUP)
    assert sample.weight_g == Decimal("125")
    assert sample.kept_until - sample.taken_at == datetime.timedelta(hours=48)
    with pytest.raises(InvalidInput):
        sample_record(session=sampled, dish="米饭", weight_g=Decimal("100"), actor=SETUP)
    with pytest.raises(InvalidInput):
        sample_record(
            session=sampled,
            dish="米饭",
            taken_at=sample.taken_at,
            kept_until=sample.taken_at + datetime.timedelta(hours=24),
            actor=SETUP,
        )
    missing = selectors.sessions_without_sample(start=MARCH, end=MARCH)
    assert list(missing) == [unsampled]
    with pytest.raises(InvalidInput):
        sample_discard(sample=sample, actor=SETUP, at=sample.taken_at)
    assert FoodSample.objects.get(pk=sample.pk).discarded_at is None


def test_a_sample_is_discarded_over_the_api_once_its_keeping_time_has_passed(
    client_for, school_a, in_school
):
    with in_school(school_a):
        taken = timezone.now() - datetime.timedelta(hours=47)
        sample = sample_record(session=session(MARCH), dish="红烧肉", taken_at=taken, actor=SETUP)
    url = f"/api/v1/samples/{sample.pk}/discard/"
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    early = manager.post(url)
    assert early.status_code == 400, early.content
    assert early.json()["error"]["code"] == "still_kept"
    with in_school(school_a):
        assert FoodSample.objects.get(pk=sample.pk).discarded_at is None
        FoodSample.objects.filter(pk=sample.pk).update(
            taken_at=taken - datetime.timedelta(hours=2),
            kept_until=taken + datetime.timedelta(hours=46),
        )
    # The principal reads samples but does not handle them.
    assert client_for(school_a, Role.PRINCIPAL).post(url).status_code == 404
    director = client_for(school_a, Role.LOGISTICS_DIRECTOR)
    discarded = director.post(url)
    assert discarded.status_code == 200, discarded.content
    assert discarded.json()["discarded_at"] is not None
    again = manager.post(url)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_discarded"
    with in_school(school_a):
        assert FoodSample.objects.get(pk=sample.pk).discarded_at is not None


@override_settings(CANTEEN_SAMPLE_MIN_GRAMS="150", CANTEEN_SAMPLE_HOURS=72)
def test_sample_defaults_are_configurable(school):
    sample = sample_record(session=session(MARCH), dish="鱼", actor=SETUP)
    assert sample.weight_g == Decimal("150")
    assert sample.kept_until - sample.taken_at == datetime.timedelta(hours=72)


def test_cold_readings_out_of_range_are_alerts(client_for, school_a, in_school):
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    readings = [
        ("冷藏柜1", "refrigerator", "4.0", False),
        ("冷藏柜1", "refrigerator", "9.5", True),
        ("冷冻柜1", "freezer", "-20.0", False),
        ("冷冻柜1", "freezer", "-12.0", True),
    ]
    for unit, unit_type, temperature, out in readings:
        response = manager.post(
            "/api/v1/cold-readings/",
            {"unit": unit, "unit_type": unit_type, "temperature_c": temperature},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["out_of_range"] is out
    alerts = manager.get("/api/v1/alerts/").json()["results"]
    cold = [a for a in alerts if a["kind"] == "cold_out_of_range"]
    assert sorted(a["detail"]["temperature_c"] for a in cold) == ["-12.0", "9.5"]
    with in_school(school_a):
        assert ColdStorageReading.objects.filter(out_of_range=True).count() == 2


@pytest.mark.parametrize(
    ("received", "shelf_life", "keep"),
    [
        # Short shelf life: two years from delivery.
        ("2025-03-03", "2025-03-10", "2027-03-03"),
        # Long shelf life: six months past it.
        ("2025-03-03", "2027-01-15", "2027-07-15"),
        # Month ends are clamped.
        ("2024-02-29", "2024-03-10", "2026-02-28"),
        ("2025-03-03", "2026-08-31", "2027-03-03"),
        ("2025-03-03", "2026-09-30", "2027-03-30"),
    ],
)
def test_inspection_records_are_kept_long_enough(client_for, school_a, received, shelf_life, keep):
    response = client_for(school_a, Role.CANTEEN_MANAGER).post(
        "/api/v1/inspections/",
        {
            "supplier_name": "县粮油公司",
            "batch": "20250303-01",
            "certificates": ["营业执照"],
            "lines": [{"item": "大米", "quantity": "50", "unit": "kg"}],
            "received_on": received,
            "shelf_life_until": shelf_life,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["keep_until"] == keep


def test_a_principal_records_an_accompanied_meal_once(client_for, school_a, in_school):
    with in_school(school_a):
        lunch = session(MARCH)
    principal = client_for(school_a, Role.PRINCIPAL)
    body = {"session": lunch.pk, "comments": "菜量足，口味偏咸"}
    first = principal.post("/api/v1/accompanied-meals/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["leader"]["username"] == principal.user.username
    assert principal.post("/api/v1/accompanied-meals/", body, format="json").status_code == 409
    unknown = principal.post("/api/v1/accompanied-meals/", {"session": 10**9}, format="json")
    assert unknown.status_code == 400


# Skimming (克扣) ---------------------------------------------------------------------------------


def test_meals_costing_less_than_the_subsidy_are_flagged(school):
    pupils = students(100)
    for p in pupils[:80]:
        eligible(p, datetime.date(2024, 9, 1))
    # 80 eligible students ate; 300 CNY of ingredients is 3.75 each: below 5.00.
    skimped = session(MARCH, cost="300.00")
    serve(skimped, pupils)
    # 480 CNY for 80 is 6.00: fine.
    fair = session(MARCH + datetime.timedelta(days=1), cost="480.00")
    serve(fair, pupils)
    flagged = selectors.skimming_alerts(start=MARCH, end=MARCH + datetime.timedelta(days=6))
    assert [c.session for c in flagged] == [skimped]
    assert flagged[0].eligible_served == 80
    assert flagged[0].cost_per_student == Decimal("3.75")
    # With a lower rate nothing is flagged.
    assert not selectors.skimming_alerts(start=MARCH, end=MARCH, rate=Decimal("3.00"))


def test_the_skimming_check_reads_the_programmes_rate(school):
    """The rate is the one the district set on the active nutrition improvement programme; the
    SUBSIDY_DAILY_RATE setting only stands in while no such programme is active."""
    pupils = students(10)
    for p in pupils:
        eligible(p, datetime.date(2024, 9, 1))
    # 60 CNY for 10 eligible students: 6.00 each.
    serve(session(MARCH, cost="60.00"), pupils)
    end = MARCH + datetime.timedelta(days=6)
    programme = Programme.objects.get(code=NUTRITION)
    assert (programme.active, programme.daily_rate) == (True, Decimal("5.00"))
    with override_settings(SUBSIDY_DAILY_RATE="9.00"):
        assert selectors.subsidy_daily_rate() == Decimal("5.00")
        assert not selectors.skimming_alerts(start=MARCH, end=end)
        Programme.objects.filter(pk=programme.pk).update(daily_rate=Decimal("6.50"))
        (raised,) = selectors.skimming_alerts(start=MARCH, end=end)
        assert (raised.rate, raised.cost_per_student) == (Decimal("6.50"), Decimal("6.00"))
        # No active programme: the setting.
        Programme.objects.filter(pk=programme.pk).update(active=False)
        assert selectors.subsidy_daily_rate() == Decimal("9.00")
        (fallback,) = selectors.skimming_alerts(start=MARCH, end=end)
        assert fallback.rate == Decimal("9.00")
    with override_settings(SUBSIDY_DAILY_RATE="5.50"):
        assert not selectors.skimming_alerts(start=MARCH, end=end)


def test_alerts_endpoint(client_for, school_a, in_school):
    with in_school(school_a):
        pupils = students(10)
        for p in pupils:
            eligible(p, datetime.date(2024, 9, 1))
        lunch = session(MARCH, cost="10.00")
        serve(lunch, pupils)
    response = client_for(school_a, Role.ACCOUNTANT).get(
        "/api/v1/alerts/", {"start": "2025-03-01", "end": "2025-03-07"}
    )
    assert response.status_code == 200, response.content
    kinds = {(a["kind"], a["session"]) for a in response.json()["results"]}
    assert kinds == {("no_sample", lunch.pk), ("cost_below_subsidy", lunch.pk)}
    bad = client_for(school_a, Role.ACCOUNTANT).get(
        "/api/v1/alerts/", {"start": "2025-03-07", "end": "2025-03-01"}
    )
    assert bad.status_code == 400


# Menus ------------------------------------------------------------------------------------------


def test_adopting_a_district_plan_copies_it(client_for, school_a, in_school):
    plan = published_plan(900)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    response = manager.post("/api/v1/menus/adopt/", {"plan": plan.pk}, format="json")
    assert response.status_code == 201, response.content
    menu = response.json()
    assert (menu["plan_id"], menu["plan_version"], menu["origin"]) == (plan.pk, 1, "plan")
    assert menu["start_date"] == plan.week_start.isoformat()
    assert [i["date"] for i in menu["items"]] == [
        (plan.week_start + datetime.timedelta(days=d)).isoformat() for d in range(3)
    ]
    assert all(Decimal(i["nutrients"]["energy_kcal"]) > 0 for i in menu["items"])
    assert "meets_standard" in menu["report"]
    again = manager.post("/api/v1/menus/adopt/", {"plan": plan.pk}, format="json")
    assert again.status_code == 409
    missing = manager.post("/api/v1/menus/adopt/", {"plan": 10**9}, format="json")
    assert missing.status_code == 400
    # Every member reads the menu.
    student = client_for(school_a, Role.STUDENT)
    assert student.get(f"/api/v1/menus/{menu['id']}/").status_code == 200


def test_an_own_menu_is_checked_against_the_targets(school):
    dish = recipe(901)
    menu = menu_create_own(
        start_date=MARCH,
        end_date=MARCH + datetime.timedelta(days=4),
        age_band="9-11",
        items=[OwnItemInput(date=MARCH, meal="lunch", recipe=dish.pk)],
        actor=SETUP,
    )
    assert menu.origin == Menu.Origin.OWN
    assert menu.report["flags"]  # one dish is not a whole lunch
    assert menu.report["meets_standard"] is False
    item = menu.items.get()
    assert item.recipe_name == dish.name
    assert item.quantities
    with pytest.raises(InvalidInput):
        menu_create_own(
            start_date=MARCH,
            end_date=MARCH,
            age_band="9-11",
            items=[OwnItemInput(date=MARCH, meal="lunch", recipe=10**9)],
            actor=SETUP,
        )


def _energy(menu: dict[str, Any]) -> str:
    (flag,) = [f for f in menu["report"]["flags"] if f["nutrient"] == "energy_kcal"]
    return str(flag["actual"])


def test_an_own_menu_is_edited_until_a_meal_is_served_from_it(client_for, school_a, in_school):
    rice, soup = recipe(902), recipe(903)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    made = manager.post(
        "/api/v1/menus/",
        {
            "start_date": MARCH.isoformat(),
            "end_date": (MARCH + datetime.timedelta(days=4)).isoformat(),
            "age_band": "9-11",
            "items": [{"date": MARCH.isoformat(), "meal": "lunch", "recipe": rice.pk}],
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    menu = made.json()
    url = f"/api/v1/menus/{menu['id']}/"
    two_dishes = [
        {"date": MARCH.isoformat(), "meal": "lunch", "recipe": rice.pk},
        {"date": MARCH.isoformat(), "meal": "lunch", "recipe": soup.pk},
    ]
    edited = manager.patch(url, {"title": "三月第一周", "items": two_dishes}, format="json")
    assert edited.status_code == 200, edited.content
    after = edited.json()
    assert after["title"] == "三月第一周"
    assert [i["recipe_id"] for i in after["items"]] == sorted([rice.pk, soup.pk])
    # The nutrient check is that of the new dishes: the lunch's energy is both recipes' (each
    # rounded on its own in the items).
    energy = sum(Decimal(i["nutrients"]["energy_kcal"]) for i in after["items"])
    assert abs(Decimal(_energy(after)) - energy) <= Decimal("0.01")
    assert Decimal(_energy(after)) > Decimal(_energy(menu))
    # Bad dishes are refused whole: the menu keeps what it had.
    outside = [{"date": "2025-04-01", "meal": "lunch", "recipe": rice.pk}]
    assert manager.patch(url, {"items": outside}, format="json").status_code == 400
    assert manager.patch(url, {"items": []}, format="json").status_code == 400
    assert len(manager.get(url).json()["items"]) == 2

    # Once a meal is served from it, it stays as it was served.
    with in_school(school_a):
        lunch = meal_session_open(
            date=MARCH, meal="lunch", actor=SETUP, menu=Menu.objects.get(pk=menu["id"])
        )
    # A meal opened from it is not yet a meal served.
    assert manager.patch(url, {"items": two_dishes[:1]}, format="json").status_code == 200
    with in_school(school_a):
        serve(lunch, students(1))
    refused = manager.patch(url, {"items": two_dishes}, format="json")
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"]["code"] == "menu_served"
    assert "2025-03-03 lunch" in refused.json()["error"]["message"]
    assert len(manager.get(url).json()["items"]) == 1


def test_an_adopted_menu_is_not_edited(client_for, school_a):
    plan = published_plan(904)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    menu = manager.post("/api/v1/menus/adopt/", {"plan": plan.pk}, format="json").json()
    day = menu["items"][0]["date"]
    response = manager.patch(
        f"/api/v1/menus/{menu['id']}/",
        {"items": [{"date": day, "meal": "lunch", "recipe": recipe(905).pk}]},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "adopted_menu"
    assert manager.get(f"/api/v1/menus/{menu['id']}/").json()["items"] == menu["items"]


# A card terminal's export ------------------------------------------------------------------------


def _swipes(rows: list[str]) -> SimpleUploadedFile:
    content = "\n".join(["学号,姓名,刷卡时间", *rows]).encode()
    return SimpleUploadedFile("swipes.csv", content, content_type="text/csv")


def test_a_terminals_export_is_imported_all_or_nothing(client_for, school_a, in_school):
    with in_school(school_a):
        pupils = students(3, prefix="T")
        lunch = session(MARCH)
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    url = f"/api/v1/sessions/{lunch.pk}/servings/import/"
    first, second, third = (p.student_number for p in pupils)
    refused = manager.post(
        url,
        {"file": _swipes([f"{first},学生0,2025-03-03 11:30", "NOBODY,,", f"{second},,2025-03-04"])},
        format="multipart",
    )
    assert refused.status_code == 400, refused.content
    rows = refused.json()["error"]["fields"]["rows"]
    assert [(r["row"], r["reasons"]) for r in rows] == [
        (3, ["unknown_student"]),
        (4, ["another_day"]),
    ]
    with in_school(school_a):
        assert not Serving.objects.filter(session=lunch).exists()
    done = manager.post(url, {"file": _swipes([first, second, first, third])}, format="multipart")
    assert done.status_code == 200, done.content
    report = done.json()
    assert (report["saved"], report["created"], report["exists"], report["errors"]) == (
        True,
        3,
        1,
        0,
    )
    assert report["rows"][2]["reasons"] == ["repeated_in_file"]
    again = manager.post(url, {"file": _swipes([first])}, format="multipart").json()
    assert (again["created"], again["rows"][0]["reasons"]) == (0, ["already_recorded"])
    with in_school(school_a):
        assert Serving.objects.filter(session=lunch, source="card").count() == 3
