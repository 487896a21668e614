"""Recording a supplier's invoice matched three ways (quantity accepted, price ordered, total),
and paying the expenditure it records.

The order and then its lines are locked (`SELECT ... FOR UPDATE`) before the invoice is matched;
the district's spend lines follow each invoice, through the school's spend outbox.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.duties import PAYMENT, ensure_separate
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.orders.amounts import line_amount
from tenant_apps.orders.models import Expenditure, Invoice, InvoiceLine, Order, OrderLine
from tenant_apps.orders.outbox import spend_outbox_add
from tenant_apps.orders.services._common import (
    ZERO,
    LineProblems,
    lines_given,
    locked_lines,
    locked_order,
)
from tenant_apps.orders.tasks import spend_drain_on_commit


@dataclass(frozen=True)
class InvoiceLineInput:
    """One line of a supplier's invoice, against one order line."""

    line: int
    quantity: Decimal
    unit_price: Decimal


@service
def invoice_record(
    *,
    order: Order,
    number: str,
    issued_on: date,
    lines: Sequence[InvoiceLineInput],
    actor: Actor,
    amount: Decimal | None = None,
) -> Invoice:
    """Record a supplier's invoice for an order, matched three ways: each line's quantity at
    most what was accepted and not yet invoiced, its price the order's; the amount is the sum
    of the lines (and must equal `amount` when the invoice's total is given). A mismatch names
    the line and saves nothing. A matched invoice records the school's expenditure."""
    number = (number or "").strip()
    if not number:
        raise InvalidInput(
            _("The invoice number is required."), fields={"number": [_("This field is required.")]}
        )
    if issued_on > timezone.localdate():
        message = _("An invoice cannot be issued in the future.")
        raise InvalidInput(message, fields={"issued_on": [message]})
    lines_given(lines)
    locked = locked_order(
        order,
        Order.Status.PLACED,
        Order.Status.PARTLY_DELIVERED,
        Order.Status.DELIVERED,
    )
    order_lines = locked_lines(locked)
    problems = LineProblems(len(lines))
    seen: set[int] = set()
    for index, given in enumerate(lines):
        line = order_lines.get(given.line)
        if line is None:
            problems.add(index, "line", _("not a line of this order."))
            continue
        if given.line in seen:
            problems.add(index, "line", _("listed twice."))
            continue
        seen.add(given.line)
        open_quantity = line.delivered_quantity - line.invoiced_quantity
        if not ZERO < given.quantity <= open_quantity:
            problems.add(
                index,
                "quantity",
                _(
                    "%(description)s: %(quantity)s %(unit)s invoiced, but %(open)s accepted and "
                    "not yet invoiced."
                )
                % {
                    "description": line.description,
                    "quantity": given.quantity,
                    "unit": line.unit,
                    "open": open_quantity,
                },
            )
        if given.unit_price != line.unit_price:
            problems.add(
                index,
                "unit_price",
                _("%(description)s: invoiced at %(invoiced)s CNY, ordered at %(ordered)s CNY.")
                % {
                    "description": line.description,
                    "invoiced": given.unit_price,
                    "ordered": line.unit_price,
                },
            )
    problems.raise_if_any(InvalidInput, "invoice_mismatch")
    total = sum((line_amount(g.quantity, g.unit_price) for g in lines), ZERO)
    if amount is not None and amount != total:
        message = _(
            "The invoice's total %(amount)s CNY is not the sum of its lines, %(total)s CNY."
        ) % {
            "amount": amount,
            "total": total,
        }
        raise InvalidInput(message, code="invoice_mismatch", fields={"amount": [message]})
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                order=locked,
                supplier_id=locked.supplier_id,
                number=number,
                issued_on=issued_on,
                amount=total,
                recorded_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("This supplier's invoice %(number)s is recorded already.") % {"number": number},
            code="duplicate_invoice",
            fields={"number": [_("Already recorded.")]},
        ) from None
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            line_id=g.line,
            quantity=g.quantity,
            unit_price=g.unit_price,
            amount=line_amount(g.quantity, g.unit_price),
        )
        for g in lines
    )
    for given in lines:
        line = order_lines[given.line]
        line.invoiced_quantity += given.quantity
        OrderLine.objects.filter(pk=line.pk).update(
            invoiced_quantity=F("invoiced_quantity") + given.quantity
        )
    spend_outbox_add([given.line for given in lines])
    spend_drain_on_commit()
    Expenditure.objects.create(
        invoice=invoice, supplier_id=locked.supplier_id, spent_on=issued_on, amount=total
    )
    if locked.status == Order.Status.DELIVERED and all(
        line.invoiced_quantity == line.quantity for line in order_lines.values()
    ):
        locked.status = Order.Status.INVOICED
        locked.save(update_fields=["status"])
    return invoice


@service
def expenditure_pay(
    *, expenditure: Expenditure, paid_on: date, reference: str, actor: Actor
) -> Expenditure:
    """Record that the school paid an expenditure: once. An invoiced order whose expenditures
    are all paid is closed."""
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("A payment needs its reference."),
            fields={"reference": [_("This field is required.")]},
        )
    locked = (
        Expenditure.objects.select_for_update().select_related("invoice").get(pk=expenditure.pk)
    )
    if locked.status == Expenditure.Status.PAID:
        raise Conflict(
            _("This expenditure was paid on %(date)s (%(reference)s).")
            % {"date": locked.paid_on, "reference": locked.payment_reference},
            code="already_paid",
        )
    ensure_separate(PAYMENT, record=locked, actor=actor)
    if not locked.spent_on <= paid_on <= timezone.localdate():
        message = _("A payment is made between the invoice's date and today.")
        raise InvalidInput(message, fields={"paid_on": [message]})
    locked.status = Expenditure.Status.PAID
    locked.paid_on = paid_on
    locked.payment_reference = reference
    locked.paid_by = person(actor)
    locked.paid_at = timezone.now()
    locked.save(update_fields=["status", "paid_on", "payment_reference", "paid_by", "paid_at"])
    order = Order.objects.select_for_update().get(pk=locked.invoice.order_id)
    unpaid = Expenditure.objects.filter(
        invoice__order=order, status=Expenditure.Status.UNPAID
    ).exists()
    if order.status == Order.Status.INVOICED and not unpaid:
        order.status = Order.Status.CLOSED
        order.save(update_fields=["status"])
    return locked
