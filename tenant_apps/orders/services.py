"""Writes about a school's orders, in the school's schema: placing an order, recording deliveries
(accepted and rejected quantities; for food, the canteen's inbound inspection), recording the
supplier's invoice matched three ways, and paying the expenditure it records.

Each service runs in one transaction. Services that change quantities lock the order, then its
lines (`SELECT ... FOR UPDATE`), check the rule and raise a clear error; the CHECK constraints on
the lines are the last line of defence, turned into the same error. Each order line is mirrored
in the district's `procurement.SpendLine` in the same transaction (the public schema is on the
search path), so the district's views never visit a school's schema.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import tenant_db
from houqin.duties import PAYMENT, ensure_separate
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    SpendLine,
    Supplier,
)
from tenant_apps.canteen.services import inspection_record
from tenant_apps.orders.models import (
    Delivery,
    DeliveryLine,
    Expenditure,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
)
from tenants.models import School

CENT = Decimal("0.01")
ZERO = Decimal(0)
MAX_LINES = 200


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, to the fen."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _school() -> School:
    """The school whose schema is in force (a task or command may have only its schema)."""
    db = tenant_db()
    if db.schema_name == "public":
        raise RuntimeError("orders live in a school's schema")
    if isinstance(db.tenant, School):
        return db.tenant
    return School.objects.get(schema_name=db.schema_name)


class _LineProblems:
    """Problems of the lines of a request, by line, in the shape the API gives for nested
    input: `fields["lines"]` lists one entry per line, empty for a line without problems."""

    def __init__(self, count: int) -> None:
        self.by_line: list[dict[str, list[str]]] = [{} for _line in range(count)]
        self.first: str | None = None

    def add(self, index: int, field: str, message: str) -> None:
        text = _("Line %(number)d: %(problem)s") % {"number": index + 1, "problem": message}
        self.by_line[index].setdefault(field, []).append(text)
        self.first = self.first or text

    def raise_if_any(self, error: type[InvalidInput | Conflict], code: str) -> None:
        if self.first is not None:
            raise error(self.first, code=code, fields={"lines": self.by_line})


def _lines_given(lines: Sequence[Any]) -> None:
    if not lines:
        raise InvalidInput(_("List at least one line."), fields={"lines": [_("Empty.")]})
    if len(lines) > MAX_LINES:
        message = _("At most %(max)d lines at once.") % {"max": MAX_LINES}
        raise InvalidInput(message, fields={"lines": [message]})


# Placing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One line as ordered. Under a contract: the item and quantity (a price, if sent, must be
    the contract's). Outside any contract: description, category, unit, unit price and quantity;
    an item of the catalogue may be named too, for its reference price."""

    quantity: Decimal
    item: int | None = None
    unit_price: Decimal | None = None
    description: str = ""
    category: str = ""
    unit: str = ""


def _contract_lines(
    contract: FrameworkContract, lines: Sequence[LineInput], problems: _LineProblems
) -> list[OrderLine]:
    prices = {
        p.item_id: p for p in ContractPrice.objects.filter(contract=contract).select_related("item")
    }
    made: list[OrderLine] = []
    seen: set[int] = set()
    for index, line in enumerate(lines):
        price = prices.get(line.item) if line.item is not None else None
        if line.description or line.category or line.unit:
            problems.add(
                index,
                "description",
                _("a line under a contract takes the item's description, category and unit."),
            )
        if line.item is None:
            problems.add(index, "item", _("name the item of the contract."))
            continue
        if price is None:
            problems.add(index, "item", _("this item is not in the contract."))
            continue
        if line.item in seen:
            problems.add(index, "item", _("this item is listed twice."))
            continue
        seen.add(line.item)
        if line.unit_price is not None and line.unit_price != price.unit_price:
            problems.add(
                index,
                "unit_price",
                _("the contract's price is %(price)s CNY, not %(sent)s.")
                % {"price": price.unit_price, "sent": line.unit_price},
            )
            continue
        made.append(
            OrderLine(
                item=price.item,
                description=price.item.name,
                category=price.item.category,
                unit=price.item.unit,
                quantity=line.quantity,
                unit_price=price.unit_price,
                amount=line_amount(line.quantity, price.unit_price),
                reference_price=price.item.reference_price,
            )
        )
    return made


