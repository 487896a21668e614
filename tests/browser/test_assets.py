"""The asset keeper's stock-take on a phone (390×844), on a demo school's host: a count of two
rooms started, labels typed as a scanner types them (then Enter), one asset found in place and
one found in the other room, the progress per room, the count closed after its confirmation, and
the discrepancies it found, the moved asset relocated in the register. Every step checked in the
database, every page checked by axe-core."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from tenant_apps.assets.labels import ASSET, Label
from tenant_apps.assets.models import Asset, AssetMove, Discrepancy, StockTake
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010002"
KEEPER = f"asset_keeper.{SCHOOL}"


@pytest.fixture
def school() -> School:
    return School.objects.get(code=SCHOOL)


def scan(page: Page, code: str) -> None:
    """What a barcode scanner does in the focused field: types the code and presses Enter."""
    field = page.get_by_label("标签", exact=True)
    expect(field).to_be_focused()
    field.type(code)
    field.press("Enter")


def test_an_asset_keepers_stock_take_on_a_phone(
    sign_in: SignIn, site: Site, school: School
) -> None:
    page = sign_in(KEEPER, SCHOOL, phone=True)
    page.on("dialog", lambda dialog: dialog.accept())

    # Home: the discrepancies the last count left open wait for the keeper.
    expect(page.get_by_role("heading", name="校产")).to_be_visible()
    expect(page.get_by_role("link", name="待处理的差异")).to_be_visible()
    check_accessibility(page)

    # A count of two rooms of the teaching building.
    page.goto(site.url(SCHOOL, "/assets/stock-takes/"))
    page.get_by_role("link", name="开始盘点").click()
    page.get_by_label("名称").fill("学期末盘点")
    page.get_by_label("教学楼 101 一年级一班").check()
    page.get_by_label("教学楼 201 计算机教室").check()
    check_accessibility(page)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="扫描标签")).to_be_visible()
    with tenant_context(school):
        count = StockTake.objects.get(name="学期末盘点", status=StockTake.Status.OPEN)
        computer_room = count.rooms.get(code="201")

    # In the computer room: its computer is in place; a projector of 101 is found here.
    page.get_by_label("房间", exact=True).select_option(label="教学楼 201 计算机教室")
    scan(page, str(Label(SCHOOL, ASSET, "ZC0001")))
    expect(page.get_by_role("status")).to_contain_text("账实相符")
    expect(page.get_by_label("房间", exact=True)).to_have_value(str(computer_room.pk))
    scan(page, str(Label(SCHOOL, ASSET, "ZC0003")))
    expect(page.get_by_role("status")).to_contain_text("在其他房间发现")
    # Another school's label is refused next to the field.
    scan(page, str(Label("3101010001", ASSET, "ZC0002")))
    expect(page.locator("#id_code_error")).to_contain_text("其他学校")
    check_accessibility(page)
    screenshot(page, "assets-scan")
    with tenant_context(school):
        assert set(count.scans.values_list("asset__number", flat=True)) == {"ZC0001", "ZC0003"}

    # Closed after its confirmation, then what it found.
    page.get_by_role("link", name="结束盘点").click()
    check_accessibility(page)
    page.get_by_role("button", name="结束并核对").click()
    expect(page.get_by_role("status")).to_contain_text("该盘点已结束")
    with tenant_context(school):
        found = {
            (d.kind, d.asset.number if d.asset else d.code)
            for d in Discrepancy.objects.filter(stock_take=count).select_related("asset")
        }
    assert (Discrepancy.Kind.MOVED, "ZC0003") in found
    assert (Discrepancy.Kind.MISSING, "ZC0002") in found
    row = page.locator("tr", has_text="ZC0003")
    expect(row).to_contain_text("存放地点不符")
    check_accessibility(page)
    screenshot(page, "assets-discrepancies")

    # The projector stays where it was found: the register follows.
    row.get_by_role("link", name="处理").click()
    page.get_by_label("处理结果").fill("投影仪调到计算机教室使用")
    page.get_by_label("将资产调整到发现它的房间").check()
    check_accessibility(page)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("该盘点差异已处理")
    with tenant_context(school):
        projector = Asset.objects.select_related("room").get(number="ZC0003")
        assert projector.room is not None and projector.room.code == "201"
        assert AssetMove.objects.filter(asset=projector, kind=AssetMove.Kind.STOCK_TAKE).exists()
