"""Writes of the meal-plan optimiser: a proposal asked for (composed at once, within the time
limit in settings), its entries changed one at a time (each change checked again at once), and
the district's proposal published as the week's meal plan, by the plan services of the
standards app like any other plan. Bad input raises `InvalidInput` (400) naming what is
missing; a state that forbids the change raises `Conflict` (409)."""

import datetime
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.optimiser import selectors, solver
from shared_apps.optimiser.goals import WEIGHTS
from shared_apps.optimiser.models import Proposal, ProposalEntry
from shared_apps.optimiser.rules import COURSES, MAX_DISHES, Rules
from shared_apps.standards import selectors as standards
from shared_apps.standards import services as plans
from shared_apps.standards.models import HUNDRED_PCT, AgeBand, Allergen, Course, Meal, MealPlan
from tenants.models import School

PORTION_PLACES = Decimal("0.0001")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _checked_request(week_start: datetime.date, age_band: str, meals: Sequence[str]) -> None:
    problems: dict[str, list[str]] = {}
    if week_start.isoweekday() != 1 or not FIRST_YEAR <= week_start.year <= LAST_YEAR:
        problems["week_start"] = [_("A Monday between 2000 and 2100.")]
    if age_band not in AgeBand.values:
        problems["age_band"] = [_("Unknown age band.")]
    if not meals or len(set(meals)) != len(meals) or set(meals) - set(Meal.values):
        problems["meals"] = [_("One or more of breakfast, lunch and dinner, each once.")]
    if problems:
        raise InvalidInput(_("The request for a proposal is invalid."), fields=problems)


def _checked_rules(rules: Rules) -> None:
    problems: dict[str, list[str]] = {}
    if not rules.days or len(set(rules.days)) != len(rules.days):
        problems["days"] = [_("One or more weekdays, each once.")]
    elif not all(1 <= day <= 7 for day in rules.days):
        problems["days"] = [_("The weekday is 1 (Monday) to 7 (Sunday).")]
    if set(rules.repeatable) - set(Course.values):
        problems["repeatable"] = [_("Unknown course.")]
    if set(rules.exclude_allergens) - set(Allergen.values):
        problems["exclude_allergens"] = [_("Unknown allergen.")]
    if not 0 <= rules.max_deep_fried <= 50:
        problems["max_deep_fried"] = [_("From 0 to 50.")]
    if not Decimal(0) <= rules.budget_addition <= Decimal(1000):
        problems["budget_addition"] = [_("From 0 to 1000 yuan.")]
    if problems:
        raise InvalidInput(_("Some rules of the request are invalid."), fields=problems)


def _short_course(pool: selectors.Pool, meals: Sequence[str], rules: Rules) -> None:
    """Refuse a request whose rules leave a course every menu needs without enough recipes,
    naming it and why the recipes were left out."""
    for meal in meals:
        for course, (least, _most) in COURSES[meal].items():
            needed = least if course in rules.repeatable else least * len(rules.days)
            have = pool.count(meal, course)
            if have >= needed:
                continue
            reasons = Counter(
                str(selectors.LeftOut(entry["reason"]).label)
                for entry in pool.left_out
                if entry["meal"] == meal
            )
            raise InvalidInput(
                _(
                    "Every {meal} needs a {course}, but only {have} such recipes are left "
                    "(at least {needed} needed); recipes left out: {reasons}."
                ).format(
                    meal=Meal(meal).label,
                    course=Course(course).label,
                    have=have,
                    needed=needed,
                    reasons=", ".join(f"{r} ({n})" for r, n in reasons.most_common()) or _("none"),
                ),
                code="rules_exclude_every_recipe",
                fields={"rules": [_("No {course} left.").format(course=Course(course).label)]},
            )


