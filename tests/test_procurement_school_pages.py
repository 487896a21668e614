"""A school's procurement in pages, on its host, through Django's test client: requisitions
raised from the catalogue, approved by the principal (never by whoever raised them) and followed
to their tender and contract; orders placed at contract prices, received line by line, invoiced
with the three-way match and paid once; the supplier rated once a month. Each checked in the
database and on the page, each refusal shown with its reason and nothing saved; the lists'
query counts pinned."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.months import next_month
from houqin.roles import Role
from shared_apps.accounts.models import Membership
from shared_apps.procurement.models import (
    Category,
    FrameworkContract,
    Requisition,
    SupplierRating,
    TenderLineSource,
)
from shared_apps.procurement.services.evaluation import lot_award
from tenant_apps.orders.models import Delivery, Expenditure, Invoice, Order
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.orders import make_order, spend_drained
from tests.matrix.supply import make_contract, make_item
from tests.matrix.tenders import draft_tender, evaluated_tender, make_requisition, officer
from tests.web import once_key, page, queries, signed_in

pytestmark = pytest.mark.django_db


# Requisitions -----------------------------------------------------------------------------------


def test_the_canteen_manager_raises_a_requisition_for_a_month_from_the_catalogue(school_a):
    rice, oil = make_item(Category.FOOD, name="大米"), make_item(Category.FOOD, name="菜籽油")
    make_item(Category.CLEANING, name="洗洁精")
    manager = user_with_role(Role.CANTEEN_MANAGER, school_a)
    client = signed_in(school_a, manager)
    form = page(client, "/requisitions/raise/", category="food")
    assert "大米" in form and "菜籽油" in form and "洗洁精" not in form
    month = next_month(timezone.localdate())
    data = {
        "month": f"{month:%Y-%m}",
        "note": "下月食堂用料",
        f"quantity_{rice.pk}": "600",
        f"quantity_{oil.pk}": "",
        "once": once_key(form),
    }
    raised = client.post("/requisitions/raise/?category=food", data)
    assert raised.status_code == 302, raised.content[:500]
    requisition = Requisition.objects.for_school(school_a).get()
    assert requisition.raised_by == manager and requisition.status == "pending"
    assert [(line.item_id, line.quantity, line.needed_by) for line in requisition.lines.all()] == [
        (rice.pk, Decimal("600.000"), month)
    ]
    shown = page(client, raised["Location"])
    assert "等待校长审批" in shown and "大米" in shown and "600" in shown


def test_a_requisition_of_nothing_is_refused_with_the_reason(school_a):
    make_item(Category.FOOD)
    client = signed_in(school_a, user_with_role(Role.LOGISTICS_DIRECTOR, school_a))
    month = next_month(timezone.localdate())
    refused = client.post("/requisitions/raise/", {"month": f"{month:%Y-%m}"})
    assert refused.status_code == 400
    assert "至少" in refused.content.decode()
    assert not Requisition.objects.for_school(school_a).exists()


def test_the_principal_approves_a_requisition_once(school_a):
    requisition = make_requisition(school_a, [make_item()], status=Requisition.Status.PENDING)
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = signed_in(school_a, principal)
    html = page(client, f"/requisitions/{requisition.pk}/")
    assert "核准" in html and "不相容职务分离" not in html
    key = once_key(html)
    url = f"/requisitions/{requisition.pk}/approve/"
    first = client.post(url, {"once": key})
    again = client.post(url, {"once": key})
    assert first.status_code == again.status_code == 302
    requisition.refresh_from_db()
    assert requisition.status == "approved" and requisition.decided_by == principal
    assert "等待中心招标" in page(client, first["Location"])


def test_whoever_raised_a_requisition_cannot_approve_it(school_a):
    """A principal who is also the logistics director raised it: the page says someone else
    approves it and offers no button; the act, posted anyway, is refused with the reason."""
    both = user_with_role(Role.LOGISTICS_DIRECTOR, school_a)
    Membership.objects.create(user=both, school=school_a, role=Role.PRINCIPAL)
    requisition = make_requisition(
        school_a, [make_item()], status=Requisition.Status.PENDING, raised_by=both
    )
    client = signed_in(school_a, both)
    html = page(client, f"/requisitions/{requisition.pk}/")
    assert "须由他人审批" in html and "/approve/" not in html
    refused = client.post(f"/requisitions/{requisition.pk}/approve/")
    assert refused.status_code == 400
    assert "提出采购需求的人员不能审核该需求" in refused.content.decode()
    requisition.refresh_from_db()
    assert requisition.status == "pending" and requisition.decided_by is None


def test_a_rejection_needs_its_reason(school_a):
    requisition = make_requisition(school_a, [make_item()], status=Requisition.Status.PENDING)
    client = signed_in(school_a, user_with_role(Role.PRINCIPAL, school_a))
    url = f"/requisitions/{requisition.pk}/reject/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "数量过大，请按实际就餐人数核减"}).status_code == 302
    requisition.refresh_from_db()
    assert requisition.status == "rejected" and "核减" in requisition.reason


def test_the_canteen_manager_lists_only_the_requisitions_it_raised(school_a):
    manager = user_with_role(Role.CANTEEN_MANAGER, school_a)
    own = make_requisition(school_a, [make_item()], raised_by=manager)
    other = make_requisition(school_a, [make_item()])
    client = signed_in(school_a, manager)
    html = page(client, "/requisitions/")
    assert f"/requisitions/{own.pk}/" in html and f"/requisitions/{other.pk}/" not in html
    assert client.get(f"/requisitions/{other.pk}/").status_code == 404


def test_a_requisition_is_followed_through_its_tender_to_its_contract(school_a):
    tender = draft_tender(school=school_a)
    source = TenderLineSource.objects.for_school(school_a).select_related(
        "requisition_line__requisition"
    )[0]
    requisition = source.requisition_line.requisition
    client = signed_in(school_a, user_with_role(Role.PRINCIPAL, school_a))
    html = page(client, f"/requisitions/{requisition.pk}/")
    assert tender.number in html and "草稿" in html

    awarded = evaluated_tender(school=school_a)
    lot = awarded.lots.get()
    lot_award(lot=lot, justification="仅一家有效投标，价格经询价合理", actor=officer())
    contract = FrameworkContract.objects.get(award__lot=lot)
    source = TenderLineSource.objects.for_school(school_a).filter(tender_line__lot=lot)[0]
    html = page(client, f"/requisitions/{source.requisition_line.requisition_id}/")
    assert contract.number in html and contract.supplier.name in html and "10.00 元/" in html


def test_the_requisitions_list_costs_the_same_queries_for_one_row_or_many(school_a):
    client = signed_in(school_a, user_with_role(Role.PRINCIPAL, school_a))
    make_requisition(school_a, [make_item()])
    queries(client, "/requisitions/")
    one = queries(client, "/requisitions/")
    for _n in range(4):
        make_requisition(school_a, [make_item(), make_item()])
    assert queries(client, "/requisitions/") == one


def test_a_requisitions_page_costs_the_same_queries_for_one_line_or_many(school_a):
    client = signed_in(school_a, user_with_role(Role.PRINCIPAL, school_a))
    small = make_requisition(school_a, [make_item()])
    large = make_requisition(school_a, [make_item() for _n in range(6)])
    queries(client, f"/requisitions/{small.pk}/")
    assert queries(client, f"/requisitions/{small.pk}/") == queries(
        client, f"/requisitions/{large.pk}/"
    )


# Orders -----------------------------------------------------------------------------------------


def food_contract() -> FrameworkContract:
    rice = make_item(Category.FOOD, name="大米")
    eggs = make_item(Category.FOOD, name="鸡蛋")
    return make_contract(
        prices=[(rice, Decimal("4.90")), (eggs, Decimal("9.90"))], category=Category.FOOD
    )


def test_the_manager_orders_at_the_contract_prices(school_a):
    contract = food_contract()
    rice, eggs = (price.item for price in contract.prices.order_by("pk"))
    client = signed_in(school_a, user_with_role(Role.CANTEEN_MANAGER, school_a))
    assert contract.number in page(client, "/orders/place/")
    form = page(client, "/orders/place/", contract=contract.pk)
    assert "4.90" in form and "9.90" in form
    due = timezone.localdate()
    data = {
        "due_on": due.isoformat(),
        f"quantity_{rice.pk}": "300",
        f"price_{rice.pk}": "4.90",
        f"quantity_{eggs.pk}": "",
        f"price_{eggs.pk}": "9.90",
        "once": once_key(form),
    }
    placed = client.post(f"/orders/place/?contract={contract.pk}", data)
    assert placed.status_code == 302, placed.content[:800]
    with tenant_context(school_a):
        order = Order.objects.get()
        line = order.lines.get()
    assert (order.contract_id, order.amount) == (contract.pk, Decimal("1470.00"))
    assert (line.item_id, line.unit_price, order.due_on) == (rice.pk, Decimal("4.90"), due)
    assert order.number in page(client, placed["Location"])


def test_a_price_that_is_not_the_contracts_is_refused_and_nothing_is_ordered(school_a):
    contract = food_contract()
    rice = contract.prices.order_by("pk")[0].item
    client = signed_in(school_a, user_with_role(Role.CANTEEN_MANAGER, school_a))
    refused = client.post(
        f"/orders/place/?contract={contract.pk}",
        {
            "due_on": timezone.localdate().isoformat(),
            f"quantity_{rice.pk}": "300",
            f"price_{rice.pk}": "4.50",
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "合同价为 4.90 元" in html and 'class="field invalid"' in html
    with tenant_context(school_a):
        assert not Order.objects.exists()


def order_of(school: School, quantity: str = "10") -> tuple[Order, int]:
    order = make_order(school, quantity=Decimal(quantity))
    with tenant_context(school):
        return order, order.lines.get().pk


def test_a_delivery_over_the_ordered_quantity_is_refused_next_to_its_line(school_a):
    order, line = order_of(school_a)
    client = signed_in(school_a, user_with_role(Role.CANTEEN_MANAGER, school_a))
    refused = client.post(
        f"/orders/{order.pk}/deliver/",
        {"received_on": timezone.localdate().isoformat(), f"received_{line}": "12"},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "验收合格 12" in html and "尚待到货的仅剩" in html
    assert html.count('class="field invalid"') >= 1
    with tenant_context(school_a):
        assert not Delivery.objects.exists()


def test_a_short_delivery_with_a_rejected_part_is_received_and_shown(school_a):
    order, line = order_of(school_a)
    client = signed_in(school_a, user_with_role(Role.CANTEEN_MANAGER, school_a))
    url = f"/orders/{order.pk}/deliver/"
    data = {
        "received_on": timezone.localdate().isoformat(),
        f"received_{line}": "8",
        f"rejected_{line}": "2",
        f"reason_{line}": "包装破损",
        "once": once_key(page(client, url)),
    }
    received = client.post(url, data)
    assert received.status_code == 302, received.content[:800]
    with tenant_context(school_a):
        order.refresh_from_db()
        assert order.status == Order.Status.PARTLY_DELIVERED
        assert order.lines.get().delivered_quantity == Decimal("6")
    shown = page(client, received["Location"])
    assert "包装破损" in shown and "部分到货" in shown


def invoice_data(line: int, *, quantity: str, price: str, amount: str, number: str) -> dict:
    return {
        "number": number,
        "issued_on": timezone.localdate().isoformat(),
        "amount": amount,
        f"quantity_{line}": quantity,
        f"price_{line}": price,
    }


def test_an_invoice_that_does_not_match_is_refused_line_by_line(school_a):
    order = make_order(school_a, delivered=Decimal("6"))
    with tenant_context(school_a):
        line = order.lines.get()
    client = signed_in(school_a, user_with_role(Role.ACCOUNTANT, school_a))
    form = page(client, f"/orders/{order.pk}/invoice/")
    assert "三单匹配" in form and "9.50" in form
    refused = client.post(
        f"/orders/{order.pk}/invoice/",
        invoice_data(line.pk, quantity="10", price="9.80", amount="98.00", number="FP001"),
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "9.80" in html and "9.50" in html and "6" in html
    with tenant_context(school_a):
        assert not Invoice.objects.exists() and not Expenditure.objects.exists()


def test_an_invoice_is_recorded_and_paid_once_by_another_accountant(school_a):
    order = make_order(school_a, delivered=Decimal("10"))
    with tenant_context(school_a):
        line = order.lines.get()
    accountant = user_with_role(Role.ACCOUNTANT, school_a)
    client = signed_in(school_a, accountant)
    data = invoice_data(line.pk, quantity="10", price="9.50", amount="95.00", number="FP002")
    recorded = client.post(f"/orders/{order.pk}/invoice/", data)
    assert recorded.status_code == 302, recorded.content[:800]
    with tenant_context(school_a):
        expenditure = Expenditure.objects.get()
    assert expenditure.amount == Decimal("95.00")
    assert "FP002" in page(client, "/orders/payments/")

    pay = f"/orders/payments/{expenditure.pk}/pay/"
    paying = {"paid_on": timezone.localdate().isoformat(), "reference": "ZF-001"}
    refused = client.post(pay, paying)
    assert refused.status_code == 400
    assert (
        "登记发票的人员不能支付" in refused.content.decode() or "不能" in refused.content.decode()
    )

    cashier = signed_in(school_a, user_with_role(Role.ACCOUNTANT, school_a))
    assert cashier.post(pay, paying).status_code == 302
    again = cashier.post(pay, {**paying, "reference": "ZF-002"})
    assert again.status_code == 400 and "该笔支出已于" in again.content.decode()
    with tenant_context(school_a):
        expenditure.refresh_from_db()
        order.refresh_from_db()
    assert expenditure.payment_reference == "ZF-001" and order.status == Order.Status.CLOSED


def test_the_supplier_is_rated_once_a_month(school_a):
    order = make_order(school_a)
    spend_drained(school_a)
    client = signed_in(school_a, user_with_role(Role.CANTEEN_MANAGER, school_a))
    form = page(client, "/orders/ratings/")
    assert order.supplier.name in form
    data = {
        "supplier": order.supplier_id,
        "month": f"{timezone.localdate():%Y-%m}",
        "quality": "90",
        "punctuality": "80",
        "service": "85",
        "comment": "送货及时",
    }
    assert client.post("/orders/ratings/", data).status_code == 302
    again = client.post("/orders/ratings/", data)
    assert again.status_code == 400
    assert "本校已评价过该供应商" in again.content.decode()
    rating = SupplierRating.objects.for_school(school_a).get()
    assert (rating.score, rating.supplier_id) == (85, order.supplier_id)


@pytest.mark.parametrize("url", ["/orders/", "/orders/payments/", "/orders/due/"])
def test_an_orders_list_costs_the_same_queries_for_one_row_or_many(school_a, url):
    client = signed_in(school_a, user_with_role(Role.ACCOUNTANT, school_a))
    if url == "/orders/due/":
        client = signed_in(school_a, user_with_role(Role.CANTEEN_MANAGER, school_a))
    contract = make_contract()
    make_order(school_a, contract, delivered=Decimal("4"), invoiced=True)
    queries(client, url)
    one = queries(client, url)
    for _n in range(3):
        make_order(school_a, contract, delivered=Decimal("4"), invoiced=True)
    assert queries(client, url) == one


def test_an_orders_page_costs_the_same_queries_for_one_delivery_or_many(school_a):
    client = signed_in(school_a, user_with_role(Role.ACCOUNTANT, school_a))
    few = make_order(school_a, delivered=Decimal("4"), invoiced=True)
    many = make_order(school_a, delivered=Decimal("2"), invoiced=True)
    with tenant_context(school_a):
        line = many.lines.get()
    with tenant_context(school_a):
        for _n in range(3):
            delivery_record(
                order=many,
                lines=[DeliveryLineInput(line=line.pk, quantity=Decimal("1"))],
                actor=SETUP,
            )
    queries(client, f"/orders/{few.pk}/")
    assert queries(client, f"/orders/{few.pk}/") == queries(client, f"/orders/{many.pk}/")


# The home page --------------------------------------------------------------------------------


def counts(html: str) -> dict[str, int]:
    return {
        label.strip(): int(n)
        for n, label in re.findall(r'<span class="count">(\d+)</span>([^<]+)</a>', html)
    }


def test_the_home_page_counts_the_requisitions_waiting_for_the_principal(school_a):
    make_requisition(school_a, [make_item()], status=Requisition.Status.PENDING)
    make_requisition(school_a, [make_item()])
    html = page(signed_in(school_a, user_with_role(Role.PRINCIPAL, school_a)), "/")
    assert counts(html)["待审批的采购需求"] == 1
    staff = page(signed_in(school_a, user_with_role(Role.LOGISTICS_DIRECTOR, school_a)), "/")
    assert "待审批的采购需求" not in staff


def test_the_home_page_counts_the_invoices_waiting_for_the_accountant(school_a):
    make_order(school_a, delivered=Decimal("4"))
    make_order(school_a, delivered=Decimal("4"), invoiced=True)
    html = page(signed_in(school_a, user_with_role(Role.ACCOUNTANT, school_a)), "/")
    assert counts(html)["待登记发票的订单"] == 1 and counts(html)["待付款发票"] == 1
