"""Reads of the meal-plan optimiser: what a recipe costs and where its prices come from, the
recipes a week may be composed of (and why the others are left out), proposals, their check
against the standard and the rules, and the week grid a page shows.

Prices: a proposal keeps the price of every food (per kilogram, with its source) as it was when
it was asked for; its entries, and every change to them, are priced from those, never from
today's catalogue."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.db.models import QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.optimiser import solver
from shared_apps.optimiser.goals import meal_goals
from shared_apps.optimiser.models import Proposal, ProposalEntry
from shared_apps.optimiser.rules import Rules
from shared_apps.procurement.selectors.prices import FoodPrice, food_prices
from shared_apps.standards import selectors as standards
from shared_apps.standards.models import (
    HUNDRED_PCT,
    Meal,
    NutritionStandard,
    Recipe,
    StandardTarget,
)
from shared_apps.subsidies.selectors import programme_active_get

COST_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")
THOUSAND = Decimal(1000)


# Prices and costs --------------------------------------------------------------------------------


def price_book(*, on: datetime.date, school_id: int | None = None) -> dict[str, FoodPrice]:
    """Every food's price per kilogram on `on` (for a school: at its own contracts), by code."""
    return food_prices(on=on, school_id=school_id)


def _date(value: datetime.date | str | None) -> datetime.date | None:
    """A date as recorded: itself before the proposal is saved, a string after."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def prices_recorded(recorded: Mapping[str, Mapping[str, Any]]) -> dict[str, FoodPrice]:
    """The prices a proposal recorded among its inputs, as they were."""
    return {
        food: FoodPrice(
            food=food,
            per_kg=Decimal(price["per_kg"]),
            source=price["source"],
            item=price["item"],
            unit=price["unit"],
            unit_price=Decimal(price["unit_price"]),
            grams_per_unit=Decimal(price["grams_per_unit"]),
            contract=price["contract"],
            supplier=price["supplier"],
            reference_date=_date(price["reference_date"]),
        )
        for food, price in recorded.items()
    }


@dataclass(frozen=True)
class ItemCost:
    """One food of a serving: its grams as bought, its price and what it costs (None: no
    price)."""

    food: str
    food_name: str
    grams: Decimal
    price: FoodPrice | None

    @property
    def cost(self) -> Decimal | None:
        if self.price is None:
            return None
        return (self.grams * self.price.per_kg / THOUSAND).quantize(COST_PLACES)


@dataclass(frozen=True)
class RecipeCost:
    """A serving of a recipe for one band: its foods' costs and their sum (None when a food has
    no price)."""

    recipe: Recipe
    age_band: str
    items: tuple[ItemCost, ...]

    @property
    def unpriced(self) -> list[str]:
        return [item.food for item in self.items if item.price is None]

    @property
    def cost(self) -> Decimal | None:
        if self.unpriced or not self.items:
            return None
        return sum((item.cost or Decimal(0) for item in self.items), Decimal(0)).quantize(
            COST_PLACES
        )


def recipe_cost(
    *,
    recipe: Recipe,
    age_band: str,
    prices: Mapping[str, FoodPrice],
) -> RecipeCost:
    """What one serving of `recipe` for `age_band` costs at `prices` (its items for the band
    prefetched, or read)."""
    return RecipeCost(
        recipe=recipe,
        age_band=age_band,
        items=tuple(
            ItemCost(
                food=item.food.code,
                food_name=item.food.name,
                grams=item.grams,
                price=prices.get(item.food.code),
            )
            for item in recipe.items.all()
            if item.age_band == age_band
        ),
    )


def recipe_cost_list(*, age_band: str, on: datetime.date) -> list[RecipeCost]:
    """Every recipe with quantities for `age_band`, costed at the district's prices of `on`."""
    prices = price_book(on=on)
    recipes = standards.recipe_list_for_band(age_band=age_band, meals=Meal.values)
    return [
        recipe_cost(recipe=recipe, age_band=age_band, prices=prices)
        for recipe in recipes
        if recipe.items.all()
    ]


# What a week is composed of ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A recipe a week may serve: what one serving brings and costs."""

    recipe: Recipe
    nutrients: standards.Nutrients
    cost: Decimal


class LeftOut(TextChoices):
    """Why a recipe is not among a week's candidates."""

    NO_QUANTITIES = "no_quantities", _("no quantities for the age band")
    ALLERGEN = "allergen", _("contains an excluded allergen")
    OUT_OF_SEASON = "out_of_season", _("out of season")
    UNPRICED = "unpriced", _("a food without a price")


@dataclass(frozen=True)
class Pool:
    candidates: list[Candidate]
    left_out: list[dict[str, Any]]

    def count(self, meal: str, course: str) -> int:
        return sum(
            1 for c in self.candidates if c.recipe.meal == meal and c.recipe.course == course
        )


def week_month(week_start: datetime.date) -> int:
    """The month a week is in, for what is in season: its Thursday's (as ISO weeks count)."""
    return (week_start + datetime.timedelta(days=3)).month


