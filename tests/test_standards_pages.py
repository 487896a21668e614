"""The nutrition pages' costs do not grow with what they show: the same number of queries for
one row as for many."""

from collections.abc import Callable

import pytest
from django.test import Client

from houqin.roles import Role
from shared_apps.standards import services
from tests.factories import SETUP, user_with_role
from tests.matrix import Scene
from tests.matrix.standards import make_plan, make_recipe
from tests.web import queries, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(district_host: str) -> Client:
    return signed_in(district_host, user_with_role(Role.NUTRITION_OFFICER, None))


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
    one = queries(officer, path)
    for n in range(1, 6):
        make(n)
    assert queries(officer, path) == one


def test_the_week_grid_costs_the_same_for_a_few_dishes_and_many(officer: Client) -> None:
    plan = make_plan(Scene(None), 0)
    few = queries(officer, f"/standards/plans/{plan.pk}/")
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
    assert queries(officer, f"/standards/plans/{plan.pk}/") == few
