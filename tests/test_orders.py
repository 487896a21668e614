"""A school's orders: placed at a framework contract's prices (every refusal: an item not in the
contract, a different price, a contract not in force) or outside any contract with a reason,
flagged; partial deliveries never over what was ordered (also under concurrent deliveries on
separate connections), rejections returned with a reason, the canteen's inbound inspection made
for food; invoices matched three ways, each mismatch refused naming the line; an expenditure
paid once; every line mirrored in the district's spend lines in the same transaction."""

import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from celery.exceptions import Retry
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    SpendLine,
    Supplier,
)
from shared_apps.procurement.services.spend import SpendFacts, spend_record
from tenant_apps.canteen.models import InboundInspection
from tenant_apps.orders.models import (
    Delivery,
    DeliveryLine,
    Expenditure,
    Invoice,
    InvoiceLine,
    InvoiceNote,
    Order,
    OrderLine,
    SpendOutbox,
)
from tenant_apps.orders.outbox import spend_outbox_drain
from tenant_apps.orders.selectors import spend_outbox_pending
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenant_apps.orders.services.invoices import (
    InvoiceLineInput,
    expenditure_pay,
    invoice_record,
)
from tenant_apps.orders.services.placing import LineInput, order_place
from tenant_apps.orders.tasks import SPEND_DRAIN, spend_drain_task
from tenants.models import School
from tenants.routing import school_host
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, discard_user, user_with_role
from tests.matrix.orders import make_note, make_order, paid_invoice, spend_drained
from tests.matrix.supply import make_contract, make_item, make_supplier

R = Role
ORDERS = "/api/v1/orders/"
D = Decimal


@pytest.fixture
def priced(db: Any) -> dict[str, Any]:
    """A contract in force with rice (food, reference 5.00) at 4.60 and a pot (kitchen,
    reference 80.00) at 75.00, and a cooking-oil item that is not in it."""
    rice = make_item(Category.FOOD, D("5.00"), name="大米")
    pot = make_item(Category.KITCHEN, D("80.00"), name="汤锅")
    oil = make_item(Category.FOOD, D("12.00"), name="食用油")
    contract = make_contract(prices=[(rice, D("4.60")), (pot, D("75.00"))])
    return {"contract": contract, "rice": rice, "pot": pot, "oil": oil}


def spend_lines(school: School) -> Any:
    """The school's lines in the district's spend, once its spend outbox is drained."""
    spend_drained(school)
    return SpendLine.objects.for_school(school).order_by("order_line_id")


def spend_line(school: School, line: int) -> SpendLine:
    """The district's spend line of the school's order line `line`, once drained."""
    spend_drained(school)
    return SpendLine.objects.across_schools().get(school=school, order_line_id=line)


def in_school(school: School) -> Any:
    return schema_context(school.schema_name)


def place(client: HostClient, body: dict[str, Any]) -> Any:
    return client.post(ORDERS, body, format="json")


def due() -> str:
    return (timezone.localdate() + timedelta(days=3)).isoformat()


# Placing ----------------------------------------------------------------------------------------


def test_an_order_under_a_contract_takes_the_contracts_prices(
    client_for: Any, school_a: School, priced: dict[str, Any]
) -> None:
    rice, pot = priced["rice"], priced["pot"]
    response = place(
        client_for(school_a, R.CANTEEN_MANAGER),
        {
            "contract": priced["contract"].pk,
            "due_on": due(),
            "lines": [
                {"item": rice.pk, "quantity": "120.5", "unit_price": "4.60"},
                {"item": pot.pk, "quantity": "2"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "placed"
    assert order["outside_contract"] is False
    assert order["supplier"] == priced["contract"].supplier_id
    assert order["amount"] == "704.30"  # 120.5 × 4.60 = 554.30, + 2 × 75.00
    assert [
        (line["description"], line["unit_price"], line["amount"]) for line in order["lines"]
    ] == [
        ("大米", "4.60", "554.30"),
        ("汤锅", "75.00", "150.00"),
    ]
    assert order["number"].startswith(f"PO{timezone.localdate():%Y%m}-")
    # The school's transaction wrote only its own schema: its outbox holds the spend lines.
    assert not SpendLine.objects.across_schools().filter(school=school_a).exists()
    with in_school(school_a):
        assert spend_outbox_pending().count() == 2
    # Drained, they are in the district's spend lines, with the reference prices of the day.
    lines = list(spend_lines(school_a))
    assert [(s.order_line_id, s.order_number) for s in lines] == [
        (line["id"], order["number"]) for line in order["lines"]
    ]
    assert [(s.quantity, s.unit_price, s.amount, s.reference_price) for s in lines] == [
        (D("120.500"), D("4.60"), D("554.30"), D("5.00")),
        (D("2.000"), D("75.00"), D("150.00"), D("80.00")),
    ]
    assert {(s.contract_id, s.outside_contract_reason, s.category) for s in lines} == {
        (priced["contract"].pk, "", Category.FOOD),
        (priced["contract"].pk, "", Category.KITCHEN),
    }


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"lines": "oil"}, "lines", "invalid_lines"),
        ({"price": "4.50"}, "lines", "invalid_lines"),
        ({"contract": "expired"}, "contract", "contract_not_in_force"),
        ({"contract": "terminated"}, "contract", "contract_not_in_force"),
        ({"contract": "not yet"}, "contract", "contract_not_in_force"),
        ({"supplier": "other"}, "supplier", "invalid"),
        ({"reason": "急用"}, "outside_contract_reason", "invalid"),
    ],
)
def test_every_refusal_of_a_contract_order_saves_nothing(
    client_for: Any,
    school_a: School,
    priced: dict[str, Any],
    change: dict[str, str],
    field: str,
    code: str,
) -> None:
    today = timezone.localdate()
    contract: FrameworkContract = priced["contract"]
    if change.get("contract") == "expired":
        contract.valid_to = today - timedelta(days=1)
        contract.valid_from = today - timedelta(days=60)
    elif change.get("contract") == "terminated":
        contract.status = FrameworkContract.Status.TERMINATED
    elif change.get("contract") == "not yet":
        contract.valid_from = today + timedelta(days=1)
        contract.valid_to = today + timedelta(days=60)
    contract.save()
    item = priced["oil"] if change.get("lines") == "oil" else priced["rice"]
    body: dict[str, Any] = {
        "contract": contract.pk,
        "due_on": due(),
        "lines": [{"item": item.pk, "quantity": "10", "unit_price": change.get("price")}],
    }
    if "supplier" in change:
        body["supplier"] = make_supplier().pk
    if "reason" in change:
        body["outside_contract_reason"] = change["reason"]
    with in_school(school_a):
        before = Order.objects.count()
    response = place(client_for(school_a, R.LOGISTICS_DIRECTOR), body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]
    if field == "lines":
        assert error["fields"]["lines"][0]
    with in_school(school_a):
        assert Order.objects.count() == before
    assert not spend_lines(school_a).exists()


