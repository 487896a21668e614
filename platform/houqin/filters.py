"""Filter fields shared by every app's filters.py: values PostgreSQL can hold, checked before any
query runs, so that a strange value is a 400, never a database error."""

from datetime import date, datetime, timedelta
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.functional import Promise
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from houqin.api import deprecation
from houqin.months import MONTH_PATTERN, names_a_day, parse_month

YEARS = range(1900, 2200)
# The labels of a range's two ends, around the label of the field it narrows.
FROM = _("{} from")
TO = _("{} to")
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


class MonthInput(forms.TextInput):
    """The browser's month picker, with an example for those that show a text box instead."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": "2026-10", **(attrs or {})})


class MonthFormField(forms.CharField):
    """A month, "YYYY-MM" (or, the older form, any day of it "YYYY-MM-DD"): its first day."""

    widget = MonthInput

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


class BoundedDateField(forms.DateField):
    """An ISO date within the years PostgreSQL and people use."""

    input_formats = ["%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value: Any) -> date | None:
        result = super().to_python(value)
        if result is not None and result.year not in YEARS:
            raise forms.ValidationError(_("Out of range."), code="out_of_range")
        return result


@extend_schema_field(OpenApiTypes.DATE)
class DateFilter(django_filters.DateFilter):
    """A day; a date in the schema even when a method of the filterset applies it."""

    field_class = BoundedDateField


class DayFilter(DateFilter):
    """A day bound of a date range: on a DateField the day itself, on a DateTimeField the day
    the moment falls on in the district's time (Asia/Shanghai)."""

    def filter(self, qs: Any, value: Any) -> Any:
        if value in EMPTY_VALUES or not _is_moment(qs.model, self.field_name):
            return super().filter(qs, value)
        return self.get_method(qs)(**{f"{self.field_name}__date__{self.lookup_expr}": value})


def _is_moment(model: Any, field_path: str) -> bool:
    *relations, name = field_path.split(LOOKUP_SEP)
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return isinstance(model._meta.get_field(name), models.DateTimeField)


def date_range(field_name: str, label: Promise) -> tuple[DayFilter, DayFilter]:
    """The `<stem>_from`/`<stem>_to` pair of a list with a date (docs/api.md, "Date ranges"):
    rows whose `field_name` falls on or after the first day and on or before the second, a
    date or the day of a moment. Declared as `created_from, created_to = date_range(...)`."""
    return (
        DayFilter(field_name=field_name, lookup_expr="gte", label=format_lazy(FROM, label)),
        DayFilter(field_name=field_name, lookup_expr="lte", label=format_lazy(TO, label)),
    )


def period_range(start: str, end: str, label: Promise) -> tuple[DateFilter, DateFilter]:
    """The `<stem>_from`/`<stem>_to` pair of a list of periods (a contract's `valid_from` to
    `valid_to`, a term's first to last day): the rows in force on at least one day between the
    two, both included; an open end (no last day yet) runs on."""

    def ending_on_or_after(qs: Any, name: str, value: date) -> Any:
        return qs.filter(Q(**{f"{end}__gte": value}) | Q(**{f"{end}__isnull": True}))

    def starting_on_or_before(qs: Any, name: str, value: date) -> Any:
        return qs.filter(**{f"{start}__lte": value})

    return (
        DateFilter(field_name=start, method=ending_on_or_after, label=format_lazy(FROM, label)),
        DateFilter(field_name=start, method=starting_on_or_before, label=format_lazy(TO, label)),
    )


def month_range(field_name: str, label: Promise) -> tuple[MonthFilter, MonthFilter]:
    """`month_from`/`month_to`: rows of the months between the two, both included."""
    return (
        MonthFilter(field_name=field_name, lookup_expr="gte", label=format_lazy(FROM, label)),
        MonthFilter(field_name=field_name, lookup_expr="lte", label=format_lazy(TO, label)),
    )
