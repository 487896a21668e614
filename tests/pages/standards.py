"""The district's nutrition pages: the nutrition officer writes, auditors read."""

from typing import Any

from houqin.roles import Role
from tests.matrix import Scene
from tests.matrix.standards import make_plan, make_recipe
from tests.pages import Declared, Pages

R = Role
READERS = frozenset({R.NUTRITION_OFFICER, R.AUDITOR})
WRITERS = frozenset({R.NUTRITION_OFFICER})


def _plan(scene: Scene) -> dict[str, Any]:
    return {"pk": make_plan(scene, 0).pk}


def _recipe(scene: Scene) -> dict[str, Any]:
    return {"pk": make_recipe(0).pk}


DISTRICT_PAGES: Pages = {
    "standards:plans": Declared(READERS),
    "standards:plan-create": Declared(WRITERS),
    "standards:plan": Declared(READERS, _plan),
    "standards:plan-entry": Declared(WRITERS, _plan),
    "standards:plan-copy": Declared(WRITERS, _plan),
    "standards:plan-publish": Declared(WRITERS, _plan),
    "standards:plan-revise": Declared(WRITERS, _plan),
    "standards:recipes": Declared(READERS),
    "standards:recipe": Declared(READERS, _recipe),
    "standards:foods": Declared(READERS),
}
