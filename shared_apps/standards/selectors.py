"""Reads of the standard, the catalogue, recipes and plans, and the nutrient arithmetic.

Other apps (a school's canteen adopting the district's plans) call these, never the API:
`standard_current`, `target_get`, `recipe_nutrients`, `nutrients_against_targets`,
`plan_get_published`, `plan_report`.

The arithmetic, all in Decimal:

- a food item brings `grams × edible% / 100 × (nutrient per 100 g) / 100`;
- a recipe for a band, a menu (the recipes of one meal on one day) and a week's average are sums
  (and means) of items, quantized to 0.01 only at the end;
- fat and carbohydrate as % of energy are `fat g × 9` and `carbohydrate g × 4` over the energy;
- salt is the salt equivalent of the sodium that condiments bring (`mg × 2.54 / 1000`; the
  sodium foods carry by themselves is not "salt added" in the standard's sense); cooking oil and
  the food groups are grams of edible part.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol, TypeVar

from django.db.models import BooleanField, Model, Prefetch, QuerySet, TextChoices
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shared_apps.standards.models import (
    FOOD_NUTRIENT_FIELDS,
    TARGET_GROUPS,
    AgeBand,
    Food,
    FoodGroup,
    Meal,
    MealPlan,
    MealPlanEntry,
    NutritionStandard,
    Recipe,
    RecipeItem,
    StandardTarget,
)

M = TypeVar("M", bound=Model)
STANDARD_CODE = "WS/T 554-2017"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
# Grams of salt (NaCl) per milligram of sodium: 58.44 / 22.99 / 1000.
SALT_PER_MG_SODIUM = Decimal("0.00254")

# What `Nutrients.values()` holds: the food's nutrients, then what is derived from them.
DERIVED_KEYS = ("fat_energy_pct", "carbohydrate_energy_pct", "salt_g", "oil_g")
NUTRIENT_KEYS = (*FOOD_NUTRIENT_FIELDS, *DERIVED_KEYS)
GROUP_KEYS = tuple(group.value for group in TARGET_GROUPS)
# Nutrients held to "at least nutrient_min_pct % of the target".
MINIMUM_KEYS = (
    "calcium_mg",
    "iron_mg",
    "zinc_mg",
    "vitamin_a_ug",
    "vitamin_b1_mg",
    "vitamin_b2_mg",
    "vitamin_c_mg",
    "fibre_g",
)


class CheckStatus(TextChoices):
    """How a figure compares with its target."""

    OK = "ok", _("meets the target")
    LOW = "low", _("below the target")
    HIGH = "high", _("above the limit")


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Nutrients:
    """Unrounded sums: the food nutrients, salt and oil (`amounts`) and grams of edible part per
    standard food group (`groups`). Rounded only when read through `values()`/`food_groups()`."""

    amounts: Mapping[str, Decimal] = field(default_factory=dict)
    groups: Mapping[str, Decimal] = field(default_factory=dict)

    def __add__(self, other: "Nutrients") -> "Nutrients":
        return Nutrients(
            amounts={k: self.amount(k) + other.amount(k) for k in {*self.amounts, *other.amounts}},
            groups={k: self.group(k) + other.group(k) for k in {*self.groups, *other.groups}},
        )

    def divided_by(self, count: int) -> "Nutrients":
        divisor = Decimal(count)
        return Nutrients(
            amounts={k: v / divisor for k, v in self.amounts.items()},
            groups={k: v / divisor for k, v in self.groups.items()},
        )

    def amount(self, key: str) -> Decimal:
        return self.amounts.get(key, ZERO)

    def group(self, key: str) -> Decimal:
        return self.groups.get(key, ZERO)

    def value(self, key: str) -> Decimal:
        """One nutrient (or derived figure), rounded to 0.01."""
        if key == "fat_energy_pct":
            return self._energy_share(self.amount("fat_g") * 9)
        if key == "carbohydrate_energy_pct":
            return self._energy_share(self.amount("carbohydrate_g") * 4)
        return _cent(self.amount(key))

    def _energy_share(self, kcal: Decimal) -> Decimal:
        energy = self.amount("energy_kcal")
        return _cent(kcal / energy * HUNDRED) if energy > 0 else ZERO

    def values(self) -> dict[str, Decimal]:
        return {key: self.value(key) for key in NUTRIENT_KEYS}

    def food_groups(self) -> dict[str, Decimal]:
        return {key: _cent(self.group(key)) for key in GROUP_KEYS}


def item_nutrients(*, food: Food, grams: Decimal) -> Nutrients:
    """What `grams` of `food` as bought (inedible part included) bring."""
    edible = grams * food.edible_pct / HUNDRED
    amounts = {key: edible * getattr(food, key) / HUNDRED for key in FOOD_NUTRIENT_FIELDS}
    if food.food_group == FoodGroup.CONDIMENTS:
        amounts["salt_g"] = amounts["sodium_mg"] * SALT_PER_MG_SODIUM
    if food.food_group == FoodGroup.OIL:
        amounts["oil_g"] = edible
    groups = {food.food_group: edible} if food.food_group in GROUP_KEYS else {}
    return Nutrients(amounts=amounts, groups=groups)


def items_nutrients(items: Iterable[tuple[Food, Decimal]]) -> Nutrients:
    total = Nutrients()
    for food, grams in items:
        total = total + item_nutrients(food=food, grams=grams)
    return total


# Standards and targets ---------------------------------------------------------------------------


def standard_list() -> QuerySet[NutritionStandard]:
    return NutritionStandard.objects.all()


def standard_current(*, code: str = STANDARD_CODE) -> NutritionStandard | None:
    """The latest published version of the standard `code`."""
    return (
        NutritionStandard.objects.filter(code=code, is_published=True).order_by("-version").first()
    )


def target_list() -> QuerySet[StandardTarget]:
    return StandardTarget.objects.select_related("standard").prefetch_related("groups")


def target_get(*, standard: NutritionStandard, age_band: str, meal: str) -> StandardTarget | None:
    return target_list().filter(standard=standard, age_band=age_band, meal=meal).first()


def _targets_by_meal(standard: NutritionStandard, age_band: str) -> dict[str, StandardTarget]:
    return {t.meal: t for t in target_list().filter(standard=standard, age_band=age_band)}


@dataclass(frozen=True)
class Check:
    """One figure against its target: `lower`/`upper` are the bounds it must keep (None: no
    bound on that side); `status` is ok, low or high."""

    nutrient: str
    actual: Decimal
    target: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    status: CheckStatus

    @property
    def percent_of_target(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.actual / self.target * HUNDRED).quantize(TENTH, rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "nutrient": self.nutrient,
            "status": self.status.value,
            "actual": self.actual,
            "target": self.target,
            "lower": self.lower,
            "upper": self.upper,
            "percent_of_target": self.percent_of_target,
        }


def _check(
    key: str,
    actual: Decimal,
    target: Decimal | None,
    lower: Decimal | None,
    upper: Decimal | None,
) -> Check:
    lower = None if lower is None else _cent(lower)
    upper = None if upper is None else _cent(upper)
    if lower is not None and actual < lower:
        status = CheckStatus.LOW
    elif upper is not None and actual > upper:
        status = CheckStatus.HIGH
    else:
        status = CheckStatus.OK
    return Check(key, actual, target, lower, upper, status)


def nutrients_against_targets(*, nutrients: Nutrients, target: StandardTarget) -> list[Check]:
    """Every figure the standard sets for `target`'s band and meal, checked against it, in the
    order of the standard's tables: energy, macronutrients, other nutrients, limits, then the
    food groups."""
    standard = target.standard
    values = nutrients.values()
    pct = HUNDRED
    checks = [
        _check(
            "energy_kcal",
            values["energy_kcal"],
            target.energy_kcal,
            target.energy_kcal * standard.energy_min_pct / pct,
            target.energy_kcal * standard.energy_max_pct / pct,
        ),
        _check(
            "protein_g",
            values["protein_g"],
            target.protein_g,
            target.protein_g * standard.protein_min_pct / pct,
            target.protein_g * standard.protein_max_pct / pct,
        ),
        _check(
            "fat_energy_pct",
            values["fat_energy_pct"],
            None,
            target.fat_energy_pct_min,
            target.fat_energy_pct_max,
        ),
        _check(
            "carbohydrate_energy_pct",
            values["carbohydrate_energy_pct"],
            None,
            target.carbohydrate_energy_pct_min,
            target.carbohydrate_energy_pct_max,
        ),
    ]
    for key in MINIMUM_KEYS:
        wanted: Decimal = getattr(target, key)
        checks.append(
            _check(key, values[key], wanted, wanted * standard.nutrient_min_pct / pct, None)
        )
    checks.append(_check("salt_g", values["salt_g"], target.salt_g_max, None, target.salt_g_max))
    checks.append(_check("oil_g", values["oil_g"], target.oil_g_max, None, target.oil_g_max))
    grams = nutrients.food_groups()
    for group in target.groups.all():
        checks.append(
            _check(
                f"{group.food_group}_g",
                grams.get(group.food_group, ZERO),
                None,
                group.grams_min,
                group.grams_max,
            )
        )
    return checks


def _assessment(nutrients: Nutrients, target: StandardTarget | None) -> dict[str, Any]:
    checks = [] if target is None else nutrients_against_targets(nutrients=nutrients, target=target)
    return {
        "nutrients": nutrients.values(),
        "food_groups": nutrients.food_groups(),
        "has_target": target is not None,
        "checks": [c.as_dict() for c in checks],
        "flags": [c.as_dict() for c in checks if c.status != CheckStatus.OK],
    }


# Foods and recipes -------------------------------------------------------------------------------


def food_list() -> QuerySet[Food]:
    return Food.objects.all()


def recipe_list() -> QuerySet[Recipe]:
    return Recipe.objects.prefetch_related(
        Prefetch("items", queryset=RecipeItem.objects.select_related("food").order_by("id"))
    )


def _items(recipe: Recipe, age_band: str) -> list[RecipeItem]:
    # Uses the prefetched items when there are (recipe_list, the plan report), else one query.
    return [item for item in recipe.items.all() if item.age_band == age_band]


def recipe_age_bands(recipe: Recipe) -> list[str]:
    return sorted({item.age_band for item in recipe.items.all()}, key=_band_order)


def _band_order(band: str) -> int:
    return int(band.split("-", 1)[0])


def recipe_nutrients(*, recipe: Recipe, age_band: str, portion_pct: Decimal = HUNDRED) -> Nutrients:
    """One serving of `recipe` for `age_band`, scaled to `portion_pct` % of the recipe's
    (nothing when it has no quantities for the band)."""
    share = portion_pct / HUNDRED
    return items_nutrients((item.food, item.grams * share) for item in _items(recipe, age_band))


def recipe_report(
    *, recipe: Recipe, standard: NutritionStandard | None = None
) -> list[dict[str, Any]]:
    """For each age band the recipe is made for: its nutrients per serving, checked against the
    targets of its meal for that band (what one dish contributes; a menu adds the rest)."""
    standard = standard or standard_current()
    report = []
    for band in recipe_age_bands(recipe):
        target = None
        if standard is not None:
            target = target_get(standard=standard, age_band=band, meal=recipe.meal)
        report.append(
            {
                "age_band": band,
                "meal": recipe.meal,
                **_assessment(recipe_nutrients(recipe=recipe, age_band=band), target),
            }
        )
    return report


# Plans -------------------------------------------------------------------------------------------


def plan_list() -> QuerySet[MealPlan]:
    return MealPlan.objects.select_related("standard", "published_by", "created_by")


def plan_brief_list() -> QuerySet[MealPlan]:
    """Plans without their published reports (large), each with `published_meets_standard`
    read from the report in the database (None for drafts)."""
    return (
        plan_list()
        .defer("published_report")
        .annotate(
            published_meets_standard=Cast(
                KeyTransform("meets_standard", "published_report"), BooleanField()
            )
        )
    )


def _band_items(age_band: str) -> "QuerySet[RecipeItem]":
    return RecipeItem.objects.filter(age_band=age_band).select_related("food").order_by("id")


def with_band_items(entries: "QuerySet[M]", *, age_band: str) -> "QuerySet[M]":
    """`entries` (rows with a `recipe`: a plan's, or another app's drafts) with their recipes
    and the recipes' quantities for `age_band`, as the validator reads them."""
    return entries.select_related("recipe").prefetch_related(
        Prefetch("recipe__items", queryset=_band_items(age_band))
    )


