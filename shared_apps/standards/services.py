"""Writes: the food catalogue (one by one or a whole table), recipes, and meal plans from draft
to published. Each runs in one transaction; bad input raises `InvalidInput` (400), a state that
forbids the change raises `Conflict` (409), and nothing is half-saved."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.imports import ImportReport, RowStatus, save_all_or_nothing
from shared_apps.accounts.actors import person
from shared_apps.standards import selectors
from shared_apps.standards.importing import FoodRow, check_food, check_rows
from shared_apps.standards.models import (
    FOOD_NUTRIENT_FIELDS,
    GRAMS_MAX,
    HUNDRED_PCT,
    PORTION_MAX_PCT,
    PORTION_MIN_PCT,
    AgeBand,
    Allergen,
    Course,
    Food,
    Meal,
    MealPlan,
    MealPlanEntry,
    Recipe,
    RecipeItem,
)

# Columns a food has besides its code (which never changes: imports find foods by it).
FOOD_FIELDS = ("name", "alias", "food_group", "edible_pct", *FOOD_NUTRIENT_FIELDS, "source", "note")
MAX_RECIPE_ITEMS = 100
MAX_PLAN_ENTRIES = 200
# A plan entry's portion is kept to four places of a percent.
PORTION_PLACES = Decimal("0.0001")
FIRST_YEAR, LAST_YEAR = 2000, 2100


# Foods -------------------------------------------------------------------------------------------


def _as_text(value: object) -> str:
    return "" if value is None else str(value)


def _checked_food(values: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's one set of rules (shared with imports), or InvalidInput by field."""
    checked = check_food({k: _as_text(v) for k, v in values.items()})
    if checked.failed:
        raise InvalidInput(_("Some values of the food are invalid."), fields=checked.fields)
    return checked.cleaned


@service
def food_create(*, actor: Actor, **values: object) -> Food:
    cleaned = _checked_food(values)
    if Food.objects.filter(code=cleaned["code"]).exists():
        raise Conflict(
            _("A food with the code {code} already exists.").format(code=cleaned["code"]),
            code="duplicate_code",
            fields={"code": [_("Already in the catalogue.")]},
        )
    return Food.objects.create(**cleaned)


@service
def food_update(*, food: Food, actor: Actor, **changes: object) -> Food:
    """Correct a food. Recipes and draft plans see the new figures; published plans keep the
    figures they were published with."""
    locked = Food.objects.select_for_update().get(pk=food.pk)
    values = {"code": locked.code, **{f: getattr(locked, f) for f in FOOD_FIELDS}}
    values.update({k: v for k, v in changes.items() if k in FOOD_FIELDS})
    cleaned = _checked_food(values)
    for name in FOOD_FIELDS:
        setattr(locked, name, cleaned[name])
    locked.save()
    return locked


@service
def food_import(
    *, rows: Sequence[FoodRow], actor: Actor, default_source: str = "", dry_run: bool = False
) -> ImportReport:
    """Create or update the foods of a table, by code: all of them or, if any row has a problem,
    none (see `houqin.imports`). `default_source` cites the table for rows that do not cite one
    themselves."""
    report = ImportReport(
        rows=check_rows(list(rows), default_source=default_source), dry_run=dry_run
    )
    ready = [row for row in report.rows if not row.failed]
    existing = {
        f.code: f for f in Food.objects.select_for_update().filter(code__in=[r.key for r in ready])
    }
    to_create, to_update = [], []
    for row in ready:
        food = existing.get(row.key)
        if food is None:
            to_create.append(Food(**row.cleaned))
            row.status = RowStatus.CREATED
            continue
        changed = [f for f in FOOD_FIELDS if getattr(food, f) != row.cleaned[f]]
        for name in changed:
            setattr(food, name, row.cleaned[name])
        if changed:
            food.updated_at = timezone.now()
            to_update.append(food)
        row.status = RowStatus.UPDATED if changed else RowStatus.UNCHANGED

    def write() -> None:
        Food.objects.bulk_create(to_create, batch_size=500)
        Food.objects.bulk_update(to_update, [*FOOD_FIELDS, "updated_at"], batch_size=500)

    # A constraint failing: created meanwhile by another import of the same codes.
    conflict = Conflict(
        _("Another import saved some of these foods at the same time; try again."),
        code="concurrent_import",
    )
    save_all_or_nothing(report, write, conflict=conflict)
    return report


