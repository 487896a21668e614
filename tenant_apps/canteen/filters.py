"""The canteen's filters, for its API and its pages (the labels and widgets are the pages')."""

import django_filters
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from houqin.api.deprecation import older
from houqin.filters import DateTimeFilter, LabelledFilterSet, date_range
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    SchoolTerm,
    Serving,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


def _date(field_name: str, lookup_expr: str, label: Promise) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup_expr, label=label, widget=DATE
    )


class SchoolTermFilter(django_filters.FilterSet):
    # Bounded, so that a strange number is a 400, not a database error.
    school_year = django_filters.NumberFilter(min_value=1900, max_value=2200)
    start_from, start_to = date_range("start_date", _("First day"))

    class Meta:
        model = SchoolTerm
        fields = ["school_year"]


class CalendarDayFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = CalendarDay
        fields = ["date", "term"]


class MenuFilter(LabelledFilterSet):
    start_from, start_to = date_range("start_date", _("First day"))

    class Meta:
        model = Menu
        fields = ["status", "origin", "age_band", "start_date"]


class MealSessionFilter(LabelledFilterSet):
    date = older(django_filters.DateFilter(label=_("date"), widget=DATE))
    date_from = _date("date", "gte", _("From"))
    date_to = _date("date", "lte", _("To"))

    class Meta:
        model = MealSession
        fields = ["date", "date_from", "date_to", "meal", "teachers_shared"]


class ServingFilter(django_filters.FilterSet):
    date = older(django_filters.DateFilter(field_name="session__date"))
    date_from = django_filters.DateFilter(field_name="session__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="session__date", lookup_expr="lte")

    class Meta:
        model = Serving
        fields = ["session", "student", "source"]


class AccompaniedMealFilter(django_filters.FilterSet):
    date_from, date_to = date_range("session__date", _("Date"))

    class Meta:
        model = AccompaniedMeal
        fields = ["session"]


class FoodSampleFilter(LabelledFilterSet):
    taken_on = _date("taken_at__date", "exact", _("taken on"))
    taken_from, taken_to = date_range("taken_at", _("Taken"))
    discarded = django_filters.BooleanFilter(
        field_name="discarded_at", lookup_expr="isnull", exclude=True, label=_("discarded")
    )

    class Meta:
        model = FoodSample
        fields = ["session", "taken_on", "discarded"]


class FoodSampleListFilter(FoodSampleFilter):
    """The samples page's: by day and state (a list of every meal is no filter for a person)."""

    class Meta:
        model = FoodSample
        fields = ["taken_on", "discarded"]


class InboundInspectionFilter(LabelledFilterSet):
    received_from = _date("received_on", "gte", _("Received from"))
    received_to = _date("received_on", "lte", _("Received until"))

    class Meta:
        model = InboundInspection
        fields = ["accepted"]


class ColdStorageReadingFilter(LabelledFilterSet):
    unit = django_filters.CharFilter(label=_("Refrigerator or freezer"), max_length=100)
    measured_from = DateTimeFilter(
        field_name="measured_at", lookup_expr="gte", label=_("Measured from"), widget=DATETIME
    )
    measured_to = DateTimeFilter(
        field_name="measured_at", lookup_expr="lte", label=_("Measured until"), widget=DATETIME
    )

    class Meta:
        model = ColdStorageReading
        fields = ["unit", "unit_type", "out_of_range"]


class DailyCloseFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = DailyClose
        fields = ["date"]