def plan_entries(*, plan: MealPlan) -> QuerySet[MealPlanEntry]:
    return with_band_items(
        MealPlanEntry.objects.filter(plan=plan), age_band=plan.age_band
    ).order_by("weekday", "meal", "id")


def recipe_list_for_band(*, age_band: str, meals: Sequence[str]) -> QuerySet[Recipe]:
    """The recipes of `meals`, each with its quantities for `age_band` only (none: it has no
    quantities for the band)."""
    return (
        Recipe.objects.filter(meal__in=meals)
        .prefetch_related(Prefetch("items", queryset=_band_items(age_band)))
        .order_by("id")
    )


def plan_get_published(*, week_start: datetime.date, age_band: str) -> MealPlan | None:
    """The plan in force for that week and band: its latest published version, or None."""
    return plan_list().filter(week_start=week_start, age_band=age_band, status="published").first()


def plan_published_list(*, age_band: str | None = None) -> QuerySet[MealPlan]:
    qs = plan_list().filter(status=MealPlan.Status.PUBLISHED)
    return qs if age_band is None else qs.filter(age_band=age_band)


MEAL_ORDER = {meal.value: index for index, meal in enumerate(Meal)}

# The figures the standard checks, in plain words, with their units.
NUTRIENT_WORDS: dict[str, tuple[Any, str]] = {
    "energy_kcal": (_("energy"), "kcal"),
    "protein_g": (_("protein"), "g"),
    "fat_energy_pct": (_("share of energy from fat"), "%"),
    "carbohydrate_energy_pct": (_("share of energy from carbohydrate"), "%"),
    "calcium_mg": (_("calcium"), "mg"),
    "iron_mg": (_("iron"), "mg"),
    "zinc_mg": (_("zinc"), "mg"),
    "vitamin_a_ug": (_("vitamin A"), "μg"),
    "vitamin_b1_mg": (_("vitamin B1"), "mg"),
    "vitamin_b2_mg": (_("vitamin B2"), "mg"),
    "vitamin_c_mg": (_("vitamin C"), "mg"),
    "fibre_g": (_("dietary fibre"), "g"),
    "salt_g": (_("salt"), "g"),
    "oil_g": (_("cooking oil"), "g"),
    **{f"{group.value}_g": (group.label, "g") for group in FoodGroup},
}


