"""Route versions (校车 item 5): a route's version runs on given weekdays between given dates,
and its runs are made for each day of that version that is a school day of a school riding it,
by each school's calendar; made twice, they are made once."""

import datetime

import pytest
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict, InvalidInput
from shared_apps.transport import services
from shared_apps.transport.models import Run
from tenant_apps.canteen.models import CalendarDay
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.transport import at, make_licence, make_route, today

pytestmark = pytest.mark.django_db


def _monday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 or 7)


def test_runs_follow_the_weekdays_the_dates_and_the_school_calendar(school_a: School) -> None:
    route = services.route_version_set(route=make_route([school_a]), weekdays="531", actor=SETUP)
    assert route.weekdays == "135"
    licence = make_licence(route=route)
    monday = _monday_after(today())
    with schema_context(school_a.schema_name):
        CalendarDay.objects.create(
            date=monday + datetime.timedelta(days=2), kind=CalendarDay.Kind.HOLIDAY, name="校运会"
        )
    made = services.runs_generate(
        licence=licence,
        start=monday,
        end=monday + datetime.timedelta(days=6),
        leaves=datetime.time(6, 40),
        arrives=datetime.time(7, 30),
        actor=SETUP,
    )
    # Monday and Friday: Wednesday is the school's holiday, the other days not the version's.
    assert [run.period.lower.date() for run in made] == [
        monday,
        monday + datetime.timedelta(days=4),
    ]
    again = services.runs_generate(
        licence=licence,
        start=monday,
        end=monday + datetime.timedelta(days=6),
        leaves=datetime.time(6, 40),
        arrives=datetime.time(7, 30),
        actor=SETUP,
    )
    assert again == []
    assert Run.objects.filter(licence=licence).count() == 2


def test_a_version_holds_between_its_dates(school_a: School) -> None:
    monday = _monday_after(today())
    route = services.route_version_set(
        route=make_route([school_a]),
        weekdays="12345",
        valid_from=monday + datetime.timedelta(days=3),
        actor=SETUP,
    )
    made = services.runs_generate(
        licence=make_licence(route=route),
        start=monday,
        end=monday + datetime.timedelta(days=4),
        leaves=datetime.time(16, 30),
        arrives=datetime.time(17, 20),
        actor=SETUP,
    )
    assert len(made) == 2


def test_bad_weekdays_and_a_refused_day_say_why(school_a: School) -> None:
    with pytest.raises(InvalidInput):
        services.route_version_set(route=make_route(), weekdays="8", actor=SETUP)
    licence = make_licence(route=make_route([school_a]))
    monday = _monday_after(today())
    services.run_schedule(
        licence=licence,
        starts_at=at(monday + datetime.timedelta(days=1), 7),
        ends_at=at(monday + datetime.timedelta(days=1), 8),
        actor=SETUP,
    )
    with pytest.raises(Conflict) as caught:
        services.runs_generate(
            licence=licence,
            start=monday,
            end=monday + datetime.timedelta(days=2),
            leaves=datetime.time(7, 30),
            arrives=datetime.time(8, 30),
            actor=SETUP,
        )
    assert caught.value.code == "vehicle_double_booked"
    assert str(monday + datetime.timedelta(days=1)) in caught.value.message
    # Nothing half made: Monday's run went with the refusal.
    assert Run.objects.filter(licence=licence).count() == 1
