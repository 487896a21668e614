"""The optimiser's goals for one meal: the checks the plan validator runs
(`standards.selectors.nutrients_against_targets`, on each meal's weekly average), written as
linear bounds on the week's sums, plus each day's energy and the budget of each menu.

The validator rounds figures to 0.01 and compares them with bounds rounded to 0.01, so each
bound is moved inwards by a thousandth of itself (at least 0.01): a plan that keeps the moved
bounds passes the validator whatever the rounding. A food group whose least and most are the same
figure (eggs 20 g, say) is an equation with no room to move, kept exactly.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from shared_apps.optimiser.solver import COST, Goal
from shared_apps.standards.selectors import MINIMUM_KEYS

# How much a miss of each kind weighs against another (per 100 % of its target), when no plan
# can meet them all. A proposal records the weights it was solved with.
WEIGHTS: dict[str, float] = {
    "energy_kcal": 3.0,
    "protein_g": 2.0,
    "fat_energy_pct": 2.0,
    "carbohydrate_energy_pct": 2.0,
    "nutrient": 1.0,
    "salt_g": 2.0,
    "oil_g": 2.0,
    "food_group": 1.0,
    "daily_energy_kcal": 1.0,
    "budget": 3.0,
}
# Percentage points kept off the fat and carbohydrate shares' bounds.
SHARE_MARGIN = 0.05


def _inside(bound: float) -> float:
    return max(abs(bound) / 1000, 0.01)


def _pct(value: Decimal) -> float:
    return float(value) / 100


class _Goals:
    def __init__(self, meal: str, days: int, weights: Mapping[str, float]) -> None:
        self.meal = meal
        self.days = days
        self.weights = weights
        self.goals: list[Goal] = []

    def add(
        self,
        name: str,
        coefficients: Mapping[str, float],
        lower: float | None,
        upper: float | None,
        *,
        scale: float,
        weight: str,
        daily: bool = False,
        exact: bool = False,
    ) -> None:
        count = 1 if daily else self.days
        if not exact:
            lower = None if lower is None else lower + _inside(lower)
            upper = None if upper is None else upper - _inside(upper)
        self.goals.append(
            Goal(
                name=name,
                meal=self.meal,
                coefficients=coefficients,
                lower=None if lower is None else lower * count,
                upper=None if upper is None else upper * count,
                scale=max(scale, 0.01) * count,
                weight=self.weights[weight],
                daily=daily,
            )
        )


def meal_goals(
    *,
    meal: str,
    standard: Any,
    target: Any,
    groups: Sequence[tuple[str, Decimal, Decimal]],
    days: int,
    daily_energy: bool,
    budget: Decimal | None,
    weights: Mapping[str, float] = WEIGHTS,
) -> list[Goal]:
    """The goals of `meal` served on `days` days, from the validator's figures: the standard's
    tolerances, the band's `target` for the meal and its food `groups` (group, least, most)."""
    goals = _Goals(meal, days, weights)
    energy = float(target.energy_kcal)
    protein = float(target.protein_g)
    goals.add(
        "energy_kcal",
        {"energy_kcal": 1.0},
        energy * _pct(standard.energy_min_pct),
        energy * _pct(standard.energy_max_pct),
        scale=energy,
        weight="energy_kcal",
    )
    if daily_energy:
        goals.add(
            "energy_kcal",
            {"energy_kcal": 1.0},
            energy * _pct(standard.energy_min_pct),
            energy * _pct(standard.energy_max_pct),
            scale=energy,
            weight="daily_energy_kcal",
            daily=True,
        )
    goals.add(
        "protein_g",
        {"protein_g": 1.0},
        protein * _pct(standard.protein_min_pct),
        protein * _pct(standard.protein_max_pct),
        scale=protein,
        weight="protein_g",
    )
    # A share of energy between two bounds: grams × kcal per gram − bound × energy, kept at or
    # above (below) zero.
    for name, nutrient, kcal, low, high in (
        ("fat_energy_pct", "fat_g", 9.0, target.fat_energy_pct_min, target.fat_energy_pct_max),
        (
            "carbohydrate_energy_pct",
            "carbohydrate_g",
            4.0,
            target.carbohydrate_energy_pct_min,
            target.carbohydrate_energy_pct_max,
        ),
    ):
        share_low = (float(low) + SHARE_MARGIN) / 100
        share_high = (float(high) - SHARE_MARGIN) / 100
        goals.add(
            f"{name}_min",
            {nutrient: kcal, "energy_kcal": -share_low},
            0.0,
            None,
            scale=energy,
            weight=name,
            exact=True,
        )
        goals.add(
            f"{name}_max",
            {nutrient: kcal, "energy_kcal": -share_high},
            None,
            0.0,
            scale=energy,
            weight=name,
            exact=True,
        )
    for key in MINIMUM_KEYS:
        wanted = float(getattr(target, key))
        goals.add(
            key,
            {key: 1.0},
            wanted * _pct(standard.nutrient_min_pct),
            None,
            scale=wanted,
            weight="nutrient",
        )
    for key, limit in (("salt_g", target.salt_g_max), ("oil_g", target.oil_g_max)):
        goals.add(key, {key: 1.0}, None, float(limit), scale=float(limit), weight=key)
    for group, least, most in groups:
        goals.add(
            f"{group}_g",
            {group: 1.0},
            float(least),
            float(most),
            scale=float(most),
            weight="food_group",
            exact=least == most,
        )
    if budget is not None:
        goals.add(
            "budget",
            {COST: 1.0},
            None,
            float(budget),
            scale=float(budget),
            weight="budget",
            daily=True,
        )
    return goals.goals