def plan_previous(*, plan: MealPlan) -> MealPlan | None:
    """The plan of the week before for the same band: its published version, else its latest."""
    earlier = plan_list().filter(
        week_start=plan.week_start - datetime.timedelta(days=7), age_band=plan.age_band
    )
    return (
        earlier.filter(status=MealPlan.Status.PUBLISHED).first()
        or earlier.order_by("-version").first()
    )


def bands_without_plan(*, week_start: datetime.date) -> list[str]:
    """The age bands with no published plan for the week."""
    published = set(
        plan_list()
        .filter(week_start=week_start, status=MealPlan.Status.PUBLISHED)
        .values_list("age_band", flat=True)
    )
    return [band for band in AgeBand.values if band not in published]


def recipes_for(*, meal: str, age_band: str, search: str = "") -> QuerySet[Recipe]:
    """The recipes for `meal` with quantities for `age_band`, by name, `search` in the name."""
    found = Recipe.objects.filter(meal=meal, items__age_band=age_band).distinct()
    if search:
        found = found.filter(name__icontains=search)
    return found.order_by("name")


class PlannedEntry(Protocol):
    """One recipe served at one meal of one day, at a portion: a plan's entry, or a draft's
    that is not a plan yet (the optimiser's proposals). Its recipe's items are prefetched."""

    @property
    def pk(self) -> int | None: ...

    weekday: int
    meal: str
    recipe: Recipe
    portion_pct: Decimal


