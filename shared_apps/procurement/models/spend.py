"""The spend facts the district views read: each line of a school's orders, mirrored in the
public schema. A line names its school by foreign key to the tenant and carries the id of the
school's own row (never a foreign key into a school's schema). The lines are written from the
schools' outboxes (`shared_apps.procurement.services.spend`), never by a school's transaction."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.procurement.models.catalogue import CatalogueItem, Category
from shared_apps.procurement.models.contracts import FrameworkContract
from shared_apps.procurement.models.suppliers import Supplier


class SpendLine(models.Model):
    """One line of a school's order as the district reads it: what was bought, from whom, at what
    price against the contract and the market reference, and how it was delivered and invoiced.
    `order_line_id` is the id of the school's row; `source_version` the id of the school's
    outbox entry it was last written from (an older entry never overwrites it)."""

    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    order_line_id = models.BigIntegerField(_("the school's order line"))
    order_number = models.CharField(_("order number"), max_length=64)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    ordered_on = models.DateField(_("ordered on"))
    due_on = models.DateField(_("due on"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = money(_("unit price"))
    amount = money(_("amount"))
    reference_price = money(_("market reference price"), null=True, blank=True)
    # Ordered outside any framework contract: the school gave a reason; auditors see it.
    outside_contract_reason = models.TextField(
        _("reason for ordering outside a contract"), blank=True
    )
    delivered_quantity = models.DecimalField(
        _("delivered and accepted"), max_digits=14, decimal_places=3, default=0
    )
    delivered_on_time = models.BooleanField(_("delivered in full by the due date"), null=True)
    last_delivery_on = models.DateField(_("last delivery on"), null=True, blank=True)
    invoiced_amount = money(_("invoiced and matched"), default=0)
    source_version = models.BigIntegerField(_("the school's outbox entry written from"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["SpendLine"].as_manager()

    class Meta:
        verbose_name = _("spend line")
        verbose_name_plural = _("spend lines")
        ordering = ["-ordered_on", "school_id", "order_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "order_line_id"], name="procurement_spend_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(unit_price__gt=0)
                & Q(delivered_quantity__gte=0)
                & Q(delivered_quantity__lte=F("quantity")),
                name="procurement_spend_line_quantities",
            ),
            models.CheckConstraint(
                condition=Q(contract__isnull=False) | ~Q(outside_contract_reason=""),
                name="procurement_spend_line_outside_contract_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["ordered_on", "school"]),
            models.Index(fields=["supplier", "ordered_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.order_line_id} {self.amount}"
