"""A school's procurement in the browser, on 青山九年一贯制学校's own host: the canteen manager
raises next month's requisition from the catalogue and the principal approves it; then, on a
phone (390×844), the canteen manager orders at the framework contract's prices, receives the
delivery with a short line and a part sent back (the food inspected on arrival, 进货查验) and
rates the supplier for the month; the accountant records the supplier's invoice, matched line
by line, and the cashier pays it once (a second payment refused). Every step checked in the
database, every page checked by axe-core."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from houqin.months import next_month
from shared_apps.accounts.models import User
from shared_apps.procurement.models import Award, CatalogueItem, Requisition, SupplierRating
from tenant_apps.canteen.models import InboundInspection
from tenant_apps.orders.models import Expenditure, Order
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot
from tests.matrix.orders import spend_drained

SCHOOL = "3101010003"
FOOD_TENDER = "中小学食堂粮油肉蛋集中采购"


@pytest.fixture
def school() -> School:
    return School.objects.get(code=SCHOOL)


def demo(role: str) -> User:
    return User.objects.get(username=f"{role}.{SCHOOL}")


def label(code: str) -> str:
    item = CatalogueItem.objects.get(code=code)
    return f"{item.name}（{item.unit}）"


def confirming(page: Page) -> Page:
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_a_requisition_raised_and_approved_by_the_principal(
    sign_in: SignIn, site: Site, school: School
) -> None:
    month = next_month(timezone.localdate())
    page = confirming(sign_in(f"canteen_manager.{SCHOOL}", SCHOOL))
    page.goto(site.url(SCHOOL, "/requisitions/raise/?category=food"))
    expect(page.get_by_label("月份")).to_have_value(f"{month:%Y-%m}")
    page.get_by_label(label("FD-001"), exact=True).fill("500")
    page.get_by_label(label("FD-005"), exact=True).fill("180")
    page.get_by_label("说明").fill("青山学校下月粮油蛋需求")
    check_accessibility(page)
    page.get_by_role("button", name="提交采购需求").click()
    expect(page.get_by_role("status")).to_contain_text("等待校长审批")
    raised = Requisition.objects.for_school(school).get(note="青山学校下月粮油蛋需求")
    assert raised.raised_by == demo("canteen_manager") and raised.status == "pending"
    assert sorted(line.quantity for line in raised.lines.all()) == [Decimal(180), Decimal(500)]
    assert {line.needed_by for line in raised.lines.all()} == {month}
    check_accessibility(page)

    principal = confirming(sign_in(f"principal.{SCHOOL}", SCHOOL))
    principal.goto(site.url(SCHOOL, "/requisitions/"))
    principal.get_by_role("link", name=f"第 {raised.pk} 号").click()
    expect(principal.locator("section", has_text="明细及进度")).to_contain_text("大米")
    check_accessibility(principal)
    principal.get_by_role("button", name="核准").click()
    expect(principal.get_by_role("status")).to_contain_text("采购需求已批准")
    expect(principal.locator("table.stack").last).to_contain_text("等待中心招标")
    raised.refresh_from_db()
    assert raised.status == "approved" and raised.decided_by == demo("principal")
    check_accessibility(principal)
    screenshot(principal, "requisition_approved")


def test_an_order_received_on_a_phone_invoiced_paid_once_and_its_supplier_rated(
    sign_in: SignIn, site: Site, school: School
) -> None:
    contract = Award.objects.get(lot__tender__title=FOOD_TENDER).contract
    today = timezone.localdate()

    # The canteen manager, on a phone: an order at the contract's prices.
    page = confirming(sign_in(f"canteen_manager.{SCHOOL}", SCHOOL, phone=True))
    page.goto(site.url(SCHOOL, "/orders/place/"))
    page.get_by_role("link", name=contract.number, exact=False).click()
    page.get_by_label("大米：数量（kg）").fill("200")
    page.get_by_label("鸡蛋：数量（kg）").fill("60")
    page.get_by_label("送货日期").fill((today + datetime.timedelta(days=1)).isoformat())
    check_accessibility(page)
    page.get_by_role("button", name="提交订单").click()
    expect(page.get_by_role("status")).to_contain_text("已下达")
    with tenant_context(school):
        order = Order.objects.filter(placed_by=demo("canteen_manager")).latest("pk")
        prices = {line.description: line.unit_price for line in order.lines.all()}
    assert order.contract_id == contract.pk
    assert prices == {
        price.item.name: price.unit_price
        for price in contract.prices.filter(item__code__in=["FD-001", "FD-005"])
    }
    check_accessibility(page)

    # The delivery: the rice short (150 of 200), 5 kg of eggs broken and sent back.
    page.get_by_role("link", name="收货", exact=True).click()
    page.get_by_label("大米：到货数量（kg）").fill("150")
    page.get_by_label("鸡蛋：到货数量（kg）").fill("60")
    page.get_by_label("鸡蛋：拒收退回数量").fill("5")
    page.get_by_label("鸡蛋：拒收原因").fill("运输破损")
    page.get_by_label("批次").fill("QS-粮油蛋-01")
    page.get_by_label("营业执照").check()
    page.get_by_label("保质期至").fill((today + datetime.timedelta(days=180)).isoformat())
    check_accessibility(page)
    page.get_by_role("button", name="保存收货记录").click()
    expect(page.get_by_role("status")).to_contain_text("已收货并完成进货查验")
    with tenant_context(school):
        order.refresh_from_db()
        accepted = {line.description: line.delivered_quantity for line in order.lines.all()}
        inspection = InboundInspection.objects.get(batch="QS-粮油蛋-01")
    assert order.status == Order.Status.PARTLY_DELIVERED
    assert accepted == {"大米": Decimal(150), "鸡蛋": Decimal(55)}
    assert "运输破损" in inspection.note

    # The month's rating of the supplier (its order reached the district's spend lines).
    spend_drained(school)
    page.goto(site.url(SCHOOL, "/orders/ratings/"))
    page.get_by_label("供应商").select_option(str(contract.supplier_id))
    page.get_by_label("质量（0–100）").fill("90")
    page.get_by_label("准时（0–100）").fill("70")
    page.get_by_label("服务（0–100）").fill("86")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_contain_text("评分 82")
    rating = SupplierRating.objects.for_school(school).get(supplier=contract.supplier)
    assert rating.score == 82 and rating.rated_by == demo("canteen_manager")
    check_accessibility(page)

    # The accountant: the invoice, matched line by line against what was accepted.
    accountant = confirming(sign_in(f"accountant.{SCHOOL}", SCHOOL))
    accountant.goto(site.url(SCHOOL, f"/orders/{order.pk}/invoice/"))
    expect(accountant.locator("table.stack")).to_contain_text("150")
    amount = sum(prices[name] * accepted[name] for name in prices).quantize(Decimal("0.01"))
    accountant.get_by_label("发票号码").fill(f"QS{order.pk:08d}")
    accountant.get_by_label("发票总额（元）").fill(str(amount))
    check_accessibility(accountant)
    accountant.get_by_role("button", name="登记发票").click()
    expect(accountant.get_by_role("status")).to_contain_text(f"待付 {amount} 元")
    with tenant_context(school):
        expenditure = Expenditure.objects.get(invoice__order=order)
    assert expenditure.amount == amount and expenditure.status == "unpaid"

    # The cashier pays it, once.
    cashier = confirming(sign_in(f"cashier.{SCHOOL}", SCHOOL))
    cashier.goto(site.url(SCHOOL, "/orders/payments/"))
    cashier.locator("tr", has_text=f"QS{order.pk:08d}").get_by_role("link", name="付款").click()
    cashier.get_by_label("支付凭证号").fill("QS-ZF-0001")
    check_accessibility(cashier)
    cashier.get_by_role("button", name="向供应商付款").click()
    expect(cashier.get_by_role("status")).to_contain_text("付款")
    with tenant_context(school):
        expenditure.refresh_from_db()
    assert expenditure.status == "paid" and expenditure.paid_by == demo("cashier")
    cashier.goto(site.url(SCHOOL, f"/orders/payments/{expenditure.pk}/pay/"))
    cashier.get_by_label("支付凭证号").fill("QS-ZF-0002")
    cashier.get_by_role("button", name="向供应商付款").click()
    expect(cashier.get_by_role("alert")).to_contain_text("该笔支出已于")
    with tenant_context(school):
        expenditure.refresh_from_db()
    assert expenditure.payment_reference == "QS-ZF-0001"
    cashier.goto(site.url(SCHOOL, f"/orders/{order.pk}/"))
    expect(cashier.locator("section", has_text="发票与付款")).to_contain_text("QS-ZF-0001")
    check_accessibility(cashier)
    screenshot(cashier, "school_order_paid")
