"""The nutrition pages' costs do not grow with what they show: the same number of queries for
one row as for many."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from houqin.roles import Role
from shared_apps.standards import services
from tests.factories import SETUP, user_with_role
from tests.matrix import Scene
from tests.matrix.standards import make_plan, make_recipe

pytestmark = pytest.mark.django_db


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.fixture
def officer(district_host: str) -> Client:
    client = Client(SERVER_NAME=district_host)
    client.force_login(user_with_role(Role.NUTRITION_OFFICER, None))
    return client


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/standards/plans/", lambda n: make_plan(Scene(None), n)),
        ("/standards/recipes/", make_recipe),
    ],
)
def test_a_list_costs_the_same_for_one_row_and_many(
    officer: Client, path: str, make: Callable[[int], object]
) -> None:
    make(0)
    one = _queries(officer, path)
    for n in range(1, 6):
        make(n)
    assert _queries(officer, path) == one


def test_the_week_grid_costs_the_same_for_a_few_dishes_and_many(officer: Client) -> None:
    plan = make_plan(Scene(None), 0)
    few = _queries(officer, f"/standards/plans/{plan.pk}/")
    dishes = [make_recipe(n) for n in range(1, 6)]
    services.plan_update(
        plan=plan,
        entries=[
            services.EntryInput(weekday=day, meal="lunch", recipe=dish.pk)
            for day in range(1, 6)
            for dish in dishes
        ],
        actor=SETUP,
    )
    assert _queries(officer, f"/standards/plans/{plan.pk}/") == few