def plan_compute_report(*, plan: MealPlan) -> dict[str, Any]:
    """The plan as it stands: its entries with their quantities, each menu (one meal of one day)
    and each meal's weekly average checked against the band's targets, and the weekly flags."""
    return entries_report(
        standard=plan.standard, age_band=plan.age_band, entries=list(plan_entries(plan=plan))
    )


def entries_report(
    *, standard: NutritionStandard, age_band: str, entries: Sequence[PlannedEntry]
) -> dict[str, Any]:
    """The plan validator: `entries` (a week's, for `age_band`) with their quantities, each menu
    (one meal of one day) and each meal's weekly average checked against the band's targets of
    `standard`, and the weekly flags; `meets_standard` when there are none."""
    targets = _targets_by_meal(standard, age_band)
    menus: dict[tuple[int, str], Nutrients] = defaultdict(Nutrients)
    for entry in entries:
        key = (entry.weekday, entry.meal)
        menus[key] = menus[key] + recipe_nutrients(
            recipe=entry.recipe, age_band=age_band, portion_pct=entry.portion_pct
        )
    ordered = sorted(menus, key=lambda k: (k[0], MEAL_ORDER[k[1]]))
    weekly: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    for meal in sorted({meal for _day, meal in menus}, key=MEAL_ORDER.__getitem__):
        days = [key for key in ordered if key[1] == meal]
        total = Nutrients()
        for key in days:
            total = total + menus[key]
        assessed = _assessment(total.divided_by(len(days)), targets.get(meal))
        weekly.append({"meal": meal, "days": len(days), **assessed})
        flags.extend({"meal": meal, **flag} for flag in assessed["flags"])
    return {
        "standard": {"id": standard.pk, "code": standard.code, "version": standard.version},
        "age_band": age_band,
        "entries": [_entry_snapshot(entry, age_band) for entry in entries],
        "menus": [
            {"weekday": day, "meal": meal, **_assessment(menus[(day, meal)], targets.get(meal))}
            for day, meal in ordered
        ],
        "weekly": weekly,
        "flags": flags,
        "meets_standard": bool(weekly) and not flags,
        "computed_at": timezone.now(),
    }


