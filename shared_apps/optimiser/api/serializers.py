from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from houqin.api.fields import money, object_id, person
from shared_apps.optimiser import selectors
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import NUTRITION_PROGRAMME, SCHOOL_DAYS, Rules
from shared_apps.procurement.selectors.prices import PriceSource
from shared_apps.standards.models import (
    HUNDRED_PCT,
    PORTION_MAX_PCT,
    PORTION_MIN_PCT,
    AgeBand,
    Allergen,
    Course,
    Meal,
)


def _figure(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


def _portion(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        min_value=PORTION_MIN_PCT,
        max_value=PORTION_MAX_PCT,
        help_text="The serving, % of the recipe's (within the recipe's portion bounds).",
        **kwargs,
    )


def _cost(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True, **kwargs)


# Asking for a proposal and changing it -----------------------------------------------------------


class ProposalRequestSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="The Monday of the week.")
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    meals = serializers.ListField(
        child=serializers.ChoiceField(choices=Meal.choices),
        min_length=1,
        max_length=3,
        default=[Meal.LUNCH],
    )
    days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        min_length=1,
        max_length=7,
        default=list(SCHOOL_DAYS),
        help_text="The weekdays served, 1 = Monday.",
    )
    repeatable = serializers.ListField(
        child=serializers.ChoiceField(choices=Course.choices),
        max_length=7,
        default=list(Rules().repeatable),
        help_text="Courses a dish of which may be served more than once a week (rice, milk); "
        "any other dish is served at most once.",
    )
    max_deep_fried = serializers.IntegerField(min_value=0, max_value=50, default=1)
    exclude_allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.choices), max_length=8, default=list
    )
    programme = serializers.CharField(
        max_length=64,
        allow_blank=True,
        default=NUTRITION_PROGRAMME,
        help_text="The subsidy programme whose daily rate is each meal's budget (empty: none).",
    )
    budget_addition = money(
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        default=Decimal("0.00"),
        help_text="What the school adds to the programme's daily rate, per meal.",
    )
    daily_energy = serializers.BooleanField(
        default=True,
        help_text="Hold each day's energy to the standard's tolerance, not only the week's.",
    )

    def rules(self) -> Rules:
        return Rules.from_dict(self.validated_data)


class EntryAddSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="1 = Monday.")
    meal = serializers.ChoiceField(choices=Meal.choices)
    recipe = object_id(help_text="A recipe's id.")
    portion_pct = _portion(default=HUNDRED_PCT)


class EntryChangeSerializer(serializers.Serializer):
    recipe = object_id(required=False, help_text="Another recipe in this one's place.")
    portion_pct = _portion(required=False)


class PublishSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class PublishedSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(read_only=True)
    plan = serializers.IntegerField(read_only=True, help_text="The meal plan it became.")


class RecipeCostQuerySerializer(serializers.Serializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    on = serializers.DateField(required=False, help_text="The day (default: today).")


# Prices and costs --------------------------------------------------------------------------------


class PriceSerializer(serializers.Serializer):
    """A food's price per kilogram as bought and where it comes from."""

    per_kg = _cost()
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=PriceSource.choices, read_only=True
    )
    item = serializers.CharField(read_only=True, help_text="The catalogue item's code.")
    unit = serializers.CharField(read_only=True)
    unit_price = _figure()
    grams_per_unit = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True)
    contract = serializers.CharField(read_only=True, help_text="The contract's number, if any.")
    supplier = serializers.CharField(read_only=True)
    reference_date = serializers.DateField(read_only=True, allow_null=True)


class ItemCostSerializer(serializers.Serializer):
    food = serializers.CharField(read_only=True)
    food_name = serializers.CharField(read_only=True)
    grams = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    cost = _cost(allow_null=True, help_text="Null: the food has no price.")
    price = PriceSerializer(read_only=True, allow_null=True)


