"""The student-meal nutrition standard (WS/T 554-2017) as versioned data, the food catalogue with
composition per 100 g edible part, quantified recipes, and the district's weekly standard meal
plans. All in the public schema: the district centre keeps them, schools adopt published plans.

Quantities and nutrients are Decimal throughout. The database refuses negative amounts and figures
no food or serving can have (see each model's constraints); services give the friendly message
first, the constraints are the backstop.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal(0)
# A serving of one food for one student: more than 0 g, at most 2 kg (nobody serves more).
GRAMS_MAX = Decimal(2000)


class AgeBand(models.TextChoices):
    """The four age bands of WS/T 554-2017."""

    AGE_6_8 = "6-8", _("6–8 years")
    AGE_9_11 = "9-11", _("9–11 years")
    AGE_12_14 = "12-14", _("12–14 years")
    AGE_15_17 = "15-17", _("15–17 years")


class Meal(models.TextChoices):
    """A meal served at school."""

    BREAKFAST = "breakfast", _("breakfast")
    LUNCH = "lunch", _("lunch")
    DINNER = "dinner", _("dinner")


class TargetMeal(models.TextChoices):
    """What a target applies to: one meal, or the whole day."""

    BREAKFAST = "breakfast", _("breakfast")
    LUNCH = "lunch", _("lunch")
    DINNER = "dinner", _("dinner")
    DAY = "day", _("whole day")


class FoodGroup(models.TextChoices):
    """The food groups of WS/T 554-2017 (the first eight carry quantity targets), plus cooking
    oil and condiments (which carry limits) and the rest."""

    CEREALS_TUBERS = "cereals_tubers", _("cereals and tubers")
    VEGETABLES = "vegetables", _("vegetables")
    FRUIT = "fruit", _("fruit")
    MEAT = "meat", _("livestock and poultry meat")
    AQUATIC = "aquatic", _("fish and shrimp")
    EGGS = "eggs", _("eggs")
    DAIRY = "dairy", _("milk and dairy")
    SOY_NUTS = "soy_nuts", _("soybeans, soy products and nuts")
    OIL = "oil", _("cooking oil")
    CONDIMENTS = "condiments", _("salt and condiments")
    OTHER = "other", _("other")


# The groups WS/T 554-2017 gives quantities for (g per person per meal or day).
TARGET_GROUPS = (
    FoodGroup.CEREALS_TUBERS,
    FoodGroup.VEGETABLES,
    FoodGroup.FRUIT,
    FoodGroup.MEAT,
    FoodGroup.AQUATIC,
    FoodGroup.EGGS,
    FoodGroup.DAIRY,
    FoodGroup.SOY_NUTS,
)


def _amount(label: "StrOrPromise", digits: int, places: int) -> models.DecimalField:
    return models.DecimalField(label, max_digits=digits, decimal_places=places)


def _within(field: str, high: int | Decimal) -> Q:
    return Q(**{f"{field}__gte": 0, f"{field}__lte": high})


class NutritionStandard(models.Model):
    """One version of a nutrition standard, with the tolerances its targets are checked with."""

    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    is_published = models.BooleanField(_("published"), default=False)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Share of the day's energy and nutrients each meal is planned to carry (%).
    breakfast_share_pct = _amount(_("breakfast share (%)"), 4, 1)
    lunch_share_pct = _amount(_("lunch share (%)"), 4, 1)
    dinner_share_pct = _amount(_("dinner share (%)"), 4, 1)
    # How far from a target a menu may land and still meet it, in percent of the target.
    energy_min_pct = _amount(_("energy: at least, percent of target"), 4, 1)
    energy_max_pct = _amount(_("energy: at most, percent of target"), 4, 1)
    protein_min_pct = _amount(_("protein: at least, percent of target"), 4, 1)
    protein_max_pct = _amount(_("protein: at most, percent of target"), 4, 1)
    nutrient_min_pct = _amount(_("other nutrients: at least, percent of target"), 4, 1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nutrition standard")
        verbose_name_plural = _("nutrition standards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="standard_code_version"),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_on__isnull=False),
                name="standard_published_has_date",
            ),
            models.CheckConstraint(
                condition=_within("breakfast_share_pct", 100)
                & _within("lunch_share_pct", 100)
                & _within("dinner_share_pct", 100)
                & _within("energy_min_pct", 100)
                & Q(energy_max_pct__gte=100, energy_max_pct__lte=200)
                & _within("protein_min_pct", 100)
                & Q(protein_max_pct__gte=100, protein_max_pct__lte=200)
                & _within("nutrient_min_pct", 100),
                name="standard_percentages_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class StandardTarget(models.Model):
    """The energy, nutrient and limit targets of one standard for one age band and one meal
    (or the whole day), per person."""

    standard = models.ForeignKey(
        NutritionStandard, on_delete=models.CASCADE, related_name="targets", db_index=False
    )
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    meal = models.CharField(_("meal"), max_length=9, choices=TargetMeal.choices)
    energy_kcal = _amount(_("energy (kcal)"), 6, 1)
    protein_g = _amount(_("protein (g)"), 5, 1)
    fat_energy_pct_min = _amount(_("fat, at least, percent of energy"), 4, 1)
    fat_energy_pct_max = _amount(_("fat, at most, percent of energy"), 4, 1)
    carbohydrate_energy_pct_min = _amount(_("carbohydrate, at least, percent of energy"), 4, 1)
    carbohydrate_energy_pct_max = _amount(_("carbohydrate, at most, percent of energy"), 4, 1)
    calcium_mg = _amount(_("calcium (mg)"), 6, 1)
    iron_mg = _amount(_("iron (mg)"), 5, 2)
    zinc_mg = _amount(_("zinc (mg)"), 5, 2)
    vitamin_a_ug = _amount(_("vitamin A (μg RAE)"), 6, 1)
    vitamin_b1_mg = _amount(_("vitamin B1 (mg)"), 4, 2)
    vitamin_b2_mg = _amount(_("vitamin B2 (mg)"), 4, 2)
    vitamin_c_mg = _amount(_("vitamin C (mg)"), 5, 1)
    fibre_g = _amount(_("dietary fibre (g)"), 4, 1)
    salt_g_max = _amount(_("salt, at most (g)"), 4, 1)
    oil_g_max = _amount(_("cooking oil, at most (g)"), 4, 1)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("standard target")
        verbose_name_plural = _("standard targets")
        ordering = ["standard", "age_band", "meal"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "age_band", "meal"], name="target_one_per_band_meal"
            ),
            models.CheckConstraint(
                condition=Q(energy_kcal__gt=0, energy_kcal__lte=5000)
                & _within("protein_g", 300)
                & _within("calcium_mg", 5000)
                & _within("iron_mg", 100)
                & _within("zinc_mg", 100)
                & _within("vitamin_a_ug", 5000)
                & _within("vitamin_b1_mg", 20)
                & _within("vitamin_b2_mg", 20)
                & _within("vitamin_c_mg", 2000)
                & _within("fibre_g", 100)
                & _within("salt_g_max", 30)
                & _within("oil_g_max", 100),
                name="target_amounts_sane",
            ),
            models.CheckConstraint(
                condition=_within("fat_energy_pct_min", 100)
                & Q(fat_energy_pct_max__gte=models.F("fat_energy_pct_min"))
                & Q(fat_energy_pct_max__lte=100)
                & _within("carbohydrate_energy_pct_min", 100)
                & Q(carbohydrate_energy_pct_max__gte=models.F("carbohydrate_energy_pct_min"))
                & Q(carbohydrate_energy_pct_max__lte=100),
                name="target_energy_ranges_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.age_band} {self.meal}"


class StandardFoodGroupTarget(models.Model):
    """How much of one food group (g edible part, per person) a target's meal or day should
    bring: a range, or one figure when min and max are equal."""

    target = models.ForeignKey(
        StandardTarget, on_delete=models.CASCADE, related_name="groups", db_index=False
    )
    food_group = models.CharField(_("food group"), max_length=16, choices=FoodGroup.choices)
    grams_min = _amount(_("at least (g)"), 6, 1)
    grams_max = _amount(_("at most (g)"), 6, 1)

    class Meta:
        verbose_name = _("food group target")
        verbose_name_plural = _("food group targets")
        ordering = ["target", "food_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "food_group"], name="group_target_one_per_group"
            ),
            models.CheckConstraint(
                condition=Q(food_group__in=[g.value for g in TARGET_GROUPS]),
                name="group_target_is_a_standard_group",
            ),
            models.CheckConstraint(
                condition=_within("grams_min", GRAMS_MAX)
                & Q(grams_max__gte=models.F("grams_min"), grams_max__lte=GRAMS_MAX),
                name="group_target_range_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.food_group} {self.grams_min}–{self.grams_max} g"


# Per 100 g edible part: (field, label, max_digits, decimal_places, upper bound). The bounds are
# above anything the food composition tables list (dried laver has ~55 mg iron, pig liver
# ~5,000 μg vitamin A, table salt ~39,300 mg sodium) and below what would be a typo.
FOOD_NUTRIENTS: tuple[tuple[str, str, int, int, int], ...] = (
    ("energy_kcal", "energy (kcal)", 5, 1, 900),
    ("protein_g", "protein (g)", 4, 1, 100),
    ("fat_g", "fat (g)", 4, 1, 100),
    ("carbohydrate_g", "carbohydrate (g)", 4, 1, 100),
    ("fibre_g", "dietary fibre (g)", 4, 1, 100),
    ("calcium_mg", "calcium (mg)", 6, 1, 5000),
    ("iron_mg", "iron (mg)", 5, 2, 500),
    ("zinc_mg", "zinc (mg)", 5, 2, 200),
    ("vitamin_a_ug", "vitamin A (μg RAE)", 7, 1, 50000),
    ("vitamin_b1_mg", "vitamin B1 (mg)", 5, 2, 50),
    ("vitamin_b2_mg", "vitamin B2 (mg)", 5, 2, 50),
    ("vitamin_c_mg", "vitamin C (mg)", 6, 1, 5000),
    ("sodium_mg", "sodium (mg)", 7, 1, 40000),
)
FOOD_NUTRIENT_FIELDS = tuple(spec[0] for spec in FOOD_NUTRIENTS)
CODE_REGEX = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"


class Food(models.Model):
    """A food of the catalogue and its composition per 100 g edible part, with its source."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    alias = models.CharField(_("alias"), max_length=200, blank=True)
    food_group = models.CharField(_("food group"), max_length=16, choices=FoodGroup.choices)
    edible_pct = _amount(_("edible part (%)"), 4, 1)
    energy_kcal = _amount(_("energy (kcal)"), 5, 1)
    protein_g = _amount(_("protein (g)"), 4, 1)
    fat_g = _amount(_("fat (g)"), 4, 1)
    carbohydrate_g = _amount(_("carbohydrate (g)"), 4, 1)
    fibre_g = _amount(_("dietary fibre (g)"), 4, 1)
    calcium_mg = _amount(_("calcium (mg)"), 6, 1)
    iron_mg = _amount(_("iron (mg)"), 5, 2)
    zinc_mg = _amount(_("zinc (mg)"), 5, 2)
    vitamin_a_ug = _amount(_("vitamin A (μg RAE)"), 7, 1)
    vitamin_b1_mg = _amount(_("vitamin B1 (mg)"), 5, 2)
    vitamin_b2_mg = _amount(_("vitamin B2 (mg)"), 5, 2)
    vitamin_c_mg = _amount(_("vitamin C (mg)"), 6, 1)
    sodium_mg = _amount(_("sodium (mg)"), 7, 1)
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("food")
        verbose_name_plural = _("foods")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX), name="food_code_format"),
            models.CheckConstraint(
                condition=Q(edible_pct__gt=0, edible_pct__lte=100), name="food_edible_pct_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    *(_within(field, high) for field, _label, _d, _p, high in FOOD_NUTRIENTS)
                ),
                name="food_nutrients_in_range",
            ),
            # The macronutrients of 100 g cannot weigh more than 100 g (a little over allowed for
            # rounding in the tables).
            models.CheckConstraint(
                condition=Q(
                    protein_g__lte=Decimal("101") - models.F("fat_g") - models.F("carbohydrate_g")
                ),
                name="food_macronutrients_fit_100g",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="food_has_a_source"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Course(models.TextChoices):
    """What part of a menu a dish is (a lunch has a staple, a protein dish and a vegetable)."""

    STAPLE = "staple", _("staple")
    PROTEIN = "protein", _("protein dish")
    VEGETABLE = "vegetable", _("vegetable dish")
    SOUP = "soup", _("soup")
    FRUIT = "fruit", _("fruit")
    DAIRY = "dairy", _("milk or dairy")
    OTHER = "other", _("other")


class Allergen(models.TextChoices):
    """The allergens GB 7718-2011 asks prepackaged food to declare."""

    GLUTEN = "gluten", _("cereals containing gluten")
    CRUSTACEAN = "crustacean", _("crustaceans")
    FISH = "fish", _("fish")
    EGG = "egg", _("eggs")
    PEANUT = "peanut", _("peanuts")
    SOY = "soy", _("soybeans")
    MILK = "milk", _("milk")
    TREE_NUT = "tree_nut", _("tree nuts")


# How far a plan may scale a recipe's serving, in percent (100: as written).
PORTION_MIN_PCT = Decimal(10)
PORTION_MAX_PCT = Decimal(300)
HUNDRED_PCT = Decimal(100)


class Recipe(models.Model):
    """A dish (or set meal) with its quantities per serving for each age band it is made for."""

    name = models.CharField(_("name"), max_length=100)
    meal = models.CharField(_("meal"), max_length=9, choices=Meal.choices)
    course = models.CharField(
        _("course"), max_length=10, choices=Course.choices, default=Course.OTHER
    )
    deep_fried = models.BooleanField(_("deep-fried"), default=False)
    # The months (1-12) the dish is in season; none: all year.
    season_months = ArrayField(
        models.PositiveSmallIntegerField(), verbose_name=_("in season"), default=list, blank=True
    )
    allergens = ArrayField(
        models.CharField(max_length=10, choices=Allergen.choices),
        verbose_name=_("allergens"),
        default=list,
        blank=True,
    )
    # How far a plan may scale the serving (100-100: served as written).
    portion_min_pct = models.DecimalField(
        _("portion, at least (%)"), max_digits=4, decimal_places=1, default=HUNDRED_PCT
    )
    portion_max_pct = models.DecimalField(
        _("portion, at most (%)"), max_digits=4, decimal_places=1, default=HUNDRED_PCT
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("recipe")
        verbose_name_plural = _("recipes")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "meal"], name="recipe_name_meal_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="recipe_has_a_name"),
            models.CheckConstraint(
                condition=Q(
                    portion_min_pct__gte=PORTION_MIN_PCT,
                    portion_min_pct__lte=HUNDRED_PCT,
                    portion_max_pct__gte=HUNDRED_PCT,
                    portion_max_pct__lte=PORTION_MAX_PCT,
                ),
                name="recipe_portion_bounds_sane",
            ),
            models.CheckConstraint(
                condition=Q(season_months__contained_by=list(range(1, 13))),
                name="recipe_season_months_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RecipeItem(models.Model):
    """The raw weight of one food (as bought, before the inedible part is removed) in one serving
    of a recipe for one age band."""

    recipe = models.ForeignKey(
        Recipe, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    food = models.ForeignKey(Food, on_delete=models.PROTECT, related_name="+")
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    grams = models.DecimalField(_("grams per serving"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("recipe item")
        verbose_name_plural = _("recipe items")
        ordering = ["recipe", "age_band", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipe", "food", "age_band"], name="recipe_item_one_per_food_band"
            ),
            models.CheckConstraint(
                condition=Q(grams__gt=0, grams__lte=GRAMS_MAX), name="recipe_item_grams_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipe} {self.age_band}: {self.food.name} {self.grams} g"


class MealPlan(models.Model):
    """One version of the district's standard meal plan for one week and one age band. A draft
    is edited; publishing freezes it (with the nutrient report it was published with) and
    supersedes the version published before it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        SUPERSEDED = "superseded", _("superseded")

    standard = models.ForeignKey(NutritionStandard, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("week starting (Monday)"))
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What was published: the entries with their quantities and the nutrient report, as they
    # were at that moment (foods and recipes may be corrected later; a published plan is not).
    published_report = models.JSONField(
        _("published report"), null=True, blank=True, encoder=DjangoJSONEncoder
    )

    class Meta:
        verbose_name = _("meal plan")
        verbose_name_plural = _("meal plans")
        ordering = ["-week_start", "age_band", "-version"]
        permissions = [("publish_mealplan", _("Can publish a meal plan"))]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "age_band", "version"], name="plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["week_start", "age_band"],
                condition=Q(status="published"),
                name="plan_one_published_per_week_band",
            ),
            models.UniqueConstraint(
                fields=["week_start", "age_band"],
                condition=Q(status="draft"),
                name="plan_one_draft_per_week_band",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="plan_version_positive"),
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1), name="plan_week_starts_on_monday"
            ),
            models.CheckConstraint(
                condition=Q(
                    status="draft",
                    published_at__isnull=True,
                    published_report__isnull=True,
                    superseded_at__isnull=True,
                )
                | Q(
                    status="published",
                    published_at__isnull=False,
                    published_report__isnull=False,
                    superseded_at__isnull=True,
                )
                | Q(
                    status="superseded",
                    published_at__isnull=False,
                    published_report__isnull=False,
                    superseded_at__isnull=False,
                ),
                name="plan_status_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_start} {self.age_band} v{self.version} ({self.status})"


class MealPlanEntry(models.Model):
    """One recipe served at one meal on one day of a plan's week."""

    plan = models.ForeignKey(
        MealPlan, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    weekday = models.PositiveSmallIntegerField(_("weekday (1 = Monday)"))
    meal = models.CharField(_("meal"), max_length=9, choices=Meal.choices)
    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, related_name="+")
    # The serving as a percentage of the recipe's (within the recipe's portion bounds).
    portion_pct = models.DecimalField(
        _("portion (%)"), max_digits=8, decimal_places=4, default=HUNDRED_PCT
    )

    class Meta:
        verbose_name = _("meal plan entry")
        verbose_name_plural = _("meal plan entries")
        ordering = ["plan", "weekday", "meal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "weekday", "meal", "recipe"], name="plan_entry_once_per_menu"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="plan_entry_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(meal__in=[m.value for m in Meal]), name="plan_entry_meal_known"
            ),
            models.CheckConstraint(
                condition=Q(portion_pct__gte=PORTION_MIN_PCT, portion_pct__lte=PORTION_MAX_PCT),
                name="plan_entry_portion_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} day {self.weekday} {self.meal}: {self.recipe}"
