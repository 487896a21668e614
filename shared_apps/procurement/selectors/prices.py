"""What a food costs: per kilogram as bought, from the framework contracts in force that sell
the catalogue item it is bought as, else from that item's market reference price; each price
with its source, so that a recipe's cost says where its figures come from."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from shared_apps.procurement.models import CatalogueItem, ContractPrice, FrameworkContract

# Units that are weights, in grams; an item sold by any other unit says how many grams it holds.
WEIGHT_UNITS = {
    "kg": Decimal(1000),
    "千克": Decimal(1000),
    "公斤": Decimal(1000),
    "g": Decimal(1),
    "克": Decimal(1),
    "斤": Decimal(500),
}
PER_KG_PLACES = Decimal("0.0001")


class PriceSource(TextChoices):
    CONTRACT = "contract", _("framework contract")
    REFERENCE = "reference", _("market reference price")


@dataclass(frozen=True)
class FoodPrice:
    """One food's price per kilogram as bought, and where it comes from: the catalogue item, its
    unit and unit price, and the contract (number, supplier) or the reference price's date."""

    food: str  # the food's code
    per_kg: Decimal
    source: str
    item: str
    unit: str
    unit_price: Decimal
    grams_per_unit: Decimal
    contract: str = ""
    supplier: str = ""
    reference_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "food": self.food,
            "per_kg": self.per_kg,
            "source": self.source,
            "item": self.item,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "grams_per_unit": self.grams_per_unit,
            "contract": self.contract,
            "supplier": self.supplier,
            "reference_date": self.reference_date,
        }


def unit_grams(item: CatalogueItem) -> Decimal | None:
    """Grams of food one unit of `item` holds; None when nobody said."""
    return item.grams_per_unit or WEIGHT_UNITS.get(item.unit.strip().lower())


def _per_kg(unit_price: Decimal, grams: Decimal) -> Decimal:
    return (unit_price * 1000 / grams).quantize(PER_KG_PLACES)


def food_prices(*, on: date, school_id: int | None = None) -> dict[str, FoodPrice]:
    """Every food the catalogue sells by weight (or says the grams of), by the food's code: the
    lowest price per kilogram among the framework contracts in force on `on` that sell an item
    of it; where none does, the lowest market reference price of its items. For a school
    (`school_id`), only its own contracts count: those awarded on tenders its requisitions
    went into."""
    items: dict[int, tuple[CatalogueItem, Decimal, str]] = {}
    for item in CatalogueItem.objects.filter(food__isnull=False).select_related("food"):
        grams = unit_grams(item)
        if grams is not None and item.food is not None:
            items[item.pk] = (item, grams, item.food.code)
    lines = ContractPrice.objects.filter(
        item_id__in=list(items),
        contract__status=FrameworkContract.Status.ACTIVE,
        contract__valid_from__lte=on,
        contract__valid_to__gte=on,
    ).select_related("contract__supplier")
    if school_id is not None:
        lines = lines.filter(
            contract__award__lot__lines__sources__released=False,
            contract__award__lot__lines__sources__requisition_line__requisition__school_id=(
                school_id
            ),
        ).distinct()
    prices: dict[str, FoodPrice] = {}

    def offer(price: FoodPrice) -> None:
        known = prices.get(price.food)
        if known is None or price.per_kg < known.per_kg:
            prices[price.food] = price

    for line in lines.order_by("id"):
        item, grams, food = items[line.item_id]
        offer(
            FoodPrice(
                food=food,
                per_kg=_per_kg(line.unit_price, grams),
                source=PriceSource.CONTRACT,
                item=item.code,
                unit=item.unit,
                unit_price=line.unit_price,
                grams_per_unit=grams,
                contract=line.contract.number,
                supplier=line.contract.supplier.name,
            )
        )
    under_contract = set(prices)
    for item, grams, food in sorted(items.values(), key=lambda entry: entry[0].code):
        if food not in under_contract:
            offer(
                FoodPrice(
                    food=food,
                    per_kg=_per_kg(item.reference_price, grams),
                    source=PriceSource.REFERENCE,
                    item=item.code,
                    unit=item.unit,
                    unit_price=item.reference_price,
                    grams_per_unit=grams,
                    reference_date=item.reference_date,
                )
            )
    return prices
