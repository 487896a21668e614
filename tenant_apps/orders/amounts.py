"""The rules of an order's amounts, shared by placing, invoicing and the demo."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, to the fen."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