def _outside_lines(lines: Sequence[LineInput], problems: _LineProblems) -> list[OrderLine]:
    items = CatalogueItem.objects.in_bulk([line.item for line in lines if line.item is not None])
    made: list[OrderLine] = []
    for index, line in enumerate(lines):
        item = items.get(line.item) if line.item is not None else None
        if line.item is not None and item is None:
            problems.add(index, "item", _("no such item in the catalogue."))
            continue
        description = (line.description or (item.name if item else "")).strip()
        category = line.category or (item.category if item else "")
        unit = (line.unit or (item.unit if item else "")).strip()
        missing = [
            field
            for field, value in (
                ("description", description),
                ("category", category),
                ("unit", unit),
                ("unit_price", line.unit_price),
            )
            if not value
        ]
        for field in missing:
            problems.add(index, field, _("required for a line outside any contract."))
        if category and category not in Category.values:
            problems.add(index, "category", _("unknown category."))
        if missing or line.unit_price is None or category not in Category.values:
            continue
        made.append(
            OrderLine(
                item=item,
                description=description,
                category=category,
                unit=unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line_amount(line.quantity, line.unit_price),
                reference_price=item.reference_price if item else None,
            )
        )
    return made


def _check_amounts(lines: Sequence[LineInput], problems: _LineProblems) -> None:
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            problems.add(index, "quantity", _("a quantity above 0."))
        if line.unit_price is not None and line.unit_price <= 0:
            problems.add(index, "unit_price", _("a price above 0."))


@transaction.atomic
def order_place(
    *,
    due_on: date,
    lines: Sequence[LineInput],
    actor: Any,
    contract: FrameworkContract | None = None,
    supplier: Supplier | None = None,
    outside_contract_reason: str = "",
    note: str = "",
    today: date | None = None,
) -> Order:
    """Place an order with a supplier: at the prices of one framework contract in force today,
    or outside any contract (every line then flagged, with the reason the district sees)."""
    school = _school()
    today = today or timezone.localdate()
    _lines_given(lines)
    if due_on < today:
        message = _("The due date is before today.")
        raise InvalidInput(message, fields={"due_on": [message]})
    reason = (outside_contract_reason or "").strip()
    problems = _LineProblems(len(lines))
    _check_amounts(lines, problems)
    if contract is not None:
        in_force = (
            contract.status == FrameworkContract.Status.ACTIVE
            and contract.valid_from <= today <= contract.valid_to
        )
        if not in_force:
            message = _(
                "The contract %(number)s is not in force today (%(status)s, %(from)s to %(to)s)."
            ) % {
                "number": contract.number,
                "status": contract.get_status_display(),
                "from": contract.valid_from,
                "to": contract.valid_to,
            }
            raise InvalidInput(
                message, code="contract_not_in_force", fields={"contract": [message]}
            )
        if supplier is not None and supplier.pk != contract.supplier_id:
            message = _("The contract is with another supplier.")
            raise InvalidInput(message, fields={"supplier": [message]})
        if reason:
            message = _("A reason is given only for an order outside any contract.")
            raise InvalidInput(message, fields={"outside_contract_reason": [message]})
        supplier = contract.supplier
        made = _contract_lines(contract, lines, problems)
    else:
        if supplier is None:
            message = _("Name the contract, or the supplier for an order outside any contract.")
            raise InvalidInput(message, fields={"supplier": [message]})
        if not reason:
            message = _("An order outside any framework contract needs a reason.")
            raise InvalidInput(
                message, code="reason_required", fields={"outside_contract_reason": [message]}
            )
        made = _outside_lines(lines, problems)
    problems.raise_if_any(InvalidInput, "invalid_lines")
    order = Order.objects.create(
        supplier=supplier,
        contract=contract,
        outside_contract_reason="" if contract else reason,
        ordered_on=today,
        due_on=due_on,
        amount=sum((line.amount for line in made), ZERO),
        note=(note or "").strip(),
        placed_by=_user(actor),
    )
    for line in made:
        line.order = order
    OrderLine.objects.bulk_create(made)
    SpendLine.objects.bulk_create(
        SpendLine(
            school=school,
            order_line_id=line.pk,
            order_number=order.number,
            supplier=supplier,
            contract=contract,
            item=line.item,
            description=line.description,
            category=line.category,
            ordered_on=order.ordered_on,
            due_on=order.due_on,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            reference_price=line.reference_price,
            outside_contract_reason=order.outside_contract_reason,
        )
        for line in made
    )
    return order


