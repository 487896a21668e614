"""Money: CNY in `Decimal` with two places, never a float."""

from decimal import Decimal
from typing import Any

from django.db import models

ZERO = Decimal("0.00")


def money(verbose_name: Any, **kwargs: Any) -> "models.DecimalField[Any, Any]":
    """A model field holding CNY with two places."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)
