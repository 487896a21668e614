from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from houqin.api.fields import person
from houqin.api.imports import import_report_serializer
from shared_apps.standards import selectors
from shared_apps.standards.models import (
    GRAMS_MAX,
    HUNDRED_PCT,
    PORTION_MAX_PCT,
    PORTION_MIN_PCT,
    AgeBand,
    Allergen,
    Course,
    Food,
    FoodGroup,
    Meal,
    MealPlan,
    NutritionStandard,
    StandardFoodGroupTarget,
    StandardTarget,
    TargetMeal,
)

# Reports: every figure as a decimal string with two places.


def _figure(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


def _figures(name: str, keys: tuple[str, ...], doc: str) -> type[serializers.Serializer]:
    attrs: dict[str, Any] = {key: _figure() for key in keys}
    attrs["__doc__"] = doc
    return type(name, (serializers.Serializer,), attrs)


NutrientsSerializer = _figures(
    "NutrientsSerializer",
    selectors.NUTRIENT_KEYS,
    "Per serving (or per menu, or a week's average): nutrients per the food's units, fat and "
    "carbohydrate as % of energy, salt (g, from condiments' sodium) and cooking oil (g).",
)
FoodGroupsSerializer = _figures(
    "FoodGroupsSerializer",
    selectors.GROUP_KEYS,
    "Grams of edible part of each food group of the standard.",
)


class CheckSerializer(serializers.Serializer):
    """One figure against the standard: `status` is low when under `lower`, high when over
    `upper`."""

    nutrient = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=selectors.CheckStatus.choices, read_only=True)
    actual = _figure()
    target = _figure(allow_null=True)
    lower = _figure(allow_null=True)
    upper = _figure(allow_null=True)
    percent_of_target = serializers.DecimalField(
        max_digits=10, decimal_places=1, read_only=True, allow_null=True
    )


class AssessmentSerializer(serializers.Serializer):
    nutrients = NutrientsSerializer(read_only=True)
    food_groups = FoodGroupsSerializer(read_only=True)
    has_target = serializers.BooleanField(
        read_only=True, help_text="False when the standard sets no target for this band and meal."
    )
    checks = CheckSerializer(many=True, read_only=True)
    flags = CheckSerializer(many=True, read_only=True, help_text="The checks that are not ok.")


# Standards ---------------------------------------------------------------------------------------


class NutritionStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = NutritionStandard
        fields = [
            "id",
            "code",
            "title",
            "version",
            "is_published",
            "published_on",
            "source",
            "notes",
            "breakfast_share_pct",
            "lunch_share_pct",
            "dinner_share_pct",
            "energy_min_pct",
            "energy_max_pct",
            "protein_min_pct",
            "protein_max_pct",
            "nutrient_min_pct",
            "created_at",
        ]
        read_only_fields = fields


class FoodGroupTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardFoodGroupTarget
        fields = ["food_group", "grams_min", "grams_max"]
        read_only_fields = fields


class StandardTargetSerializer(serializers.ModelSerializer):
    groups = FoodGroupTargetSerializer(many=True, read_only=True)
    meal = serializers.ChoiceField(choices=TargetMeal.choices, read_only=True)

    class Meta:
        model = StandardTarget
        fields = [
            "id",
            "standard",
            "age_band",
            "meal",
            "energy_kcal",
            "protein_g",
            "fat_energy_pct_min",
            "fat_energy_pct_max",
            "carbohydrate_energy_pct_min",
            "carbohydrate_energy_pct_max",
            "calcium_mg",
            "iron_mg",
            "zinc_mg",
            "vitamin_a_ug",
            "vitamin_b1_mg",
            "vitamin_b2_mg",
            "vitamin_c_mg",
            "fibre_g",
            "salt_g_max",
            "oil_g_max",
            "groups",
            "note",
        ]
        read_only_fields = fields


# Foods -------------------------------------------------------------------------------------------


class FoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Food
        fields = [
            "id",
            "code",
            "name",
            "alias",
            "food_group",
            "edible_pct",
            "energy_kcal",
            "protein_g",
            "fat_g",
            "carbohydrate_g",
            "fibre_g",
            "calcium_mg",
            "iron_mg",
            "zinc_mg",
            "vitamin_a_ug",
            "vitamin_b1_mg",
            "vitamin_b2_mg",
            "vitamin_c_mg",
            "sodium_mg",
            "source",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _per_100g(digits: int, places: int, high: int) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=digits, decimal_places=places, min_value=Decimal(0), max_value=Decimal(high)
    )