def test_a_line_names_its_problem_and_only_that_line(
    school_a: School, priced: dict[str, Any]
) -> None:
    lines = [
        LineInput(item=priced["rice"].pk, quantity=D("10")),
        LineInput(item=priced["oil"].pk, quantity=D("1")),
        LineInput(item=priced["rice"].pk, quantity=D("2")),
        LineInput(item=priced["pot"].pk, quantity=D("1"), unit_price=D("70.00")),
    ]
    with in_school(school_a), pytest.raises(InvalidInput) as refused:
        order_place(
            contract=priced["contract"], due_on=timezone.localdate(), lines=lines, actor=SETUP
        )
    by_line = refused.value.fields["lines"]
    assert by_line[0] == {}
    assert "not in the contract" in by_line[1]["item"][0]
    assert "twice" in by_line[2]["item"][0]
    assert "75.00" in by_line[3]["unit_price"][0]
    assert refused.value.message.startswith("Line 2:")


def test_an_order_outside_contracts_needs_a_reason_and_is_flagged(
    client_for: Any, school_a: School, priced: dict[str, Any]
) -> None:
    supplier = make_supplier()
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    body: dict[str, Any] = {
        "supplier": supplier.pk,
        "due_on": due(),
        "lines": [
            {
                "description": "消毒液",
                "category": "cleaning",
                "unit": "瓶",
                "unit_price": "18.50",
                "quantity": "4",
            },
            {"item": priced["oil"].pk, "unit_price": "13.00", "quantity": "5"},
        ],
    }
    no_reason = place(director, body)
    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["code"] == "reason_required"
    incomplete = place(
        director,
        {
            **body,
            "outside_contract_reason": "x",
            "lines": [{"description": "消毒液", "quantity": "1"}],
        },
    )
    assert incomplete.status_code == 400
    assert set(incomplete.json()["error"]["fields"]["lines"][0]) == {
        "category",
        "unit",
        "unit_price",
    }
    assert (
        place(director, {**body, "supplier": None, "outside_contract_reason": "x"}).status_code
        == 400
    )
    assert not spend_lines(school_a).exists()

    placed = place(director, {**body, "outside_contract_reason": "合同内无此品目，急用"})
    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert order["outside_contract"] is True
    assert order["contract"] is None
    assert order["amount"] == "139.00"  # 4 × 18.50 + 5 × 13.00
    lines = list(spend_lines(school_a))
    assert {(s.contract_id, s.outside_contract_reason) for s in lines} == {
        (None, "合同内无此品目，急用")
    }
    # A catalogue item named outside a contract brings its reference price (for the signals).
    assert [(s.description, s.reference_price) for s in lines] == [
        ("消毒液", None),
        ("食用油", D("12.00")),
    ]
    flagged = director.get(ORDERS, {"outside_contract": "true"}).json()["results"]
    assert [o["id"] for o in flagged] == [order["id"]]


def test_a_suspended_supplier_still_delivers_under_its_contract(
    school_a: School, priced: dict[str, Any]
) -> None:
    Supplier.objects.filter(pk=priced["contract"].supplier_id).update(
        status=Supplier.Status.SUSPENDED, status_reason="评分连续偏低"
    )
    order = make_order(school_a, priced["contract"])
    assert order.status == Order.Status.PLACED


