"""Writes about menus: a district plan adopted as the school's menu for its week, or the
school's own menu, checked against the nutrition standard's targets."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.standards import selectors as standards
from shared_apps.standards.models import AgeBand
from tenant_apps.canteen.models import MealSession, Menu, MenuItem, Serving


def _checked_age_band(age_band: str) -> str:
    if age_band not in AgeBand.values:
        raise InvalidInput(
            _("Unknown age band."), fields={"age_band": [_("One of %s.") % ", ".join(AgeBand)]}
        )
    return age_band


def _replace_active(
    *, start_date: date, age_band: str, plan_id: int | None, version: int | None
) -> None:
    """Withdraw the menu in force for that start and band, refusing to adopt one plan twice."""
    current = (
        Menu.objects.select_for_update()
        .filter(start_date=start_date, age_band=age_band, status=Menu.Status.ACTIVE)
        .first()
    )
    if current is None:
        return
    if plan_id is not None and current.plan_id == plan_id and current.plan_version == version:
        raise Conflict(_("This plan is already the menu in force."), code="already_adopted")
    current.status = Menu.Status.WITHDRAWN
    current.save(update_fields=["status"])


def _saved_menu(menu: Menu, items: list[MenuItem]) -> Menu:
    try:
        with transaction.atomic():
            menu.save()
    except IntegrityError:
        raise Conflict(
            _("Another menu for this period was saved at the same time; try again."),
            code="menu_exists",
        ) from None
    for item in items:
        item.menu = menu
    MenuItem.objects.bulk_create(items)
    return menu


@service
def menu_adopt_plan(*, plan_id: int, actor: Actor) -> Menu:
    """Adopt the district's published plan `plan_id` as this school's menu for its week: its
    entries, quantities and nutrient check are copied; an earlier menu for that week and band is
    withdrawn."""
    plan = standards.plan_published_list().filter(pk=plan_id).first()
    if plan is None:
        raise InvalidInput(
            _("No published district plan has this id."), fields={"plan": [_("Not found.")]}
        )
    report = standards.plan_report(plan=plan)
    entries = report["entries"]
    recipes = {
        r.pk: r for r in standards.recipe_list().filter(pk__in={e["recipe"] for e in entries})
    }
    items = []
    for entry in entries:
        recipe = recipes.get(entry["recipe"])
        nutrients = (
            standards.recipe_nutrients(
                recipe=recipe,
                age_band=plan.age_band,
                portion_pct=Decimal(entry.get("portion_pct", 100)),
            ).values()
            if recipe is not None
            else {}
        )
        items.append(
            MenuItem(
                date=plan.week_start + timedelta(days=entry["weekday"] - 1),
                meal=entry["meal"],
                recipe_id=entry["recipe"],
                recipe_name=entry["recipe_name"],
                quantities=entry["items"],
                nutrients=nutrients,
            )
        )
    _replace_active(
        start_date=plan.week_start, age_band=plan.age_band, plan_id=plan.pk, version=plan.version
    )
    menu = Menu(
        start_date=plan.week_start,
        end_date=plan.week_start + timedelta(days=6),
        age_band=plan.age_band,
        title=plan.title,
        origin=Menu.Origin.PLAN,
        plan_id=plan.pk,
        plan_version=plan.version,
        report={
            "standard": report["standard"],
            "meets_standard": report["meets_standard"],
            "flags": report["flags"],
            "weekly": report["weekly"],
        },
        created_by=person(actor),
    )
    return _saved_menu(menu, items)


@dataclass(frozen=True)
class OwnItemInput:
    """One dish of a school's own menu."""

    date: date
    meal: str
    recipe: int


