"""Reads about a school's orders, in the school's schema."""

from django.db.models import Prefetch, QuerySet

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
    return Invoice.objects.select_related("order", "supplier", "expenditure").prefetch_related(
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
