"""The register of a school's property over the API: thresholds by class, straight-line
depreciation and book values, a stock-take by scanning reconciled with the register, disposals
approved in tiers and never deleted, the three ledgers reconciled, labels printed; bad input
refused whole; two disposals of one asset at once."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal as D
from functools import partial
from typing import Any
from unittest import mock

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from tenant_apps.assets.models import Asset, Building, Disposal, Room, StockTake
from tenant_apps.assets.renderers import labels_pdf
from tenant_apps.assets.selectors import book_value, stock_take_list
from tenant_apps.assets.services.register import asset_register
from tenants.models import School
from tenants.routing import school_host
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, discard_user, user_with_role
from tests.matrix.assets import label_of
from tests.matrix.repairs import make_asset, make_room


def _register(client: Any, number: str, category: str, cost: str, **extra: Any) -> Any:
    return client.post(
        "/api/v1/assets/register/",
        {
            "number": number,
            "name": "设备",
            "category": category,
            "cost": cost,
            "acquired_on": "2024-01-15",
            "funding": "fiscal",
            **extra,
        },
    )


def test_the_class_threshold_makes_a_fixed_asset_or_a_low_value_item(client_for, school_a):
    keeper = client_for(school_a, R.ASSET_KEEPER)
    kinds = {
        number: _register(keeper, number, category, cost).json()["kind"]
        for number, category, cost in (
            ("T1", "A02010104", "1000.00"),  # a computer at 1,000: fixed
            ("T2", "A02320000", "1200.00"),  # a laboratory instrument under 1,500: low-value
            ("T3", "A02320000", "1500.00"),
            ("T4", "A05010000", "999.99"),
        )
    }
    assert kinds == {"T1": "fixed", "T2": "low_value", "T3": "fixed", "T4": "low_value"}
    again = _register(keeper, "T1", "A02010104", "1000.00")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "asset_exists")


def test_depreciation_runs_monthly_once_and_book_values_follow(client_for, school_a, in_school):
    with in_school(school_a):
        asset = asset_register(
            number="DP1",
            name="空调",
            category="A02061800",
            cost=D("9600.00"),
            acquired_on=date(2024, 1, 20),
            funding="fiscal",
            actor=SETUP,
        )
        assert asset.service_life_months == 96
        # Depreciated from February 2024: 100 CNY a month.
        assert book_value(asset, date(2024, 1, 31)) == D("9600.00")
        assert book_value(asset, date(2025, 1, 31)) == D("8400.00")
        assert book_value(asset, date(2032, 1, 31)) == D("0.00")
    keeper = client_for(school_a, R.ASSET_KEEPER)
    run = keeper.post("/api/v1/assets/depreciation/", {"month": "2024-06"})
    assert run.status_code == 201 and run.json()["by_category"]["A02061800"] == "100.00"
    again = keeper.post("/api/v1/assets/depreciation/", {"month": "2024-06"})
    assert again.json()["error"]["code"] == "already_depreciated"
    detail = keeper.get(f"/api/v1/assets/register/{asset.pk}/?on=2024-12-31").json()
    assert detail["book_value"] == "8500.00"  # February to December: 11 months


def test_a_stock_take_finds_missing_moved_and_surplus(client_for, school_a, school_b, in_school):
    keeper = client_for(school_a, R.ASSET_KEEPER)
    lab, office = make_room(school_a), make_room(school_a)
    here, missing = make_asset(school_a, room=lab), make_asset(school_a, room=lab)
    elsewhere = make_asset(school_a, room=office)
    take = keeper.post("/api/v1/assets/stock-takes/", {"name": "期末", "rooms": [lab.pk]}).json()
    url = f"/api/v1/assets/stock-takes/{take['id']}"
    for asset in (here, elsewhere):
        assert (
            keeper.post(
                f"{url}/scans/", {"code": label_of(school_a, asset.number), "room": lab.pk}
            ).status_code
            == 201
        )
    assert (
        keeper.post(
            f"{url}/scans/", {"code": label_of(school_a, "ZC-NEW"), "room": lab.pk}
        ).status_code
        == 201
    )
    refused = {
        "other_school_label": label_of(school_b, here.number),
        "not_an_asset_label": "https://example.invalid/",
        "already_scanned": label_of(school_a, here.number),
    }
    for code, text in refused.items():
        answer = keeper.post(f"{url}/scans/", {"code": text, "room": lab.pk})
        assert answer.json()["error"]["code"] == code
    closed = keeper.post(f"{url}/close/").json()
    assert (closed["status"], closed["found"], closed["scanned"]) == ("closed", 1, 3)
    found = keeper.get(f"/api/v1/assets/discrepancies/?stock_take={take['id']}").json()["results"]
    assert sorted((d["kind"], d["asset"]) for d in found) == sorted(
        [("missing", missing.pk), ("moved", elsewhere.pk), ("surplus", None)]
    )
    moved = next(d for d in found if d["kind"] == "moved")
    resolved = keeper.post(
        f"/api/v1/assets/discrepancies/{moved['id']}/resolve/",
        {"resolution": "已调入实验室", "relocate": True},
    )
    assert resolved.json()["status"] == "resolved"
    with in_school(school_a):
        elsewhere.refresh_from_db()
        assert elsewhere.room_id == lab.pk


def test_disposals_are_approved_in_tiers_and_keep_the_asset(
    client_for, school_a, in_school, settings
):
    settings.ASSETS_DISTRICT_DISPOSAL_THRESHOLD = "5000.00"
    keeper = client_for(school_a, R.ASSET_KEEPER)
    principal = client_for(school_a, R.PRINCIPAL)
    finance = client_for(school_a, R.FINANCE_OFFICER)
    small, large = make_asset(school_a, cost=D("3000.00")), make_asset(school_a, cost=D("60000.00"))
    body = {"method": "scrap", "reason": "损坏", "evidence": "鉴定"}
    first = keeper.post("/api/v1/assets/disposals/", {**body, "asset": small.pk}).json()
    assert not first["needs_district"]
    assert (
        principal.post(f"/api/v1/assets/disposals/{first['id']}/approve/").json()["status"]
        == "disposed"
    )
    again = keeper.post("/api/v1/assets/disposals/", {**body, "asset": small.pk})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "asset_disposed")
    second = keeper.post("/api/v1/assets/disposals/", {**body, "asset": large.pk}).json()
    assert second["needs_district"]
    assert (
        principal.post(f"/api/v1/assets/disposals/{second['id']}/approve/").json()["status"]
        == "approved"
    )
    assert (
        finance.post(f"/api/v1/assets/disposals/{second['id']}/confirm/").json()["status"]
        == "disposed"
    )
    with in_school(school_a):
        assert Asset.objects.get(pk=large.pk).status == Asset.Status.DISPOSED
        assert Disposal.objects.filter(asset__in=[small, large]).count() == 2


def test_three_ledgers_and_a_card_list_their_differences(client_for, school_a, in_school):
    holder = user_with_role(R.STAFF, school_a)
    with in_school(school_a):
        asset_register(
            number="NC0",
            name="投影仪",
            category="A02091000",
            cost=D("5000.00"),
            acquired_on=date(2024, 1, 1),
            funding="fiscal",
            custodian=holder,
            actor=SETUP,
        )
        loose = asset_register(
            number="NC1",
            name="投影仪",
            category="A02091000",
            cost=D("3000.00"),
            acquired_on=date(2024, 1, 1),
            funding="fiscal",
            actor=SETUP,
        )
    accountant = client_for(school_a, R.ACCOUNTANT)
    today = timezone.localdate().isoformat()
    recorded = accountant.post(
        "/api/v1/assets/ledger/", {"category": "A02091000", "as_of": today, "amount": "8000.00"}
    )
    assert recorded.status_code == 201, recorded.content
    rows = accountant.get("/api/v1/assets/ledger/reconciliation/").json()
    row = next(r for r in rows if r["category"] == "A02091000")
    assert (row["ledger"], row["cards"], row["agrees"]) == ("8000.00", "5000.00", False)
    assert loose.number in row["without_custodian"]


def test_labels_print_as_a_pdf(client_for, school_a):
    make_asset(school_a)
    answer = client_for(school_a, R.ASSET_KEEPER).get("/api/v1/assets/labels/?format=pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")


def test_a_label_sheet_holds_only_its_own_schools_assets(client_for, school_a, school_b):
    own = make_asset(school_a)
    other = make_asset(school_b)
    with mock.patch("tenant_apps.assets.api.views.labels_pdf", wraps=labels_pdf) as sheet:
        answer = client_for(school_a, R.ASSET_KEEPER).get("/api/v1/assets/labels/?format=pdf")
    assert answer.status_code == 200
    (printed,) = sheet.call_args.args
    codes = {code for code, _number, _name in printed}
    assert label_of(school_a, own.number) in codes
    assert label_of(school_b, other.number) not in codes
    assert all(code == label_of(school_a, number) for code, number, _name in printed)


def test_two_disposals_of_one_asset_at_once_make_one(committed: list[Callable[[], Any]]) -> None:
    school = School.objects.get(code=SCHOOL_A)
    keepers = [user_with_role(R.ASSET_KEEPER, school) for _ in range(2)]
    committed.extend(partial(discard_user, user) for user in keepers)
    asset = make_asset(school)

    def cleanup() -> None:
        with tenant_context(school):
            Disposal.objects.filter(asset=asset).delete()
            Asset.objects.filter(pk=asset.pk).delete()
            Room.objects.all().delete()
            Building.objects.all().delete()

    committed.append(cleanup)
    clients = [HostClient(school_host(school.code), k) for k in keepers]
    body = {"asset": asset.pk, "method": "scrap", "reason": "损坏", "evidence": "鉴定"}
    responses = at_once(
        2, lambda i: clients[i].post("/api/v1/assets/disposals/", body, format="json")
    )
    assert sorted(r.status_code for r in responses) == [201, 409]  # type: ignore[union-attr]


def test_stock_takes_are_listed_newest_first(school_a, in_school):
    """The list counts each stock-take's scans (a grouped query, which leaves the model's
    default ordering out): its order is its own."""
    with in_school(school_a):
        older = StockTake.objects.create(
            name="春季盘点", status=StockTake.Status.CLOSED, closed_at=timezone.now()
        )
        newer = StockTake.objects.create(name="秋季盘点")
        StockTake.objects.filter(pk=older.pk).update(started_at=timezone.now() - timedelta(days=90))
        listed = stock_take_list()
        assert listed.ordered
        assert [take.pk for take in listed] == [newer.pk, older.pk]
