"""The property's pages, through Django's test client: an asset registered; a stock-take that
scans a label in another room than the register's and finds it moved when closed; a disposal
approved by the principal; the services' refusals said next to what was typed; another school's
asset not found; the register's cost in queries whatever its length."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from houqin.roles import DISTRICT_ROLES, Role
from shared_apps.accounts.models import User
from tenant_apps.assets.models import Asset, Discrepancy, Disposal, StockTake
from tenants.models import School
from tests.factories import user_with_role
from tests.matrix.assets import label_of, make_disposal
from tests.matrix.repairs import make_asset, make_room
from tests.web import form_key, signed_in

pytestmark = pytest.mark.django_db
R = Role


def _browser(school: School, role: Role) -> tuple[Client, User]:
    user = user_with_role(role, None if role in DISTRICT_ROLES else school)
    return signed_in(school, user), user


def _zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def test_the_keeper_registers_an_asset(school_a: School) -> None:
    room = make_room(school_a)
    client, keeper = _browser(school_a, R.ASSET_KEEPER)
    response = client.post(
        "/assets/add/",
        {
            "once": form_key(client, "/assets/add/"),
            "asset_number": "ZC-2026-001",
            "name": "教室投影仪",
            "category": "A02091000",
            "cost": "4800.00",
            "acquired_on": f"{timezone.localdate():%Y-%m-%d}",
            "funding": "fiscal",
            "custodian": keeper.username,
            "room": room.pk,
        },
    )
    with tenant_context(school_a):
        asset = Asset.objects.get(number="ZC-2026-001")
    assert response.status_code == 302 and response["Location"] == f"/assets/{asset.pk}/"
    assert asset.kind == Asset.Kind.FIXED
    assert asset.custodian_id == keeper.pk and asset.room_id == room.pk
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "教室投影仪" in page and "¥4800.00" in page
    listed = client.get("/assets/?kind=fixed").content.decode()
    assert "ZC-2026-001" in listed and "/assets/labels/?kind=fixed" in listed


def test_a_number_in_use_is_refused_above_the_form(school_a: School) -> None:
    taken = make_asset(school_a)
    client, _keeper = _browser(school_a, R.ASSET_KEEPER)
    response = client.post(
        "/assets/add/",
        {
            "asset_number": taken.number,
            "name": "另一台投影仪",
            "category": "A02091000",
            "cost": "4800.00",
            "acquired_on": "2025-03-01",
            "funding": "fiscal",
        },
    )
    assert response.status_code == 400
    assert _zh("An asset has this number already.") in response.content.decode()
    with tenant_context(school_a):
        assert Asset.objects.filter(name="另一台投影仪").count() == 0


def test_a_stock_take_finds_an_asset_in_another_room(school_a: School) -> None:
    its_room, other_room = make_room(school_a), make_room(school_a)
    asset = make_asset(school_a, room=its_room)
    missing = make_asset(school_a, room=its_room)
    client, _keeper = _browser(school_a, R.ASSET_KEEPER)
    started = client.post(
        "/assets/stock-takes/start/",
        {"name": "期中盘点", "rooms": [its_room.pk, other_room.pk]},
    )
    with tenant_context(school_a):
        count = StockTake.objects.get(name="期中盘点")
    scan = f"/assets/stock-takes/{count.pk}/scan/"
    assert started["Location"] == scan
    page = client.get(f"{scan}?room={other_room.pk}").content.decode()
    assert "autofocus" in page
    scanned = client.post(
        scan, {"room": other_room.pk, "code": label_of(school_a, asset.number)}, follow=True
    ).content.decode()
    assert _zh("%(asset)s found in another room: the register has it in %(place)s.") % {
        "asset": asset,
        "place": its_room,
    } in scanned.replace("&quot;", '"')
    # The same label again is refused next to the field, and nothing more is recorded.
    again = client.post(scan, {"room": other_room.pk, "code": label_of(school_a, asset.number)})
    assert again.status_code == 400
    assert _zh("This label has been scanned in this stock-take already.") in again.content.decode()
    close = f"/assets/stock-takes/{count.pk}/close/"
    assert "data-confirm" in client.get(close).content.decode()
    closed = client.post(close, {"once": form_key(client, close)})
    assert closed.status_code == 302
    with tenant_context(school_a):
        found = {d.kind: d for d in Discrepancy.objects.filter(stock_take=count)}
        assert set(found) == {Discrepancy.Kind.MOVED, Discrepancy.Kind.MISSING}
        assert found[Discrepancy.Kind.MOVED].found_in == other_room
        assert found[Discrepancy.Kind.MISSING].asset_id == missing.pk
    listed = client.get(closed["Location"]).content.decode()
    assert asset.number in listed and missing.number in listed


def test_another_schools_label_is_refused_next_to_the_field(
    school_a: School, school_b: School
) -> None:
    room = make_room(school_a)
    client, _keeper = _browser(school_a, R.ASSET_KEEPER)
    client.post("/assets/stock-takes/start/", {"name": "抽查", "rooms": [room.pk]})
    with tenant_context(school_a):
        count = StockTake.objects.get(name="抽查")
    response = client.post(
        f"/assets/stock-takes/{count.pk}/scan/",
        {"room": room.pk, "code": label_of(school_b, "ZC00001")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_code_error"' in page and _zh("This label belongs to another school.") in page
    with tenant_context(school_a):
        assert not count.scans.exists()


def test_the_principal_approves_a_disposal(school_a: School) -> None:
    disposal = make_disposal(school_a)
    client, principal = _browser(school_a, R.PRINCIPAL)
    page = client.get(f"/assets/disposals/{disposal.pk}/").content.decode()
    assert f"/assets/disposals/{disposal.pk}/approve/" in page
    approve = f"/assets/disposals/{disposal.pk}/approve/"
    assert "data-confirm" in client.get(approve).content.decode()
    key = form_key(client, approve)
    assert client.post(approve, {"once": key}).status_code == 302
    # Pressed twice: the second goes where the first went, and approves nothing more.
    assert client.post(approve, {"once": key}).status_code == 302
    with tenant_context(school_a):
        disposal.refresh_from_db()
        assert disposal.status == Disposal.Status.DISPOSED and disposal.approved_by == principal
        assert Asset.objects.get(pk=disposal.asset_id).status == Asset.Status.DISPOSED
    # The keeper who asked may not approve.
    keeper, _user = _browser(school_a, R.ASSET_KEEPER)
    assert keeper.get(approve).status_code == 404


def test_a_disposal_above_the_threshold_waits_for_the_district(school_a: School) -> None:
    disposal = make_disposal(school_a, needs_district=True)
    principal, _user = _browser(school_a, R.PRINCIPAL)
    page = principal.get(f"/assets/disposals/{disposal.pk}/").content.decode()
    assert (
        _zh("Approved by the school: it waits for the district finance officer's confirmation.")
        in page
    )
    assert "/approve/" not in page
    # The finance officer reads it on the school's host, and may reject it there.
    officer, _user = _browser(school_a, R.FINANCE_OFFICER)
    page = officer.get(f"/assets/disposals/{disposal.pk}/").content.decode()
    assert f"/assets/disposals/{disposal.pk}/reject/" in page


def test_a_rejection_without_a_reason_is_refused(school_a: School) -> None:
    disposal = make_disposal(school_a)
    client, _principal = _browser(school_a, R.PRINCIPAL)
    response = client.post(f"/assets/disposals/{disposal.pk}/reject/", {"reason": "  "})
    assert response.status_code == 400
    with tenant_context(school_a):
        disposal.refresh_from_db()
        assert disposal.status == Disposal.Status.REQUESTED


def test_another_schools_asset_is_not_found(school_a: School, school_b: School) -> None:
    theirs = make_asset(school_b)
    client, _keeper = _browser(school_a, R.ASSET_KEEPER)
    assert client.get(f"/assets/{theirs.pk}/").status_code == 404
    assert client.get(f"/assets/{theirs.pk}/move/").status_code == 404


def test_the_register_costs_the_same_however_many_assets(school_a: School) -> None:
    client, _keeper = _browser(school_a, R.ASSET_KEEPER)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/assets/").status_code == 200
        return len(queries)

    make_asset(school_a)
    count()  # the host is resolved once, then cached
    few = count()
    for _ in range(4):
        make_asset(school_a)
    assert count() == few


def test_the_home_panel_shows_what_waits(school_a: School) -> None:
    make_disposal(school_a)
    client, _principal = _browser(school_a, R.PRINCIPAL)
    page = client.get("/").content.decode()
    assert _zh("Disposals waiting for your approval") in page
    assert "/assets/disposals/?status=requested" in page