# Deliveries -------------------------------------------------------------------------------------


def deliver(client: HostClient, order_id: int, lines: list[dict[str, Any]], **extra: Any) -> Any:
    return client.post(f"{ORDERS}{order_id}/deliveries/", {"lines": lines, **extra}, format="json")


def test_partial_deliveries_up_to_the_ordered_quantity_and_no_more(
    client_for: Any, school_a: School, priced: dict[str, Any]
) -> None:
    order = make_order(school_a, make_contract(), quantity=D("10"))
    with in_school(school_a):
        line = order.lines.get()
    manager = client_for(school_a, R.CANTEEN_MANAGER)
    first = deliver(manager, order.pk, [{"line": line.pk, "quantity": "6"}])
    assert first.status_code == 201, first.content
    with in_school(school_a):
        order.refresh_from_db()
        assert order.status == Order.Status.PARTLY_DELIVERED
    over = deliver(manager, order.pk, [{"line": line.pk, "quantity": "4.001"}])
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "over_delivery"
    assert "4.000" in over.json()["error"]["fields"]["lines"][0]["quantity"][0]
    rest = deliver(manager, order.pk, [{"line": line.pk, "quantity": "4"}])
    assert rest.status_code == 201
    with in_school(school_a):
        order.refresh_from_db()
        line.refresh_from_db()
        assert order.status == Order.Status.DELIVERED
        assert line.delivered_quantity == D("10")
        assert Delivery.objects.filter(order=order).count() == 2
    # Nothing more is received on a delivered order; the database refuses it anyway.
    assert deliver(manager, order.pk, [{"line": line.pk, "quantity": "1"}]).status_code == 409
    with in_school(school_a), pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=line.pk).update(delivered_quantity=D("10.001"))
    spend = spend_line(school_a, line.pk)
    assert spend.delivered_quantity == D("10")


def test_rejected_quantities_are_returned_with_a_reason(client_for: Any, school_a: School) -> None:
    order = make_order(school_a, quantity=D("10"))
    with in_school(school_a):
        line = order.lines.get()
    manager = client_for(school_a, R.CANTEEN_MANAGER)
    assert (
        deliver(
            manager, order.pk, [{"line": line.pk, "quantity": "5", "rejected": "2"}]
        ).status_code
        == 400
    )
    assert (
        deliver(
            manager,
            order.pk,
            [{"line": line.pk, "quantity": "5", "rejected": "6", "rejection_reason": "x"}],
        ).status_code
        == 400
    )
    # Twelve arrive, two are broken: ten accepted, the order is complete.
    response = deliver(
        manager,
        order.pk,
        [{"line": line.pk, "quantity": "12", "rejected": "2", "rejection_reason": "破损"}],
    )
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["accepted_quantity"] == "10.000"
    assert response.json()["inspection"] is None  # no food in it
    with in_school(school_a):
        returned = DeliveryLine.objects.get(delivery_id=response.json()["id"])
        assert (returned.rejected_quantity, returned.rejection_reason) == (D("2"), "破损")
        order.refresh_from_db()
        assert order.status == Order.Status.DELIVERED
    with in_school(school_a), pytest.raises(IntegrityError), transaction.atomic():
        DeliveryLine.objects.filter(pk=returned.pk).update(rejection_reason="")


def test_a_delivery_of_food_makes_the_canteens_inbound_inspection(
    client_for: Any, school_a: School, priced: dict[str, Any]
) -> None:
    contract = priced["contract"]
    with in_school(school_a):
        order = order_place(
            contract=contract,
            due_on=timezone.localdate(),
            lines=[
                LineInput(item=priced["rice"].pk, quantity=D("100")),
                LineInput(item=priced["pot"].pk, quantity=D("1")),
            ],
            actor=SETUP,
        )
        rice, pot = order.lines.order_by("pk")
    manager = client_for(school_a, R.CANTEEN_MANAGER)
    lines = [
        {"line": rice.pk, "quantity": "100", "rejected": "5", "rejection_reason": "受潮"},
        {"line": pot.pk, "quantity": "1"},
    ]
    with in_school(school_a):
        inspections = InboundInspection.objects.count()
    missing = deliver(manager, order.pk, lines, certificates=["营业执照"])
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "inspection_required"
    assert set(missing.json()["error"]["fields"]) == {"batch", "shelf_life_until"}
    with in_school(school_a):
        assert InboundInspection.objects.count() == inspections
        assert not Delivery.objects.filter(order=order).exists()
        rice.refresh_from_db()
        assert rice.delivered_quantity == 0

    shelf_life = (timezone.localdate() + timedelta(days=180)).isoformat()
    response = deliver(
        manager,
        order.pk,
        lines,
        batch="20250301-A",
        certificates=["营业执照", "检验检疫合格证明"],
        shelf_life_until=shelf_life,
    )
    assert response.status_code == 201, response.content
    with in_school(school_a):
        delivery = Delivery.objects.get(pk=response.json()["id"])
        inspection = InboundInspection.objects.get(pk=response.json()["inspection"])
        assert delivery.inspection_id == inspection.pk
        assert inspection.supplier_name == contract.supplier.name
        assert inspection.batch == "20250301-A"
        assert inspection.certificates == ["营业执照", "检验检疫合格证明"]
        assert inspection.shelf_life_until.isoformat() == shelf_life
        assert inspection.accepted is True
        # Only the food line, with what came, was accepted and was rejected.
        assert inspection.lines == [
            {
                "item": "大米",
                "quantity": "100.000",
                "accepted": "95.000",
                "rejected": "5.000",
                "unit": "kg",
            }
        ]
        assert "受潮" in inspection.note
        assert inspection.inspected_by_id == manager.user.pk


