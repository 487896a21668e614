"""The meal-plan optimiser's model (配餐优化): which dishes to serve at which meal of which day,
and at what portion, as mixed-integer programs solved by HiGHS (`highspy`).

Plain arithmetic on floats: it knows dishes, goals and rules as numbers and nothing of the
database. `planning` builds a `Problem` from the standard, the recipes and the prices, and checks
the answer with the plan validator, in Decimal.

The standard's checks are on each meal's weekly average, so the week is solved in two steps:

1. The week: for each dish r, how many days it is served (k_r: 0 or 1, or up to the number of
   days for a course that may repeat) and its portions' total P_r (a fraction of the recipe's
   serving per day served, between low·k_r and high·k_r; exactly k_r when the portion is fixed).
   The courses' counts over the week (between the days times the least and the most per menu),
   at most N deep-fried dishes, and every goal over the week's sums: a daily goal (each day's
   energy, each menu's budget) counts here as the days times its bounds. The objective: the
   week's cost plus the misses. A goal's row is divided by its scale, so a slack is a miss as a
   share of the target; the objective charges it at weight × MISS_COST yuan per 100 %, so any
   plan that meets every goal costs less than one that misses any.
2. The days: the chosen dishes spread over the days (each on k_r days, portions adding up to
   P_r, so the week's sums and cost stay as they are), each menu with its courses' least and
   most, and each daily goal on its day, the misses charged as above.

Without the days' symmetry the first step is several times smaller and faster than one model
indexed by day, and the second is small: dishes already chosen times days. The meals share
nothing but the allowance of deep-fried dishes, so each meal is solved on its own, in parallel
(HiGHS lets go of the interpreter while it searches), and all at once only when together they
would serve more deep-fried dishes than allowed.
"""

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from typing import TypeVar

import highspy
import numpy as np

SOLVER = f"HiGHS (highspy {version('highspy')})"
# Yuan charged per 100 % of a goal missed (times its weight). A week costs tens of yuan: a miss of
# a thousandth of a target outweighs any saving.
MISS_COST = 100_000.0
# The amount key that reads a dish's cost (so that a budget is a goal like the others).
COST = "cost"
INFINITY = highspy.kHighsInf
# Yuan within which a plan counts as the best (when a share of the cost is less: a week whose
# only objective left is a miss of next to nothing).
ABSOLUTE_GAP = 0.01
# The share of the time limit step 1 may take; step 2 has the rest.
STEP_ONE_SHARE = 0.7
# HiGHS's constructor, typed (its stub leaves it untyped).
_highs: Callable[[], highspy.Highs] = highspy.Highs
T = TypeVar("T")
U = TypeVar("U")


class NoWeek(Exception):
    """The rules admit no week at all, whatever the targets (no dish of a course every menu
    needs)."""


class NoPlanInTime(Exception):
    """The time limit passed before any plan was found."""


@dataclass(frozen=True)
class Dish:
    """A recipe that may be served at `meal`: what one serving (100 %) brings and costs."""

    key: int
    meal: str
    course: str
    amounts: Mapping[str, float]
    cost: float
    deep_fried: bool = False
    portion: tuple[float, float] = (1.0, 1.0)

    def amount(self, name: str) -> float:
        return self.cost if name == COST else self.amounts.get(name, 0.0)

    @property
    def fixed(self) -> bool:
        return self.portion == (1.0, 1.0)


@dataclass(frozen=True)
class Goal:
    """Σ coefficient × amount over the dishes of `meal`, on each day (`daily`) or over the week,
    kept within [lower, upper] (None: no bound); a miss weighs `weight` per `scale` missed."""

    name: str
    meal: str
    coefficients: Mapping[str, float]
    lower: float | None
    upper: float | None
    scale: float
    weight: float
    daily: bool = False

    def coefficient(self, dish: Dish) -> float:
        return sum(c * dish.amount(name) for name, c in self.coefficients.items()) / self.scale

    def over(self, days: int) -> "Goal":
        """The goal on the sum of `days` days."""
        return replace(
            self,
            lower=None if self.lower is None else self.lower * days,
            upper=None if self.upper is None else self.upper * days,
            scale=self.scale * days,
            daily=False,
        )


@dataclass(frozen=True)
class Problem:
    days: tuple[int, ...]
    meals: tuple[str, ...]
    dishes: tuple[Dish, ...]
    goals: tuple[Goal, ...]
    # meal -> course -> (least, most) dishes of that course in each menu; a course not named may
    # not be served at that meal.
    courses: Mapping[str, Mapping[str, tuple[int, int]]]
    max_dishes: Mapping[str, int]
    repeatable: frozenset[str] = frozenset()
    max_deep_fried: int | None = None

    def of(self, meal: str) -> "Problem":
        return replace(
            self,
            meals=(meal,),
            dishes=tuple(d for d in self.dishes if d.meal == meal),
            goals=tuple(g for g in self.goals if g.meal == meal),
        )


@dataclass(frozen=True)
class Choice:
    weekday: int
    meal: str
    key: int
    portion: float


