"""Placing an order (at the prices of a framework contract in force, or outside any contract with
a reason) and cancelling it before anything of it was accepted.

Each order line is mirrored in the district's `procurement.SpendLine` through the school's spend
outbox (`tenant_apps.orders.outbox`), so the district's views never visit a school's
schema and the school's transaction writes only its own schema.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    Supplier,
)
from tenant_apps.orders.amounts import line_amount
from tenant_apps.orders.models import Order, OrderLine
from tenant_apps.orders.outbox import spend_outbox_add
from tenant_apps.orders.services._common import (
    ZERO,
    LineProblems,
    lines_given,
)
from tenant_apps.orders.tasks import spend_drain_on_commit


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
    contract: FrameworkContract, lines: Sequence[LineInput], problems: LineProblems
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


def _outside_lines(lines: Sequence[LineInput], problems: LineProblems) -> list[OrderLine]:
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


def _check_amounts(lines: Sequence[LineInput], problems: LineProblems) -> None:
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            problems.add(index, "quantity", _("a quantity above 0."))
        if line.unit_price is not None and line.unit_price <= 0:
            problems.add(index, "unit_price", _("a price above 0."))


@service
def order_place(
    *,
    due_on: date,
    lines: Sequence[LineInput],
    actor: Actor,
    contract: FrameworkContract | None = None,
    supplier: Supplier | None = None,
    outside_contract_reason: str = "",
    note: str = "",
    today: date | None = None,
) -> Order:
    """Place an order with a supplier: at the prices of one framework contract in force today,
    or outside any contract (every line then flagged, with the reason the district sees)."""
    today = today or timezone.localdate()
    lines_given(lines)
    if due_on < today:
        message = _("The due date is before today.")
        raise InvalidInput(message, fields={"due_on": [message]})
    reason = (outside_contract_reason or "").strip()
    problems = LineProblems(len(lines))
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
        placed_by=person(actor),
    )
    for line in made:
        line.order = order
    OrderLine.objects.bulk_create(made)
    spend_outbox_add([line.pk for line in made])
    spend_drain_on_commit()
    return order


@service
def order_cancel(*, order: Order, reason: str, actor: Actor) -> Order:
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
    locked.cancelled_by = person(actor)
    locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    spend_outbox_add(list(locked.lines.values_list("pk", flat=True)), removed=True)
    spend_drain_on_commit()
    return locked