class RecipeCostSerializer(serializers.Serializer):
    recipe = serializers.IntegerField(source="recipe.pk", read_only=True)
    name = serializers.CharField(source="recipe.name", read_only=True)
    meal = serializers.ChoiceField(source="recipe.meal", choices=Meal.choices, read_only=True)
    course = serializers.ChoiceField(source="recipe.course", choices=Course.choices, read_only=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    cost = _cost(allow_null=True, help_text="Per serving; null when a food has no price.")
    unpriced = serializers.ListField(child=serializers.CharField(), read_only=True)
    items = ItemCostSerializer(many=True, read_only=True)


# Proposals ---------------------------------------------------------------------------------------


class ProposalCheckSerializer(serializers.Serializer):
    nutrient = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="ok, low or high.")
    actual = _figure()
    target = _figure(allow_null=True)
    lower = _figure(allow_null=True)
    upper = _figure(allow_null=True)


class MissSerializer(serializers.Serializer):
    """What the week misses: a target of the standard (on the week's average), a day's energy,
    or a menu's budget."""

    kind = serializers.ChoiceField(choices=["target", "daily_energy", "budget"], read_only=True)
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)
    weekday = serializers.IntegerField(read_only=True, allow_null=True)
    check = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    actual = _figure()
    lower = _figure(allow_null=True)
    upper = _figure(allow_null=True)


class DishSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="The entry's id.")
    recipe = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    course = serializers.ChoiceField(choices=Course.choices, read_only=True)
    deep_fried = serializers.BooleanField(read_only=True)
    allergens = serializers.ListField(child=serializers.CharField(), read_only=True)
    portion_pct = _portion(read_only=True)
    cost = _cost()


class MenuCellSerializer(serializers.Serializer):
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)
    dishes = DishSerializer(many=True, read_only=True)
    cost = _figure()
    budget = _figure(allow_null=True)
    energy_kcal = _figure(allow_null=True)
    flags = ProposalCheckSerializer(
        many=True, read_only=True, help_text="This menu against its target."
    )


class DaySerializer(serializers.Serializer):
    weekday = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    meals = MenuCellSerializer(many=True, read_only=True)


class ProposalWeeklySerializer(serializers.Serializer):
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)
    days = serializers.IntegerField(read_only=True)
    checks = ProposalCheckSerializer(many=True, read_only=True)


class SolverSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)
    timed_out = serializers.BooleanField(
        read_only=True, help_text="The time limit passed: the best week found, not proven best."
    )
    seconds = serializers.FloatField(read_only=True)
    gap = serializers.FloatField(
        read_only=True, help_text="How far above the cheapest week this one may be (a share)."
    )
    objective = serializers.FloatField(read_only=True)
    solver = serializers.CharField(read_only=True)


class WeekSerializer(serializers.Serializer):
    """The week grid: every day and meal with its dishes, and the week's check."""

    days = DaySerializer(many=True, read_only=True)
    weekly = ProposalWeeklySerializer(many=True, read_only=True)
    cost = _figure()
    meets_standard = serializers.BooleanField(read_only=True)
    misses = MissSerializer(many=True, read_only=True)


class InputsSerializer(serializers.Serializer):
    """What the proposal was composed from, recorded so that it can be composed again."""

    standard = serializers.DictField(read_only=True)
    month = serializers.IntegerField(read_only=True)
    rules = serializers.DictField(read_only=True)
    courses = serializers.DictField(read_only=True)
    budget_per_meal = _figure(allow_null=True)
    prices = serializers.DictField(child=PriceSerializer(), read_only=True)
    recipes = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    left_out = serializers.ListField(child=serializers.DictField(), read_only=True)
    time_limit = serializers.FloatField(read_only=True)
    mip_gap = serializers.FloatField(read_only=True)


class ProposalSerializer(serializers.ModelSerializer):
    created_by = person(allow_null=True)
    solver = SolverSerializer(read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "school",
            "week_start",
            "age_band",
            "meals",
            "status",
            "cost",
            "meets_standard",
            "plan",
            "solver",
            "created_by",
            "created_at",
            "published_at",
        ]
        read_only_fields = fields


class ProposalDetailSerializer(ProposalSerializer):
    week = serializers.SerializerMethodField()
    inputs = InputsSerializer(read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "week", "inputs"]
        read_only_fields = fields

    @extend_schema_field(WeekSerializer)
    def get_week(self, proposal: Proposal) -> Any:
        return WeekSerializer(selectors.proposal_week(proposal=proposal)).data