def _checked_own_items(
    *, start_date: date, end_date: date, age_band: str, items: Sequence[OwnItemInput]
) -> tuple[list[MenuItem], dict[str, Any]]:
    """The dishes of a school's own menu over [start_date, end_date] with their quantities and
    nutrients for `age_band`, and the menu's nutrient check against the current standard's
    targets; a 400 for dishes outside the period, listed twice or of unknown recipes."""
    if not items:
        raise InvalidInput(_("A menu needs at least one dish."), fields={"items": [_("Empty.")]})
    outside = sorted({str(i.date) for i in items if not start_date <= i.date <= end_date})
    if outside:
        raise InvalidInput(
            _("Dishes dated outside the menu's period: %s.") % ", ".join(outside),
            fields={"items": outside},
        )
    twice = sorted({f"{i.date} {i.meal} {i.recipe}" for i, n in Counter(items).items() if n > 1})
    if twice:
        raise InvalidInput(
            _("Dishes listed twice: %s.") % "; ".join(twice), fields={"items": twice}
        )
    recipes = {r.pk: r for r in standards.recipe_list().filter(pk__in={i.recipe for i in items})}
    unknown = sorted({i.recipe for i in items} - set(recipes))
    if unknown:
        raise InvalidInput(
            _("Unknown recipes: %s.") % ", ".join(map(str, unknown)), fields={"items": unknown}
        )
    standard = standards.standard_current()
    menus: dict[tuple[date, str], standards.Nutrients] = defaultdict(standards.Nutrients)
    rows = []
    for item in sorted(items, key=lambda i: (i.date, i.meal, i.recipe)):
        recipe = recipes[item.recipe]
        nutrients = standards.recipe_nutrients(recipe=recipe, age_band=age_band)
        menus[(item.date, item.meal)] = menus[(item.date, item.meal)] + nutrients
        rows.append(
            MenuItem(
                date=item.date,
                meal=item.meal,
                recipe_id=recipe.pk,
                recipe_name=recipe.name,
                quantities=[
                    {"food": ri.food.code, "food_name": ri.food.name, "grams": ri.grams}
                    for ri in recipe.items.all()
                    if ri.age_band == age_band
                ],
                nutrients=nutrients.values(),
            )
        )
    flags: list[dict[str, Any]] = []
    checked = 0
    for (day, meal), total in sorted(menus.items()):
        target = (
            standards.target_get(standard=standard, age_band=age_band, meal=meal)
            if standard is not None
            else None
        )
        if target is None:
            continue
        checked += 1
        for check in standards.nutrients_against_targets(nutrients=total, target=target):
            if check.status != standards.CheckStatus.OK:
                flags.append({"date": day, "meal": meal, **check.as_dict()})
    report = {
        "standard": None
        if standard is None
        else {"id": standard.pk, "code": standard.code, "version": standard.version},
        "meets_standard": checked > 0 and not flags,
        "flags": flags,
    }
    return rows, report


@service
def menu_create_own(
    *,
    start_date: date,
    end_date: date,
    age_band: str,
    items: Sequence[OwnItemInput],
    actor: Actor,
    title: str = "",
) -> Menu:
    """The school's own menu, checked against the same targets as the district's plans (the
    check is recorded with the menu; a menu that misses a target is kept, flagged)."""
    _checked_age_band(age_band)
    if end_date < start_date or (end_date - start_date).days > 31:
        raise InvalidInput(
            _("A menu covers one to 32 days, its last day not before its first."),
            fields={"end_date": [_("Out of range.")]},
        )
    rows, report = _checked_own_items(
        start_date=start_date, end_date=end_date, age_band=age_band, items=items
    )
    _replace_active(start_date=start_date, age_band=age_band, plan_id=None, version=None)
    menu = Menu(
        start_date=start_date,
        end_date=end_date,
        age_band=age_band,
        title=title,
        origin=Menu.Origin.OWN,
        report=report,
        created_by=person(actor),
    )
    return _saved_menu(menu, rows)


@service
def menu_update_own(
    *, menu: Menu, items: Sequence[OwnItemInput], actor: Actor, title: str | None = None
) -> Menu:
    """Replace the dishes of the school's own menu (and its title, when given), and check it
    again against the targets. Only the school's own menus in force, and only until a meal has
    been served from one: a district plan adopted is changed by adopting the plan's new version,
    and what students ate stays as it was served."""
    locked = Menu.objects.select_for_update().get(pk=menu.pk)
    if locked.origin != Menu.Origin.OWN:
        raise Conflict(
            _(
                "This menu was adopted from a district plan and cannot be edited; adopt the "
                "plan's new version, or make the school's own menu for the period."
            ),
            code="adopted_menu",
        )
    if locked.status != Menu.Status.ACTIVE:
        raise Conflict(_("This menu was withdrawn and is no longer edited."), code="menu_withdrawn")
    # Opening a meal from a menu locks the menu, and recording a serving locks its meal: with
    # both held here, a meal served meanwhile waits for the edit, or the edit sees it.
    sessions = list(
        MealSession.objects.select_for_update().filter(menu=locked).values_list("pk", flat=True)
    )
    served = [
        f"{day} {meal}"
        for day, meal in MealSession.objects.filter(pk__in=sessions)
        .filter(Exists(Serving.objects.filter(session=OuterRef("pk"))))
        .order_by("date", "meal")
        .values_list("date", "meal")
    ]
    if served:
        raise Conflict(
            _("Meals were already served from this menu (%s); it can no longer be edited.")
            % ", ".join(served),
            code="menu_served",
        )
    rows, report = _checked_own_items(
        start_date=locked.start_date,
        end_date=locked.end_date,
        age_band=locked.age_band,
        items=items,
    )
    locked.report = report
    update_fields = ["report"]
    if title is not None:
        locked.title = title
        update_fields.append("title")
    locked.save(update_fields=update_fields)
    locked.items.all().delete()
    for row in rows:
        row.menu = locked
    MenuItem.objects.bulk_create(rows)
    return locked
