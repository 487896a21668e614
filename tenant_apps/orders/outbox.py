"""The school's side of the district's spend lines: an outbox in the school's schema.

A change that moves an order line (placed, cancelled, delivered, invoiced) adds an entry for
each line it moved, in its own transaction, with the line's spend facts as the school's rows
give them then; it writes nothing in the public schema. `spend_outbox_drain` (the task
`tenant_apps.orders.tasks.spend_drain_task`, queued on commit and swept periodically) applies
the entries, oldest first, through procurement's `spend_record` in the public schema, and marks
each drained. The two writes are separate transactions (under Citus they are on different
nodes): an entry applied but not yet marked is applied again, which changes nothing.
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.door import Actor, service
from shared_apps.procurement.services.spend import SpendFacts, spend_record
from tenant_apps.orders.models import (
    DeliveryLine,
    InvoiceLine,
    InvoiceNoteLine,
    OrderLine,
    SpendOutbox,
)
from tenant_apps.orders.selectors import spend_outbox_pending
from tenants.selectors import current_school

BATCH = 200
ZERO = Decimal(0)


def _facts(line: OrderLine, last: date | None, invoiced_amount: Decimal) -> SpendFacts:
    """The line's spend facts; `last` is the day of its last delivery, `invoiced_amount` the
    sum of its invoice lines."""
    order = line.order
    due_on = order.due_on
    on_time: bool | None = None
    if last is not None:
        # Decided once complete; already late when a delivery comes after the due date short.
        complete = line.delivered_quantity == line.quantity
        on_time = last <= due_on if complete else (False if last > due_on else None)
    return SpendFacts(
        order_number=order.number,
        supplier_id=order.supplier_id,
        contract_id=order.contract_id,
        item_id=line.item_id,
        description=line.description,
        category=line.category,
        ordered_on=order.ordered_on,
        due_on=due_on,
        quantity=line.quantity,
        unit_price=line.unit_price,
        amount=line.amount,
        reference_price=line.reference_price,
        outside_contract_reason=order.outside_contract_reason,
        delivered_quantity=line.delivered_quantity,
        delivered_on_time=on_time,
        last_delivery_on=last,
        invoiced_amount=invoiced_amount,
    )


def spend_outbox_add(line_ids: Collection[int], *, removed: bool = False) -> None:
    """Add an outbox entry for each order line in `line_ids` (inside the caller's transaction):
    its spend facts as the school's rows now give them (the last delivery, what was invoiced),
    or, `removed`, that it leaves the district's spend. Two queries."""
    if removed:
        SpendOutbox.objects.bulk_create(SpendOutbox(line_id=pk, spend=None) for pk in line_ids)
        return
    last_delivery = (
        DeliveryLine.objects.filter(line=OuterRef("pk"))
        .values("line")
        .annotate(last=Max("delivery__received_on"))
        .values("last")
    )
    invoiced = (
        InvoiceLine.objects.filter(line=OuterRef("pk"))
        .values("line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    # Credit and debit notes against the line's paid invoices change what it cost.
    noted = (
        InvoiceNoteLine.objects.filter(invoice_line__line=OuterRef("pk"))
        .values("invoice_line__line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    lines = (
        OrderLine.objects.filter(pk__in=line_ids)
        .select_related("order")
        .annotate(
            last_delivery_on=Subquery(last_delivery),
            invoiced_amount=Coalesce(Subquery(invoiced), Value(ZERO), output_field=money)
            + Coalesce(Subquery(noted), Value(ZERO), output_field=money),
        )
        .order_by("pk")
    )
    SpendOutbox.objects.bulk_create(
        SpendOutbox(
            line_id=line.pk,
            spend=_facts(line, line.last_delivery_on, line.invoiced_amount).as_json(),
        )
        for line in lines
    )


@contextmanager
def _draining(schema_name: str) -> Iterator[bool]:
    """One drain per school at a time (a session-level advisory lock, held across the drain's
    transactions): yields whether this one holds it."""
    key = f"orders.spend_drain.{schema_name}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


@service
def spend_outbox_drained(*, entry: SpendOutbox, actor: Actor) -> None:
    """Mark an entry drained (its spend line was written)."""
    SpendOutbox.objects.filter(pk=entry.pk).update(drained_at=timezone.now())


def spend_outbox_drain(*, actor: Actor) -> int | None:
    """Apply this school's pending entries to the district's spend lines, oldest first, each
    through procurement's `spend_record` in the public schema, then mark it drained. Not one
    transaction (see the module). Returns how many entries were drained; None when another
    drain of this school is running."""
    school = current_school()
    drained = 0
    with _draining(school.schema_name) as held:
        if not held:
            return None
        while True:
            entries = list(spend_outbox_pending()[:BATCH])
            if not entries:
                return drained
            for entry in entries:
                facts = None if entry.spend is None else SpendFacts.from_json(entry.spend)
                with schema_context("public"):
                    spend_record(
                        school=school,
                        order_line_id=entry.line_id,
                        version=entry.pk,
                        facts=facts,
                        actor=actor,
                    )
                spend_outbox_drained(entry=entry, actor=actor)
                drained += 1