def candidate_pool(
    *,
    age_band: str,
    meals: Sequence[str],
    month: int,
    rules: Rules,
    prices: Mapping[str, FoodPrice],
    recipe_ids: Iterable[int] | None = None,
) -> Pool:
    """The recipes of `meals` a week for `age_band` may serve in `month` (only `recipe_ids`,
    when given), and the others with the reason they are left out."""
    recipes = standards.recipe_list_for_band(age_band=age_band, meals=meals)
    if recipe_ids is not None:
        recipes = recipes.filter(pk__in=list(recipe_ids))
    excluded = set(rules.exclude_allergens)
    candidates, left_out = [], []
    for recipe in recipes:
        costed = recipe_cost(recipe=recipe, age_band=age_band, prices=prices)
        cost = costed.cost
        allergens = sorted(excluded & set(recipe.allergens))
        reason: dict[str, Any] = {}
        if not costed.items:
            reason = {"reason": LeftOut.NO_QUANTITIES}
        elif allergens:
            reason = {"reason": LeftOut.ALLERGEN, "allergens": allergens}
        elif recipe.season_months and month not in recipe.season_months:
            reason = {"reason": LeftOut.OUT_OF_SEASON}
        elif cost is None:
            reason = {"reason": LeftOut.UNPRICED, "foods": costed.unpriced}
        if reason or cost is None:
            left_out.append(
                {"recipe": recipe.pk, "name": recipe.name, "meal": recipe.meal, **reason}
            )
            continue
        candidates.append(
            Candidate(
                recipe=recipe,
                nutrients=standards.recipe_nutrients(recipe=recipe, age_band=age_band),
                cost=cost,
            )
        )
    return Pool(candidates, left_out)


@dataclass(frozen=True)
class MealTarget:
    target: StandardTarget
    groups: list[tuple[str, Decimal, Decimal]]


def meal_targets(
    *, standard: NutritionStandard, age_band: str, meals: Sequence[str]
) -> dict[str, MealTarget]:
    """The band's targets for each of `meals` that has some."""
    targets = standards.target_list().filter(standard=standard, age_band=age_band, meal__in=meals)
    return {
        t.meal: MealTarget(t, [(g.food_group, g.grams_min, g.grams_max) for g in t.groups.all()])
        for t in targets
    }


def budget_per_meal(rules: Rules) -> Decimal | None:
    """What one menu may cost: the programme's daily rate plus what the school adds (None: no
    programme, no budget); raises LookupError for a programme that is not running."""
    if not rules.programme:
        return None
    programme = programme_active_get(code=rules.programme)
    if programme is None:
        raise LookupError(rules.programme)
    rate: Decimal = programme.daily_rate
    return rate + rules.budget_addition


# Proposals ---------------------------------------------------------------------------------------


def proposal_list() -> SchoolOwnedQuerySet[Proposal]:
    """Proposals. They may belong to schools (houqin.tenancy): the caller says whose it reads."""
    return Proposal.objects.select_related(
        "standard", "school", "created_by", "published_by", "plan"
    )


def proposal_entries(*, proposal: Proposal) -> "QuerySet[ProposalEntry]":
    """A proposal's entries, in the week's order, with what the validator reads."""
    return standards.with_band_items(proposal.entries.all(), age_band=proposal.age_band).order_by(
        "weekday", "meal", "id"
    )


def _check(value: dict[str, Any], *, kind: str, meal: str, weekday: int | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "meal": meal,
        "weekday": weekday,
        "check": value["nutrient"],
        "status": value["status"],
        "actual": value["actual"],
        "lower": value["lower"],
        "upper": value["upper"],
    }


class CostedEntry(standards.PlannedEntry, Protocol):
    """An entry with its cost per serving (a proposal's, or one a benchmark composes)."""

    cost: Decimal


