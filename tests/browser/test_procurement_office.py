"""The procurement officer in Chromium, on the district host: from the requisitions waiting (by
category) a tender is drafted (refused first, with the reason beside the committee, for a
committee of two), published, and its reserve prices sealed, typed once and never shown again;
a supplier is suspended and reinstated with reasons; a lot is awarded away from the committee's
recommendation, with the reason, and its framework contract follows."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from demo_district.procurement import WAITING_REQUISITIONS
from shared_apps.procurement.models import (
    Award,
    Requisition,
    Supplier,
    SupplierEvent,
    Tender,
    TenderLineSource,
)
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot
from tests.matrix.tenders import evaluated_tender

OFFICER = "district.procurement_officer"


def _confirming(page: Page) -> Page:
    """Irreversible acts ask first: say yes."""
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_the_officer_tenders_waiting_requisitions_publishes_and_seals_the_reserve(
    sign_in: SignIn,
) -> None:
    waiting = [
        Requisition.objects.across_schools().get(note=spec.note) for spec in WAITING_REQUISITIONS
    ]
    page = _confirming(sign_in(OFFICER))
    page.get_by_role("link", name="待招标的采购需求").first.click()
    expect(page.get_by_role("heading", name="食物")).to_be_visible()
    expect(page.get_by_role("heading", name="厨房用品")).to_be_visible()
    check_accessibility(page)
    for requisition in waiting:
        page.locator(f'input[name="requisitions"][value="{requisition.pk}"]').first.check()
    page.get_by_role("button", name="对勾选的需求招标").click()

    page.get_by_label("标题").fill("下学期调味品与餐具集中采购")
    deadline = timezone.localtime() + timedelta(days=14)
    page.get_by_label("投标截止时间").fill(f"{deadline:%Y-%m-%dT%H:%M}")
    page.locator("#id_ceiling_food").fill("9000.00")
    page.locator("#id_ceiling_kitchen").fill("4000.00")
    page.get_by_label("评分标准 1", exact=True).fill("质量与资质")
    page.get_by_label("评分标准 1 的权重").fill("40")
    page.get_by_label("评分标准 2", exact=True).fill("配送与服务")
    page.get_by_label("评分标准 2 的权重").fill("20")
    members = page.locator('input[name="committee"]')
    members.nth(0).check()
    members.nth(1).check()
    page.get_by_role("button", name="起草招标").click()
    expect(page.locator("#id_committee_error")).to_contain_text("至少须有 3 名")
    lines = TenderLineSource.objects.across_schools()
    assert not lines.filter(requisition_line__requisition__in=waiting).exists()
    check_accessibility(page)

    page.locator('input[name="committee"]').nth(2).check()
    page.get_by_role("button", name="起草招标").click()
    expect(page.get_by_text("招标已起草")).to_be_visible()
    tender = Tender.objects.get(title="下学期调味品与餐具集中采购")
    assert tender.status == Tender.Status.DRAFT and tender.lots.count() == 2

    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("招标已发布")).to_be_visible()
    page.get_by_role("link", name="密封标底").click()
    food, kitchen = tender.lots.order_by("number")
    page.locator(f"#id_lot_{food.pk}").fill("8600.00")
    page.locator(f"#id_lot_{kitchen.pk}").fill("3700.00")
    page.get_by_role("button", name="密封").click()
    expect(page.get_by_role("status")).to_contain_text("标底已密封")
    expect(page.locator("dd", has_text="已密封，开标时揭晓")).to_have_count(2)
    assert "8600.00" not in page.content() and "3700.00" not in page.content()
    assert all(lot.sealed_reserve is not None for lot in tender.lots.all())
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    check_accessibility(page)
    screenshot(page, "procurement-office-tender")


def test_the_officer_suspends_and_reinstates_a_supplier(sign_in: SignIn) -> None:
    supplier = Supplier.objects.filter(status=Supplier.Status.ACTIVE).order_by("-pk").first()
    assert supplier is not None
    page = _confirming(sign_in(OFFICER))
    page.get_by_role("link", name="供应商", exact=True).click()
    page.get_by_role("link", name=supplier.name).click()
    page.get_by_role("link", name="停用").click()
    page.get_by_role("button", name="停用").click()
    expect(page.locator("#id_reason_error")).to_be_visible()
    page.get_by_label("原因").fill("抽检蔬菜农残超标，暂停参加新的招标")
    page.get_by_role("button", name="停用").click()
    expect(page.get_by_text("该供应商已被暂停参加新的招标")).to_be_visible()
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.SUSPENDED
    page.get_by_role("link", name="恢复").click()
    page.get_by_label("原因").fill("整改完成，复检合格")
    page.get_by_role("button", name="恢复").click()
    expect(page.get_by_text("该供应商已恢复")).to_be_visible()
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE
    latest = SupplierEvent.objects.filter(supplier=supplier).order_by("-pk")[:2]
    assert [e.kind for e in latest] == ["reinstated", "suspended"]
    check_accessibility(page)


def test_the_officer_awards_away_from_the_recommendation_with_a_reason(
    sign_in: SignIn, site: Site
) -> None:
    school = School.objects.get(code="3101010002")
    tender = evaluated_tender(prices=(Decimal("10.00"), Decimal("12.00")), school=school)
    lot = tender.lots.get()
    assert lot.recommended_bid is not None
    other = lot.bids.exclude(pk=lot.recommended_bid.pk).get()
    page = _confirming(sign_in(OFFICER))
    page.goto(site.url(None, f"/procurement/tenders/{tender.pk}/award/"))
    expect(page.get_by_text("推荐", exact=True)).to_be_visible()
    page.get_by_label(other.supplier.name).check()
    page.get_by_role("button", name="第1标段定标").click()
    expect(page.locator(f"#id_lot{lot.pk}-reason_error")).to_be_visible()
    assert not Award.objects.filter(lot=lot).exists()
    page.get_by_label(other.supplier.name).check()
    page.get_by_label("偏离推荐的理由").fill("推荐供应商冷链车辆不足，无法覆盖山区学校")
    page.get_by_role("button", name="第1标段定标").click()
    award = Award.objects.select_related("contract").get(lot=lot)
    expect(page.get_by_text(award.contract.number).first).to_be_visible()
    expect(page.get_by_text("已提示审计")).to_be_visible()
    assert award.bid == other and award.departs_from_recommendation
    check_accessibility(page)
    screenshot(page, "procurement-office-award")
