"""Filter fields shared by every app's filters.py: values PostgreSQL can hold, checked before any
query runs, so that a strange value is a 400, never a database error."""

from datetime import date, datetime, timedelta
from typing import Any

import django_filters
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from houqin.api import deprecation
from houqin.months import MONTH_PATTERN, names_a_day, parse_month

YEARS = range(1900, 2200)
MAX_OFFSET = timedelta(hours=14)


class BoundedIsoDateTimeField(forms.DateTimeField):
    """An ISO 8601 timestamp between the years 1900 and 2200, its offset within ±14 hours."""

    input_formats = ["iso-8601"]

    def to_python(self, value: Any) -> datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        offset = result.utcoffset()
        if result.year not in YEARS or (offset is not None and abs(offset) > MAX_OFFSET):
            raise forms.ValidationError(_("Out of range."), code="out_of_range")
        return result


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class MonthFormField(forms.CharField):
    """A month, "YYYY-MM" (or, the older form, any day of it "YYYY-MM-DD"): its first day."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            month = parse_month(text)
        except ValueError:
            raise forms.ValidationError(
                _("A month is written YYYY-MM, e.g. 2026-10."), code="invalid_month"
            ) from None
        if month.year not in YEARS:
            raise forms.ValidationError(_("Out of range."), code="out_of_range")
        if names_a_day(text):
            deprecation.used("month")
        return month


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthFilter(django_filters.Filter):
    """Rows of a month (`lookup_expr` "gte"/"lte" for the bounds of a range), the month given
    as `MonthFormField` reads it."""

    field_class = MonthFormField


class LabelledFilterSet(django_filters.FilterSet):
    """A FilterSet for pages as well as the API: the filters it makes from the model's fields
    (`Meta.fields`) are labelled with the field's verbose name. django-filter's own labels add
    words for the lookup that it translates to no language of ours, and it looks them up even
    where it then drops them."""

    @classmethod
    def filter_for_field(
        cls, field: Any, field_name: str, lookup_expr: str | None = None
    ) -> django_filters.Filter | None:
        made: django_filters.Filter | None = super().filter_for_field(
            field, field_name, lookup_expr
        )
        if made is not None and made.lookup_expr == "exact":
            made.label = capfirst(field.verbose_name)
        return made