class FoodChangeSerializer(serializers.Serializer):
    """A food's values per 100 g edible part (validate with partial=True for a change)."""

    name = serializers.CharField(max_length=100)
    alias = serializers.CharField(max_length=200, required=False, allow_blank=True)
    food_group = serializers.ChoiceField(choices=FoodGroup.choices)
    edible_pct = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal(100)
    )
    energy_kcal = _per_100g(5, 1, 900)
    protein_g = _per_100g(4, 1, 100)
    fat_g = _per_100g(4, 1, 100)
    carbohydrate_g = _per_100g(4, 1, 100)
    fibre_g = _per_100g(4, 1, 100)
    calcium_mg = _per_100g(6, 1, 5000)
    iron_mg = _per_100g(5, 2, 500)
    zinc_mg = _per_100g(5, 2, 200)
    vitamin_a_ug = _per_100g(7, 1, 50000)
    vitamin_b1_mg = _per_100g(5, 2, 50)
    vitamin_b2_mg = _per_100g(5, 2, 50)
    vitamin_c_mg = _per_100g(6, 1, 5000)
    sodium_mg = _per_100g(7, 1, 40000)
    # A field named like Field.source: DRF takes declared fields off the class, so this hides
    # nothing at run time; the type checker only sees the class body.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=300, help_text="The table the figures come from, with its edition."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class FoodCreateSerializer(FoodChangeSerializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", max_length=32)


class FoodImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A food composition table: .csv (UTF-8 or GBK) or .xlsx, at most 5 MB, first "
        "row naming the columns (code/食物编码, name/食物名称, food_group/食物类别, "
        "edible_pct/可食部, energy_kcal/能量, protein_g/蛋白质, ...)."
    )
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=300,
        required=False,
        default="",
        allow_blank=True,
        help_text="Cited for the rows that do not name their own source.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check and report, save nothing."
    )


FoodImportReportSerializer = import_report_serializer("FoodImport")


# Recipes -----------------------------------------------------------------------------------------


class RecipeItemSerializer(serializers.Serializer):
    food = serializers.CharField(max_length=32, help_text="The food's code.")
    food_name = serializers.CharField(source="food.name", read_only=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    grams = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=GRAMS_MAX,
        help_text="Raw weight as bought, per serving.",
    )

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        data["food"] = instance.food.code
        return data


class RecipeBandNutritionSerializer(AssessmentSerializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)


def _portion_bound(least: Decimal, most: Decimal, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=least, max_value=most, **kwargs
    )


class RecipeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)
    course = serializers.ChoiceField(choices=Course.choices, read_only=True)
    deep_fried = serializers.BooleanField(read_only=True)
    season_months = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Empty: all year."
    )
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.choices), read_only=True
    )
    portion_min_pct = _portion_bound(PORTION_MIN_PCT, HUNDRED_PCT, read_only=True)
    portion_max_pct = _portion_bound(HUNDRED_PCT, PORTION_MAX_PCT, read_only=True)
    description = serializers.CharField(read_only=True)
    age_bands = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_age_bands(self, recipe: Any) -> list[str]:
        return selectors.recipe_age_bands(recipe)


class RecipeDetailSerializer(RecipeSerializer):
    items = RecipeItemSerializer(many=True, read_only=True)
    nutrition = serializers.SerializerMethodField()

    @extend_schema_field(RecipeBandNutritionSerializer(many=True))
    def get_nutrition(self, recipe: Any) -> Any:
        return RecipeBandNutritionSerializer(selectors.recipe_report(recipe=recipe), many=True).data


class RecipeWriteSerializer(serializers.Serializer):
    """A recipe (validate with partial=True for a change; `items`, when given, replace all)."""

    name = serializers.CharField(max_length=100)
    meal = serializers.ChoiceField(choices=Meal.choices)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    items = RecipeItemSerializer(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, allow_empty=False, max_length=100
    )
    course = serializers.ChoiceField(choices=Course.choices, required=False)
    deep_fried = serializers.BooleanField(required=False)
    season_months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12),
        required=False,
        max_length=12,
        help_text="The months (1-12) the dish is in season; empty: all year.",
    )
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.choices), required=False, max_length=8
    )
    portion_min_pct = _portion_bound(
        PORTION_MIN_PCT,
        HUNDRED_PCT,
        required=False,
        help_text="How far a plan may scale the serving down (100: not at all).",
    )
    portion_max_pct = _portion_bound(
        HUNDRED_PCT,
        PORTION_MAX_PCT,
        required=False,
        help_text="How far a plan may scale the serving up (100: not at all).",
    )


