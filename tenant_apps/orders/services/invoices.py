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
from houqin.duties import NOTE_SETTLEMENT, PAYMENT, ensure_separate
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.orders.amounts import line_amount
from tenant_apps.orders.models import (
    Expenditure,
    Invoice,
    InvoiceLine,
    InvoiceNote,
    InvoiceNoteLine,
    Order,
    OrderLine,
)
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


@dataclass(frozen=True)
class NoteLineInput:
    """One invoice line in a credit or debit note: the quantity returned since the invoice was
    paid (at the price in force), and the unit price of what is kept from now on (None: the
    price in force stays)."""

    invoice_line: int
    returned: Decimal = ZERO
    unit_price: Decimal | None = None


def _held(line: InvoiceLine) -> tuple[Decimal, Decimal]:
    """The quantity of an invoice line still kept and its price in force, after its notes."""
    notes = list(line.note_lines.order_by("pk"))
    kept = line.quantity - sum((n.returned_quantity for n in notes), ZERO)
    return kept, notes[-1].unit_price if notes else line.unit_price


@service
def invoice_note_record(
    *,
    invoice: Invoice,
    number: str,
    issued_on: date,
    reason: str,
    lines: Sequence[NoteLineInput],
    actor: Actor,
) -> InvoiceNote:
    """A later delivery change (goods returned) or price change on a paid invoice, as a credit
    note (the supplier owes the school the difference) or a debit note (the school owes it),
    never an edit of the paid invoice. A return takes the quantity off what the order line
    counts as accepted and invoiced; the district's spend lines follow."""
    number, reason = (number or "").strip(), (reason or "").strip()
    for field, value in (("number", number), ("reason", reason)):
        if not value:
            raise InvalidInput(
                _("This field is required."), fields={field: [_("This field is required.")]}
            )
    if not invoice.issued_on <= issued_on <= timezone.localdate():
        message = _("A note is issued between the invoice's date and today.")
        raise InvalidInput(message, fields={"issued_on": [message]})
    lines_given(lines)
    order = locked_order(invoice.order, *[s for s in Order.Status.values if s != "cancelled"])
    # The order's lines are locked before a return takes quantities off them.
    locked_lines(order)
    expenditure = Expenditure.objects.select_for_update().get(invoice=invoice)
    if expenditure.status != Expenditure.Status.PAID:
        raise Conflict(
            _("The invoice %(number)s is not paid yet: notes correct a paid invoice.")
            % {"number": invoice.number},
            code="invoice_not_paid",
        )
    invoice_lines = {
        line.pk: line
        for line in InvoiceLine.objects.select_for_update().filter(invoice=invoice).order_by("pk")
    }
    problems = LineProblems(len(lines))
    changes: list[tuple[InvoiceLine, Decimal, Decimal, Decimal]] = []
    seen: set[int] = set()
    for index, given in enumerate(lines):
        line = invoice_lines.get(given.invoice_line)
        if line is None or given.invoice_line in seen:
            problems.add(index, "invoice_line", _("not a line of this invoice, or listed twice."))
            continue
        seen.add(given.invoice_line)
        kept, price = _held(line)
        new_price = price if given.unit_price is None else given.unit_price
        if not ZERO <= given.returned <= kept:
            problems.add(index, "returned", _("from 0 to the %(kept)s kept.") % {"kept": kept})
        elif new_price <= 0:
            problems.add(index, "unit_price", _("a price above 0."))
        elif given.returned == 0 and new_price == price:
            problems.add(index, "returned", _("nothing returned and the price unchanged."))
        else:
            amount = line_amount(kept - given.returned, new_price) - line_amount(kept, price)
            changes.append((line, given.returned, new_price, amount))
    problems.raise_if_any(InvalidInput, "invalid_note")
    total = sum((amount for *_rest, amount in changes), ZERO)
    if total == 0:
        message = _("The note changes nothing in money.")
        raise InvalidInput(message, code="nothing_to_note", fields={"lines": [message]})
    try:
        with transaction.atomic():
            note = InvoiceNote.objects.create(
                invoice=invoice,
                number=number,
                kind=InvoiceNote.Kind.DEBIT if total > 0 else InvoiceNote.Kind.CREDIT,
                issued_on=issued_on,
                reason=reason,
                amount=total,
                recorded_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("This invoice already has a note %(number)s.") % {"number": number},
            code="duplicate_note",
            fields={"number": [_("Already recorded.")]},
        ) from None
    InvoiceNoteLine.objects.bulk_create(
        InvoiceNoteLine(
            note=note, invoice_line=line, returned_quantity=returned, unit_price=price, amount=amt
        )
        for line, returned, price, amt in changes
    )
    for line, returned, _price, _amount in changes:
        if returned:
            OrderLine.objects.filter(pk=line.line_id).update(
                delivered_quantity=F("delivered_quantity") - returned,
                invoiced_quantity=F("invoiced_quantity") - returned,
            )
    spend_outbox_add(sorted({line.line_id for line, *_rest in changes}))
    spend_drain_on_commit()
    return note


@service
def invoice_note_settle(
    *, note: InvoiceNote, settled_on: date, reference: str, actor: Actor
) -> InvoiceNote:
    """Record that a note was settled: a debit note paid to the supplier, a credit note's money
    received back (or set off). Once; not by whoever recorded the note."""
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("A settlement needs its reference."),
            fields={"reference": [_("This field is required.")]},
        )
    locked = InvoiceNote.objects.select_for_update().get(pk=note.pk)
    if locked.status == InvoiceNote.Status.SETTLED:
        raise Conflict(
            _("This note was settled on %(date)s (%(reference)s).")
            % {"date": locked.settled_on, "reference": locked.settlement_reference},
            code="already_settled",
        )
    ensure_separate(NOTE_SETTLEMENT, record=locked, actor=actor)
    if not locked.issued_on <= settled_on <= timezone.localdate():
        message = _("A note is settled between its date and today.")
        raise InvalidInput(message, fields={"settled_on": [message]})
    locked.status = InvoiceNote.Status.SETTLED
    locked.settled_on = settled_on
    locked.settlement_reference = reference
    locked.settled_by = person(actor)
    locked.save(update_fields=["status", "settled_on", "settlement_reference", "settled_by"])
    return locked