def test_on_time_means_delivered_in_full_by_the_due_date(school_a: School) -> None:
    today = timezone.localdate()
    contract = make_contract(valid_from=today - timedelta(days=90))

    def order_due(days_ago: int) -> Order:
        price = contract.prices.get()
        with in_school(school_a):
            return order_place(
                contract=contract,
                due_on=today - timedelta(days=days_ago),
                lines=[LineInput(item=price.item_id, quantity=D("10"))],
                actor=SETUP,
                today=today - timedelta(days=20),
            )

    def receive(order: Order, quantity: str, days_ago: int) -> SpendLine:
        with in_school(school_a):
            line = order.lines.get()
            delivery_record(
                order=order,
                lines=[DeliveryLineInput(line=line.pk, quantity=D(quantity))],
                received_on=today - timedelta(days=days_ago),
                actor=SETUP,
            )
        return spend_line(school_a, line.pk)

    early = order_due(days_ago=5)
    assert receive(early, "4", days_ago=8).delivered_on_time is None  # partly, not yet late
    assert receive(early, "6", days_ago=5).delivered_on_time is True  # in full on the day
    late = order_due(days_ago=5)
    assert receive(late, "10", days_ago=4).delivered_on_time is False
    short = order_due(days_ago=5)
    assert receive(short, "3", days_ago=2).delivered_on_time is False  # short past the due date
    assert receive(short, "7", days_ago=1).last_delivery_on == today - timedelta(days=1)
    # A delivery before the order was placed, or in the future, is refused.
    pending = order_due(days_ago=5)
    with in_school(school_a):
        line = pending.lines.get()
        for received_on in (today - timedelta(days=21), today + timedelta(days=1)):
            with pytest.raises(InvalidInput):
                delivery_record(
                    order=pending,
                    lines=[DeliveryLineInput(line=line.pk, quantity=D("1"))],
                    received_on=received_on,
                    actor=SETUP,
                )


