"""The nightly close of a school's day: the task, run in the school named by its header, records
the day's alerts (a meal without a sample, a cold reading out of range, a meal costing less than
the subsidy pays) on one `DailyClose` row, updates that row when run again, and leaves the public
schema in force; the beat schedule runs it for every school at 01:00."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from celery.schedules import crontab
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.celery import app
from houqin.db import tenant_db
from tenant_apps.canteen.models import DailyClose
from tenant_apps.canteen.services.food_safety import cold_reading_record, sample_record
from tenant_apps.canteen.services.servings import meal_session_open, servings_record
from tenant_apps.canteen.tasks import canteen_daily_close_task
from tenant_apps.people.services.eligibility import subsidy_eligibility_create
from tenants.models import School
from tests.factories import SETUP, programme_row
from tests.matrix.people import make_student


def _past_weekday() -> date:
    day = timezone.localdate() - timedelta(days=10)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def _close(school: School, day: date) -> Any:
    result = canteen_daily_close_task.apply(
        headers={"_schema_name": school.schema_name}, kwargs={"day": day.isoformat()}, throw=True
    )
    assert tenant_db().schema_name == "public"
    return result.get()


def test_daily_close_records_the_days_alerts_once(school_a: School, school_b: School) -> None:
    day = _past_weekday()
    with schema_context(school_a.schema_name):
        student = make_student(school_a.schema_name, enrolled_on=day - timedelta(days=30))
        subsidy_eligibility_create(
            student=student,
            programme=programme_row("nutrition_improvement"),
            reason="rural_compulsory",
            valid_from=day - timedelta(days=30),
            actor=SETUP,
        )
        # Lunch: no sample kept, and 3.00 CNY spent on one eligible student (rate 5.00).
        lunch = meal_session_open(
            date=day, meal="lunch", actor=SETUP, ingredient_cost=Decimal("3.00")
        )
        servings_record(actor=SETUP, session=lunch, source="card", student_ids=[student.pk])
        # Breakfast: sampled, and well paid for.
        breakfast = meal_session_open(
            date=day, meal="breakfast", actor=SETUP, ingredient_cost=Decimal("8.00")
        )
        servings_record(actor=SETUP, session=breakfast, source="card", student_ids=[student.pk])
        at = timezone.make_aware(datetime.combine(day, time(7, 30)))
        sample_record(session=breakfast, dish="馒头", actor=SETUP, taken_at=at)
        cold_reading_record(
            unit="冷藏柜1",
            unit_type="refrigerator",
            temperature_c=Decimal("9.5"),
            actor=SETUP,
            measured_at=at,
        )
        cold_reading_record(
            unit="冷冻柜1",
            unit_type="freezer",
            temperature_c=Decimal("-20.0"),
            actor=SETUP,
            measured_at=at,
        )

    counts = _close(school_a, day)
    assert counts == {
        "no_sample": 1,
        "cold_out_of_range": 1,
        "cost_below_subsidy": 1,
        "alerts": 3,
        "sessions": 2,
        "servings": 2,
    }
    with schema_context(school_a.schema_name):
        close = DailyClose.objects.get()
        assert close.date == day
        kinds = sorted(alert["kind"] for alert in close.alerts)
        assert kinds == ["cold_out_of_range", "cost_below_subsidy", "no_sample"]
        first_closed_at = close.closed_at
        # The missing sample is kept after all; closing the day again updates the same row.
        sample_record(session=lunch, dish="番茄炒蛋", actor=SETUP, taken_at=at)

    assert _close(school_a, day)["no_sample"] == 0
    with schema_context(school_a.schema_name):
        close = DailyClose.objects.get()
        assert close.counts["alerts"] == 2
        assert close.closed_at >= first_closed_at
    # School B's day is its own: closed empty, A's row untouched by it.
    assert _close(school_b, day)["alerts"] == 0
    with schema_context(school_b.schema_name):
        assert DailyClose.objects.get().counts["sessions"] == 0
    with schema_context(school_a.schema_name):
        assert DailyClose.objects.count() == 1


def test_daily_close_defaults_to_yesterday(school_a: School) -> None:
    canteen_daily_close_task.apply(headers={"_schema_name": school_a.schema_name}, throw=True)
    assert tenant_db().schema_name == "public"
    with schema_context(school_a.schema_name):
        assert DailyClose.objects.get().date == timezone.localdate() - timedelta(days=1)


def test_beat_closes_every_school_at_one_in_the_morning() -> None:
    entry = app.conf.beat_schedule["canteen-daily-close-every-school"]
    assert entry["task"] == "tenants.tasks.for_every_school_task"
    assert entry["args"] == ("tenant_apps.canteen.tasks.canteen_daily_close_task",)
    assert entry["schedule"] == crontab(hour=1, minute=0)
    assert app.conf.timezone == "Asia/Shanghai"
