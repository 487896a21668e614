import django_filters

from shared_apps.subsidies.models import Budget, Claim, Programme


class ProgrammeFilter(django_filters.FilterSet):
    class Meta:
        model = Programme
        fields = ["code", "active", "carry_over"]


class BudgetFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")
    programme = django_filters.CharFilter(field_name="programme__code")
    # Bounded, so that a strange number is a 400, not a database error.
    budget_year = django_filters.NumberFilter(min_value=1900, max_value=2200)

    class Meta:
        model = Budget
        fields = ["school", "programme", "budget_year"]


class ClaimFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")
    programme = django_filters.CharFilter(field_name="programme__code")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = Claim
        fields = ["school", "programme", "status", "month"]
