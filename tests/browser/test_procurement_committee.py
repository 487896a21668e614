"""The evaluation committee and the auditors' procurement pages in Chromium, on the district host.

A tender the demo's committee (evaluator.1 to 3, with their demo passphrases) sits on, its bids in
and its deadline passed: evaluator.1 declares no conflict, gives a wrong passphrase (refused, with
the reason) and then the right one, and the page says one more share is needed, with no price in
sight; evaluator.2 presents the second share, which opens the tender; evaluator.1 scores both bids
side by side, the price score computed beside them, and signs the sheet. The auditor reads the
signals, follows one to its tender, and downloads the district's spend as Excel."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from demo_district.procurement import EVALUATORS
from shared_apps.accounts.models import User
from shared_apps.procurement.models import CommitteeSeat, Evaluator, Tender
from shared_apps.procurement.services import tenders as services
from tenants.models import School
from tests.browser.conftest import SignIn, check_accessibility, screenshot
from tests.matrix.tenders import bid_on, make_item, make_requisition, make_supplier, officer


def _tender() -> Tender:
    """A tender with the demo's committee, two bids in and its deadline just passed."""
    school = School.objects.exclude(schema_name="public").order_by("code").first()
    assert school is not None
    items = [make_item(), make_item()]
    members = [Evaluator.objects.get(user__username=f"evaluator.{n}") for n in (1, 2, 3)]
    tender = services.tender_create(
        title="2027年春季学期调味品集中采购（评标演示）",
        requisitions=[make_requisition(school, items)],
        deadline=timezone.now() + timedelta(days=7),
        price_weight=40,
        criteria=[services.CriterionSpec("质量", 30, 10), services.CriterionSpec("服务", 30, 10)],
        committee=members,
        threshold=2,
        ceilings={"food": Decimal("100000.00")},
        contract_months=12,
        actor=officer(),
    )
    tender = services.tender_publish(tender=tender, actor=officer())
    lot = tender.lots.get()
    for price in ("9.00", "10.00"):
        bid_on(lot, Decimal(price), supplier=make_supplier())
    # The demo cannot wait for a deadline to pass (as demo_district.procurement does).
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    return tender


def _confirming(page: Page) -> Page:
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def _present(page: Page, tender: Tender, passphrase: str) -> None:
    page.get_by_role("link", name="我的评标委员会").first.click()
    page.get_by_role("link", name=f"{tender.number} {tender.title}").click()
    page.get_by_label("不存在利益冲突").check()
    page.get_by_role("button", name="提交声明").click()
    expect(page.get_by_text("您的声明已记录。")).to_be_visible()
    page.get_by_label("您的口令").fill(passphrase)
    page.get_by_role("button", name="出示我的密钥分片").click()


def test_the_committee_opens_scores_and_signs(sign_in: SignIn) -> None:
    tender = _tender()
    first = _confirming(sign_in("evaluator.1"))
    expect(first.locator("main")).to_contain_text("待您处理的评标")
    _present(first, tender, "不是我的口令-2026")
    expect(first.locator(".field.invalid")).to_contain_text("口令")
    first.get_by_label("您的口令").fill(EVALUATORS[0].passphrase)
    first.get_by_role("button", name="出示我的密钥分片").click()
    expect(first.locator("#shares-needed")).to_have_text("还需 1 份密钥分片才能开标。")
    expect(first.locator("main")).not_to_contain_text("9.00")
    check_accessibility(first)

    second = sign_in("evaluator.2")
    _present(second, tender, EVALUATORS[1].passphrase)
    expect(second.get_by_role("link", name="评分", exact=True)).to_be_visible()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED

    first.reload()
    first.get_by_role("link", name="评分", exact=True).click()
    expect(first.locator("[data-price-score]")).to_have_text(["40.00", "36.00"])
    inputs = first.locator("input[name^='score-']")
    expect(inputs).to_have_count(4)
    for n in range(4):
        inputs.nth(n).fill("8")
    first.get_by_role("button", name="保存我的评分").click()
    expect(first.get_by_text("您的评分已保存。")).to_be_visible()
    first.get_by_role("button", name="签字确认", exact=True).click()
    expect(first.get_by_text("您的评分已签字确认。")).to_be_visible()
    expect(first.locator("input[name^='score-']")).to_have_count(0)
    user = User.objects.get(username="evaluator.1")
    seat = CommitteeSeat.objects.get(tender=tender, evaluator__user=user)
    assert seat.scores_signed_at is not None and seat.scores.count() == 4
    check_accessibility(first)
    screenshot(first, "evaluator")


def test_the_auditor_reads_the_signals_and_downloads_the_spend(sign_in: SignIn) -> None:
    auditor = sign_in("district.auditor")
    auditor.get_by_role("link", name="采购预警").click()
    expect(auditor.locator("[data-rule]")).not_to_have_count(0)
    single = auditor.locator("[data-rule='bidders_share_contact'] a").first
    expect(single).to_be_visible()
    single.click()
    expect(auditor.get_by_role("heading", name="进程")).to_be_visible()
    check_accessibility(auditor)

    auditor.get_by_role("link", name="采购支出").click()
    today = timezone.localdate()
    auditor.get_by_label("起", exact=True).fill(f"{today - timedelta(days=300):%Y-%m-%d}")
    auditor.get_by_label("止", exact=True).fill(f"{today:%Y-%m-%d}")
    auditor.get_by_role("button", name="查看").click()
    expect(auditor.locator("svg rect").first).to_be_attached()
    expect(auditor.get_by_role("heading", name="框架合同外的订单")).to_be_visible()
    with auditor.expect_download() as excel:
        auditor.get_by_role("link", name="导出 Excel").click()
    assert excel.value.suggested_filename.startswith("spend-")
    with open(excel.value.path(), "rb") as sheet:
        assert sheet.read(2) == b"PK"
    check_accessibility(auditor)
    screenshot(auditor, "auditor_spend")