def _inputs(
    *,
    week_start: datetime.date,
    age_band: str,
    meals: Sequence[str],
    rules: Rules,
    school: School | None,
) -> tuple[dict[str, Any], selectors.Pool]:
    """All a proposal is composed from, as it records it, and the recipes it may serve; or
    InvalidInput naming what is missing."""
    standard = standards.standard_current()
    if standard is None:
        raise Conflict(_("No nutrition standard is published yet."), code="no_standard")
    targets = selectors.meal_targets(standard=standard, age_band=age_band, meals=meals)
    missing = [meal for meal in meals if meal not in targets]
    if missing:
        raise InvalidInput(
            _("The standard {standard} has no targets for ages {band} at: {meals}.").format(
                standard=standard, band=age_band, meals=", ".join(missing)
            ),
            code="no_targets",
            fields={"age_band": [_("No targets for this age band.")]},
        )
    prices = selectors.price_book(on=week_start, school_id=school.pk if school else None)
    if not prices:
        raise InvalidInput(
            _(
                "No food has a price: the catalogue has no item naming its food with a weight "
                "(or its grams per unit), so no recipe can be costed."
            ),
            code="no_prices",
        )
    try:
        budget = selectors.budget_per_meal(rules)
    except LookupError:
        raise InvalidInput(
            _("No subsidy programme {code} is running.").format(code=rules.programme[:64]),
            code="unknown_programme",
            fields={"programme": [_("Unknown programme.")]},
        ) from None
    month = selectors.week_month(week_start)
    pool = selectors.candidate_pool(
        age_band=age_band, meals=meals, month=month, rules=rules, prices=prices
    )
    _short_course(pool, meals, rules)
    inputs = {
        "standard": {"id": standard.pk, "code": standard.code, "version": standard.version},
        "week_start": week_start,
        "age_band": age_band,
        "meals": list(meals),
        "month": month,
        "school": school.pk if school else None,
        "rules": rules.as_dict(),
        "courses": {meal: COURSES[meal] for meal in meals},
        "max_dishes": {meal: MAX_DISHES[meal] for meal in meals},
        "weights": WEIGHTS,
        "budget_per_meal": budget,
        "prices": {food: price.as_dict() for food, price in sorted(prices.items())},
        "recipes": [c.recipe.pk for c in pool.candidates],
        "left_out": pool.left_out,
        "time_limit": settings.OPTIMISER_TIME_LIMIT,
        "mip_gap": settings.OPTIMISER_MIP_GAP,
    }
    return inputs, pool


def _entry_cost(cost: Decimal, portion_pct: Decimal) -> Decimal:
    return (cost * portion_pct / HUNDRED_PCT).quantize(selectors.COST_PLACES)


def _portion_pct(share: float, low: Decimal, high: Decimal) -> Decimal:
    portion = Decimal(repr(share * 100)).quantize(PORTION_PLACES, rounding=ROUND_HALF_UP)
    return min(max(portion, low), high)


def _recheck(proposal: Proposal) -> Proposal:
    """Check the proposal's entries as they stand and keep the report, its cost and whether it
    meets the standard."""
    rules = Rules.from_dict(proposal.inputs["rules"])
    budget = proposal.inputs["budget_per_meal"]
    report = selectors.entries_check(
        standard=proposal.standard,
        age_band=proposal.age_band,
        entries=list(selectors.proposal_entries(proposal=proposal)),
        budget=None if budget is None else Decimal(budget),
        daily_energy=rules.daily_energy,
    )
    proposal.report = report
    proposal.cost = report["cost"]
    proposal.meets_standard = report["meets_standard"]
    proposal.save(update_fields=["report", "cost", "meets_standard", "updated_at"])
    return proposal


