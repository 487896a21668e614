"""Recording deliveries: accepted and rejected quantities per order line, and for food the
canteen's inbound inspection (进货查验), made in the same transaction.

The order and then its lines are locked (`SELECT ... FOR UPDATE`) before the rule is checked; the
CHECK constraints on the lines are the last line of defence, turned into the same error. The
district's spend lines follow each delivery, through the school's spend outbox.
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
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.procurement.models import Category
from tenant_apps.canteen.models import InboundInspection
from tenant_apps.canteen.services.food_safety import inspection_record
from tenant_apps.orders.models import Delivery, DeliveryLine, Order, OrderLine
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
class DeliveryLineInput:
    """One order line in a delivery: the quantity received and the part rejected (with why)."""

    line: int
    quantity: Decimal
    rejected: Decimal = ZERO
    rejection_reason: str = ""


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
    actor: Actor,
) -> InboundInspection:
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


@service
def delivery_record(
    *,
    order: Order,
    lines: Sequence[DeliveryLineInput],
    actor: Actor,
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
    lines_given(lines)
    locked = locked_order(order, Order.Status.PLACED, Order.Status.PARTLY_DELIVERED)
    if not locked.ordered_on <= received_on <= today:
        message = _("A delivery is received between the order's date and today.")
        raise InvalidInput(message, fields={"received_on": [message]})
    order_lines = locked_lines(locked)
    problems = LineProblems(len(lines))
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
        received_by=person(actor),
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
    spend_outbox_add([given.line for given in lines])
    spend_drain_on_commit()
    locked.status = _status_after_delivery(list(order_lines.values()))
    locked.save(update_fields=["status"])
    return delivery