def _entry_snapshot(entry: PlannedEntry, age_band: str) -> dict[str, Any]:
    share = entry.portion_pct / HUNDRED
    return {
        "id": entry.pk,
        "weekday": entry.weekday,
        "meal": entry.meal,
        "recipe": entry.recipe.pk,
        "recipe_name": entry.recipe.name,
        "portion_pct": entry.portion_pct,
        "items": [
            {
                "food": item.food.code,
                "food_name": item.food.name,
                "grams": (item.grams * share).quantize(TENTH, rounding=ROUND_HALF_UP),
            }
            for item in _items(entry.recipe, age_band)
        ],
    }


def plan_report(*, plan: MealPlan) -> dict[str, Any]:
    """What the plan serves and how it meets the standard. A published (or superseded) plan
    answers with what it was published with, whatever was corrected in the catalogue since; a
    draft is computed as it stands."""
    if plan.published_report is not None:
        return revived_report(plan.published_report)
    return plan_compute_report(plan=plan)


def revived_report(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A report as stored (JSON), with its figures back as Decimal."""
    return {key: _revived(value, key) for key, value in stored.items()}


# The figures of a stored report (a report of another app may add its own money figures).
_NUMBERS = {
    "actual",
    "target",
    "lower",
    "upper",
    "percent_of_target",
    "grams",
    "portion_pct",
    "cost",
    "budget",
}


def _revived(value: object, key: str = "") -> object:
    """A stored report with its decimals back as Decimal (JSON keeps them as strings)."""
    if isinstance(value, dict):
        if key in ("nutrients", "food_groups"):
            return {k: Decimal(v) for k, v in value.items()}
        return {k: _revived(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_revived(v) for v in value]
    if key in _NUMBERS and isinstance(value, str):
        return Decimal(value)
    return value


def missing_quantities(*, recipes: Sequence[Recipe], age_band: str) -> list[Recipe]:
    """The recipes of `recipes` with no quantities for `age_band`."""
    with_band = set(
        RecipeItem.objects.filter(recipe__in=recipes, age_band=age_band).values_list(
            "recipe_id", flat=True
        )
    )
    return [recipe for recipe in recipes if recipe.pk not in with_band]


# In plain words ----------------------------------------------------------------------------------


def _number(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def check_text(flag: Mapping[str, Any]) -> str:
    """A figure of a nutrient check (a `Check.as_dict()` with the meal it concerns and, for one
    day's menu, its date) in plain words: which meal, which nutrient, how much, and the bound
    it misses."""
    nutrient = str(flag.get("nutrient", ""))
    label, unit = NUTRIENT_WORDS.get(nutrient, (nutrient, ""))
    meal = str(flag.get("meal", ""))
    meal_label = Meal(meal).label if meal in Meal.values else meal
    day = flag.get("date")
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    when = (
        gettext("%(meal)s on %(date)s") % {"meal": meal_label, "date": day.isoformat()}
        if isinstance(day, datetime.date)
        else gettext("%(meal)s, weekly average") % {"meal": meal_label}
    )
    figures = {"when": when, "nutrient": label, "actual": _number(flag.get("actual")), "unit": unit}
    status = str(flag.get("status", ""))
    if status == CheckStatus.LOW:
        return gettext(
            "%(when)s: %(nutrient)s %(actual)s %(unit)s, "
            "below the target (at least %(bound)s %(unit)s)."
        ) % {**figures, "bound": _number(flag.get("lower"))}
    if status == CheckStatus.HIGH:
        return gettext(
            "%(when)s: %(nutrient)s %(actual)s %(unit)s, "
            "above the limit (at most %(bound)s %(unit)s)."
        ) % {**figures, "bound": _number(flag.get("upper"))}
    return gettext("%(when)s: %(nutrient)s %(actual)s %(unit)s.") % figures