def test_an_order_is_cancelled_only_before_delivery_and_leaves_the_districts_spend(
    client_for: Any, school_a: School
) -> None:
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    order = make_order(school_a)
    url = f"{ORDERS}{order.pk}/cancel/"
    assert director.post(url, {"reason": ""}, format="json").status_code == 400
    cancelled = director.post(url, {"reason": "改由其他合同供货"}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert not spend_lines(school_a).exists()
    assert director.post(url, {"reason": "again"}, format="json").status_code == 409
    delivered = make_order(school_a, delivered=D("1"))
    refused = director.post(f"{ORDERS}{delivered.pk}/cancel/", {"reason": "x"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "order_partly_delivered"
    assert spend_lines(school_a).count() == 1


# Invoices and expenditure -----------------------------------------------------------------------


def invoice(client: HostClient, order_id: int, lines: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"number": "FP-0001", "issued_on": timezone.localdate().isoformat(), "lines": lines}
    return client.post(f"{ORDERS}{order_id}/invoices/", {**body, **extra}, format="json")


def test_a_matched_invoice_records_the_expenditure(client_for: Any, school_a: School) -> None:
    order = make_order(school_a, quantity=D("10"), delivered=D("10"))
    with in_school(school_a):
        line = order.lines.get()
    accountant = client_for(school_a, R.ACCOUNTANT)
    first = invoice(
        accountant, order.pk, [{"line": line.pk, "quantity": "4", "unit_price": "9.50"}]
    )
    assert first.status_code == 201, first.content
    assert first.json()["amount"] == "38.00"
    assert first.json()["expenditure"]["amount"] == "38.00"
    assert first.json()["expenditure"]["status"] == "unpaid"
    second = invoice(
        accountant,
        order.pk,
        [{"line": line.pk, "quantity": "6", "unit_price": "9.50"}],
        number="FP-0002",
        amount="57.00",
    )
    assert second.status_code == 201, second.content
    with in_school(school_a):
        order.refresh_from_db()
        line.refresh_from_db()
        assert order.status == Order.Status.INVOICED
        assert line.invoiced_quantity == D("10")
        assert Expenditure.objects.filter(invoice__order=order).count() == 2
        expenditure = Expenditure.objects.get(invoice_id=first.json()["id"])
        assert (expenditure.supplier_id, expenditure.spent_on) == (
            order.supplier_id,
            timezone.localdate(),
        )
    spend = spend_line(school_a, line.pk)
    assert spend.invoiced_amount == D("95.00")


@pytest.mark.parametrize(
    ("line_of", "quantity", "price", "extra", "field"),
    [
        ("this", "6.001", "9.50", {}, "quantity"),  # more than accepted and not yet invoiced
        ("this", "1", "9.60", {}, "unit_price"),  # not the order's price
        ("other", "1", "9.50", {}, "line"),  # a line of another order
        ("this", "2", "9.50", {"amount": "19.01"}, "amount"),  # total not the sum
    ],
)
def test_each_invoice_mismatch_is_refused_naming_the_line_and_saves_nothing(
    client_for: Any,
    school_a: School,
    line_of: str,
    quantity: str,
    price: str,
    extra: dict[str, str],
    field: str,
) -> None:
    order = make_order(school_a, quantity=D("10"), delivered=D("6"))
    other = make_order(school_a, delivered=D("1"))
    with in_school(school_a):
        line = (order if line_of == "this" else other).lines.get()
        invoices = Invoice.objects.count()
    response = invoice(
        client_for(school_a, R.ACCOUNTANT),
        order.pk,
        [{"line": line.pk, "quantity": quantity, "unit_price": price}],
        **extra,
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invoice_mismatch"
    if field == "amount":
        assert "19.00" in error["message"]
        assert "amount" in error["fields"]
    else:
        assert field in error["fields"]["lines"][0]
    with in_school(school_a):
        assert Invoice.objects.count() == invoices
        assert not InvoiceLine.objects.filter(invoice__order=order).exists()
        assert not Expenditure.objects.filter(invoice__order=order).exists()
        own_line = OrderLine.objects.get(order=order)
        assert own_line.invoiced_quantity == 0
    spend = spend_line(school_a, own_line.pk)
    assert spend.invoiced_amount == D("0")


def test_an_invoice_line_beyond_what_is_left_to_invoice_is_refused(school_a: School) -> None:
    order = make_order(school_a, quantity=D("10"), delivered=D("10"), invoiced=True)
    with in_school(school_a):
        line = order.lines.get()
        with pytest.raises(Conflict):
            invoice_record(
                order=order,
                number="FP-9",
                issued_on=timezone.localdate(),
                lines=[InvoiceLineInput(line=line.pk, quantity=D("1"), unit_price=D("9.50"))],
                actor=SETUP,
            )
    other = make_order(school_a, quantity=D("10"), delivered=D("4"))
    with in_school(school_a):
        line = other.lines.get()
        invoice_record(
            order=other,
            number="FP-10",
            issued_on=timezone.localdate(),
            lines=[InvoiceLineInput(line=line.pk, quantity=D("4"), unit_price=D("9.50"))],
            actor=SETUP,
        )
        with pytest.raises(InvalidInput) as refused:
            invoice_record(
                order=other,
                number="FP-11",
                issued_on=timezone.localdate(),
                lines=[InvoiceLineInput(line=line.pk, quantity=D("0.001"), unit_price=D("9.50"))],
                actor=SETUP,
            )
        assert refused.value.code == "invoice_mismatch"
        # The same supplier's invoice number twice is a conflict.
        delivery_record(
            order=other,
            lines=[DeliveryLineInput(line=line.pk, quantity=D("1"))],
            actor=SETUP,
        )
        with pytest.raises(Conflict) as duplicate:
            invoice_record(
                order=other,
                number="FP-10",
                issued_on=timezone.localdate(),
                lines=[InvoiceLineInput(line=line.pk, quantity=D("1"), unit_price=D("9.50"))],
                actor=SETUP,
            )
        assert duplicate.value.code == "duplicate_invoice"
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderLine.objects.filter(pk=line.pk).update(invoiced_quantity=D("5.001"))


def test_an_expenditure_is_paid_once_and_closes_the_order(
    client_for: Any, school_a: School
) -> None:
    order = make_order(school_a, quantity=D("10"), delivered=D("10"), invoiced=True)
    with in_school(school_a):
        expenditure = Expenditure.objects.get(invoice__order=order)
    accountant = client_for(school_a, R.ACCOUNTANT)
    url = f"/api/v1/expenditures/{expenditure.pk}/pay/"
    today = timezone.localdate().isoformat()
    assert (
        accountant.post(url, {"paid_on": today, "reference": " "}, format="json").status_code == 400
    )
    paid = accountant.post(url, {"paid_on": today, "reference": "ZF-2025-001"}, format="json")
    assert paid.status_code == 200, paid.content
    assert (paid.json()["status"], paid.json()["payment_reference"]) == ("paid", "ZF-2025-001")
    again = accountant.post(url, {"paid_on": today, "reference": "ZF-2025-002"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_paid"
    with in_school(school_a):
        expenditure.refresh_from_db()
        order.refresh_from_db()
        assert expenditure.payment_reference == "ZF-2025-001"
        assert order.status == Order.Status.CLOSED
        with pytest.raises(IntegrityError), transaction.atomic():
            Expenditure.objects.filter(pk=expenditure.pk).update(payment_reference="")


# The spend outbox -------------------------------------------------------------------------------


def test_the_schools_changes_reach_the_districts_spend_only_through_its_outbox(
    school_a: School, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Placing, delivering and invoicing write the school's own schema and queue the drain on
    commit; the district's spend line follows once the outbox is drained."""
    contract = make_contract()
    price = contract.prices.get()
    with in_school(school_a), django_capture_on_commit_callbacks() as queued:
        order = order_place(
            contract=contract,
            due_on=timezone.localdate(),
            lines=[LineInput(item=price.item_id, quantity=D("10"))],
            actor=SETUP,
        )
        line = order.lines.get()
        delivery_record(
            order=order, lines=[DeliveryLineInput(line=line.pk, quantity=D("10"))], actor=SETUP
        )
        invoice_record(
            order=order,
            number="FP-OUTBOX",
            issued_on=timezone.localdate(),
            lines=[InvoiceLineInput(line=line.pk, quantity=D("4"), unit_price=line.unit_price)],
            actor=SETUP,
        )
        assert spend_outbox_pending().filter(line=line).count() == 3
    assert len(queued) == 3  # one drain queued by each change, on commit
    assert not SpendLine.objects.across_schools().filter(school=school_a).exists()
    assert spend_drained(school_a) == 3
    spend = SpendLine.objects.across_schools().get(school=school_a, order_line_id=line.pk)
    assert (spend.quantity, spend.delivered_quantity, spend.delivered_on_time) == (
        D("10"),
        D("10"),
        True,
    )
    assert spend.invoiced_amount == line.unit_price * 4
    assert spend_drained(school_a) == 0  # nothing left


def test_draining_again_never_doubles_or_rolls_back_a_line(school_a: School) -> None:
    """An entry applied but not marked drained (a worker lost between the two) is applied
    again: nothing changes. An older entry never overwrites a newer one."""
    order = make_order(school_a, quantity=D("10"), delivered=D("10"), invoiced=True)
    with in_school(school_a):
        line = order.lines.get()
        entries = list(SpendOutbox.objects.filter(line=line).order_by("pk"))
        assert len(entries) == 3 and all(entry.drained_at for entry in entries)
    drained = SpendLine.objects.across_schools().get(school=school_a, order_line_id=line.pk)
    assert drained.source_version == entries[-1].pk
    with in_school(school_a):
        SpendOutbox.objects.filter(line=line).update(drained_at=None)
    assert spend_drained(school_a) == 3
    again = SpendLine.objects.across_schools().get(school=school_a, order_line_id=line.pk)
    assert SpendLine.objects.across_schools().filter(school=school_a).count() == 1
    assert (again.delivered_quantity, again.invoiced_amount, again.source_version) == (
        drained.delivered_quantity,
        drained.invoiced_amount,
        drained.source_version,
    )
    assert entries[0].spend is not None
    first = SpendFacts.from_json(entries[0].spend)
    assert not spend_record(
        school=school_a,
        order_line_id=line.pk,
        version=entries[0].pk,
        facts=first,
        actor=SPEND_DRAIN,
    )
    assert SpendLine.objects.across_schools().get(
        school=school_a, order_line_id=line.pk
    ).invoiced_amount == (drained.invoiced_amount)


def test_one_drain_per_school_at_a_time(school_a: School) -> None:
    """While another drain holds the school, a drain does nothing and its task looks again
    shortly."""
    make_order(school_a)
    with in_school(school_a):
        [line] = OrderLine.objects.filter(order__status=Order.Status.PLACED)
        order_cancel_entry = SpendOutbox.objects.create(line=line, spend=None)
    held, release = threading.Event(), threading.Event()

    def other_drain() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_lock(hashtext(%s))",
                    [f"orders.spend_drain.{school_a.schema_name}"],
                )
                held.set()
                release.wait(10)
                cursor.execute(
                    "SELECT pg_advisory_unlock(hashtext(%s))",
                    [f"orders.spend_drain.{school_a.schema_name}"],
                )
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_drain)
    thread.start()
    try:
        assert held.wait(10)
        with in_school(school_a):
            assert spend_outbox_drain(actor=SPEND_DRAIN) is None
        with pytest.raises(Retry):
            spend_drain_task.apply(headers={"_schema_name": school_a.schema_name}, throw=True)
    finally:
        release.set()
        thread.join()
    assert spend_drained(school_a) == 1
    with in_school(school_a):
        order_cancel_entry.refresh_from_db()
        assert order_cancel_entry.drained_at is not None
    assert (
        not SpendLine.objects.across_schools()
        .filter(school=school_a, order_line_id=line.pk)
        .exists()
    )


# Concurrency ------------------------------------------------------------------------------------


def _committed_order(
    committed: list[Callable[[], Any]],
    *,
    quantity: D,
    delivered: D | None = None,
    invoiced: bool = False,
) -> tuple[School, Order]:
    """An order in school A, committed, removed with everything it made at the end."""
    school = School.objects.get(code=SCHOOL_A)
    contract = make_contract()
    made = {"contract": contract}

    def cleanup() -> None:
        with in_school(school):
            orders = Order.objects.filter(contract=contract)
            InvoiceNote.objects.filter(invoice__order__in=orders).delete()
            Expenditure.objects.filter(invoice__order__in=orders).delete()
            InvoiceLine.objects.filter(invoice__order__in=orders).delete()
            Invoice.objects.filter(order__in=orders).delete()
            DeliveryLine.objects.filter(delivery__order__in=orders).delete()
            Delivery.objects.filter(order__in=orders).delete()
            lines = OrderLine.objects.filter(order__in=orders)
            SpendLine.objects.for_school(school).filter(
                order_line_id__in=lines.values("pk")
            ).delete()
            SpendOutbox.objects.filter(line__in=lines).delete()
            lines.delete()
            orders.delete()
            items = list(
                ContractPrice.objects.filter(contract=contract).values_list("item", flat=True)
            )
            ContractPrice.objects.filter(contract=contract).delete()
            FrameworkContract.objects.filter(pk=contract.pk).delete()
            CatalogueItem.objects.filter(pk__in=items).delete()
            Supplier.objects.filter(pk=contract.supplier_id).delete()

    committed.append(cleanup)
    order = make_order(
        school, made["contract"], quantity=quantity, delivered=delivered, invoiced=invoiced
    )
    return school, order


def test_two_deliveries_at_once_never_accept_more_than_was_ordered(
    committed: list[Callable[[], Any]],
) -> None:
    school = School.objects.get(code=SCHOOL_A)
    managers = [user_with_role(R.CANTEEN_MANAGER, school) for _ in range(2)]
    committed.extend(partial(discard_user, user) for user in managers)
    school, order = _committed_order(committed, quantity=D("10"))
    with in_school(school):
        line = order.lines.get()
    clients = [HostClient(school_host(school.code), user) for user in managers]

    def receive(i: int) -> Any:
        return deliver(clients[i], order.pk, [{"line": line.pk, "quantity": "6"}])

    responses = at_once(2, receive)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    codes = sorted(r.status_code for r in responses)  # type: ignore[union-attr]
    assert codes == [201, 409], codes
    with in_school(school):
        line.refresh_from_db()
        assert line.delivered_quantity == D("6")
        assert Delivery.objects.filter(order=order).count() == 1
        order.refresh_from_db()
        assert order.status == Order.Status.PARTLY_DELIVERED
    assert spend_line(school, line.pk).delivered_quantity == D("6")


def test_two_payments_at_once_pay_an_expenditure_once(
    committed: list[Callable[[], Any]],
) -> None:
    school = School.objects.get(code=SCHOOL_A)
    accountants = [user_with_role(R.ACCOUNTANT, school) for _ in range(3)]
    committed.extend(partial(discard_user, user) for user in accountants)
    school, order = _committed_order(committed, quantity=D("10"), delivered=D("10"), invoiced=True)
    with in_school(school):
        expenditure = Expenditure.objects.get(invoice__order=order)
    clients = [HostClient(school_host(school.code), user) for user in accountants]
    today = timezone.localdate().isoformat()

    def pay(i: int) -> Any:
        return clients[i].post(
            f"/api/v1/expenditures/{expenditure.pk}/pay/",
            {"paid_on": today, "reference": f"ZF-{i}"},
            format="json",
        )

    responses = at_once(3, pay)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 409, 409]  # type: ignore[union-attr]
    with in_school(school):
        expenditure.refresh_from_db()
        assert expenditure.status == Expenditure.Status.PAID
        winner = next(r for r in responses if r.status_code == 200)  # type: ignore[union-attr]
        assert expenditure.payment_reference == winner.json()["payment_reference"]  # type: ignore[union-attr]


# The school's view ------------------------------------------------------------------------------


def test_orders_are_read_by_the_schools_roles_and_written_by_theirs(
    client_for: Any, school_a: School
) -> None:
    order = make_order(school_a, delivered=D("3"))
    for role in (R.PRINCIPAL, R.ACCOUNTANT, R.CANTEEN_MANAGER):
        seen = client_for(school_a, role).get(f"{ORDERS}{order.pk}/")
        assert seen.status_code == 200
        assert seen.json()["lines"][0]["delivered_quantity"] == "3.000"
    deliveries = client_for(school_a, R.PRINCIPAL).get("/api/v1/deliveries/", {"order": order.pk})
    assert [d["order"] for d in deliveries.json()["results"]] == [order.pk]
    # Receiving goods and paying for them are different people's.
    accountant = client_for(school_a, R.ACCOUNTANT)
    with in_school(school_a):
        line = order.lines.get()
    assert deliver(accountant, order.pk, [{"line": line.pk, "quantity": "1"}]).status_code == 404
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    refused = invoice(
        director, order.pk, [{"line": line.pk, "quantity": "1", "unit_price": "9.50"}]
    )
    assert refused.status_code == 404
    assert date.fromisoformat(director.get(f"{ORDERS}{order.pk}/").json()["ordered_on"])


# Credit and debit notes on paid invoices --------------------------------------------------------


def _note(client: HostClient, invoice: Invoice, number: str, **line: Any) -> Any:
    with in_school(School.objects.get(code=SCHOOL_A)):
        invoice_line = invoice.lines.get()
    return client.post(
        f"/api/v1/invoices/{invoice.pk}/notes/",
        {
            "number": number,
            "issued_on": timezone.localdate().isoformat(),
            "reason": "付款后退货或调价",
            "lines": [{"invoice_line": invoice_line.pk, **line}],
        },
        format="json",
    )


def test_a_return_after_payment_is_a_credit_note_and_a_price_rise_a_debit_note(
    client_for: Any, school_a: School
) -> None:
    accountant = client_for(school_a, R.ACCOUNTANT)
    invoice = paid_invoice(school_a)
    with in_school(school_a):
        invoice_line = invoice.lines.select_related("line").get()
        order_line = invoice_line.line
    price = invoice_line.unit_price
    credit = _note(accountant, invoice, "HZ-1", returned="2")
    assert credit.status_code == 201, credit.content
    assert (credit.json()["kind"], D(credit.json()["amount"])) == ("credit", -2 * price)
    with in_school(school_a):
        order_line.refresh_from_db()
        assert (order_line.delivered_quantity, order_line.invoiced_quantity) == (D("8"), D("8"))
    # The kept 8 at one yuan more.
    debit = _note(accountant, invoice, "BK-1", unit_price=str(price + 1))
    assert debit.status_code == 201, debit.content
    assert (debit.json()["kind"], debit.json()["amount"]) == ("debit", "8.00")
    spend_drained(school_a)
    assert spend_line(school_a, order_line.pk).invoiced_amount == 10 * price - 2 * price + 8
    # More returned than is kept, nothing changed, the same number twice: refused.
    assert _note(accountant, invoice, "HZ-2", returned="9").status_code == 400
    same = _note(accountant, invoice, "HZ-3", unit_price=str(price + 1))
    assert same.json()["error"]["code"] == "invalid_note"
    assert _note(accountant, invoice, "HZ-1", returned="1").json()["error"]["code"] == (
        "duplicate_note"
    )
    listed = accountant.get(f"/api/v1/invoices/{invoice.pk}/").json()["notes"]
    assert [n["number"] for n in listed] == ["HZ-1", "BK-1"]


def test_an_unpaid_invoice_takes_no_note(client_for: Any, school_a: School) -> None:
    order = make_order(school_a, delivered=D("10"), invoiced=True)
    with in_school(school_a):
        invoice = order.invoices.get()
    response = _note(client_for(school_a, R.ACCOUNTANT), invoice, "HZ-9", returned="1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invoice_not_paid"


def test_a_note_is_settled_once_and_not_by_whoever_recorded_it(
    client_for: Any, school_a: School
) -> None:
    recorder = user_with_role(R.ACCOUNTANT, school_a)
    note = make_note(school_a, recorded_by=recorder)
    today = timezone.localdate().isoformat()
    body = {"settled_on": today, "reference": "TK-1"}
    own = client_for(school_a, recorder).post(f"/api/v1/invoice-notes/{note.pk}/settle/", body)
    assert own.status_code == 409, own.content
    assert own.json()["error"]["code"] == "separation_of_duties"
    cashier = client_for(school_a, R.ACCOUNTANT)
    settled = cashier.post(f"/api/v1/invoice-notes/{note.pk}/settle/", body)
    assert settled.status_code == 200, settled.content
    assert (settled.json()["status"], settled.json()["settled_by"]["username"]) == (
        "settled",
        cashier.user.username if cashier.user else None,
    )
    again = cashier.post(f"/api/v1/invoice-notes/{note.pk}/settle/", body)
    assert again.json()["error"]["code"] == "already_settled"


def test_two_returns_at_once_never_return_more_than_was_kept(
    committed: list[Callable[[], Any]],
) -> None:
    school = School.objects.get(code=SCHOOL_A)
    accountants = [user_with_role(R.ACCOUNTANT, school) for _ in range(2)]
    committed.extend(partial(discard_user, user) for user in accountants)
    school, order = _committed_order(committed, quantity=D("10"), delivered=D("10"), invoiced=True)
    with in_school(school):
        invoice = order.invoices.select_related("expenditure").get()
        expenditure_pay(
            expenditure=invoice.expenditure,
            paid_on=timezone.localdate(),
            reference="ZF-race",
            actor=SETUP,
        )
    clients = [HostClient(school_host(school.code), user) for user in accountants]

    def give_back(i: int) -> Any:
        return _note(clients[i], invoice, f"HZ-race-{i}", returned="6")

    responses = at_once(2, give_back)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [201, 400]  # type: ignore[union-attr]
    with in_school(school):
        line = order.lines.get()
        assert (line.delivered_quantity, line.invoiced_quantity) == (D("4"), D("4"))
        assert InvoiceNote.objects.filter(invoice=invoice).count() == 1
