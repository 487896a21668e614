"""The catalogue of what schools buy (统一采购): its items, by category, with the market reference
price the district tracks."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money


class Category(models.TextChoices):
    FOOD = "food", _("food")
    KITCHEN = "kitchen", _("kitchen supplies")
    CLEANING = "cleaning", _("cleaning supplies")
    FURNITURE = "furniture", _("furniture")
    TEACHING = "teaching", _("teaching supplies")
    EQUIPMENT = "equipment", _("equipment")
    FUEL = "fuel", _("fuel")
    OTHER = "other", _("other")


class CatalogueItem(models.Model):
    """Something schools buy, with its unit and the market reference price the district tracks
    (savings and over-price signals are measured against it)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=16)
    specification = models.CharField(_("specification"), max_length=300, blank=True)
    reference_price = money(_("market reference price per unit"))
    reference_date = models.DateField(_("reference price as of"))
    # Grams of the food one unit holds, to price recipes by: needed where the unit is not a
    # weight (a box of milk, a litre of oil).
    grams_per_unit = models.DecimalField(
        _("grams per unit"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    # A food's composition, for items the canteen inspects on arrival.
    food = models.ForeignKey(
        "standards.Food", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference_price__gt=0), name="procurement_item_reference_positive"
            ),
            models.CheckConstraint(
                condition=Q(grams_per_unit__isnull=True) | Q(grams_per_unit__gt=0),
                name="procurement_item_grams_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