# Recipes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    """One food of a recipe for one age band: `grams` as bought, per serving."""

    food: str  # the food's code
    age_band: str
    grams: Decimal


def _checked_items(items: Sequence[ItemInput]) -> list[RecipeItem]:
    """The items ready to save, or InvalidInput with each faulty item's problems by field under
    fields["items"][index], the shape the API gives for malformed items."""
    if not items:
        raise InvalidInput(
            _("A recipe needs at least one food."), fields={"items": [_("Required.")]}
        )
    if len(items) > MAX_RECIPE_ITEMS:
        raise InvalidInput(
            _("A recipe has at most {max} items.").format(max=MAX_RECIPE_ITEMS),
            fields={"items": [_("Too many.")]},
        )
    foods = {f.code: f for f in Food.objects.filter(code__in=[i.food for i in items])}
    seen: set[tuple[str, str]] = set()
    problems: dict[str, dict[str, list[str]]] = {}
    built = []
    for index, item in enumerate(items):
        problem: dict[str, list[str]] = {}
        food = foods.get(item.food)
        if food is None:
            problem["food"] = [_("No food with the code “{code}”.").format(code=item.food[:40])]
        if item.age_band not in AgeBand.values:
            problem["age_band"] = [_("Unknown age band.")]
        if not Decimal(0) < item.grams <= GRAMS_MAX:
            problem["grams"] = [
                _("Grams per serving must be above 0 and at most {max}.").format(max=GRAMS_MAX)
            ]
        if (item.food, item.age_band) in seen:
            problem["non_field_errors"] = [_("This food is already listed for this age band.")]
        seen.add((item.food, item.age_band))
        if problem:
            problems[str(index)] = problem
        if not problem and food is not None:
            built.append(RecipeItem(food=food, age_band=item.age_band, grams=item.grams))
    if problems:
        raise InvalidInput(_("Some items of the recipe are invalid."), fields={"items": problems})
    return built


@dataclass(frozen=True)
class Traits:
    """What plans are composed by besides nutrients: the dish's course, whether it is
    deep-fried, the months it is in season (none: all year), its allergens, and how far a plan
    may scale its serving (percent; 100-100: as written)."""

    course: str = Course.OTHER
    deep_fried: bool = False
    season_months: Sequence[int] = ()
    allergens: Sequence[str] = ()
    portion_min_pct: Decimal = HUNDRED_PCT
    portion_max_pct: Decimal = HUNDRED_PCT

    @classmethod
    def of(cls, recipe: Recipe) -> "Traits":
        return cls(**{name: getattr(recipe, name) for name in TRAITS})


TRAITS = tuple(Traits.__dataclass_fields__)


def _checked_traits(traits: Traits) -> dict[str, Any]:
    problems: dict[str, list[str]] = {}
    if traits.course not in Course.values:
        problems["course"] = [_("Unknown course.")]
    if any(not 1 <= month <= 12 for month in traits.season_months):
        problems["season_months"] = [_("Months are 1 to 12.")]
    unknown = sorted(set(traits.allergens) - set(Allergen.values))
    if unknown:
        problems["allergens"] = [
            _("Unknown allergens: {names}.").format(names=", ".join(a[:20] for a in unknown))
        ]
    if not PORTION_MIN_PCT <= traits.portion_min_pct <= HUNDRED_PCT:
        problems["portion_min_pct"] = [_("From {least} to 100 (%).").format(least=PORTION_MIN_PCT)]
    if not HUNDRED_PCT <= traits.portion_max_pct <= PORTION_MAX_PCT:
        problems["portion_max_pct"] = [_("From 100 to {most} (%).").format(most=PORTION_MAX_PCT)]
    if problems:
        raise InvalidInput(_("Some values of the recipe are invalid."), fields=problems)
    return {
        "course": traits.course,
        "deep_fried": traits.deep_fried,
        "season_months": sorted(set(traits.season_months)),
        "allergens": sorted(set(traits.allergens)),
        "portion_min_pct": traits.portion_min_pct,
        "portion_max_pct": traits.portion_max_pct,
    }


def _checked_recipe_name(name: str, meal: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_("The recipe needs a name."), fields={"name": [_("Required.")]})
    if meal not in Meal.values:
        raise InvalidInput(_("Unknown meal."), fields={"meal": [_("Unknown meal.")]})
    same = Recipe.objects.filter(name=name, meal=meal)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise Conflict(
            _("There is already a {meal} recipe called “{name}”.").format(meal=meal, name=name),
            code="duplicate_recipe",
            fields={"name": [_("Already used for this meal.")]},
        )
    return name


