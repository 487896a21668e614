"""The optimiser's benchmark: a library of recipes (the demo's, and variants of them with other
quantities, up to the size asked for), weeks composed by the optimiser against the cheapest week
a greedy heuristic finds, both judged by the plan validator."""

import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from demo_district.procurement import seed_catalogue
from demo_district.recipes import BAND_SCALE, BUDGET_ADDITIONS, LIBRARY, DemoRecipe
from houqin.door import SystemActor
from shared_apps.accounts.models import User
from shared_apps.optimiser import selectors, services, solver
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import Rules
from shared_apps.standards import services as standards
from shared_apps.standards.models import Recipe

BENCH = SystemActor("bench.optimiser")
WEEK = date(2031, 3, 3)
MEALS = ["breakfast", "lunch"]
# Yuan a greedy step trades against a whole target missed: it prefers the cheaper of two dishes
# that bring a week as close to its targets.
COST_WEIGHT = 0.01


def build_library(count: int) -> int:
    """The demo's recipes and variants of them (each food's grams moved by up to a fifth),
    `count` in all, with every food priced."""
    officer, _created = User.objects.get_or_create(username="bench-procurement")
    seed_catalogue(officer, timezone.localdate())
    dice = random.Random(554)
    made = Recipe.objects.count()
    variant = 0
    while made < count:
        for spec in LIBRARY:
            if made >= count:
                break
            _variant(spec, variant, dice)
            made += 1
        variant += 1
    return made


def _variant(spec: DemoRecipe, variant: int, dice: random.Random) -> None:
    moved = [(code, Decimal(grams) * Decimal(dice.uniform(0.8, 1.2))) for code, grams in spec.items]
    standards.recipe_create(
        name=spec.name if variant == 0 else f"{spec.name} 变体{variant}",
        meal=spec.meal,
        items=[
            standards.ItemInput(
                food=code, age_band=band, grams=(grams * scale).quantize(Decimal("0.1"))
            )
            for code, grams in moved
            for band, scale in BAND_SCALE.items()
        ],
        traits=standards.Traits(
            course=spec.course,
            deep_fried=spec.deep_fried,
            season_months=spec.months,
            allergens=spec.allergens,
            portion_min_pct=Decimal(spec.portion[0]),
            portion_max_pct=Decimal(spec.portion[1]),
        ),
        actor=BENCH,
    )


def optimised(band: str) -> tuple[float, Proposal]:
    started = time.perf_counter()
    proposal = services.proposal_request(
        week_start=WEEK,
        age_band=band,
        meals=MEALS,
        rules=Rules(budget_addition=BUDGET_ADDITIONS[band]),
        actor=BENCH,
    )
    return time.perf_counter() - started, proposal


def checks_met(report: dict[str, Any]) -> int:
    return sum(1 for w in report["weekly"] for c in w["checks"] if c["status"] == "ok")


@dataclass
class _Entry:
    """A greedy week's entry, as the validator reads it."""

    weekday: int
    meal: str
    recipe: Recipe
    cost: Decimal
    portion_pct: Decimal = Decimal(100)
    pk: int | None = None


def _violation(totals: dict[str, float], goals: list[solver.Goal], share: float) -> float:
    """How far the week, at `share` of its days served, is from its weekly goals (weighted)."""
    missed = 0.0
    for goal in goals:
        value = sum(c * totals.get(name, 0.0) for name, c in goal.coefficients.items()) / share
        if goal.lower is not None and value < goal.lower:
            missed += goal.weight * (goal.lower - value) / goal.scale
        if goal.upper is not None and value > goal.upper:
            missed += goal.weight * (value - goal.upper) / goal.scale
    return missed


def _score(
    dish: solver.Dish, totals: dict[str, float], goals: list[solver.Goal], share: float
) -> float:
    after = {k: totals.get(k, 0.0) + dish.amount(k) for k in {*totals, *dish.amounts}}
    return _violation(after, goals, share) + COST_WEIGHT * dish.cost


def _greedy_meal(
    problem: solver.Problem, meal: str, dice: random.Random, noise: float
) -> list[tuple[int, solver.Dish]]:
    """Day by day, course by course: the dish that brings the week closest to its targets (and
    costs least), each course's least, then more while that helps; `noise` shakes the scores."""
    goals = [g for g in problem.goals if g.meal == meal and not g.daily]
    dishes = [d for d in problem.dishes if d.meal == meal]
    totals: dict[str, float] = {}
    used: set[int] = set()
    fried = 0
    chosen: list[tuple[int, solver.Dish]] = []
    for index, day in enumerate(problem.days, 1):
        share = index / len(problem.days)
        today: set[int] = set()
        for course, (least, most) in problem.courses[meal].items():
            for count in range(most):
                options = [
                    d
                    for d in dishes
                    if d.course == course
                    and d.key not in today
                    and (d.key not in used or course in problem.repeatable)
                    and not (d.deep_fried and fried >= (problem.max_deep_fried or 0))
                ]
                if not options:
                    break
                score, best = min(
                    (
                        (_score(d, totals, goals, share) * (1 + noise * dice.random()), d)
                        for d in options
                    ),
                    key=lambda scored: scored[0],
                )
                if count >= least and score >= _violation(totals, goals, share):
                    break
                chosen.append((day, best))
                used.add(best.key)
                today.add(best.key)
                fried += best.deep_fried
                for name in best.amounts:
                    totals[name] = totals.get(name, 0.0) + best.amount(name)
    return chosen


def greedy(proposal: Proposal, restarts: int) -> tuple[float, Decimal, int]:
    """The cheapest of the weeks meeting the most checks that `restarts` greedy passes find
    (the first without dice, the others with their choices shaken): seconds, cost, checks."""
    started = time.perf_counter()
    pool = selectors.recorded_pool(proposal.inputs)
    problem = selectors.week_problem(inputs=proposal.inputs, pool=pool)
    recipes = {c.recipe.pk: c for c in pool.candidates}
    dice = random.Random(7)
    best: tuple[int, Decimal] | None = None
    for attempt in range(restarts):
        entries = [
            _Entry(day, meal, recipes[dish.key].recipe, recipes[dish.key].cost)
            for meal in proposal.meals
            for day, dish in _greedy_meal(problem, meal, dice, 0.0 if attempt == 0 else 0.2)
        ]
        report = selectors.entries_check(
            standard=proposal.standard,
            age_band=proposal.age_band,
            entries=entries,
            budget=Decimal(proposal.inputs["budget_per_meal"]),
            daily_energy=True,
        )
        found = (checks_met(report), report["cost"])
        if best is None or (found[0], -found[1]) > (best[0], -best[1]):
            best = found
    assert best is not None
    return time.perf_counter() - started, best[1], best[0]
