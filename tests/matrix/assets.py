"""The property's operations on a school's host, and the district's upkeep figures.

Grants in houqin/roles.py: every member reads the buildings and rooms; the asset keeper and the
logistics director keep the register; `assets.view_*` for them, the principal and the accountant
(the technicians read the register, the district's finance officer the assets and disposals);
the principal approves disposals, the finance officer confirms those above the threshold and
either rejects; the accountant records the ledger's balances. The upkeep figures are read on the
district host by the finance officer (`reporting.*`) and the auditor."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.assets.labels import ASSET, Label
from tenant_apps.assets.models import Building, Disposal, Room, StockTake
from tenant_apps.assets.services import disposals, stocktakes
from tenant_apps.assets.services.register import building_create
from tests.factories import SETUP
from tests.matrix import AUDITOR, EVERY_SCHOOL_ROLE, Built, Operations, R, Scene
from tests.matrix.repairs import make_asset, make_room

KEEPERS = frozenset({R.ASSET_KEEPER, R.LOGISTICS_DIRECTOR})
READERS = KEEPERS | {R.PRINCIPAL, R.ACCOUNTANT} | AUDITOR
FINANCE = frozenset({R.FINANCE_OFFICER})
PLACES = EVERY_SCHOOL_ROLE | AUDITOR

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/assets/buildings/"): PLACES,
    ("POST", "/api/v1/assets/buildings/"): KEEPERS,
    ("GET", "/api/v1/assets/buildings/{id}/"): PLACES,
    ("GET", "/api/v1/assets/rooms/"): PLACES,
    ("POST", "/api/v1/assets/rooms/"): KEEPERS,
    ("GET", "/api/v1/assets/rooms/{id}/"): PLACES,
    ("GET", "/api/v1/assets/register/"): READERS | FINANCE | {R.REPAIR_TECHNICIAN},
    ("POST", "/api/v1/assets/register/"): KEEPERS,
    ("GET", "/api/v1/assets/register/{id}/"): READERS | FINANCE | {R.REPAIR_TECHNICIAN},
    ("POST", "/api/v1/assets/register/{id}/move/"): KEEPERS,
    ("GET", "/api/v1/assets/labels/"): KEEPERS,
    ("GET", "/api/v1/assets/depreciation/"): READERS,
    ("POST", "/api/v1/assets/depreciation/"): KEEPERS,
    ("GET", "/api/v1/assets/stock-takes/"): READERS,
    ("POST", "/api/v1/assets/stock-takes/"): KEEPERS,
    ("GET", "/api/v1/assets/stock-takes/{id}/"): READERS,
    ("POST", "/api/v1/assets/stock-takes/{id}/scans/"): KEEPERS,
    ("POST", "/api/v1/assets/stock-takes/{id}/close/"): KEEPERS,
    ("GET", "/api/v1/assets/discrepancies/"): READERS,
    ("POST", "/api/v1/assets/discrepancies/{id}/assign/"): KEEPERS,
    ("POST", "/api/v1/assets/discrepancies/{id}/resolve/"): KEEPERS,
    ("GET", "/api/v1/assets/disposals/"): READERS | FINANCE,
    ("POST", "/api/v1/assets/disposals/"): KEEPERS,
    ("GET", "/api/v1/assets/disposals/{id}/"): READERS | FINANCE,
    ("POST", "/api/v1/assets/disposals/{id}/approve/"): frozenset({R.PRINCIPAL}),
    ("POST", "/api/v1/assets/disposals/{id}/confirm/"): FINANCE,
    ("POST", "/api/v1/assets/disposals/{id}/reject/"): FINANCE | {R.PRINCIPAL},
    ("GET", "/api/v1/assets/ledger/"): READERS,
    ("POST", "/api/v1/assets/ledger/"): frozenset({R.ACCOUNTANT}),
    ("GET", "/api/v1/assets/ledger/reconciliation/"): READERS,
}

DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/upkeep/schools/"): FINANCE | AUDITOR,
    ("GET", "/api/v1/upkeep/assets/"): FINANCE | AUDITOR,
}


def label_of(school: Any, number: str) -> str:
    return str(Label(school.code, ASSET, number))


def open_stock_take(school: Any, room: Room) -> StockTake:
    """A count of `room`, once the count under way (one at a time) is closed."""
    with tenant_context(school):
        for under_way in StockTake.objects.filter(status=StockTake.Status.OPEN):
            stocktakes.stock_take_close(stock_take=under_way, actor=SETUP)
        return stocktakes.stock_take_start(name="期末盘点", full=False, rooms=[room], actor=SETUP)


def make_disposal(school: Any, *, needs_district: bool = False) -> Disposal:
    cost = Decimal("90000.00") if needs_district else Decimal("3000.00")
    asset = make_asset(school, cost=cost)
    with tenant_context(school):
        disposal = disposals.disposal_request(
            asset=asset, method="scrap", reason="无法修复", evidence="鉴定报告", actor=SETUP
        )
        if needs_district:
            disposal = disposals.disposal_approve(disposal=disposal, actor=SETUP)
        return disposal


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if scene.school is None:
        return params, body
    school = scene.school
    action = path.rstrip("/").rsplit("/", 1)[-1]
    if path == "/api/v1/assets/buildings/" and method == "POST":
        body = {"code": f"NB{n}", "name": "新教学楼"}
    elif path == "/api/v1/assets/buildings/{id}/":
        with tenant_context(school):
            serial = Building.objects.count() + 1
            params["id"] = building_create(code=f"X{serial}", name="实验楼", actor=SETUP).pk
    elif path == "/api/v1/assets/rooms/" and method == "POST":
        body = {"building": make_room(school).building_id, "code": "202", "kind": "office"}
    elif path == "/api/v1/assets/rooms/{id}/":
        params["id"] = make_room(school).pk
    elif path == "/api/v1/assets/register/" and method == "POST":
        body = {
            "number": f"ZC-M{n}",
            "name": "台式计算机",
            "category": "A02010104",
            "cost": "4999.00",
            "acquired_on": "2025-03-01",
            "funding": "fiscal",
            "room": make_room(school).pk,
        }
    elif path.startswith("/api/v1/assets/register/{id}/"):
        params["id"] = make_asset(school).pk
        if action == "move":
            body = {"kind": "transfer", "room": make_room(school).pk, "note": "调整教室"}
    elif path == "/api/v1/assets/depreciation/" and method == "POST":
        body = {"month": f"{timezone.localdate() - timedelta(days=40):%Y-%m}"}
    elif path == "/api/v1/assets/stock-takes/" and method == "POST":
        body = {"name": "年度盘点", "full": True}
    elif path.startswith("/api/v1/assets/stock-takes/{id}/"):
        room = make_room(school)
        asset = make_asset(school, room=room)
        params["id"] = open_stock_take(school, room).pk
        if action == "scans":
            body = {"code": label_of(school, asset.number), "room": room.pk}
    elif path.startswith("/api/v1/assets/discrepancies/{id}/"):
        room = make_room(school)
        make_asset(school, room=room)
        stock_take = open_stock_take(school, room)
        with tenant_context(school):
            stocktakes.stock_take_close(stock_take=stock_take, actor=SETUP)
            params["id"] = stock_take.discrepancies.get().pk
        body = (
            {"username": scene.member(R.ASSET_KEEPER).username}
            if action == "assign"
            else {"resolution": "已找到，记账更正"}
        )
    elif path == "/api/v1/assets/disposals/" and method == "POST":
        body = {
            "asset": make_asset(school).pk,
            "method": "scrap",
            "reason": "主板损坏",
            "evidence": "维修鉴定",
        }
    elif path.startswith("/api/v1/assets/disposals/{id}/"):
        params["id"] = make_disposal(school, needs_district=action == "confirm").pk
        if action == "reject":
            body = {"reason": "仍可修复使用"}
    elif path == "/api/v1/assets/ledger/" and method == "POST":
        body = {
            "category": "A05010000",
            "as_of": f"2025-12-{1 + n % 28:02d}",
            "amount": "125000.00",
        }
    return params, body
