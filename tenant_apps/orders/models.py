"""A school's orders with its suppliers, from placing to paying: the order and its lines (at a
framework contract's prices, or outside any contract with a reason), deliveries with the
quantities accepted and rejected (returned), the supplier's invoices matched three ways (order,
what was accepted, invoice), and the expenditure each matched invoice records.

The quantities that guard money are CHECK constraints on the order line (never more accepted
than ordered, never more invoiced than accepted), and every service that changes them locks the
order and its lines first. Each line is mirrored in the district's `procurement.SpendLine`
through the school's outbox (`SpendOutbox`): the change that moves a line writes its entry in the
same transaction, and a task drains the entries into the public schema.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money
from shared_apps.procurement.models import Category


def quantity_field(verbose_name: Any, **kwargs: Any) -> "models.DecimalField[Any, Any]":
    """A quantity in the line's unit, to three places (kilograms to the gram)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=3, **kwargs)


class Order(models.Model):
    """An order this school placed with a supplier: at one framework contract's prices, or
    outside any contract for a reason the district sees."""

    class Status(models.TextChoices):
        PLACED = "placed", _("placed")
        PARTLY_DELIVERED = "partly_delivered", _("partly delivered")
        DELIVERED = "delivered", _("delivered")
        INVOICED = "invoiced", _("invoiced")
        CLOSED = "closed", _("closed (paid)")
        CANCELLED = "cancelled", _("cancelled")

    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    contract = models.ForeignKey(
        "procurement.FrameworkContract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outside_contract_reason = models.TextField(
        _("reason for ordering outside a contract"), blank=True
    )
    ordered_on = models.DateField(_("ordered on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLACED
    )
    amount = money(_("amount"))
    note = models.TextField(_("note"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        permissions = [
            ("cancel_order", _("Can cancel an order before delivery")),
            ("deliver_order", _("Can record a delivery: accepted and rejected quantities")),
            ("invoice_order", _("Can record a supplier's invoice against an order")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("ordered_on")), name="orders_order_due_after_ordered"
            ),
            models.CheckConstraint(
                condition=Q(contract__isnull=False) | ~Q(outside_contract_reason=""),
                name="orders_order_outside_contract_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="orders_order_cancellation_has_reason",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_order_amount"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["supplier", "ordered_on"])]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The order's number as the school and its supplier quote it."""
        return f"PO{self.ordered_on:%Y%m}-{self.pk:06d}"


class OrderLine(models.Model):
    """One thing ordered: quantity and price, and how much of it was accepted and invoiced."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "procurement.CatalogueItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=16)
    quantity = quantity_field(_("quantity"))
    unit_price = money(_("unit price"))
    amount = money(_("amount"))
    # The catalogue's market reference price when the line was placed, if the item has one.
    reference_price = money(_("market reference price"), null=True, blank=True)
    delivered_quantity = quantity_field(_("delivered and accepted"), default=0)
    invoiced_quantity = quantity_field(_("invoiced"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gt=0) & Q(amount__gte=0),
                name="orders_line_positive",
            ),
            models.CheckConstraint(
                condition=Q(delivered_quantity__gte=0) & Q(delivered_quantity__lte=F("quantity")),
                name="orders_line_never_over_delivered",
            ),
            models.CheckConstraint(
                condition=Q(invoiced_quantity__gte=0)
                & Q(invoiced_quantity__lte=F("delivered_quantity")),
                name="orders_line_invoiced_within_accepted",
            ),
            models.UniqueConstraint(
                fields=["order", "item"],
                condition=Q(item__isnull=False),
                name="orders_line_item_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class Delivery(models.Model):
    """One arrival of goods for an order: what came, what was accepted, what was rejected and
    sent back; for food, the canteen's inbound inspection (进货查验) made with it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries")
    received_on = models.DateField(_("received on"))
    inspection = models.ForeignKey(
        "canteen.InboundInspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.received_on}"


class DeliveryLine(models.Model):
    """One order line in a delivery: the quantity that came and the part rejected (returned to
    the supplier, with the reason); the rest was accepted."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="deliveries")
    quantity = quantity_field(_("quantity received"))
    rejected_quantity = quantity_field(_("rejected and returned"), default=0)
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["delivery_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(rejected_quantity__gte=0)
                & Q(rejected_quantity__lte=F("quantity")),
                name="orders_delivery_line_quantities",
            ),
            models.CheckConstraint(
                condition=Q(rejected_quantity=0) | ~Q(rejection_reason=""),
                name="orders_delivery_line_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} +{self.quantity}"

    @property
    def accepted_quantity(self) -> Decimal:
        return self.quantity - self.rejected_quantity


class Invoice(models.Model):
    """A supplier's invoice (发票) for an order, matched line by line against the order's prices
    and the quantities accepted and not yet invoiced."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.CharField(_("invoice number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    amount = money(_("amount"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        permissions = [("note_invoice", _("Can record a credit or debit note on a paid invoice"))]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number"], name="orders_invoice_number_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_invoice_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """One line of an invoice, against one order line."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    quantity = quantity_field(_("quantity"))
    unit_price = money(_("unit price"))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gt=0),
                name="orders_invoice_line_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


class Expenditure(models.Model):
    """The school's expenditure a matched invoice records: owed to the supplier, then paid once."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("unpaid")
        PAID = "paid", _("paid")

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="expenditure")
    supplier = models.ForeignKey("procurement.Supplier", on_delete=models.PROTECT, related_name="+")
    spent_on = models.DateField(_("date"))
    amount = money(_("amount"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.UNPAID
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-id"]
        permissions = [("pay_expenditure", _("Can record the payment of an expenditure"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_expenditure_positive"),
            models.CheckConstraint(
                condition=(Q(status="unpaid") & Q(paid_on__isnull=True) & Q(payment_reference=""))
                | (Q(status="paid") & Q(paid_on__isnull=False) & ~Q(payment_reference="")),
                name="orders_expenditure_paid_with_date_and_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount} {self.status}"


class InvoiceNote(models.Model):
    """A credit or debit note (红字发票 / 补开发票) against a paid invoice: goods returned after
    it was paid, or a price changed, as the difference it makes (a credit note's is negative:
    the supplier owes the school), settled once by a payment either way."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("credit note")
        DEBIT = "debit", _("debit note")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SETTLED = "settled", _("settled")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="notes", db_index=False
    )
    number = models.CharField(_("note number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    issued_on = models.DateField(_("issued on"))
    reason = models.TextField(_("reason"))
    amount = money(_("amount (negative for a credit note)"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    settlement_reference = models.CharField(_("settlement reference"), max_length=100, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit or debit note")
        verbose_name_plural = _("credit and debit notes")
        ordering = ["-issued_on", "-id"]
        permissions = [("settle_invoicenote", _("Can record the settlement of a note"))]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "number"], name="orders_note_number_once"),
            models.CheckConstraint(
                condition=Q(kind="credit", amount__lt=0) | Q(kind="debit", amount__gt=0),
                name="orders_note_sign_of_kind",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="orders_note_has_reason"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(settled_on__isnull=True))
                | (Q(status="settled") & Q(settled_on__isnull=False) & ~Q(settlement_reference="")),
                name="orders_note_settled_with_date_and_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"


class InvoiceNoteLine(models.Model):
    """One invoice line in a note: the quantity returned (at the price in force) and the new
    unit price of what is kept, and the difference they make."""

    note = models.ForeignKey(InvoiceNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, related_name="note_lines"
    )
    returned_quantity = quantity_field(_("returned"), default=0)
    unit_price = money(_("unit price from now on"))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("note line")
        verbose_name_plural = _("note lines")
        ordering = ["note_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(unit_price__gt=0),
                name="orders_note_line_quantities",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_line_id} {self.amount}"


class SpendOutbox(models.Model):
    """What the district's spend line of one order line is to become, written in the same
    transaction as the school's change that moves it (an order placed or cancelled, a delivery,
    an invoice). `tenant_apps.orders.tasks.spend_drain_task` drains the entries, oldest first,
    into `procurement.SpendLine` in the public schema; the entry's id is the version the spend
    line keeps, so draining one twice changes nothing."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    # `procurement.services.spend.SpendFacts` as JSON; null when the line leaves the district's
    # spend (its order was cancelled).
    spend = models.JSONField(_("spend line"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    drained_at = models.DateTimeField(_("drained at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spend outbox entry")
        verbose_name_plural = _("spend outbox entries")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=Q(drained_at__isnull=True),
                name="orders_spend_outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id} #{self.pk}{'' if self.drained_at else ' (pending)'}"
