import django_filters

from houqin.filters import DateTimeFilter
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


class SchoolTermFilter(django_filters.FilterSet):
    # Bounded, so that a strange number is a 400, not a database error.
    school_year = django_filters.NumberFilter(min_value=1900, max_value=2200)

    class Meta:
        model = SchoolTerm
        fields = ["school_year"]


class CalendarDayFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = CalendarDay
        fields = ["date", "term"]


class MenuFilter(django_filters.FilterSet):
    class Meta:
        model = Menu
        fields = ["status", "origin", "age_band", "start_date"]


class MealSessionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = MealSession
        fields = ["date", "meal", "teachers_shared"]


class ServingFilter(django_filters.FilterSet):
    date = django_filters.DateFilter(field_name="session__date")
    date_from = django_filters.DateFilter(field_name="session__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="session__date", lookup_expr="lte")

    class Meta:
        model = Serving
        fields = ["session", "student", "source"]


class AccompaniedMealFilter(django_filters.FilterSet):
    class Meta:
        model = AccompaniedMeal
        fields = ["session"]


class FoodSampleFilter(django_filters.FilterSet):
    class Meta:
        model = FoodSample
        fields = ["session"]


class InboundInspectionFilter(django_filters.FilterSet):
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = InboundInspection
        fields = ["accepted"]


class ColdStorageReadingFilter(django_filters.FilterSet):
    measured_from = DateTimeFilter(field_name="measured_at", lookup_expr="gte")
    measured_to = DateTimeFilter(field_name="measured_at", lookup_expr="lte")

    class Meta:
        model = ColdStorageReading
        fields = ["unit", "unit_type", "out_of_range"]


class DailyCloseFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = DailyClose
        fields = ["date"]