@service
def recipe_create(
    *,
    name: str,
    meal: str,
    items: Sequence[ItemInput],
    actor: Actor,
    description: str = "",
    traits: Traits = Traits(),
) -> Recipe:
    name = _checked_recipe_name(name, meal)
    built = _checked_items(items)
    recipe = Recipe.objects.create(
        name=name,
        meal=meal,
        description=description.strip(),
        created_by=person(actor),
        **_checked_traits(traits),
    )
    for item in built:
        item.recipe = recipe
    RecipeItem.objects.bulk_create(built)
    return recipe


@service
def recipe_update(
    *,
    recipe: Recipe,
    actor: Actor,
    name: str | None = None,
    meal: str | None = None,
    description: str | None = None,
    items: Sequence[ItemInput] | None = None,
    traits: Mapping[str, Any] | None = None,
) -> Recipe:
    """Change a recipe; `items`, when given, replace all of its quantities, and `traits` (by
    the names of `Traits`) replace those it names. Draft plans that use it see the change;
    published plans keep what they were published with."""
    locked = Recipe.objects.select_for_update().get(pk=recipe.pk)
    if traits:
        current = Traits.of(locked)
        changed = replace(current, **{k: v for k, v in traits.items() if k in TRAITS})
        for field_name, value in _checked_traits(changed).items():
            setattr(locked, field_name, value)
    if name is not None or meal is not None:
        locked.name = _checked_recipe_name(
            locked.name if name is None else name,
            locked.meal if meal is None else meal,
            exclude=locked.pk,
        )
        locked.meal = locked.meal if meal is None else meal
    if description is not None:
        locked.description = description.strip()
    if items is not None:
        built = _checked_items(items)
        RecipeItem.objects.filter(recipe=locked).delete()
        for item in built:
            item.recipe = locked
        RecipeItem.objects.bulk_create(built)
    locked.save()
    return locked


@service
def recipe_delete(*, recipe: Recipe, actor: Actor) -> None:
    locked = Recipe.objects.select_for_update().get(pk=recipe.pk)
    in_use = Conflict(
        _("This recipe is used in meal plans; it cannot be deleted."), code="recipe_in_use"
    )
    if MealPlanEntry.objects.filter(recipe=locked).exists():
        raise in_use
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:  # a draft of another app (the optimiser's proposals)
        raise in_use from exc


# Meal plans --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """One recipe at one meal on one day (1 = Monday) of a plan's week, at `portion_pct` % of
    the recipe's serving."""

    weekday: int
    meal: str
    recipe: int  # the recipe's id
    portion_pct: Decimal = HUNDRED_PCT


def _checked_entries(entries: Sequence[EntryInput], age_band: str) -> list[MealPlanEntry]:
    """The entries ready to save, or InvalidInput with each faulty entry's problems by field
    under fields["entries"][index], the shape the API gives for malformed entries."""
    if len(entries) > MAX_PLAN_ENTRIES:
        raise InvalidInput(
            _("A plan has at most {max} entries.").format(max=MAX_PLAN_ENTRIES),
            fields={"entries": [_("Too many.")]},
        )
    recipes = {r.pk: r for r in Recipe.objects.filter(pk__in=[e.recipe for e in entries])}
    with_band = set(
        RecipeItem.objects.filter(recipe__in=list(recipes), age_band=age_band).values_list(
            "recipe_id", flat=True
        )
    )
    seen: set[tuple[int, str, int]] = set()
    problems: dict[str, dict[str, list[str]]] = {}
    built = []
    for index, entry in enumerate(entries):
        problem: dict[str, list[str]] = {}
        if not 1 <= entry.weekday <= 7:
            problem["weekday"] = [_("The weekday is 1 (Monday) to 7 (Sunday).")]
        if entry.meal not in Meal.values:
            problem["meal"] = [_("Unknown meal.")]
        recipe = recipes.get(entry.recipe)
        if recipe is None:
            problem["recipe"] = [_("No recipe with the id {id}.").format(id=entry.recipe)]
        elif recipe.pk not in with_band:
            problem["recipe"] = [
                _("The recipe “{name}” has no quantities for ages {band}.").format(
                    name=recipe.name, band=age_band
                )
            ]
        elif not recipe.portion_min_pct <= entry.portion_pct <= recipe.portion_max_pct:
            problem["portion_pct"] = [
                _("The portion of “{name}” is {least} to {most} (%).").format(
                    name=recipe.name, least=recipe.portion_min_pct, most=recipe.portion_max_pct
                )
            ]
        key = (entry.weekday, entry.meal, entry.recipe)
        if key in seen:
            problem["non_field_errors"] = [
                _("This recipe is already served at this meal on this day.")
            ]
        seen.add(key)
        if problem:
            problems[str(index)] = problem
        if not problem and recipe is not None:
            built.append(
                MealPlanEntry(
                    weekday=entry.weekday,
                    meal=entry.meal,
                    recipe=recipe,
                    portion_pct=entry.portion_pct.quantize(PORTION_PLACES),
                )
            )
    if problems:
        raise InvalidInput(_("Some entries of the plan are invalid."), fields={"entries": problems})
    return built


