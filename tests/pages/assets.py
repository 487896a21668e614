"""The property's pages on a school's host (tenant_apps/assets/web).

Grants in houqin/roles.py, as the API's (tests/matrix/assets.py): every member reads the
buildings and rooms; the asset keeper and the logistics director keep the register, count and
ask for disposals; `assets.view_*` for them, the principal, the accountant and the auditor (the
repair technicians read the register, the district's finance officer the assets and disposals);
the principal approves disposals, and either the principal or the finance officer rejects."""

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.assets.services import stocktakes
from tests.factories import SETUP
from tests.matrix import R, Scene
from tests.matrix.assets import FINANCE, KEEPERS, PLACES, READERS, make_disposal, open_stock_take
from tests.matrix.repairs import make_asset, make_room
from tests.pages import Declared, Pages

REGISTER_READERS = READERS | FINANCE | {R.REPAIR_TECHNICIAN}


def asset(scene: Scene) -> dict[str, Any]:
    return {"pk": make_asset(scene.school).pk}


def room(scene: Scene) -> dict[str, Any]:
    return {"pk": make_room(scene.school).pk}


def stock_take(scene: Scene) -> dict[str, Any]:
    return {"pk": open_stock_take(scene.school, make_room(scene.school)).pk}


def discrepancy(scene: Scene) -> dict[str, Any]:
    school = scene.school
    counted = make_room(school)
    make_asset(school, room=counted)
    count = open_stock_take(school, counted)
    with tenant_context(school):
        stocktakes.stock_take_close(stock_take=count, actor=SETUP)
        return {"pk": count.discrepancies.get().pk}


def disposal(scene: Scene) -> dict[str, Any]:
    return {"pk": make_disposal(scene.school).pk}


SCHOOL_PAGES: Pages = {
    "assets:register": Declared(REGISTER_READERS),
    "assets:labels": Declared(KEEPERS),
    "assets:asset-add": Declared(KEEPERS),
    "assets:asset": Declared(REGISTER_READERS, asset),
    "assets:asset-move": Declared(KEEPERS, asset),
    "assets:disposal-request": Declared(KEEPERS, asset),
    "assets:rooms": Declared(PLACES),
    "assets:room-add": Declared(KEEPERS),
    "assets:room": Declared(PLACES, room),
    "assets:building-add": Declared(KEEPERS),
    "assets:stock-takes": Declared(READERS),
    "assets:stock-take-start": Declared(KEEPERS),
    "assets:stock-take": Declared(READERS, stock_take),
    "assets:scan": Declared(KEEPERS, stock_take),
    "assets:stock-take-close": Declared(KEEPERS, stock_take),
    "assets:discrepancies": Declared(READERS),
    "assets:discrepancy-assign": Declared(KEEPERS, discrepancy),
    "assets:discrepancy-resolve": Declared(KEEPERS, discrepancy),
    "assets:disposals": Declared(READERS | FINANCE),
    "assets:disposal": Declared(READERS | FINANCE, disposal),
    "assets:disposal-approve": Declared(frozenset({R.PRINCIPAL}), disposal),
    "assets:disposal-reject": Declared(frozenset({R.PRINCIPAL}) | FINANCE, disposal),
    "assets:reconciliation": Declared(READERS),
}
