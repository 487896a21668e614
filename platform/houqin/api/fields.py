"""Serializer fields every app's API shares, shaped as the models store the values."""

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from houqin.api import deprecation
from houqin.months import MONTH_PATTERN, names_a_day, parse_month


def money(**kwargs: Any) -> serializers.DecimalField:
    """CNY with two places (`houqin.money`); a column narrower than the usual 14 digits passes
    its own `max_digits`."""
    return serializers.DecimalField(**{"max_digits": 14, "decimal_places": 2, **kwargs})


def quantity_field(**kwargs: Any) -> serializers.DecimalField:
    """A quantity in its line's unit, to three places."""
    return serializers.DecimalField(max_digits=14, decimal_places=3, **kwargs)


class PersonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A person in an answer, shown the same way everywhere (docs/api.md, "People"): their
    account's id, username, and the name they are shown by (the display name, else the
    username)."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, account: Any) -> str:
        return str(account.display_name or account.username)

    def to_representation(self, account: Any) -> Any:
        # The fields above describe the answer (its schema); an account's is built directly: a
        # dict per person instead of three fields' machinery, which lists of many rows feel.
        if isinstance(account, Mapping):
            return super().to_representation(account)
        return {
            "id": int(account.id),
            "username": str(account.username),
            "display_name": self.get_display_name(account),
        }


def person(**kwargs: Any) -> PersonSerializer:
    """A link to a person in an answer (`allow_null=True` where there may be none, `many=True`
    for several)."""
    return PersonSerializer(read_only=True, **kwargs)


def object_id(**kwargs: Any) -> serializers.IntegerField:
    """A row's id, within what the database holds."""
    return serializers.IntegerField(min_value=1, max_value=2**62, **kwargs)


CORRECTION_REASON_HELP = (
    "Only for a change to a month closed by its submitted claim, by those who may correct one: "
    "why the change is made. It is recorded with the change, which opens the month's adjustment."
)


def correction_reason() -> serializers.CharField:
    """Why a change to a closed month is made (a correction); empty for an open month."""
    return serializers.CharField(
        max_length=2000,
        required=False,
        default="",
        allow_blank=True,
        help_text=CORRECTION_REASON_HELP,
    )


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthField(serializers.Field):  # type: ignore[type-arg]
    """A month in a request body: "YYYY-MM", or (the older form, answered with a `Deprecation`
    header) any day of it, "YYYY-MM-DD". The value is the month's first day; a response shows it
    as that date."""

    default_error_messages = {"invalid": _("A month is written YYYY-MM, e.g. 2026-10.")}

    def to_internal_value(self, data: Any) -> date:
        text = data.strip() if isinstance(data, str) else ""
        try:
            month = parse_month(text)
        except ValueError:
            self.fail("invalid")
        if not 1900 <= month.year < 2200:
            self.fail("invalid")
        if names_a_day(text):
            deprecation.used(self.field_name or "month")
        return month

    def to_representation(self, value: date) -> str:
        return value.isoformat()


_built_fields: "WeakKeyDictionary[type, dict[str, Any]]" = WeakKeyDictionary()
_build_fields = serializers.ModelSerializer.get_fields


def _model_serializer_fields(self: serializers.ModelSerializer) -> dict[str, Any]:  # type: ignore[type-arg]
    """A model serializer's fields, built from its model and Meta once per class and copied for
    each instance (as its declared fields always are): what they are depends on the class alone
    (no serializer here builds a field from its instance or context), and building them reads
    every model field's options, which cost a list or a detail more than its query."""
    built = _built_fields.get(type(self))
    if built is None:
        built = _built_fields[type(self)] = _build_fields(self)
    return copy.deepcopy(built)


def build_model_fields_once() -> None:
    """Called when the app is ready: every ModelSerializer's fields, built once per class."""
    serializers.ModelSerializer.get_fields = _model_serializer_fields  # type: ignore[method-assign,assignment]
