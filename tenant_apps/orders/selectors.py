"""Reads about a school's orders, in the school's schema."""

from django.db.models import F, Prefetch, QuerySet

from tenant_apps.orders.models import (
    Delivery,
    DeliveryLine,
    Expenditure,
    Invoice,
    InvoiceLine,
    InvoiceNote,
    InvoiceNoteLine,
    Order,
    OrderLine,
    SpendOutbox,
)


def order_list() -> QuerySet[Order]:
    """Orders with their supplier, contract and lines."""
    return Order.objects.select_related("supplier", "contract", "placed_by").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("item").order_by("pk"))
    )


def delivery_list() -> QuerySet[Delivery]:
    """Deliveries with their lines (accepted and rejected quantities)."""
    return Delivery.objects.select_related("order", "received_by").prefetch_related(
        Prefetch("lines", queryset=DeliveryLine.objects.select_related("line").order_by("pk"))
    )


def invoice_list() -> QuerySet[Invoice]:
    """Invoices with their lines, the expenditure each records and their notes."""
    return Invoice.objects.select_related(
        "order", "supplier", "expenditure__supplier", "expenditure__paid_by"
    ).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("line").order_by("pk")),
        Prefetch("notes", queryset=invoice_note_list().order_by("pk")),
    )


def invoice_note_list() -> QuerySet[InvoiceNote]:
    """Credit and debit notes with their lines."""
    return InvoiceNote.objects.select_related(
        "invoice", "recorded_by", "settled_by"
    ).prefetch_related(Prefetch("lines", queryset=InvoiceNoteLine.objects.order_by("pk")))


def expenditure_list() -> QuerySet[Expenditure]:
    return Expenditure.objects.select_related("invoice", "supplier", "paid_by")


def spend_outbox_pending() -> QuerySet[SpendOutbox]:
    """The school's spend outbox entries not drained yet, oldest first (a partial index)."""
    return SpendOutbox.objects.filter(drained_at__isnull=True).order_by("pk")


def orders_awaiting_delivery() -> QuerySet[Order]:
    """Orders placed and not (wholly) delivered yet, the soonest due first."""
    return (
        order_list()
        .filter(status__in=[Order.Status.PLACED, Order.Status.PARTLY_DELIVERED])
        .order_by("due_on", "pk")
    )


def order_detail() -> QuerySet[Order]:
    """Orders with their lines, their deliveries' lines and their invoices' lines with the
    expenditure each records: an order's page in a fixed number of queries."""
    return order_list().prefetch_related(
        Prefetch("deliveries", queryset=delivery_list().order_by("received_on", "pk")),
        Prefetch("invoices", queryset=invoice_list().order_by("issued_on", "pk")),
    )


def orders_to_invoice() -> QuerySet[Order]:
    """Orders with goods accepted and not yet invoiced, the oldest first."""
    return (
        order_list()
        .filter(lines__delivered_quantity__gt=F("lines__invoiced_quantity"))
        .exclude(status=Order.Status.CANCELLED)
        .distinct()
        .order_by("ordered_on", "pk")
    )


def expenditures_unpaid() -> QuerySet[Expenditure]:
    """What the school owes its suppliers, the oldest first."""
    return (
        expenditure_list()
        .select_related("invoice__order")
        .filter(status=Expenditure.Status.UNPAID)
        .order_by("spent_on", "pk")
    )


def suppliers_ordered_from() -> list[tuple[int, str]]:
    """(id, name) of the suppliers this school placed an order with, by name."""
    return list(
        Order.objects.exclude(status=Order.Status.CANCELLED)
        .values_list("supplier_id", "supplier__name")
        .distinct()
        .order_by("supplier__name", "supplier_id")
    )
