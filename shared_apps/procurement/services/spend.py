"""The district's spend lines, written from the schools' outboxes.

A school's order, delivery, invoice or cancellation does not write here: it leaves an entry in
its own schema's outbox (`tenant_apps.orders`, `SpendOutbox`) in its own transaction, and a task
drains the entries, in order, through `spend_record`, in the public schema. An entry says what
the spend line of one order line is to become (`SpendFacts`), or that the line leaves the
district's spend; the line keeps the id of the entry it was last written from, so an entry
applied twice, or after a later one, changes nothing.
"""

from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from houqin.door import Actor, service
from shared_apps.procurement.models import SpendLine
from tenants.models import School

_DATES = frozenset({"ordered_on", "due_on", "last_delivery_on"})
_DECIMALS = frozenset(
    {"quantity", "unit_price", "amount", "reference_price", "delivered_quantity", "invoiced_amount"}
)


@dataclass(frozen=True)
class SpendFacts:
    """One order line as the district reads it: the fields of its `SpendLine`."""

    order_number: str
    supplier_id: int
    contract_id: int | None
    item_id: int | None
    description: str
    category: str
    ordered_on: date
    due_on: date
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    reference_price: Decimal | None
    outside_contract_reason: str
    delivered_quantity: Decimal
    delivered_on_time: bool | None
    last_delivery_on: date | None
    invoiced_amount: Decimal

    def as_json(self) -> dict[str, Any]:
        """The facts as JSON values: dates in ISO form, amounts and quantities as strings."""
        values = asdict(self)
        return {
            name: value if value is None or name not in _DATES | _DECIMALS else str(value)
            for name, value in values.items()
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SpendFacts":
        def parsed(name: str) -> object:
            value = data[name]
            if value is None:
                return None
            if name in _DATES:
                return date.fromisoformat(value)
            if name in _DECIMALS:
                return Decimal(value)
            return value

        values: dict[str, Any] = {field.name: parsed(field.name) for field in fields(cls)}
        return cls(**values)


def _locked(school: School, order_line_id: int) -> SpendLine | None:
    return (
        SpendLine.objects.for_school(school)
        .select_for_update()
        .filter(order_line_id=order_line_id)
        .first()
    )


@service
def spend_record(
    *,
    school: School,
    order_line_id: int,
    version: int,
    facts: SpendFacts | None,
    actor: Actor,
) -> bool:
    """Make the spend line of the school's order line `order_line_id` what `facts` say (None:
    the line leaves the district's spend), as of the school's outbox entry `version`. An entry
    no later than the one the line was last written from changes nothing, so a drain run twice
    never doubles or rolls back a line; (school, order line) is unique, so two drains at once
    write one line. Returns whether anything changed."""
    line = _locked(school, order_line_id)
    if line is not None and line.source_version >= version:
        return False
    if facts is None:
        if line is None:
            return False
        line.delete()
        return True
    values = {**asdict(facts), "source_version": version}
    if line is None:
        try:
            with transaction.atomic():
                SpendLine.objects.create(school=school, order_line_id=order_line_id, **values)
            return True
        except IntegrityError:
            # Another drain wrote the line first (or the facts break a CHECK: then it is not
            # there, and the error stands).
            line = _locked(school, order_line_id)
            if line is None:
                raise
            if line.source_version >= version:
                return False
    for name, value in values.items():
        setattr(line, name, value)
    line.save()
    return True