# Meal plans --------------------------------------------------------------------------------------


class PlanEntryWriteSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="1 = Monday.")
    meal = serializers.ChoiceField(choices=Meal.choices)
    recipe = serializers.IntegerField(min_value=1, max_value=2**62, help_text="A recipe's id.")
    portion_pct = serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        min_value=PORTION_MIN_PCT,
        max_value=PORTION_MAX_PCT,
        required=False,
        default=HUNDRED_PCT,
        help_text="The serving, % of the recipe's (within the recipe's portion bounds).",
    )


class PlanCreateSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="The Monday of the week.")
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    entries = PlanEntryWriteSerializer(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, required=False, default=list, max_length=200
    )


class PlanUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    entries = PlanEntryWriteSerializer(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, required=False, max_length=200
    )


class StandardRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class PlanSerializer(serializers.ModelSerializer):
    standard = StandardRefSerializer(read_only=True)
    created_by = person(allow_null=True)
    published_by = person(allow_null=True)
    meets_standard = serializers.SerializerMethodField(
        help_text="As published (null for a draft: see its detail)."
    )

    class Meta:
        model = MealPlan
        fields = [
            "id",
            "week_start",
            "age_band",
            "version",
            "title",
            "status",
            "standard",
            "created_by",
            "created_at",
            "published_at",
            "published_by",
            "superseded_at",
            "superseded_by",
            "meets_standard",
        ]
        read_only_fields = fields

    def get_meets_standard(self, plan: MealPlan) -> bool | None:
        return getattr(plan, "published_meets_standard", None)


class PlanEntryItemSerializer(serializers.Serializer):
    food = serializers.CharField(read_only=True, help_text="The food's code.")
    food_name = serializers.CharField(read_only=True)
    grams = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)


class PlanEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    weekday = serializers.IntegerField(read_only=True)
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)
    recipe = serializers.IntegerField(read_only=True)
    recipe_name = serializers.CharField(read_only=True)
    portion_pct = serializers.DecimalField(
        max_digits=8, decimal_places=4, read_only=True, default=HUNDRED_PCT
    )
    items = PlanEntryItemSerializer(many=True, read_only=True)


class MenuSerializer(AssessmentSerializer):
    weekday = serializers.IntegerField(read_only=True)
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)


class WeeklySerializer(AssessmentSerializer):
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)
    days = serializers.IntegerField(read_only=True, help_text="Days the meal is served.")


class PlanFlagSerializer(CheckSerializer):
    meal = serializers.ChoiceField(choices=Meal.choices, read_only=True)


class PlanNutritionSerializer(serializers.Serializer):
    standard = StandardRefSerializer(read_only=True)
    menus = MenuSerializer(many=True, read_only=True, help_text="Each meal of each day.")
    weekly = WeeklySerializer(
        many=True, read_only=True, help_text="Each meal's average over the days it is served."
    )
    flags = PlanFlagSerializer(
        many=True, read_only=True, help_text="Where the weekly averages miss."
    )
    meets_standard = serializers.BooleanField(read_only=True)
    computed_at = serializers.DateTimeField(read_only=True)


class PlanDetailSerializer(PlanSerializer):
    entries = serializers.SerializerMethodField()
    nutrition = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "entries", "nutrition"]
        read_only_fields = fields

    def _report(self, plan: MealPlan) -> dict[str, Any]:
        # Entries, nutrition and meets_standard come from one report, computed once.
        cache: dict[int, dict[str, Any]] = self.__dict__.setdefault("_reports", {})
        if plan.pk not in cache:
            cache[plan.pk] = selectors.plan_report(plan=plan)
        return cache[plan.pk]

    @extend_schema_field(PlanEntrySerializer(many=True))
    def get_entries(self, plan: MealPlan) -> Any:
        return PlanEntrySerializer(self._report(plan)["entries"], many=True).data

    @extend_schema_field(PlanNutritionSerializer)
    def get_nutrition(self, plan: MealPlan) -> Any:
        return PlanNutritionSerializer(self._report(plan)).data

    def get_meets_standard(self, plan: MealPlan) -> bool | None:
        return bool(self._report(plan)["meets_standard"])
