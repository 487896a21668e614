"""A school's requisitions' pages (shared_apps/procurement/web/school): raising for the logistics
director and the canteen manager, approving and rejecting for the principal, reading for those
who read the school's requisitions (the canteen manager its own: the list, not another's row).

Grants in houqin/roles.py: `procurement.add_requisition` for the logistics director and the
canteen manager (`procurement.view_requisition:own` for the latter);
`procurement.view_requisition` for the principal, the logistics director and the accountant;
`procurement.approve_requisition` for the principal; `procurement.view_*` for the procurement
officer and `*.view_*` for auditors, on every school's host."""

from typing import Any

from shared_apps.procurement.models import Requisition
from tests.matrix import R, Scene
from tests.matrix.supply import make_item
from tests.matrix.tenders import SCHOOL_READERS, make_requisition
from tests.pages import Declared, Pages

RAISERS = frozenset({R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER})
PRINCIPAL = frozenset({R.PRINCIPAL})


def pending(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    made = make_requisition(scene.school, [make_item()], status=Requisition.Status.PENDING)
    return {"pk": made.pk}


SCHOOL_PAGES: Pages = {
    "requisitions:list": Declared(SCHOOL_READERS | {R.CANTEEN_MANAGER}),
    "requisitions:raise": Declared(RAISERS),
    "requisitions:requisition": Declared(SCHOOL_READERS, pending),
    "requisitions:approve": Declared(PRINCIPAL, pending),
    "requisitions:reject": Declared(PRINCIPAL, pending),
}