@transaction.atomic
def order_cancel(*, order: Order, reason: str, actor: Any) -> Order:
    """Cancel an order before anything of it was accepted; it leaves the district's spend."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason."), fields={"reason": [_("This field is required.")]})
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != Order.Status.PLACED:
        raise Conflict(
            _(
                "The order is %(status)s: only an order nothing of which was delivered can be "
                "cancelled."
            )
            % {"status": locked.get_status_display()},
            code=f"order_{locked.status}",
        )
    locked.status = Order.Status.CANCELLED
    locked.cancel_reason = reason
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = _user(actor)
    locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    SpendLine.objects.filter(
        school=_school(), order_line_id__in=locked.lines.values_list("pk", flat=True)
    ).delete()
    return locked


# Deliveries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryLineInput:
    """One order line in a delivery: the quantity received and the part rejected (with why)."""

    line: int
    quantity: Decimal
    rejected: Decimal = ZERO
    rejection_reason: str = ""


def _locked_order(order: Order, *allowed: str) -> Order:
    locked = Order.objects.select_for_update().select_related("supplier").get(pk=order.pk)
    if locked.status not in allowed:
        raise Conflict(
            _("The order is %(status)s.") % {"status": locked.get_status_display()},
            code=f"order_{locked.status}",
        )
    return locked


def _locked_lines(order: Order) -> dict[int, OrderLine]:
    return {
        line.pk: line
        for line in OrderLine.objects.select_for_update().filter(order=order).order_by("pk")
    }


def _status_after_delivery(lines: Sequence[OrderLine]) -> str:
    if all(line.delivered_quantity == line.quantity for line in lines):
        return Order.Status.DELIVERED
    if any(line.delivered_quantity > 0 for line in lines):
        return Order.Status.PARTLY_DELIVERED
    return Order.Status.PLACED


def _inspection(
    order: Order,
    food: list[tuple[OrderLine, DeliveryLineInput]],
    *,
    received_on: date,
    batch: str,
    certificates: Sequence[str],
    shelf_life_until: date | None,
    actor: Any,
) -> Any:
    """The canteen's inbound inspection (进货查验) of the food lines of a delivery."""
    missing = [
        field
        for field, value in (
            ("batch", (batch or "").strip()),
            ("certificates", [c for c in certificates if c.strip()]),
            ("shelf_life_until", shelf_life_until),
        )
        if not value
    ]
    if missing or shelf_life_until is None:
        message = _(
            "A delivery of food is inspected: give the batch, the certificates seen and "
            "the shelf life."
        )
        raise InvalidInput(
            message, code="inspection_required", fields={f: [message] for f in missing}
        )
    rejected = [
        f"{line.description}: {given.rejected} {line.unit} ({given.rejection_reason})"
        for line, given in food
        if given.rejected
    ]
    return inspection_record(
        supplier_name=order.supplier.name,
        batch=batch,
        received_on=received_on,
        shelf_life_until=shelf_life_until,
        certificates=[c.strip() for c in certificates if c.strip()],
        lines=[
            {
                "item": line.description,
                "quantity": str(given.quantity),
                "accepted": str(given.quantity - given.rejected),
                "rejected": str(given.rejected),
                "unit": line.unit,
            }
            for line, given in food
        ],
        accepted=any(given.quantity > given.rejected for _line, given in food),
        note="; ".join(rejected),
        actor=actor,
    )


