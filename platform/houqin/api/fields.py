"""Serializer fields every app's API shares, shaped as the models store the values."""

from typing import Any

from rest_framework import serializers


def money(**kwargs: Any) -> serializers.DecimalField:
    """CNY with two places (`houqin.money`); a column narrower than the usual 14 digits passes
    its own `max_digits`."""
    return serializers.DecimalField(**{"max_digits": 14, "decimal_places": 2, **kwargs})


def quantity_field(**kwargs: Any) -> serializers.DecimalField:
    """A quantity in its line's unit, to three places."""
    return serializers.DecimalField(max_digits=14, decimal_places=3, **kwargs)


def object_id(**kwargs: Any) -> serializers.IntegerField:
    """A row's id, within what the database holds."""
    return serializers.IntegerField(min_value=1, max_value=2**62, **kwargs)
