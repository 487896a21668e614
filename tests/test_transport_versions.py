"""Route versions (校车 item 5): a route's version runs on given weekdays between given dates,
and its runs are made for each day of that version that is a school day of a school riding it,
by each school's calendar; made twice, they are made once. A later version points at the route's
first version and is numbered in that family (unique in the database, numbered one after the
other when two officers add one at once); the version in force on a day is the latest licensed
one that holds that day."""

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.transport import selectors, services
from shared_apps.transport.models import Licence, Route, Run
from tenant_apps.canteen.models import CalendarDay
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.transport import at, make_licence, make_route, make_version, today

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


# Versions linked to their route ----------------------------------------------------------------


def test_a_version_points_at_the_first_and_numbers_itself_in_the_family(
    school_a: School,
) -> None:
    first = make_route([school_a])
    second = make_version(first)
    # A version made from a later one still points at the first, numbered next.
    third = make_version(second, weekdays="6")
    assert (second.version_of, second.version, second.code) == (first, 2, f"{first.code}/v2")
    assert (third.version_of, third.version, third.code) == (first, 3, f"{first.code}/v3")
    assert third.weekdays == "6"
    assert list(third.schools.all()) == [school_a]
    # Found by the link, not the code: renamed, the family is the same.
    Route.objects.filter(pk=second.pk).update(code="改线-二")
    for member in (first, second, third):
        found = selectors.route_versions(member, today())
        assert [r.version for r in found] == [1, 2, 3]
    assert [r.pk for r in selectors.route_versions(make_route(), today())] != [first.pk]


def test_the_current_version_is_the_latest_licensed_one_that_holds_that_day(
    school_a: School,
) -> None:
    first = make_route([school_a])
    second = make_version(first)
    day = _monday_after(today())

    def current() -> Route | None:
        versions = list(selectors.route_versions(first, day))
        return selectors.route_version_current(versions, day)

    # Nothing licensed yet: the first version stands.
    assert current() == first
    make_licence(route=first)
    assert day <= Licence.objects.get(route=first).valid_until
    # The second waits for its licence; the first runs meanwhile.
    assert current() == first
    make_licence(route=second)
    assert current() == second
    # A version that does not run that weekday is not the one in force that day.
    services.route_version_set(route=second, weekdays="6", actor=SETUP)
    assert current() == first


def test_the_family_constraints_hold_in_the_database(school_a: School) -> None:
    first = make_route([school_a])
    second = make_version(first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Route.objects.filter(pk=make_route().pk).update(version_of=first, version=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Route.objects.filter(pk=second.pk).update(version_of=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Route.objects.filter(pk=first.pk).update(version_of=first, version=5)


def test_the_api_shows_the_link_and_lists_a_routes_versions(
    client_for: Any, school_a: School
) -> None:
    first = make_route([school_a])
    second = make_version(first)
    make_route()  # another route, not listed
    officer = client_for(None, Role.TRANSPORT_OFFICER)
    shown = officer.get(f"/api/v1/transport/routes/{second.pk}/").json()
    assert (shown["version_of"], shown["version"]) == (first.pk, 2)
    for member in (first, second):
        listed = officer.get("/api/v1/transport/routes/", {"versions_of": member.pk}).json()
        assert [row["id"] for row in listed["results"]] == [first.pk, second.pk]


def test_the_migration_links_the_versions_coded_by_the_old_convention(db: Any) -> None:
    """Migrated back to before the link, routes coded `<code>/v<n>` are made; migrated forward,
    they point at the route coded `<code>` with their number (the test's transaction undoes
    both)."""
    executor = MigrationExecutor(connection)
    before = [("transport", "0006_run_escorts_assigned")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("transport", "Route")
    for code in ("M1", "M1/v2", "M1/v3", "M2/v2", "M3/vx"):
        old.objects.create(code=code, name="旧线路", period="morning")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("transport"))
    linked = Route.objects.filter(code__startswith="M").order_by("code")
    assert [(r.code, r.version_of and r.version_of.code, r.version) for r in linked] == [
        ("M1", None, 1),
        ("M1/v2", "M1", 2),
        ("M1/v3", "M1", 3),
        ("M2/v2", None, 1),
        ("M3/vx", None, 1),
    ]