def entries_check(
    *,
    standard: NutritionStandard,
    age_band: str,
    entries: Sequence[CostedEntry],
    budget: Decimal | None,
    daily_energy: bool,
) -> dict[str, Any]:
    """The plan validator's report on `entries`, with each menu's cost, the week's, and every
    miss named: the standard's checks on the weekly averages, each day's energy (with
    `daily_energy`) and each menu's budget."""
    report = standards.entries_report(standard=standard, age_band=age_band, entries=entries)
    costs: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        costs[(entry.weekday, entry.meal)] += entry.cost
    misses = [
        _check(flag, kind="target", meal=flag["meal"], weekday=None) for flag in report["flags"]
    ]
    for menu in report["menus"]:
        key = (menu["weekday"], menu["meal"])
        menu["cost"] = costs[key].quantize(CENT, rounding=ROUND_HALF_UP)
        menu["budget"] = budget
        if daily_energy:
            misses += [
                _check(flag, kind="daily_energy", meal=key[1], weekday=key[0])
                for flag in menu["flags"]
                if flag["nutrient"] == "energy_kcal"
            ]
        if budget is not None and costs[key] > budget:
            misses.append(
                {
                    "kind": "budget",
                    "meal": key[1],
                    "weekday": key[0],
                    "check": "cost",
                    "status": "high",
                    "actual": menu["cost"],
                    "lower": None,
                    "upper": budget,
                }
            )
    report["cost"] = sum(costs.values(), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    report["misses"] = misses
    return report


def proposal_week(*, proposal: Proposal) -> dict[str, Any]:
    """The week grid of a proposal, all a page needs in one read: each day (with its date) and
    meal with its dishes (course, portion, cost) and the menu's cost, budget, energy and flags;
    each meal's weekly check; the week's cost, the misses, and how the solver ended."""
    report = standards.revived_report(proposal.report)
    menus = {(m["weekday"], m["meal"]): m for m in report["menus"]}
    dishes: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    prices = proposal.inputs["prices"]
    for entry in proposal_entries(proposal=proposal):
        dishes[(entry.weekday, entry.meal)].append(
            {
                "id": entry.pk,
                "recipe": entry.recipe_id,
                "name": entry.recipe.name,
                "course": entry.recipe.course,
                "deep_fried": entry.recipe.deep_fried,
                "allergens": entry.recipe.allergens,
                "portion_pct": entry.portion_pct,
                "cost": entry.cost,
                # Where its foods' prices come from: contracts, market references, or both.
                "sources": sorted(
                    {
                        prices[item.food.code]["source"]
                        for item in entry.recipe.items.all()
                        if item.food.code in prices
                    }
                ),
            }
        )
    days = []
    for weekday in proposal.inputs["rules"]["days"]:
        meals = []
        for meal in proposal.meals:
            menu = menus.get((weekday, meal), {})
            meals.append(
                {
                    "meal": meal,
                    "dishes": dishes.get((weekday, meal), []),
                    "cost": menu.get("cost", Decimal("0.00")),
                    "budget": menu.get("budget"),
                    "energy_kcal": menu.get("nutrients", {}).get("energy_kcal"),
                    "flags": menu.get("flags", []),
                }
            )
        days.append(
            {
                "weekday": weekday,
                "date": proposal.week_start + datetime.timedelta(days=weekday - 1),
                "meals": meals,
            }
        )
    return {
        "proposal": proposal.pk,
        "week_start": proposal.week_start,
        "age_band": proposal.age_band,
        "status": proposal.status,
        "days": days,
        "weekly": report["weekly"],
        "cost": proposal.cost,
        "meets_standard": proposal.meets_standard,
        "misses": report["misses"],
        "solver": proposal.solver,
    }


# The problem a week poses -------------------------------------------------------------------------


def recorded_pool(inputs: Mapping[str, Any]) -> Pool:
    """The candidates a proposal was composed from, at the prices it recorded."""
    return candidate_pool(
        age_band=inputs["age_band"],
        meals=inputs["meals"],
        month=inputs["month"],
        rules=Rules.from_dict(inputs["rules"]),
        prices=prices_recorded(inputs["prices"]),
        recipe_ids=inputs["recipes"],
    )


def week_problem(*, inputs: Mapping[str, Any], pool: Pool) -> solver.Problem:
    """The optimiser's problem for a proposal's `inputs`: the candidates of `pool` as dishes,
    the band's targets, the rules and the budget as goals."""
    rules = Rules.from_dict(inputs["rules"])
    standard = NutritionStandard.objects.get(pk=inputs["standard"]["id"])
    targets = meal_targets(standard=standard, age_band=inputs["age_band"], meals=inputs["meals"])
    budget = None if inputs["budget_per_meal"] is None else Decimal(inputs["budget_per_meal"])
    goals = [
        goal
        for meal in inputs["meals"]
        for goal in meal_goals(
            meal=meal,
            standard=standard,
            target=targets[meal].target,
            groups=targets[meal].groups,
            days=len(rules.days),
            daily_energy=rules.daily_energy,
            budget=budget,
            weights=inputs["weights"],
        )
    ]
    dishes = [
        solver.Dish(
            key=c.recipe.pk,
            meal=c.recipe.meal,
            course=c.recipe.course,
            amounts={
                **{k: float(v) for k, v in c.nutrients.amounts.items()},
                **{k: float(v) for k, v in c.nutrients.groups.items()},
            },
            cost=float(c.cost),
            deep_fried=c.recipe.deep_fried,
            portion=(
                float(c.recipe.portion_min_pct / HUNDRED_PCT),
                float(c.recipe.portion_max_pct / HUNDRED_PCT),
            ),
        )
        for c in pool.candidates
    ]
    return solver.Problem(
        days=rules.days,
        meals=tuple(inputs["meals"]),
        dishes=tuple(dishes),
        goals=tuple(goals),
        courses={
            meal: {course: (least, most) for course, (least, most) in courses.items()}
            for meal, courses in inputs["courses"].items()
        },
        max_dishes=inputs["max_dishes"],
        repeatable=frozenset(rules.repeatable),
        max_deep_fried=rules.max_deep_fried,
    )