@service
def proposal_request(
    *,
    week_start: datetime.date,
    age_band: str,
    meals: Sequence[str],
    actor: Actor,
    rules: Rules | None = None,
    school: School | None = None,
) -> Proposal:
    """Compose the cheapest week for `age_band` that meets the current standard and `rules`,
    priced at the district's contracts in force (a school's: at its own), or the week that
    misses least, with its misses named; when the time limit passes first, the best week found,
    saying so."""
    rules = rules or Rules()
    _checked_request(week_start, age_band, meals)
    _checked_rules(rules)
    inputs, pool = _inputs(
        week_start=week_start, age_band=age_band, meals=meals, rules=rules, school=school
    )
    try:
        solution = solver.solve(
            selectors.week_problem(inputs=inputs, pool=pool),
            time_limit=settings.OPTIMISER_TIME_LIMIT,
            gap=settings.OPTIMISER_MIP_GAP,
        )
    except solver.NoWeek:
        raise InvalidInput(
            _("No week keeps these rules (courses, repeats, deep-fried dishes)."),
            code="rules_admit_no_week",
            fields={"rules": [_("No week keeps them.")]},
        ) from None
    except solver.NoPlanInTime:
        raise Conflict(
            _("No plan was found within the time limit of {seconds} s.").format(
                seconds=settings.OPTIMISER_TIME_LIMIT
            ),
            code="no_plan_in_time",
        ) from None
    proposal = Proposal.objects.create(
        school=school,
        standard_id=inputs["standard"]["id"],
        week_start=week_start,
        age_band=age_band,
        meals=list(meals),
        inputs=inputs,
        solver={
            "status": solution.status,
            "timed_out": solution.timed_out,
            "seconds": round(solution.seconds, 3),
            "gap": round(solution.gap, 6),
            "objective": round(solution.objective, 4),
            "solver": solver.SOLVER,
        },
        report={},
        cost=Decimal(0),
        created_by=person(actor),
    )
    candidates = {c.recipe.pk: c for c in pool.candidates}
    entries = []
    for choice in solution.choices:
        candidate = candidates[choice.key]
        recipe = candidate.recipe
        portion = _portion_pct(choice.portion, recipe.portion_min_pct, recipe.portion_max_pct)
        entries.append(
            ProposalEntry(
                proposal=proposal,
                weekday=choice.weekday,
                meal=choice.meal,
                recipe=recipe,
                portion_pct=portion,
                cost=_entry_cost(candidate.cost, portion),
            )
        )
    ProposalEntry.objects.bulk_create(entries)
    return _recheck(proposal)


def _locked_draft(proposal: Proposal) -> Proposal:
    # The caller read the row through the restricting selector; read it again, locked.
    locked = Proposal.objects.across_schools().select_for_update().get(pk=proposal.pk)
    if locked.status != Proposal.Status.DRAFT:
        raise Conflict(
            _("This proposal is published: change the meal plan it became instead."),
            code="proposal_published",
        )
    return locked


def _entry_values(
    proposal: Proposal, *, weekday: int, meal: str, recipe_id: int, portion_pct: Decimal
) -> dict[str, Any]:
    """An entry's values, checked against the proposal: a day and meal it serves, a recipe with
    quantities for its band and a price for each food at its prices, a portion within the
    recipe's bounds."""
    problems: dict[str, list[str]] = {}
    if weekday not in proposal.inputs["rules"]["days"]:
        problems["weekday"] = [_("Not a day of this proposal.")]
    if meal not in proposal.meals:
        problems["meal"] = [_("Not a meal of this proposal.")]
    recipe = (
        standards.recipe_list_for_band(age_band=proposal.age_band, meals=Meal.values)
        .filter(pk=recipe_id)
        .first()
    )
    if recipe is None:
        problems["recipe"] = [_("No recipe with the id {id}.").format(id=recipe_id)]
        raise InvalidInput(_("The entry is invalid."), fields=problems)
    costed = selectors.recipe_cost(
        recipe=recipe,
        age_band=proposal.age_band,
        prices=selectors.prices_recorded(proposal.inputs["prices"]),
    )
    if not costed.items:
        problems["recipe"] = [
            _("The recipe “{name}” has no quantities for ages {band}.").format(
                name=recipe.name, band=proposal.age_band
            )
        ]
    elif costed.cost is None:
        problems["recipe"] = [
            _("These foods of “{name}” have no price in this proposal: {foods}.").format(
                name=recipe.name, foods=", ".join(costed.unpriced)
            )
        ]
    if not recipe.portion_min_pct <= portion_pct <= recipe.portion_max_pct:
        problems["portion_pct"] = [
            _("The portion of “{name}” is {least} to {most} (%).").format(
                name=recipe.name, least=recipe.portion_min_pct, most=recipe.portion_max_pct
            )
        ]
    if problems or costed.cost is None:
        raise InvalidInput(_("The entry is invalid."), fields=problems)
    portion = portion_pct.quantize(PORTION_PLACES)
    return {
        "weekday": weekday,
        "meal": meal,
        "recipe": recipe,
        "portion_pct": portion,
        "cost": _entry_cost(costed.cost, portion),
    }


