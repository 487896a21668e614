"""The supplier portal (district host): its list pages for supplier accounts only (an account
the matrix makes holds the role without a company, and finds them empty); the pages about one
bid, contract or licence for nobody the matrix makes, since each such row belongs to another
company's account (the behaviours' tests open them as their owner)."""

from typing import Any

from houqin.roles import Role as R
from tests.matrix import Scene
from tests.matrix.supply import make_contract
from tests.matrix.tenders import bid_on, make_supplier, published_tender
from tests.pages import Declared, Pages

SUPPLIER = frozenset({R.SUPPLIER})
NOBODY: frozenset[R] = frozenset()


def _tender(scene: Scene) -> dict[str, Any]:
    return {"pk": published_tender(school=scene.school).pk}


def _lot(scene: Scene) -> dict[str, Any]:
    lot = published_tender(school=scene.school).lots.get()
    return {"pk": lot.pk}


def _bid(scene: Scene) -> dict[str, Any]:
    lot = published_tender(school=scene.school).lots.get()
    return {"pk": bid_on(lot).public_id}


def _contract(scene: Scene) -> dict[str, Any]:
    return {"pk": make_contract().pk}


def _licence(scene: Scene) -> dict[str, Any]:
    return {"pk": make_supplier().qualifications.first().pk}  # type: ignore[union-attr]


DISTRICT_PAGES: Pages = {
    "supplier:profile": Declared(SUPPLIER),
    "supplier:qualifications": Declared(SUPPLIER),
    "supplier:qualification-scan": Declared(NOBODY, _licence),
    "supplier:notices": Declared(SUPPLIER),
    "supplier:notice": Declared(SUPPLIER, _tender),
    "supplier:bid": Declared(SUPPLIER, _lot),
    "supplier:bid-total": Declared(SUPPLIER, _lot),
    "supplier:bids": Declared(SUPPLIER),
    "supplier:receipt": Declared(NOBODY, _bid),
    "supplier:withdraw": Declared(NOBODY, _bid),
    "supplier:contracts": Declared(SUPPLIER),
    "supplier:contract": Declared(NOBODY, _contract),
    "supplier:orders": Declared(SUPPLIER),
    "supplier:ratings": Declared(SUPPLIER),
}
