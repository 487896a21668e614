"""Route planning from the officer's side (校车 item 15): the plan is queued as a job after
commit, solved once however often the job runs, compared with the school's current routes, and
adopted as new morning routes, or as new versions of the school's routes, whose approved stops
stay approved; each needs its licence, the version before it in force meanwhile."""

import datetime
from typing import Any

import pytest
from django.test import Client

from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.transport import selectors, services
from shared_apps.transport.models import Route, RoutePlan
from tenants.models import School
from tests.conftest import tasks_queued
from tests.factories import make_user, user_with_role
from tests.matrix.transport import (
    at,
    make_licence,
    make_route,
    make_route_plan,
    make_vehicle,
    make_version,
    today,
)

pytestmark = pytest.mark.django_db


def test_a_plan_is_queued_after_commit_and_solved_once(school_a: School) -> None:
    with tasks_queued() as queued:
        plan = make_route_plan(school_a, solved=False)
    assert queued == [services.ROUTE_PLAN_TASK]
    assert plan.status == RoutePlan.Status.QUEUED
    plan = services.route_plan_solve(plan=plan, actor=services.PLANNER)
    proposal = plan.proposal
    assert proposal is not None
    assert proposal["plan"]["unserved"] == {}
    assert sum(route["riders"] for route in proposal["plan"]["routes"]) == 12
    assert proposal["plan"]["total_ride_min"] <= proposal["baseline"]["total_ride_min"]
    again = services.route_plan_solve(plan=plan, actor=services.PLANNER)
    assert again.finished_at == plan.finished_at


def test_a_bad_plan_names_its_field(school_a: School) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.route_plan_request(
            school=school_a,
            given=services.PlanInput(
                school_at=(26.5, 106.7),
                riders=[],
                stops=[("北村", 95.0, 106.7)],
                vehicles=[make_vehicle()],
                latest_arrival=at(today(), 7, 50),
            ),
            actor=make_user(),
        )
    assert {"riders"} <= set(caught.value.fields)


def test_adopting_makes_new_routes_once(school_a: School) -> None:
    plan = make_route_plan(school_a)
    current = selectors.current_routes_figures(plan)
    assert current["buses_used"] == 0
    routes = services.route_plan_adopt(plan=plan, code="P9", actor=make_user())
    assert [route.code for route in routes] == [f"P9-{n}" for n in range(1, len(routes) + 1)]
    stops = [stop for route in routes for stop in route.stops.all()]
    assert {stop.name for stop in stops} == {"北村", "南村"}
    # New stops wait for their approval, and every route for its licence.
    assert not any(stop.approved for stop in stops)
    assert all(school_a in route.schools.all() for route in routes)
    with pytest.raises(Conflict):
        services.route_plan_adopt(plan=plan, code="P10", actor=make_user())
    figures = selectors.current_routes_figures(plan)
    assert figures["buses_used"] == len(routes) and figures["km"] > 0
    assert Route.objects.filter(code__startswith="P10").count() == 0


def test_the_plan_page_polls_while_queued_then_compares(
    district_host: str, school_a: School
) -> None:
    client = Client(SERVER_NAME=district_host)
    client.force_login(
        user_with_role(Role.TRANSPORT_OFFICER, None), backend="houqin.permissions.RoleBackend"
    )
    waiting = make_route_plan(school_a, solved=False)
    page = client.get(f"/transport/plans/{waiting.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in page.content.decode()
    done = services.route_plan_solve(plan=waiting, actor=services.PLANNER)
    page = client.get(f"/transport/plans/{done.pk}/", headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "hx-trigger" not in text and "北村" in text
    form: dict[str, Any] = {
        "school": school_a.pk,
        "school_latitude": "26.5",
        "school_longitude": "106.7",
        "riders": "S1,26.6,106.7\nS2,26.6004,106.7",
        "stops": "北村,26.6,106.7",
        "vehicles": [make_vehicle().pk],
        "latest_arrival": "07:50",
        "max_ride_min": "60",
        "max_walk_m": "1500",
    }
    with tasks_queued() as queued:
        answer = client.post("/transport/plans/new/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert queued == [services.ROUTE_PLAN_TASK]
    bad = client.post("/transport/plans/new/", {**form, "riders": "S1;26.6"})
    assert bad.status_code == 400


def test_a_bus_is_adopted_as_the_next_version_of_a_school_route(school_a: School) -> None:
    plan = make_route_plan(school_a)
    current = make_route([school_a])
    make_licence(route=current)
    assert selectors.current_routes_figures(plan)["buses_used"] == 1
    buses = len(plan.proposal["plan"]["routes"]) if plan.proposal else 0
    routes = services.route_plan_adopt(
        plan=plan, code="P9", versions_of={1: current}, actor=make_user()
    )
    first, *others = routes
    assert (first.version_of, first.version, first.code) == (current, 2, f"{current.code}/v2")
    assert first.name == current.name and list(first.schools.all()) == [school_a]
    assert [route.code for route in others] == [f"P9-{n}" for n in range(2, buses + 1)]
    # The new version waits for its licence; the licensed one stays in force meanwhile.
    day = today() + datetime.timedelta(days=1)
    versions = list(selectors.route_versions(current, day))
    assert [v.pk for v in versions] == [current.pk, first.pk]
    assert selectors.route_version_current(versions, day) == current


def test_every_bus_as_a_version_needs_no_code_and_bad_choices_are_refused(
    school_a: School, school_b: School
) -> None:
    plan = make_route_plan(school_a)
    buses = len(plan.proposal["plan"]["routes"]) if plan.proposal else 0
    ours = [make_route([school_a]) for _ in range(buses)]
    elsewhere = make_route([school_b])
    for versions_of in (
        {buses + 1: ours[0]},
        {1: ours[0], 2: make_version(ours[0])},
        {1: elsewhere},
    ):
        with pytest.raises(InvalidInput) as caught:
            services.route_plan_adopt(
                plan=plan, code="P9", versions_of=versions_of, actor=make_user()
            )
        assert "versions_of" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        services.route_plan_adopt(plan=plan, code="", versions_of={1: ours[0]}, actor=make_user())
    assert "code" in caught.value.fields
    routes = services.route_plan_adopt(
        plan=plan, code="", versions_of=dict(enumerate(ours, 1)), actor=make_user()
    )
    # The first route has its second version already (made above): the plan's is the third.
    assert [route.version_of for route in routes] == ours
    assert [route.version for route in routes] == [3] + [2] * (buses - 1)
