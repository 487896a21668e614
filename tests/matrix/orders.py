"""A school's orders, deliveries, invoices and expenditures, on its host.

Grants in houqin/roles.py: `orders.view_*` for the principal, logistics director, asset keeper,
canteen manager and accountant (and `*.view_*` for auditors); placing, cancelling and receiving
deliveries for the logistics director and canteen manager; recording invoices and paying for
the accountant."""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.procurement.models import FrameworkContract
from tenant_apps.orders.models import Invoice, InvoiceNote, Order
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenant_apps.orders.services.invoices import (
    InvoiceLineInput,
    NoteLineInput,
    expenditure_pay,
    invoice_note_record,
    invoice_record,
)
from tenant_apps.orders.services.placing import LineInput, order_place
from tenant_apps.orders.tasks import spend_drain_task
from tests.factories import SETUP
from tests.matrix import AUDITOR, Built, Operations, R, Scene
from tests.matrix.supply import make_contract

READERS = (
    frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER, R.ACCOUNTANT, R.ASSET_KEEPER})
    | AUDITOR
)
BUYERS = frozenset({R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER})
ACCOUNTANT = frozenset({R.ACCOUNTANT})

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/orders/"): READERS,
    ("POST", "/api/v1/orders/"): BUYERS,
    ("GET", "/api/v1/orders/{id}/"): READERS,
    ("POST", "/api/v1/orders/{id}/cancel/"): BUYERS,
    ("POST", "/api/v1/orders/{id}/deliveries/"): BUYERS,
    ("POST", "/api/v1/orders/{id}/invoices/"): ACCOUNTANT,
    ("GET", "/api/v1/deliveries/"): READERS,
    ("GET", "/api/v1/deliveries/{id}/"): READERS,
    ("GET", "/api/v1/invoices/"): READERS,
    ("GET", "/api/v1/invoices/{id}/"): READERS,
    ("GET", "/api/v1/expenditures/"): READERS,
    ("GET", "/api/v1/expenditures/{id}/"): READERS,
    ("POST", "/api/v1/expenditures/{id}/pay/"): ACCOUNTANT,
    ("POST", "/api/v1/invoices/{id}/notes/"): ACCOUNTANT,
    ("GET", "/api/v1/invoice-notes/"): READERS,
    ("GET", "/api/v1/invoice-notes/{id}/"): READERS,
    ("POST", "/api/v1/invoice-notes/{id}/settle/"): ACCOUNTANT,
}

DISTRICT_OPERATIONS: Operations = {}


def spend_drained(school: Any) -> int:
    """Drain the school's spend outbox into the district's spend lines as a worker would: the
    task, in the school's schema. Returns how many entries it drained."""
    result = spend_drain_task.apply(headers={"_schema_name": school.schema_name}, throw=True)
    return int(result.get())


def make_order(
    school: Any,
    contract: FrameworkContract | None = None,
    *,
    quantity: Decimal = Decimal("10"),
    delivered: Decimal | None = None,
    invoiced: bool = False,
) -> Order:
    """An order for `quantity` of the first item of `contract` (a new kitchen contract when none
    is given), placed today in `school`; delivered (that much accepted) and invoiced if asked;
    the school's spend outbox drained."""
    contract = contract or make_contract()
    item = contract.prices.order_by("pk").first()
    assert item is not None
    with tenant_context(school):
        order = order_place(
            contract=contract,
            due_on=timezone.localdate(),
            lines=[LineInput(item=item.item_id, quantity=quantity)],
            actor=SETUP,
        )
        line = order.lines.get()
        if delivered is not None:
            delivery_record(
                order=order,
                lines=[DeliveryLineInput(line=line.pk, quantity=delivered)],
                actor=SETUP,
            )
        if invoiced:
            invoice_record(
                order=order,
                number=f"FP{order.pk:08d}",
                issued_on=timezone.localdate(),
                lines=[
                    InvoiceLineInput(
                        line=line.pk, quantity=delivered or quantity, unit_price=line.unit_price
                    )
                ],
                actor=SETUP,
            )
        order.refresh_from_db()
    spend_drained(school)
    return order


