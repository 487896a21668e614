import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import DateTimeFilter, MonthFilter, date_range, period_range
from shared_apps.subsidies.models import Budget, Claim, MonthCorrection, Programme


class ProgrammeFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Programme
        fields = ["code", "active", "carry_over", "basis", "students"]


class BudgetFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")
    programme = django_filters.CharFilter(field_name="programme__code")
    # Bounded, so that a strange number is a 400, not a database error.
    budget_year = django_filters.NumberFilter(min_value=1900, max_value=2200)
    period_from, period_to = period_range("period_start", "period_end", _("Period"))

    class Meta:
        model = Budget
        fields = ["school", "programme", "budget_year"]


class ClaimFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")
    programme = django_filters.CharFilter(field_name="programme__code")
    month = MonthFilter(field_name="month")
    month_from = MonthFilter(field_name="month", lookup_expr="gte")
    month_to = MonthFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = Claim
        fields = ["school", "programme", "status", "kind"]


class CorrectionFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code", max_length=32)
    programme = django_filters.CharFilter(field_name="claim__programme__code", max_length=64)
    claim = django_filters.NumberFilter(field_name="claim", min_value=1, max_value=2**62)
    month = MonthFilter(field_name="month")
    month_from = MonthFilter(field_name="month", lookup_expr="gte")
    month_to = MonthFilter(field_name="month", lookup_expr="lte")
    corrected_from = DateTimeFilter(field_name="corrected_at", lookup_expr="gte")
    corrected_to = DateTimeFilter(field_name="corrected_at", lookup_expr="lte")

    class Meta:
        model = MonthCorrection
        fields = ["change"]