def _saved_entry(proposal: Proposal, entry: ProposalEntry) -> None:
    twice = (
        proposal.entries.filter(weekday=entry.weekday, meal=entry.meal, recipe=entry.recipe)
        .exclude(pk=entry.pk)
        .exists()
    )
    if twice:
        raise InvalidInput(
            _("This recipe is already served at this meal on this day."),
            code="entry_twice",
            fields={"recipe": [_("Already served at this meal on this day.")]},
        )
    entry.save()


@service
def proposal_entry_add(
    *,
    proposal: Proposal,
    weekday: int,
    meal: str,
    recipe_id: int,
    actor: Actor,
    portion_pct: Decimal = HUNDRED_PCT,
) -> Proposal:
    """Serve one more recipe at a meal of a draft proposal; the week is checked again."""
    locked = _locked_draft(proposal)
    values = _entry_values(
        locked, weekday=weekday, meal=meal, recipe_id=recipe_id, portion_pct=portion_pct
    )
    _saved_entry(locked, ProposalEntry(proposal=locked, **values))
    return _recheck(locked)


def _entry(proposal: Proposal, entry_id: int) -> ProposalEntry:
    entry = proposal.entries.filter(pk=entry_id).first()
    if entry is None:
        raise InvalidInput(
            _("This proposal has no entry {id}.").format(id=entry_id),
            code="no_such_entry",
            fields={"entry": [_("Not found.")]},
        )
    return entry


@service
def proposal_entry_change(
    *,
    proposal: Proposal,
    entry_id: int,
    actor: Actor,
    recipe_id: int | None = None,
    portion_pct: Decimal | None = None,
) -> Proposal:
    """Serve another recipe in an entry's place, or the same at another portion; the week is
    checked again."""
    locked = _locked_draft(proposal)
    entry = _entry(locked, entry_id)
    values = _entry_values(
        locked,
        weekday=entry.weekday,
        meal=entry.meal,
        recipe_id=entry.recipe_id if recipe_id is None else recipe_id,
        portion_pct=entry.portion_pct if portion_pct is None else portion_pct,
    )
    for name, value in values.items():
        setattr(entry, name, value)
    _saved_entry(locked, entry)
    return _recheck(locked)


@service
def proposal_entry_remove(*, proposal: Proposal, entry_id: int, actor: Actor) -> Proposal:
    """Serve an entry's recipe no more; the week is checked again."""
    locked = _locked_draft(proposal)
    _entry(locked, entry_id).delete()
    return _recheck(locked)


@service
def proposal_publish(*, proposal: Proposal, actor: Actor, title: str = "") -> MealPlan:
    """Publish the district's proposal as the week's meal plan for its band, through the plan
    services like any other plan (a new version, superseding the one in force)."""
    locked = _locked_draft(proposal)
    if locked.school_id is not None:
        raise Conflict(
            _("A school's proposal is its own: only the district's are published as plans."),
            code="school_proposal",
        )
    entries = list(locked.entries.order_by("weekday", "meal", "id"))
    if not entries:
        raise InvalidInput(_("An empty proposal cannot be published."), code="empty_proposal")
    draft = plans.plan_create(
        week_start=locked.week_start,
        age_band=locked.age_band,
        entries=[
            plans.EntryInput(
                weekday=e.weekday, meal=e.meal, recipe=e.recipe_id, portion_pct=e.portion_pct
            )
            for e in entries
        ],
        title=title.strip()
        or _("Week of {date}, ages {band}").format(date=locked.week_start, band=locked.age_band),
        actor=actor,
    )
    plan = plans.plan_publish(plan=draft, actor=actor)
    locked.status = Proposal.Status.PUBLISHED
    locked.plan = plan
    locked.published_at = timezone.now()
    locked.published_by = person(actor)
    locked.save(update_fields=["status", "plan", "published_at", "published_by", "updated_at"])
    return plan
