"""The procurement officer's pages, on the district host: the officer reads and acts; auditors
read (the award page shows opened bids to the officer who awards; auditors read them on their
own pages); nobody else finds them."""

from datetime import date
from typing import Any

from shared_apps.procurement.models import Qualification, Supplier
from shared_apps.procurement.services import suppliers
from tests.factories import licence_scan
from tests.matrix import AUDITOR, Scene
from tests.matrix.tenders import (
    OFFICER,
    draft_tender,
    evaluated_tender,
    make_supplier,
    officer,
    opened_tender,
    published_tender,
)
from tests.pages import Declared, Pages

READERS = OFFICER | AUDITOR


def _tender(make: Any) -> Any:
    def build(scene: Scene) -> dict[str, Any]:
        return {"pk": make(school=scene.school).pk}

    return build


def _supplier(scene: Scene) -> dict[str, Any]:
    return {"pk": make_supplier().pk}


def _suspended(scene: Scene) -> dict[str, Any]:
    supplier = suppliers.supplier_suspend(
        supplier=make_supplier(), reason="连续两月评分不合格", actor=officer()
    )
    return {"pk": supplier.pk}


def _pending_licence(scene: Scene) -> dict[str, Any]:
    supplier: Supplier = make_supplier(qualified=False)
    licence: Qualification = suppliers.qualification_add(
        supplier=supplier,
        kind=Qualification.Kind.BUSINESS,
        number=f"YYZZ-{supplier.pk}",
        valid_from=date(2020, 1, 1),
        expires_on=date(2036, 1, 1),
        actor=officer(),
    )
    return {"pk": licence.pk}


def _scanned_licence(scene: Scene) -> dict[str, Any]:
    licence: Qualification = suppliers.qualification_add(
        supplier=make_supplier(qualified=False),
        kind=Qualification.Kind.FOOD_BUSINESS,
        number="JY-SCAN",
        valid_from=date(2020, 1, 1),
        expires_on=date(2036, 1, 1),
        scan=licence_scan(),
        actor=officer(),
    )
    return {"pk": licence.pk}


DISTRICT_PAGES: Pages = {
    "procurement-office:requisitions": Declared(READERS),
    "procurement-office:tenders": Declared(READERS),
    "procurement-office:tender-create": Declared(OFFICER),
    "procurement-office:tender": Declared(READERS, _tender(published_tender)),
    "procurement-office:tender-publish": Declared(OFFICER, _tender(draft_tender)),
    "procurement-office:tender-reserve": Declared(OFFICER, _tender(published_tender)),
    "procurement-office:tender-evaluate": Declared(OFFICER, _tender(opened_tender)),
    "procurement-office:award": Declared(OFFICER, _tender(evaluated_tender)),
    "procurement-office:suppliers": Declared(READERS),
    "procurement-office:supplier": Declared(READERS, _supplier),
    "procurement-office:supplier-suspend": Declared(OFFICER, _supplier),
    "procurement-office:supplier-reinstate": Declared(OFFICER, _suspended),
    "procurement-office:qualifications": Declared(READERS),
    "procurement-office:qualification-scan": Declared(READERS, _scanned_licence),
    "procurement-office:qualification-verify": Declared(OFFICER, _pending_licence),
    "procurement-office:qualification-reject": Declared(OFFICER, _pending_licence),
    "procurement-office:contracts": Declared(READERS),
}
