"""Auditors' signals about what schools buy after an award: order lines placed outside any
framework contract, and contract or order prices above the market reference price by more than
PROCUREMENT_PRICE_TOLERANCE (0.10: ten per cent). Registered in `signals.RULES` when the app is
ready; each rule reads the public tables only."""

from collections.abc import Iterator
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from shared_apps.procurement.models import ContractPrice, SpendLine
from shared_apps.procurement.signals import Signal, rule

OUTSIDE_CONTRACT = "order_outside_contract"
ABOVE_REFERENCE = "price_above_reference"


def tolerance() -> Decimal:
    return Decimal(str(settings.PROCUREMENT_PRICE_TOLERANCE))


@rule(OUTSIDE_CONTRACT)
def orders_outside_contract() -> Iterator[Signal]:
    """Each order line a school placed outside any framework contract, with its reason."""
    lines = (
        SpendLine.objects.across_schools()
        .filter(contract__isnull=True)
        .select_related("supplier")
        .order_by("ordered_on", "school_id", "order_line_id")
    )
    for line in lines.iterator(chunk_size=2000):
        yield Signal(
            rule=OUTSIDE_CONTRACT,
            subject="order_line",
            subject_id=line.order_line_id,
            school_id=line.school_id,
            message=_("Ordered outside any framework contract."),
            detail={
                "order_number": line.order_number,
                "supplier": line.supplier.name,
                "description": line.description,
                "amount": str(line.amount),
                "reason": line.outside_contract_reason,
            },
        )


def _over(price: Decimal, reference: Decimal) -> str:
    return str(((price - reference) * 100 / reference).quantize(Decimal("0.1")))


@rule(ABOVE_REFERENCE)
def prices_above_reference() -> Iterator[Signal]:
    """Each contract price, and each order line's price, above its item's market reference
    price by more than the tolerance (the order line's reference is the one in force when it
    was placed)."""
    ceiling = 1 + tolerance()
    prices = (
        ContractPrice.objects.filter(unit_price__gt=F("item__reference_price") * ceiling)
        .select_related("contract", "item")
        .order_by("contract_id", "item_id")
    )
    for price in prices.iterator(chunk_size=2000):
        yield Signal(
            rule=ABOVE_REFERENCE,
            subject="contract_price",
            subject_id=price.pk,
            school_id=None,
            message=_("A contract price above the market reference price."),
            detail={
                "contract": price.contract.number,
                "item": price.item.code,
                "unit_price": str(price.unit_price),
                "reference_price": str(price.item.reference_price),
                "above_pct": _over(price.unit_price, price.item.reference_price),
            },
        )
    lines = (
        SpendLine.objects.across_schools()
        .filter(reference_price__isnull=False, unit_price__gt=F("reference_price") * ceiling)
        .order_by("ordered_on", "school_id", "order_line_id")
    )
    for line in lines.iterator(chunk_size=2000):
        reference = cast(Decimal, line.reference_price)  # the filter leaves no line without one
        yield Signal(
            rule=ABOVE_REFERENCE,
            subject="order_line",
            subject_id=line.order_line_id,
            school_id=line.school_id,
            message=_("An order price above the market reference price."),
            detail={
                "order_number": line.order_number,
                "description": line.description,
                "unit_price": str(line.unit_price),
                "reference_price": str(reference),
                "above_pct": _over(line.unit_price, reference),
            },
        )