def paid_invoice(school: Any) -> Invoice:
    """An invoice for 10 delivered, paid (by the system: whoever pays is not who recorded)."""
    order = make_order(school, delivered=Decimal("10"), invoiced=True)
    with tenant_context(school):
        invoice = order.invoices.select_related("expenditure").get()
        expenditure_pay(
            expenditure=invoice.expenditure,
            paid_on=timezone.localdate(),
            reference=f"ZF-{invoice.pk}",
            actor=SETUP,
        )
    return invoice


def make_note(school: Any, *, recorded_by: Any = SETUP) -> InvoiceNote:
    """A credit note for 2 of the 10 on a paid invoice returned."""
    invoice = paid_invoice(school)
    with tenant_context(school):
        line = invoice.lines.get()
        return invoice_note_record(
            invoice=invoice,
            number=f"HZ{invoice.pk:08d}",
            issued_on=timezone.localdate(),
            reason="两箱鸡蛋付款后发现破损，退回供应商",
            lines=[NoteLineInput(invoice_line=line.pk, returned=Decimal("2"))],
            actor=recorded_by,
        )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    assert scene.school is not None
    school = scene.school
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    today = timezone.localdate()
    if path == "/api/v1/orders/" and method == "POST":
        contract = make_contract()
        price = contract.prices.get()
        body = {
            "contract": contract.pk,
            "due_on": today.isoformat(),
            "lines": [{"item": price.item_id, "quantity": "12.5"}],
        }
    elif path.startswith("/api/v1/orders/{id}/"):
        order = make_order(school, delivered=Decimal("10") if "invoices" in path else None)
        params["id"] = order.pk
        with tenant_context(school):
            line = order.lines.get()
        if path.endswith("/cancel/"):
            body = {"reason": "改由其他合同供货"}
        elif path.endswith("/deliveries/"):
            body = {
                "lines": [
                    {"line": line.pk, "quantity": "4", "rejected": "1", "rejection_reason": "破损"}
                ]
            }
        elif path.endswith("/invoices/"):
            body = {
                "number": f"FP-M{order.pk}-{n}",
                "issued_on": today.isoformat(),
                "lines": [{"line": line.pk, "quantity": "10", "unit_price": str(line.unit_price)}],
            }
    elif path.startswith("/api/v1/deliveries/{id}/"):
        order = make_order(school, delivered=Decimal("3"))
        with tenant_context(school):
            params["id"] = order.deliveries.get().pk
    elif path == "/api/v1/invoices/{id}/notes/":
        invoice = paid_invoice(school)
        params["id"] = invoice.pk
        with tenant_context(school):
            invoice_line = invoice.lines.get()
        body = {
            "number": f"HZ-M{invoice.pk}-{n}",
            "issued_on": today.isoformat(),
            "reason": "合同调价，按新价结算",
            "lines": [
                {"invoice_line": invoice_line.pk, "unit_price": str(invoice_line.unit_price - 1)}
            ],
        }
    elif path.startswith("/api/v1/invoice-notes/{id}/"):
        params["id"] = make_note(school).pk
        if path.endswith("/settle/"):
            body = {"settled_on": today.isoformat(), "reference": f"TK-{n}"}
    elif path.startswith(("/api/v1/invoices/{id}/", "/api/v1/expenditures/{id}/")):
        order = make_order(school, delivered=Decimal("10"), invoiced=True)
        with tenant_context(school):
            invoice = order.invoices.get()
            params["id"] = invoice.pk if "invoices" in path else invoice.expenditure.pk
        if path.endswith("/pay/"):
            body = {"paid_on": today.isoformat(), "reference": f"ZF-{n}"}
    return params, body