@dataclass(frozen=True)
class Solution:
    choices: tuple[Choice, ...]
    status: str
    timed_out: bool
    seconds: float
    objective: float
    gap: float
    # goal name, meal, day (None: the week) -> the share of the target missed
    misses: Mapping[tuple[str, str, int | None], float] = field(default_factory=dict)


@dataclass
class _Model:
    """A mixed-integer program, built column by column and row by row."""

    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    # goal name, meal, day -> its slack columns
    slacks: dict[tuple[str, str, int | None], list[int]] = field(default_factory=dict)

    def column(self, cost: float, lower: float, upper: float, *, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, entries: Mapping[int, float], lower: float, upper: float) -> None:
        for column, coefficient in entries.items():
            if coefficient:
                self.index.append(column)
                self.value.append(coefficient)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def portion(self, dish: Dish, served: int, most: float) -> int:
        """The column of `dish`'s portions, tied to its `served` column: between low and high
        times it (the same column when the portion is fixed)."""
        if dish.fixed:
            self.cost[served] = dish.cost
            return served
        low, high = dish.portion
        portions = self.column(dish.cost, 0.0, high * most)
        self.row({portions: 1.0, served: -low}, 0.0, INFINITY)
        self.row({portions: 1.0, served: -high}, -INFINITY, 0.0)
        return portions

    def goal(self, goal: Goal, entries: dict[int, float], day: int | None) -> None:
        """`goal` on the columns of `entries`, give or take its slacks."""
        penalty = goal.weight * MISS_COST
        columns = []
        if goal.lower is not None:
            columns.append(self.column(penalty, 0.0, INFINITY))
            entries[columns[-1]] = 1.0
        if goal.upper is not None:
            columns.append(self.column(penalty, 0.0, INFINITY))
            entries[columns[-1]] = -1.0
        self.row(
            entries,
            -INFINITY if goal.lower is None else goal.lower / goal.scale,
            INFINITY if goal.upper is None else goal.upper / goal.scale,
        )
        self.slacks[(goal.name, goal.meal, day)] = columns

    def lp(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = np.array(self.cost, dtype=np.float64)
        lp.col_lower_ = np.array(self.lower, dtype=np.float64)
        lp.col_upper_ = np.array(self.upper, dtype=np.float64)
        lp.row_lower_ = np.array(self.row_lower, dtype=np.float64)
        lp.row_upper_ = np.array(self.row_upper, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = np.array(self.starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(self.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(self.value, dtype=np.float64)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
            for integer in self.integer
        ]
        return lp


@dataclass(frozen=True)
class _Run:
    values: Sequence[float]
    status: str
    timed_out: bool
    objective: float
    bound: float  # no plan of the model costs less
    misses: dict[tuple[str, str, int | None], float]


def _run(model: _Model, time_limit: float, gap: float) -> _Run:
    highs = _highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.setOptionValue("mip_abs_gap", ABSOLUTE_GAP)
    highs.setOptionValue("random_seed", 0)
    highs.passModel(model.lp())
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise NoWeek("the courses, repeats and deep-fried dishes admit no week")
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise NoPlanInTime(f"no plan within {time_limit} s")
        raise RuntimeError(f"HiGHS ended with {highs.modelStatusToString(status)}")
    values = list(highs.getSolution().col_value)
    misses = {}
    for key, columns in model.slacks.items():
        missed = sum(values[c] for c in columns)
        if missed > 1e-9:
            misses[key] = missed
    return _Run(
        values=values,
        status=highs.modelStatusToString(status),
        timed_out=status == highspy.HighsModelStatus.kTimeLimit,
        objective=float(info.objective_function_value),
        bound=float(info.mip_dual_bound),
        misses=misses,
    )


@dataclass(frozen=True)
class _Pick:
    dish: Dish
    days: int


@dataclass(frozen=True)
class _Week:
    picks: tuple[_Pick, ...]
    run: _Run


def _week(problem: Problem, time_limit: float, gap: float) -> _Week:
    """Step 1: which dishes the week serves, and on how many days."""
    model = _Model()
    count = len(problem.days)
    columns = []
    for dish in problem.dishes:
        most = count if dish.course in problem.repeatable else 1
        served = model.column(0.0, 0.0, float(most), integer=True)
        columns.append((dish, served, model.portion(dish, served, float(most))))
    for meal in problem.meals:
        of_meal = [(dish, served) for dish, served, _p in columns if dish.meal == meal]
        for course, (least, most) in problem.courses.get(meal, {}).items():
            of_course = {served: 1.0 for dish, served in of_meal if dish.course == course}
            if least > 0 and not of_course:
                raise NoWeek(f"{meal}: no dish of the course {course}")
            model.row(of_course, float(least * count), float(most * count))
        model.row(
            {served: 1.0 for _dish, served in of_meal},
            0.0,
            float(problem.max_dishes.get(meal, 99) * count),
        )
    if problem.max_deep_fried is not None:
        fried = {served: 1.0 for dish, served, _p in columns if dish.deep_fried}
        if fried:
            model.row(fried, 0.0, float(problem.max_deep_fried))
    for goal in problem.goals:
        weekly = goal.over(count) if goal.daily else goal
        model.goal(
            weekly,
            {
                portions: weekly.coefficient(dish)
                for dish, _served, portions in columns
                if dish.meal == goal.meal
            },
            None,
        )
    run = _run(model, time_limit, gap)
    picks = tuple(
        _Pick(dish, round(run.values[served]))
        for dish, served, _portions in columns
        if run.values[served] > 0.5
    )
    return _Week(picks, run)


def _days(
    problem: Problem, picks: Sequence[_Pick], time_limit: float, gap: float
) -> tuple[_Run, list[Choice]]:
    """Step 2: the week's dishes spread over its days, each on as many days as step 1 chose,
    their portions free again within their bounds: every goal over the week and each daily goal
    on its day, at the least cost."""
    model = _Model()
    on: dict[tuple[int, int], tuple[int, int]] = {}  # pick index, day -> served, portion
    for index, pick in enumerate(picks):
        for day in problem.days:
            served = model.column(0.0, 0.0, 1.0, integer=True)
            on[(index, day)] = (served, model.portion(pick.dish, served, 1.0))
        model.row({on[(index, d)][0]: 1.0 for d in problem.days}, pick.days, pick.days)
    for meal in problem.meals:
        of_meal = [(i, p) for i, p in enumerate(picks) if p.dish.meal == meal]
        for day in problem.days:
            for course, (least, most) in problem.courses.get(meal, {}).items():
                model.row(
                    {on[(i, day)][0]: 1.0 for i, p in of_meal if p.dish.course == course},
                    float(least),
                    float(most),
                )
            model.row(
                {on[(i, day)][0]: 1.0 for i, _p in of_meal},
                0.0,
                float(problem.max_dishes.get(meal, 99)),
            )
    for goal in problem.goals:
        spans = [(d, (d,)) for d in problem.days] if goal.daily else [(None, problem.days)]
        for label, days in spans:
            model.goal(
                goal,
                {
                    on[(i, day)][1]: goal.coefficient(p.dish)
                    for i, p in enumerate(picks)
                    for day in days
                    if p.dish.meal == goal.meal
                },
                label,
            )
    run = _run(model, time_limit, gap)
    choices = [
        Choice(day, picks[i].dish.meal, picks[i].dish.key, _portion(run, portion, picks[i].dish))
        for (i, day), (served, portion) in on.items()
        if run.values[served] > 0.5
    ]
    return run, choices


def _portion(run: _Run, column: int, dish: Dish) -> float:
    low, high = dish.portion
    return min(max(run.values[column], low), high)


def solve(problem: Problem, *, time_limit: float, gap: float) -> Solution:
    """The cheapest week that meets every goal (within `gap` of the cheapest, as a share), or
    the one that misses least (weighted). The searches stop after about `time_limit` seconds in
    all, with the best plan they have found."""
    started = time.perf_counter()

    def left(share: float) -> float:
        """What is left of the share of the time limit given to the steps so far, but never
        less than a tenth of the limit."""
        return max(time_limit * share - (time.perf_counter() - started), time_limit / 10)

    meals = [problem.of(meal) for meal in problem.meals]
    weeks = _parallel(lambda part: _week(part, left(STEP_ONE_SHARE), gap), meals)
    fried = sum(p.days for week in weeks for p in week.picks if p.dish.deep_fried)
    if problem.max_deep_fried is not None and fried > problem.max_deep_fried:
        whole = _week(problem, left(STEP_ONE_SHARE), gap)
        weeks = [
            _Week(tuple(p for p in whole.picks if p.dish.meal == part.meals[0]), whole.run)
            for part in meals
        ]
    days = _parallel(
        lambda pair: _days(pair[0], pair[1].picks, left(1.0), gap),
        list(zip(meals, weeks, strict=True)),
    )
    runs = [run for run, _choices in days]
    objective = sum(run.objective for run in runs)
    # Step 1's bounds hold for the whole model: it is step 2 with the days left out.
    bound = sum({id(week.run): week.run.bound for week in weeks}.values())
    order = {meal: index for index, meal in enumerate(problem.meals)}
    return Solution(
        choices=tuple(
            sorted(
                (choice for _run, choices in days for choice in choices),
                key=lambda c: (c.weekday, order[c.meal], c.key),
            )
        ),
        status=next(
            (r.status for r in [*runs, *(w.run for w in weeks)] if r.timed_out), runs[0].status
        ),
        timed_out=any(r.timed_out for r in [*runs, *(w.run for w in weeks)]),
        seconds=time.perf_counter() - started,
        objective=objective,
        gap=max(0.0, 1 - bound / objective) if objective > 0 else 0.0,
        misses={key: miss for run in runs for key, miss in run.misses.items()},
    )


def _parallel(work: Callable[[T], U], parts: Sequence[T]) -> list[U]:
    if len(parts) == 1:
        return [work(parts[0])]
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        return list(pool.map(work, parts))