@transaction.atomic
def delivery_record(
    *,
    order: Order,
    lines: Sequence[DeliveryLineInput],
    actor: Any,
    received_on: date | None = None,
    batch: str = "",
    certificates: Sequence[str] = (),
    shelf_life_until: date | None = None,
    note: str = "",
) -> Delivery:
    """Record a delivery: per order line the quantity received and the part rejected (returned,
    with the reason). What is accepted never exceeds what was ordered less what was accepted
    before. Food lines are inspected on arrival: the canteen's inbound inspection is made in the
    same transaction and the delivery keeps it."""
    today = timezone.localdate()
    received_on = received_on or today
    _lines_given(lines)
    locked = _locked_order(order, Order.Status.PLACED, Order.Status.PARTLY_DELIVERED)
    if not locked.ordered_on <= received_on <= today:
        message = _("A delivery is received between the order's date and today.")
        raise InvalidInput(message, fields={"received_on": [message]})
    order_lines = _locked_lines(locked)
    problems = _LineProblems(len(lines))
    seen: set[int] = set()
    for index, given in enumerate(lines):
        line = order_lines.get(given.line)
        if line is None:
            problems.add(index, "line", _("not a line of this order."))
        elif given.line in seen:
            problems.add(index, "line", _("listed twice."))
        elif given.quantity <= 0:
            problems.add(index, "quantity", _("a quantity above 0."))
        elif not ZERO <= given.rejected <= given.quantity:
            problems.add(index, "rejected", _("from 0 to the quantity received."))
        elif given.rejected and not given.rejection_reason.strip():
            problems.add(index, "rejection_reason", _("say why it was rejected."))
        seen.add(given.line)
    problems.raise_if_any(InvalidInput, "invalid_lines")
    for index, given in enumerate(lines):
        line = order_lines[given.line]
        accepted = given.quantity - given.rejected
        left = line.quantity - line.delivered_quantity
        if accepted > left:
            problems.add(
                index,
                "quantity",
                _(
                    "%(accepted)s %(unit)s accepted, but only %(left)s of the %(ordered)s "
                    "ordered are still to come."
                )
                % {
                    "accepted": accepted,
                    "unit": line.unit,
                    "left": left,
                    "ordered": line.quantity,
                },
            )
    problems.raise_if_any(Conflict, "over_delivery")
    food = [
        (order_lines[given.line], given)
        for given in lines
        if order_lines[given.line].category == Category.FOOD
    ]
    inspection = (
        _inspection(
            locked,
            food,
            received_on=received_on,
            batch=batch,
            certificates=certificates,
            shelf_life_until=shelf_life_until,
            actor=actor,
        )
        if food
        else None
    )
    delivery = Delivery.objects.create(
        order=locked,
        received_on=received_on,
        inspection=inspection,
        note=(note or "").strip(),
        received_by=_user(actor),
    )
    DeliveryLine.objects.bulk_create(
        DeliveryLine(
            delivery=delivery,
            line_id=given.line,
            quantity=given.quantity,
            rejected_quantity=given.rejected,
            rejection_reason=given.rejection_reason.strip(),
        )
        for given in lines
    )
    school = _school()
    for given in lines:
        line = order_lines[given.line]
        line.delivered_quantity += given.quantity - given.rejected
        try:
            with transaction.atomic():
                OrderLine.objects.filter(pk=line.pk).update(
                    delivered_quantity=F("delivered_quantity") + (given.quantity - given.rejected)
                )
        except IntegrityError:
            raise Conflict(
                _("More would be accepted than was ordered."), code="over_delivery"
            ) from None
        spend = SpendLine.objects.get(school=school, order_line_id=line.pk)
        last = max(received_on, spend.last_delivery_on or received_on)
        complete = line.delivered_quantity == line.quantity
        spend.delivered_quantity = line.delivered_quantity
        spend.last_delivery_on = last
        # Decided once complete; already late when a delivery comes after the due date short.
        spend.delivered_on_time = (
            last <= locked.due_on if complete else (False if last > locked.due_on else None)
        )
        spend.save(update_fields=["delivered_quantity", "last_delivery_on", "delivered_on_time"])
    locked.status = _status_after_delivery(list(order_lines.values()))
    locked.save(update_fields=["status"])
    return delivery


# Invoices and expenditure -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLineInput:
    """One line of a supplier's invoice, against one order line."""

    line: int
    quantity: Decimal
    unit_price: Decimal


@transaction.atomic
def invoice_record(
    *,
    order: Order,
    number: str,
    issued_on: date,
    lines: Sequence[InvoiceLineInput],
    actor: Any,
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
    _lines_given(lines)
    locked = _locked_order(
        order,
        Order.Status.PLACED,
        Order.Status.PARTLY_DELIVERED,
        Order.Status.DELIVERED,
    )
    order_lines = _locked_lines(locked)
    problems = _LineProblems(len(lines))
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
                recorded_by=_user(actor),
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
    school = _school()
    for given in lines:
        line = order_lines[given.line]
        line.invoiced_quantity += given.quantity
        OrderLine.objects.filter(pk=line.pk).update(
            invoiced_quantity=F("invoiced_quantity") + given.quantity
        )
        SpendLine.objects.filter(school=school, order_line_id=line.pk).update(
            invoiced_amount=F("invoiced_amount") + line_amount(given.quantity, given.unit_price)
        )
    Expenditure.objects.create(
        invoice=invoice, supplier_id=locked.supplier_id, spent_on=issued_on, amount=total
    )
    if locked.status == Order.Status.DELIVERED and all(
        line.invoiced_quantity == line.quantity for line in order_lines.values()
    ):
        locked.status = Order.Status.INVOICED
        locked.save(update_fields=["status"])
    return invoice


@transaction.atomic
def expenditure_pay(
    *, expenditure: Expenditure, paid_on: date, reference: str, actor: Any
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
    locked.paid_by = _user(actor)
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