def _checked_week(week_start: datetime.date) -> datetime.date:
    if week_start.isoweekday() != 1:
        raise InvalidInput(
            _("A plan's week starts on a Monday."), fields={"week_start": [_("Not a Monday.")]}
        )
    if not FIRST_YEAR <= week_start.year <= LAST_YEAR:
        raise InvalidInput(
            _("The week must fall between {first} and {last}.").format(
                first=FIRST_YEAR, last=LAST_YEAR
            ),
            fields={"week_start": [_("Out of range.")]},
        )
    return week_start


# The first key of the advisory locks that serialize writers of one week's plan for one band.
_SERIES_LOCK = 554_2017


def _series(week_start: datetime.date, age_band: str) -> list[MealPlan]:
    """Every version of one week's plan for one band, with the series locked until the end of the
    transaction. An advisory lock, not only row locks: a series may have no row yet, and a row
    lock would let a waiter go on with what it read before the holder inserted a new version."""
    band_index = AgeBand.values.index(age_band) if age_band in AgeBand.values else 9
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [_SERIES_LOCK, week_start.toordinal() * 10 + band_index],
        )
    # Read after the lock is held (a new statement sees what the previous holder committed).
    return list(
        MealPlan.objects.select_for_update()
        .filter(week_start=week_start, age_band=age_band)
        .order_by("id")
    )


def _in_series(series: list[MealPlan], plan: MealPlan) -> MealPlan:
    found = next((p for p in series if p.pk == plan.pk), None)
    if found is None:  # deleted (a draft) between the request's read and the lock
        raise Conflict(_("This plan no longer exists."), code="plan_gone")
    return found


def _refuse_second_draft(series: list[MealPlan]) -> None:
    draft = next((p for p in series if p.status == MealPlan.Status.DRAFT), None)
    if draft is not None:
        raise Conflict(
            _("Version {version} of this week's plan is still a draft (id {id}); edit it.").format(
                version=draft.version, id=draft.pk
            ),
            code="draft_exists",
        )


def _next_version(series: list[MealPlan]) -> int:
    return max((p.version for p in series), default=0) + 1


@service
def plan_create(
    *,
    week_start: datetime.date,
    age_band: str,
    entries: Sequence[EntryInput],
    actor: Actor,
    title: str = "",
) -> MealPlan:
    """A draft of the next version of one week's plan for one band, checked against the current
    standard. Only one draft per week and band at a time."""
    week_start = _checked_week(week_start)
    if age_band not in AgeBand.values:
        raise InvalidInput(_("Unknown age band."), fields={"age_band": [_("Unknown age band.")]})
    standard = selectors.standard_current()
    if standard is None:
        raise Conflict(_("No nutrition standard is published yet."), code="no_standard")
    built = _checked_entries(entries, age_band)
    series = _series(week_start, age_band)
    _refuse_second_draft(series)
    try:
        with transaction.atomic():
            plan = MealPlan.objects.create(
                standard=standard,
                week_start=week_start,
                age_band=age_band,
                version=_next_version(series),
                title=title.strip(),
                created_by=person(actor),
            )
    except IntegrityError as exc:
        # A first version created by someone else meanwhile (there was no row to lock).
        raise Conflict(
            _("Someone else created this week's plan at the same time; reload it."),
            code="draft_exists",
        ) from exc
    for entry in built:
        entry.plan = plan
    MealPlanEntry.objects.bulk_create(built)
    return plan


