import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from shared_apps.standards.models import (
    AgeBand,
    Food,
    FoodGroup,
    Meal,
    MealPlan,
    Recipe,
    StandardTarget,
    TargetMeal,
)


class StandardTargetFilter(django_filters.FilterSet):
    age_band = django_filters.ChoiceFilter(choices=AgeBand.choices)
    meal = django_filters.ChoiceFilter(choices=TargetMeal.choices)

    class Meta:
        model = StandardTarget
        fields = ["standard", "age_band", "meal"]


def _search_foods(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset.filter(
        Q(name__icontains=value) | Q(alias__icontains=value) | Q(code__iexact=value)
    )


class FoodFilter(django_filters.FilterSet):
    food_group = django_filters.ChoiceFilter(choices=FoodGroup.choices, label=_("Food group"))
    search = django_filters.CharFilter(
        method=_search_foods, max_length=100, label=_("Name, alias or code")
    )
    code = django_filters.CharFilter(label=_("Code"))
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Food
        fields = ["food_group", "search", "code"]


def _with_band(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset.filter(items__age_band=value).distinct()


class RecipeFilter(django_filters.FilterSet):
    meal = django_filters.ChoiceFilter(choices=Meal.choices, label=_("Meal"))
    age_band = django_filters.ChoiceFilter(
        choices=AgeBand.choices, method=_with_band, label=_("Has quantities for ages")
    )
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=100, label=_("Name contains")
    )
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Recipe
        fields = ["meal", "age_band", "search"]


class MealPlanFilter(django_filters.FilterSet):
    age_band = django_filters.ChoiceFilter(choices=AgeBand.choices, label=_("Age band"))
    status = django_filters.ChoiceFilter(choices=MealPlan.Status.choices, label=_("Status"))
    week_start = django_filters.DateFilter(label=_("Week starting"))
    week_from = django_filters.DateFilter(
        field_name="week_start", lookup_expr="gte", label=_("Weeks from")
    )
    week_to = django_filters.DateFilter(
        field_name="week_start", lookup_expr="lte", label=_("Weeks to")
    )

    class Meta:
        model = MealPlan
        fields = ["age_band", "status", "week_start", "week_from", "week_to"]
