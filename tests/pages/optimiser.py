"""The meal-plan optimiser's pages on the district host: the nutrition officer asks for, edits
and publishes proposals; auditors read them and the recipes' costs."""

from typing import Any

from houqin.roles import Role
from tests.matrix import Scene
from tests.matrix.optimiser import make_proposal
from tests.pages import Declared, Pages

R = Role
READERS = frozenset({R.NUTRITION_OFFICER, R.AUDITOR})
WRITERS = frozenset({R.NUTRITION_OFFICER})


def _proposal(scene: Scene) -> dict[str, Any]:
    return {"pk": make_proposal().pk}


def _entry(scene: Scene) -> dict[str, Any]:
    proposal = make_proposal()
    entry = proposal.entries.order_by("id").first()
    assert entry is not None
    return {"pk": proposal.pk, "entry_id": entry.pk}


DISTRICT_PAGES: Pages = {
    "optimiser:proposals": Declared(READERS),
    "optimiser:proposal-request": Declared(WRITERS),
    "optimiser:proposal": Declared(READERS, _proposal),
    "optimiser:entry-add": Declared(WRITERS, _proposal),
    "optimiser:entry-change": Declared(WRITERS, _entry),
    "optimiser:entry-remove": Declared(WRITERS, _entry),
    "optimiser:proposal-publish": Declared(WRITERS, _proposal),
    "optimiser:recipe-costs": Declared(READERS),
}