def _locked_draft(plan: MealPlan) -> MealPlan:
    locked = MealPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != MealPlan.Status.DRAFT:
        raise Conflict(
            _(
                "This plan is {status}: a published plan is never changed. Revise it into a new "
                "version instead."
            ).format(status=locked.get_status_display()),
            code="plan_not_draft",
        )
    return locked


@service
def plan_update(
    *,
    plan: MealPlan,
    actor: Actor,
    title: str | None = None,
    entries: Sequence[EntryInput] | None = None,
) -> MealPlan:
    """Change a draft; `entries`, when given, replace all of them."""
    locked = _locked_draft(plan)
    if title is not None:
        locked.title = title.strip()
        locked.save(update_fields=["title"])
    if entries is not None:
        built = _checked_entries(entries, locked.age_band)
        MealPlanEntry.objects.filter(plan=locked).delete()
        for entry in built:
            entry.plan = locked
        MealPlanEntry.objects.bulk_create(built)
    return locked


@service
def plan_delete(*, plan: MealPlan, actor: Actor) -> None:
    locked = _locked_draft(plan)
    MealPlanEntry.objects.filter(plan=locked).delete()
    locked.delete()


@service
def plan_publish(*, plan: MealPlan, actor: Actor) -> MealPlan:
    """Freeze a draft as the week's plan in force, with the nutrient report it is published
    with, and supersede the version published before it.

    A plan that misses targets may still be published: WS/T 554 is a recommended standard
    (WS/T), some targets (calcium without milk, say) are out of some districts' reach, and a plan
    refused for them would only be fudged. The flags are published with the plan, for schools and
    auditors to see."""
    series = _series(plan.week_start, plan.age_band)
    locked = _in_series(series, plan)
    if locked.status != MealPlan.Status.DRAFT:
        raise Conflict(
            _("This plan is already {status}.").format(status=locked.get_status_display()),
            code="plan_not_draft",
        )
    entries = list(MealPlanEntry.objects.filter(plan=locked).select_related("recipe"))
    if not entries:
        raise InvalidInput(_("An empty plan cannot be published."), code="empty_plan")
    lacking = selectors.missing_quantities(
        recipes=list({e.recipe_id: e.recipe for e in entries}.values()), age_band=locked.age_band
    )
    if lacking:
        raise InvalidInput(
            _("These recipes no longer have quantities for ages {band}: {names}.").format(
                band=locked.age_band, names=", ".join(r.name for r in lacking)
            ),
            code="recipe_without_quantities",
        )
    # Checked against the standard in force now, which may be a newer version than the one the
    # draft was started under.
    locked.standard = selectors.standard_current() or locked.standard
    now = timezone.now()
    report = selectors.plan_compute_report(plan=locked)
    for previous in series:
        if previous.status == MealPlan.Status.PUBLISHED:
            previous.status = MealPlan.Status.SUPERSEDED
            previous.superseded_at = now
            previous.superseded_by = locked
            previous.save(update_fields=["status", "superseded_at", "superseded_by"])
    locked.status = MealPlan.Status.PUBLISHED
    locked.published_at = now
    locked.published_by = person(actor)
    locked.published_report = report
    locked.save(
        update_fields=["standard", "status", "published_at", "published_by", "published_report"]
    )
    return locked


@service
def plan_revise(*, plan: MealPlan, actor: Actor) -> MealPlan:
    """A new draft version of a published (or superseded) plan, with the same entries, to be
    edited and published in its place."""
    series = _series(plan.week_start, plan.age_band)
    source = _in_series(series, plan)
    if source.status == MealPlan.Status.DRAFT:
        raise Conflict(_("This plan is a draft: edit it."), code="plan_is_draft")
    _refuse_second_draft(series)
    standard = selectors.standard_current() or source.standard
    revised = MealPlan.objects.create(
        standard=standard,
        week_start=source.week_start,
        age_band=source.age_band,
        version=_next_version(series),
        title=source.title,
        created_by=person(actor),
    )
    MealPlanEntry.objects.bulk_create(
        MealPlanEntry(
            plan=revised,
            weekday=e.weekday,
            meal=e.meal,
            recipe_id=e.recipe_id,
            portion_pct=e.portion_pct,
        )
        for e in MealPlanEntry.objects.filter(plan=source)
    )
    return revised
