"""The money in Chromium, on desktop. On a school's host the logistics director computes the
month's claim (refused, with the reason, while the month is not over) and the principal reviews
it by day and by class, submits it and asks for a supplementary budget; on the district host the
finance officer sends a claim back with a reason, approves and pays the one the school sends
again, confirms a supplementary budget beside its burn-down, and reads the district's monthly
statement on screen, as Excel and as PDF."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from demo_district.seed import PROGRAMME, DemoDates
from houqin.months import add_months, month_bounds
from shared_apps.accounts.models import User
from shared_apps.subsidies import services
from shared_apps.subsidies.models import Budget, BudgetSupplement, Claim, Programme
from tenant_apps.canteen.selectors import school_days_between
from tenants.models import School
from tests.browser.conftest import SignIn, check_accessibility, screenshot

DRAFTING = "3101010003"  # the demo leaves its month's claim a draft for the principal
AWAITING = "3101010002"  # the demo's claim awaiting the district


def _month_not_over(school: School) -> str:
    """A month the school cannot claim yet: this one, unless today is already its last school
    day (then the next)."""
    today = timezone.localdate()
    month = today.replace(day=1)
    with tenant_context(school):
        days = school_days_between(*month_bounds(month))
    if days and today >= days[-1]:
        month = add_months(month, 1)
    return f"{month:%Y-%m}"


def _claim(code: str, month: date) -> Claim:
    claims = Claim.objects.across_schools().filter(
        school__code=code, month=month, kind=Claim.Kind.CLAIM
    )
    return claims.exclude(status=Claim.Status.REJECTED).get()


def _programme_name() -> str:
    return Programme.objects.get(code=PROGRAMME).name


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _confirming(page: Page) -> Page:
    """Irreversible acts ask first: say yes."""
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_a_school_computes_reviews_and_submits_its_claim(sign_in: SignIn) -> None:
    dates = DemoDates.of(timezone.localdate())
    month = f"{dates.month_start:%Y-%m}"
    school = School.objects.get(code=DRAFTING)
    claim = _claim(DRAFTING, dates.month_start)
    assert claim.status == Claim.Status.DRAFT

    director = sign_in(f"logistics_director.{DRAFTING}", DRAFTING)
    director.get_by_role("link", name="核算月度申报").click()
    director.get_by_label("补助项目").select_option(label=_programme_name())
    too_soon = _month_not_over(school)
    director.get_by_label("月份").fill(too_soon)
    director.get_by_role("button", name="核算申报").click()
    expect(director.locator("#id_month_error")).to_contain_text("尚未结束")
    expect(director.locator("#id_month_error")).to_contain_text("最后一个上课日")
    expect(director.get_by_label("月份")).to_have_value(too_soon)
    check_accessibility(director)

    director.get_by_label("月份").fill(month)
    director.get_by_role("button", name="核算申报").click()
    expect(director.get_by_role("heading", level=1)).to_have_text(f"{month} 月度申报")
    expect(director.get_by_role("status")).to_contain_text("请校长提交")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT
    assert claim.computed_by == _user(f"logistics_director.{DRAFTING}")
    expect(director.locator("#by-class")).to_be_visible()
    check_accessibility(director)
    screenshot(director, "logistics_director")

    principal = _confirming(sign_in(f"principal.{DRAFTING}", DRAFTING))
    principal.get_by_role("link", name="待提交的申报").click()
    principal.get_by_role("link", name=month).click()
    by_class = principal.locator("table").filter(has_text="年级")
    expect(by_class.locator("tbody tr").first).to_contain_text("1年级")
    expect(principal.locator("canvas[data-chart]")).to_be_visible()
    check_accessibility(principal)
    principal.get_by_role("button", name="提交区里").click()
    expect(principal.locator(".facts")).to_contain_text("已提交")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.submitted_by == _user(f"principal.{DRAFTING}")

    # The month needs more than its budget holds: ask the district for more.
    principal.get_by_role("link", name="预算", exact=True).click()
    principal.get_by_role("link", name=_programme_name()).first.click()
    expect(principal.locator("canvas[data-chart]")).to_be_visible()
    principal.get_by_role("link", name="申请追加预算").click()
    principal.get_by_label("申请金额（元）").fill("6000")
    principal.get_by_role("button", name="提交申请").click()
    expect(principal.locator("#id_reason_error")).to_be_visible()
    expect(principal.get_by_label("申请金额（元）")).to_have_value("6000")
    principal.get_by_label("原因").fill("寄宿生人数增加，下学期补助不足")
    principal.get_by_role("button", name="提交申请").click()
    expect(principal.get_by_role("status")).to_contain_text("区里确认后计入预算")
    asked = BudgetSupplement.objects.across_schools().get(
        budget__school=school, reason="寄宿生人数增加，下学期补助不足"
    )
    assert asked.status == BudgetSupplement.Status.PROPOSED
    assert asked.amount == Decimal("6000.00")
    assert asked.added_by == _user(f"principal.{DRAFTING}")
    supplements = principal.locator("section:has(#budget-supplements)")
    expect(supplements).to_contain_text("寄宿生人数增加，下学期补助不足")
    expect(supplements).to_contain_text("待审批")
    check_accessibility(principal)
    screenshot(principal, "principal")


def test_the_finance_officer_decides_pays_and_reads_the_statement(sign_in: SignIn) -> None:
    dates = DemoDates.of(timezone.localdate())
    month = f"{dates.month_start:%Y-%m}"
    school = School.objects.get(code=AWAITING)
    programme = Programme.objects.get(code=PROGRAMME)
    sent = _claim(AWAITING, dates.month_start)
    assert sent.status == Claim.Status.SUBMITTED
    budget = Budget.objects.across_schools().get(pk=sent.budget_id)
    asked = services.budget_supplement(
        budget=budget,
        amount=Decimal("3000.00"),
        reason="红星中学新增两个教学班",
        actor=_user(f"principal.{AWAITING}"),
    )

    finance = _confirming(sign_in("district.finance_officer"))
    finance.get_by_role("link", name="待核准的申报").click()
    finance.locator("tr", has_text=school.name).get_by_role("link", name=month).click()
    expect(finance.locator("h1 + p")).to_contain_text(school.name)
    check_accessibility(finance)

    # Sent back with a reason: none is refused next to the field.
    finance.get_by_role("link", name="退回（填写理由）").click()
    finance.get_by_role("button", name="退回").click()
    expect(finance.locator("#id_reason_error")).to_contain_text("必填")
    finance.get_by_label("退回理由").fill("第三周就餐人数与排课不符，请核对后重报")
    finance.get_by_role("button", name="退回").click()
    expect(finance.locator(".facts")).to_contain_text("已退回")
    sent.refresh_from_db()
    assert sent.status == Claim.Status.REJECTED
    assert sent.reason == "第三周就餐人数与排课不符，请核对后重报"
    assert sent.decided_by == _user("district.finance_officer")

    # The school checks its records, computes the month again and submits it.
    again = services.claim_compute(
        school=school,
        programme=programme,
        month=dates.month_start,
        actor=_user(f"logistics_director.{AWAITING}"),
    )
    services.claim_submit(claim=again, actor=_user(f"principal.{AWAITING}"))

    finance.get_by_role("link", name="月度申报", exact=True).click()
    finance.get_by_label("状态").select_option(label="已提交")
    finance.get_by_role("button", name="筛选").click()
    finance.locator("tr", has_text=school.name).get_by_role("link", name=month).click()
    finance.get_by_role("button", name="核准").click()
    expect(finance.locator(".facts")).to_contain_text("已审核通过")
    again.refresh_from_db()
    assert again.status == Claim.Status.APPROVED
    budget.refresh_from_db()
    assert budget.committed == again.amount

    finance.get_by_role("link", name="登记拨付").click()
    expect(finance.get_by_label("拨付金额（元）")).to_have_value(str(again.amount))
    finance.get_by_label("付款凭证号").fill(f"GK{dates.month_start:%Y%m}-{AWAITING}")
    finance.get_by_role("button", name="登记拨付").click()
    expect(finance.locator(".facts")).to_contain_text("已支付")
    again.refresh_from_db()
    assert again.status == Claim.Status.PAID and again.disbursed == again.amount

    # The school's request for more, confirmed beside the budget's burn-down.
    finance.get_by_role("link", name="预算", exact=True).click()
    proposed = finance.locator("#proposed tr", has_text="红星中学新增两个教学班")
    proposed.get_by_role("link", name="确认…").click()
    finance.get_by_role("button", name="确认追加预算").click()
    supplements = finance.locator("section:has(#budget-supplements)")
    expect(supplements.locator("tr", has_text="红星中学新增两个教学班")).to_contain_text(
        "已审核通过"
    )
    asked.refresh_from_db()
    assert asked.status == BudgetSupplement.Status.APPROVED
    budget.refresh_from_db()
    assert budget.supplemented >= Decimal("3000.00")
    drawn = finance.evaluate(
        "() => !!window.Chart && !!window.Chart.getChart(document.querySelector('canvas'))"
    )
    assert drawn
    check_accessibility(finance)

    finance.get_by_role("link", name="补助项目", exact=True).click()
    expect(finance.locator("table")).to_contain_text(programme.name)

    # The district's month: on screen, as Excel, as PDF.
    finance.get_by_role("link", name="月度报表").click()
    finance.get_by_label("月份").fill(month)
    finance.get_by_role("button", name="查看").click()
    table = finance.locator("table")
    for code in ("3101010001", AWAITING, DRAFTING):
        expect(table).to_contain_text(School.objects.get(code=code).name)
    with finance.expect_download() as excel:
        finance.get_by_role("link", name="导出 Excel").click()
    assert excel.value.suggested_filename == f"statement-{month}-district.xlsx"
    with open(excel.value.path(), "rb") as sheet:
        assert sheet.read(2) == b"PK"
    with finance.expect_download() as pdf:
        finance.get_by_role("link", name="下载 PDF").click()
    with open(pdf.value.path(), "rb") as document:
        content = document.read()
    assert content.startswith(b"%PDF") and b"WenQuanYiMicroHei" in content
    check_accessibility(finance)
    screenshot(finance, "finance_officer")
