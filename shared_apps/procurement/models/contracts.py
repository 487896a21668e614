"""Framework contracts (框架协议): an award's price list with a validity, the only prices a
school can order at."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money
from shared_apps.procurement.models.catalogue import CatalogueItem, Category
from shared_apps.procurement.models.suppliers import Supplier


class FrameworkContract(models.Model):
    """An award's price list with a validity: the only prices a school can order at."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        TERMINATED = "terminated", _("terminated")

    number = models.CharField(_("number"), max_length=64, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("framework contract")
        verbose_name_plural = _("framework contracts")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="procurement_contract_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ContractPrice(models.Model):
    """One line of a contract's price list."""

    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.CASCADE, related_name="prices", db_index=False
    )
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    unit_price = money(_("unit price"))

    owner_field = "contract__supplier__users__user"

    class Meta:
        verbose_name = _("contract price")
        verbose_name_plural = _("contract prices")
        ordering = ["contract_id", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "item"], name="procurement_contract_price_unique"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gt=0), name="procurement_contract_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.item_id} {self.unit_price}"
