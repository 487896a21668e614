"""A supplier's portal on the district host, at a desk: a demo supplier signs in, sends a licence
with its scan, bids on the vegetables tender's lot (the total worked out as the prices are
typed), keeps the receipt of what was sealed, withdraws the bid and bids again. Every step
checked in the database, every page checked by axe-core."""

import io
from decimal import Decimal
from pathlib import Path

from Crypto.Hash import SHA256
from PIL import Image
from playwright.sync_api import Page, expect

from shared_apps.procurement.models import Bid, Qualification, Supplier, Tender
from shared_apps.procurement.services.bids import BidContents
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

# The demo's third supplier: qualified for food, and not among the vegetables tender's bidders.
SUPPLIER = "supplier.3"
TENDER = "中小学食堂蔬菜集中采购"
LICENCE = "SC13301250001234"


def _scan(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (1200, 850), (220, 200, 160)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def _company() -> Supplier:
    return Supplier.objects.get(users__user__username=SUPPLIER)


def _bid() -> Bid:
    return Bid.objects.get(supplier=_company(), lot__tender__title=TENDER)


def _price_every_line(page: Page, price: str) -> None:
    for field in page.locator("input[name^=price_]").all():
        field.fill(price)


def test_a_supplier_sends_a_licence_bids_keeps_its_receipt_withdraws_and_bids_again(
    sign_in: SignIn, site: Site, tmp_path: Path
) -> None:
    page = sign_in(SUPPLIER)
    page.on("dialog", lambda dialog: dialog.accept())

    # A licence with its scan: it waits for the office's verification.
    page.goto(site.url(None, "/supplier/licences/"))
    check_accessibility(page)
    page.get_by_label("类型").select_option(Qualification.Kind.FOOD_PRODUCTION)
    page.get_by_label("编号").fill(LICENCE)
    page.get_by_label("发证机关").fill("宜良县市场监督管理局")
    page.get_by_label("起始日期").fill("2025-03-01")
    page.get_by_label("有效期至").fill("2030-02-28")
    page.get_by_label("证照扫描件").set_input_files(_scan(tmp_path / "licence.png"))
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("status")).to_contain_text("证照已提交")
    licence = Qualification.objects.get(supplier=_company(), number=LICENCE)
    assert licence.status == Qualification.Status.PENDING and licence.scan

    # The open notice, its lot, and a bid whose total follows the prices as they are typed.
    page.get_by_role("link", name="招标公告", exact=True).click()
    page.get_by_role("link", name=TENDER).click()
    check_accessibility(page)
    page.get_by_role("link", name="投此标段").click()
    _price_every_line(page, "2.50")
    lines = Tender.objects.get(title=TENDER).lots.get().lines.all()
    typed = BidContents({line.pk: Decimal("2.50") for line in lines}, "", "")
    total = sum(typed.amounts({line.pk: line.quantity for line in lines}).values())
    expect(page.locator("#bid-total-value")).to_have_text(f"¥{total:.2f}")
    page.get_by_label("交货条件").fill("每日早6点前送达，冷链配送")
    page.get_by_label("质量承诺").fill("每批附农残快检报告")
    check_accessibility(page)
    page.get_by_role("button", name="密封并提交投标").click()

    # The receipt: the fingerprint of the sealed bytes the district stored.
    expect(page.get_by_role("heading", level=1)).to_contain_text("密封投标回执")
    bid = _bid()
    assert bid.status == Bid.Status.SEALED
    expect(page.locator("#sealed-fingerprint")).to_have_text(
        SHA256.new(bytes(bid.sealed)).hexdigest()
    )
    check_accessibility(page)
    screenshot(page, "supplier-receipt")

    # Withdrawn before the deadline: the sealed contents are erased.
    page.get_by_role("button", name="撤回投标").click()
    expect(page.get_by_role("status")).to_contain_text("投标已撤回")
    bid.refresh_from_db()
    assert (bid.status, bytes(bid.sealed)) == (Bid.Status.WITHDRAWN, b"")

    # And bid again, at other prices: a new receipt.
    page.get_by_role("link", name="投此标段").click()
    _price_every_line(page, "2.40")
    page.get_by_role("button", name="密封并提交投标").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("密封投标回执")
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SEALED
    expect(page.locator("#sealed-fingerprint")).to_have_text(
        SHA256.new(bytes(bid.sealed)).hexdigest()
    )
