"""Writes about the canteen: menus, meal sessions, real-name servings and food-safety records.

Settings a district may change (houqin/settings/base.py): `CANTEEN_SAMPLE_MIN_GRAMS` (125 g),
`CANTEEN_SAMPLE_HOURS` (48 h), `CANTEEN_COLD_RANGES` (°C per type of unit).
"""

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import insert_columns
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.standards import selectors as standards
from shared_apps.standards.models import AgeBand
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    MenuItem,
    SchoolTerm,
    Serving,
)
from tenant_apps.canteen.selectors import alert_list, calendar_read, is_school_day, term_list
from tenant_apps.people import selectors as people

# One request records at most this many servings (a whole school's meal fits many times over).
MAX_SERVINGS_PER_REQUEST = 20000
# 进货查验 records: six months past the shelf life, and no less than two years.
KEEP_MONTHS_PAST_SHELF_LIFE = 6
KEEP_YEARS_MINIMUM = 2


def sample_min_grams() -> Decimal:
    return Decimal(str(settings.CANTEEN_SAMPLE_MIN_GRAMS))


def sample_hours() -> int:
    return int(settings.CANTEEN_SAMPLE_HOURS)


def cold_range(unit_type: str) -> tuple[Decimal | None, Decimal | None]:
    low, high = settings.CANTEEN_COLD_RANGES.get(unit_type, (None, None))
    return (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The school calendar -----------------------------------------------------------------------------

# The first key of the advisory lock that orders changes to a school's calendar and the servings
# recorded on its days (the second is the school's schema).
_CALENDAR_LOCK = 0x63616C  # "cal"
# The longest term: a school year.
MAX_TERM_DAYS = 366


def _calendar_lock(*, shared: bool) -> None:
    """Held until the transaction ends. Recording servings holds it shared, changing the calendar
    alone: a serving recorded while the calendar changes waits, then reads the new calendar; a
    change made while servings are recorded waits, then sees them."""
    with connection.cursor() as cursor:
        if shared:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, hashtext(current_schema()))",
                [_CALENDAR_LOCK],
            )
        else:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_CALENDAR_LOCK]
            )


def _served_school_days(since: date, until: date) -> set[date]:
    served = sorted(
        Serving.objects.filter(session__date__range=(since, until))
        .order_by()
        .values_list("session__date", flat=True)
        .distinct()
    )
    if not served:
        return set()
    calendar = calendar_read(served[0], served[-1])
    return {day for day in served if calendar.is_school_day(day)}


@contextmanager
def _keeping_served_days(since: date, until: date = date.max) -> Iterator[None]:
    """Around a change to the calendar that may take school days away in [since, until]: the
    change is refused (409, and the caller's transaction undone) when a day on which meals were
    served would stop being a school day; those servings would drop out of the day's counts and
    the month's claim."""
    _calendar_lock(shared=False)
    before = _served_school_days(since, until)
    yield
    lost = sorted(before - _served_school_days(since, until))
    if lost:
        shown = ", ".join(map(str, lost[:20])) + (" …" if len(lost) > 20 else "")
        raise Conflict(
            _(
                "Meals were served on %s: these days must stay school days, or those meals would "
                "drop out of the counts and the claims."
            )
            % shown,
            code="servings_recorded",
            fields={"date": [str(day) for day in lost]},
        )


@transaction.atomic
def school_term_add(
    *, school_year: int, name: str, start_date: date, end_date: date, actor: Any
) -> SchoolTerm:
    """Record a term (学期) of a school year: its weekdays become school days, except holidays.
    Refused when it overlaps another term, or when the days it leaves out of the calendar had
    meals served on them. Holidays kept from before the calendar that fall in it become its
    holidays."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the term."), fields={"name": [_("Required.")]})
    if end_date < start_date or (end_date - start_date).days >= MAX_TERM_DAYS:
        raise InvalidInput(
            _("A term lasts one day to a year, its last day not before its first."),
            fields={"end_date": [_("Out of range.")]},
        )
    if start_date.year not in (school_year, school_year + 1):
        raise InvalidInput(
            _("A term of the school year %(first)s–%(next)s begins in %(first)s or %(next)s.")
            % {"first": school_year, "next": school_year + 1},
            fields={"start_date": [str(start_date)]},
        )
    with _keeping_served_days(start_date):
        other = term_list().filter(start_date__lte=end_date, end_date__gte=start_date).first()
        if other is not None:
            raise Conflict(_("This term overlaps the term %s.") % other, code="term_overlaps")
        try:
            with transaction.atomic():
                term = SchoolTerm.objects.create(
                    school_year=school_year, name=name, start_date=start_date, end_date=end_date
                )
        except IntegrityError:
            raise Conflict(
                _("The school year already has a term of this name."), code="term_exists"
            ) from None
        CalendarDay.objects.filter(term__isnull=True, date__range=(start_date, end_date)).update(
            term=term
        )
    return term


@transaction.atomic
def school_term_delete(*, term: SchoolTerm, actor: Any) -> None:
    """Remove a term with its holidays and make-up days; refused when meals were served on its
    school days."""
    with _keeping_served_days(term.start_date):
        SchoolTerm.objects.filter(pk=term.pk).delete()


def _calendar_day_add(*, day: date, kind: str, name: str) -> CalendarDay:
    if kind == CalendarDay.Kind.MAKE_UP_DAY and day.isoweekday() <= 5:
        raise InvalidInput(
            _("A make-up day is a Saturday or a Sunday worked; %s is a weekday.") % day,
            code="not_a_weekend",
            fields={"date": [str(day)]},
        )
    with _keeping_served_days(day, day):
        term = term_list().filter(start_date__lte=day, end_date__gte=day).first()
        if term is None:
            raise Conflict(
                _("%s is in no term of the school's calendar: record the term first.") % day,
                code="outside_terms",
                fields={"date": [str(day)]},
            )
        try:
            with transaction.atomic():
                return CalendarDay.objects.create(date=day, kind=kind, name=name.strip(), term=term)
        except IntegrityError:
            raise Conflict(
                _("%s is already a holiday or a make-up day.") % day,
                code="day_exists",
                fields={"date": [str(day)]},
            ) from None


@transaction.atomic
def holiday_add(*, date: date, name: str, actor: Any) -> CalendarDay:
    """A day of a term without classes or meals (节假日); refused outside every term, and when
    meals were served that day."""
    return _calendar_day_add(day=date, kind=CalendarDay.Kind.HOLIDAY, name=name)


@transaction.atomic
def make_up_day_add(*, date: date, name: str, actor: Any) -> CalendarDay:
    """A Saturday or Sunday of a term worked as a school day (调休上班)."""
    return _calendar_day_add(day=date, kind=CalendarDay.Kind.MAKE_UP_DAY, name=name)


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, actor: Any) -> None:
    """Remove a holiday (the day is a school day again) or a make-up day (refused when meals were
    served that day)."""
    with _keeping_served_days(day.date, day.date):
        CalendarDay.objects.filter(pk=day.pk).delete()


# Menus -------------------------------------------------------------------------------------------


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


@transaction.atomic
def menu_adopt_plan(*, plan_id: int, actor: Any) -> Menu:
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
            standards.recipe_nutrients(recipe=recipe, age_band=plan.age_band).values()
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
        created_by=actor,
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


@transaction.atomic
def menu_create_own(
    *,
    start_date: date,
    end_date: date,
    age_band: str,
    items: Sequence[OwnItemInput],
    actor: Any,
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
        created_by=actor,
    )
    return _saved_menu(menu, rows)


@transaction.atomic
def menu_update_own(
    *, menu: Menu, items: Sequence[OwnItemInput], actor: Any, title: str | None = None
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


# Meal sessions and servings ----------------------------------------------------------------------


def meal_session_open(
    *,
    date: date,
    meal: str,
    actor: Any,
    ingredient_cost: Decimal = Decimal("0.00"),
    teachers_shared: bool = False,
    menu: Menu | None = None,
) -> MealSession:
    """Open one meal of one school day (one per day and meal)."""
    if not is_school_day(date):
        raise InvalidInput(
            _("%s is not a school day.") % date, code="not_school_day", fields={"date": [str(date)]}
        )
    if ingredient_cost < 0:
        raise InvalidInput(
            _("A cost cannot be negative."), fields={"ingredient_cost": [_("Negative.")]}
        )
    if menu is not None and not menu.start_date <= date <= menu.end_date:
        raise InvalidInput(
            _("The menu does not cover this day."), fields={"menu": [_("Another period.")]}
        )
    try:
        with transaction.atomic():
            if menu is not None:
                # An edit of the menu waits for the meal opened from it, and the other way round.
                Menu.objects.select_for_update().filter(pk=menu.pk).exists()
            return MealSession.objects.create(
                date=date,
                meal=meal,
                ingredient_cost=ingredient_cost,
                teachers_shared=teachers_shared,
                menu=menu,
                opened_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("This meal of this day is already open."), code="session_exists") from None


@transaction.atomic
def meal_session_update(*, session: MealSession, actor: Any, **changes: Any) -> MealSession:
    """Record the ingredient cost or the shared meal once known."""
    locked = MealSession.objects.select_for_update().get(pk=session.pk)
    allowed = {"ingredient_cost", "teachers_shared"}
    for field, value in changes.items():
        if field not in allowed:
            raise InvalidInput(
                _("%s cannot be changed.") % field, fields={field: [_("Read-only.")]}
            )
        if field == "ingredient_cost" and value < 0:
            raise InvalidInput(
                _("A cost cannot be negative."), fields={"ingredient_cost": [_("Negative.")]}
            )
        setattr(locked, field, value)
    locked.save(update_fields=list(changes) or None)
    return locked


@dataclass(frozen=True)
class ServingsResult:
    """What one bulk recording did: servings added, and those that were already there."""

    session: MealSession
    recorded: int
    already_recorded: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "session": self.session.pk,
            "recorded": self.recorded,
            "already_recorded": self.already_recorded,
        }


def _refuse(message: str, code: str, field: str, values: Sequence[Any]) -> None:
    if values:
        shown = ", ".join(map(str, values[:50])) + (" …" if len(values) > 50 else "")
        raise InvalidInput(message % shown, code=code, fields={field: list(values)})


def _resolve_students(
    *, day: date, student_ids: Sequence[int] | None, student_numbers: Sequence[str] | None
) -> list[int]:
    """The ids of the students named, all of them at school on `day`; else a 400 naming every
    unknown, repeated or absent one."""
    if (student_ids is None) == (student_numbers is None):
        raise InvalidInput(
            _("Give either student_ids or student_numbers."), fields={"student_numbers": ["?"]}
        )
    keys: list[Any] = (
        [n.strip() for n in student_numbers]
        if student_numbers is not None
        else list(student_ids or [])
    )
    field = "student_numbers" if student_numbers is not None else "student_ids"
    if not keys:
        raise InvalidInput(_("No students given."), fields={field: [_("Empty.")]})
    if len(keys) > MAX_SERVINGS_PER_REQUEST:
        raise InvalidInput(
            _("At most %d students per request.") % MAX_SERVINGS_PER_REQUEST, fields={field: []}
        )
    repeated = sorted(k for k, n in Counter(keys).items() if n > 1)
    _refuse(_("Students listed more than once: %s."), "duplicate_students", field, repeated)
    register = people.student_list()
    lookup = "student_number" if student_numbers is not None else "pk"
    found = dict(register.filter(**{f"{lookup}__in": keys}).values_list(lookup, "pk"))
    unknown = sorted(k for k in keys if k not in found)
    _refuse(_("Unknown students: %s."), "unknown_students", field, unknown)
    present = set(
        people.students_at_school_on(day).filter(pk__in=found.values()).values_list("pk", flat=True)
    )
    absent = sorted(k for k in keys if found[k] not in present)
    _refuse(
        _("Students not at this school on that day: %s."), "students_not_enrolled", field, absent
    )
    return [found[k] for k in keys]


@transaction.atomic
def servings_record(
    *,
    session: MealSession,
    source: str,
    student_ids: Sequence[int] | None = None,
    student_numbers: Sequence[str] | None = None,
) -> ServingsResult:
    """Record that these students ate this meal: all of them or none. Recording a student twice
    (a replayed card-reader batch) adds nothing; one INSERT … ON CONFLICT DO NOTHING."""
    if source not in Serving.Source.values:
        raise InvalidInput(_("Unknown source."), fields={"source": [source]})
    day = session.date
    if day > timezone.localdate():
        raise InvalidInput(
            _("Servings cannot be recorded for a future day (%s).") % day, code="future_date"
        )
    _calendar_lock(shared=True)
    if not is_school_day(day):
        raise InvalidInput(_("%s is not a school day.") % day, code="not_school_day")
    ids = _resolve_students(day=day, student_ids=student_ids, student_numbers=student_numbers)
    # One statement; a recording of the same meal at the same moment waits for this one and
    # skips what it inserted, so both counts are exact.
    recorded = insert_columns(
        Serving._meta.db_table,
        {"student_id": ("bigint[]", ids)},
        constant={"session_id": session.pk, "source": source, "recorded_at": timezone.now()},
        on_conflict_do_nothing=True,
    )
    return ServingsResult(session, recorded, len(ids) - recorded)


# Food-safety records -----------------------------------------------------------------------------


def accompanied_meal_record(*, session: MealSession, leader: Any, comments: str) -> AccompaniedMeal:
    """A leader ate this meal with the students (陪餐); once per leader and meal."""
    if session.date > timezone.localdate():
        raise InvalidInput(_("This meal has not been served yet."), code="future_date")
    try:
        with transaction.atomic():
            return AccompaniedMeal.objects.create(
                session=session, leader=leader, comments=comments.strip()
            )
    except IntegrityError:
        raise Conflict(
            _("You have already recorded accompanying this meal."), code="already_recorded"
        ) from None


def sample_record(
    *,
    session: MealSession,
    dish: str,
    actor: Any,
    weight_g: Decimal | None = None,
    taken_at: datetime | None = None,
    kept_until: datetime | None = None,
) -> FoodSample:
    """A sample of one dish kept (留样): at least the configured weight (125 g), for at least the
    configured time (48 h)."""
    minimum = sample_min_grams()
    weight_g = minimum if weight_g is None else weight_g
    if weight_g < minimum:
        raise InvalidInput(
            _("A sample weighs at least %s g.") % minimum, fields={"weight_g": [str(weight_g)]}
        )
    if not dish.strip():
        raise InvalidInput(_("Name the dish."), fields={"dish": [_("Required.")]})
    taken_at = taken_at or timezone.now()
    if not timezone.now() - timedelta(days=366) <= taken_at <= timezone.now() + timedelta(hours=1):
        raise InvalidInput(
            _("A sample is recorded when it is taken."), fields={"taken_at": [str(taken_at)]}
        )
    shortest = taken_at + timedelta(hours=sample_hours())
    kept_until = kept_until or shortest
    if kept_until < shortest:
        raise InvalidInput(
            _("A sample is kept at least %d hours.") % sample_hours(),
            fields={"kept_until": [str(kept_until)]},
        )
    return FoodSample.objects.create(
        session=session,
        dish=dish.strip(),
        weight_g=weight_g,
        taken_at=taken_at,
        kept_until=kept_until,
        recorded_by=actor,
    )


@transaction.atomic
def sample_discard(*, sample: FoodSample, actor: Any, at: datetime | None = None) -> FoodSample:
    """Record that a sample was thrown away, once its keeping time has passed; once only."""
    locked = FoodSample.objects.select_for_update().get(pk=sample.pk)
    at = at or timezone.now()
    if locked.discarded_at is not None:
        raise Conflict(_("This sample was already discarded."), code="already_discarded")
    if at < locked.kept_until:
        raise InvalidInput(
            _("This sample must be kept until %s.")
            % f"{timezone.localtime(locked.kept_until):%Y-%m-%d %H:%M}",
            code="still_kept",
        )
    locked.discarded_at = at
    locked.save(update_fields=["discarded_at"])
    return locked


def inspection_keep_until(*, received_on: date, shelf_life_until: date) -> date:
    """How long a delivery's inspection record is kept: six months past the shelf life, and no
    less than two years after it arrived."""
    return max(
        add_months(shelf_life_until, KEEP_MONTHS_PAST_SHELF_LIFE),
        add_months(received_on, 12 * KEEP_YEARS_MINIMUM),
    )


def inspection_record(
    *,
    supplier_name: str,
    batch: str,
    received_on: date,
    shelf_life_until: date,
    certificates: Sequence[str],
    lines: Sequence[dict[str, Any]],
    actor: Any,
    accepted: bool = True,
    note: str = "",
) -> InboundInspection:
    """One delivery checked on arrival (进货查验), kept as long as the rules say."""
    if received_on > timezone.localdate():
        raise InvalidInput(
            _("A delivery cannot be received in the future."), fields={"received_on": ["future"]}
        )
    if not lines:
        raise InvalidInput(_("List what was delivered."), fields={"lines": [_("Empty.")]})
    if received_on.year < 1900 or shelf_life_until.year > 2200:
        raise InvalidInput(
            _("These dates are out of range."), fields={"shelf_life_until": [_("Out of range.")]}
        )
    if not supplier_name.strip() or not batch.strip():
        raise InvalidInput(_("Name the supplier and the batch."))
    return InboundInspection.objects.create(
        supplier_name=supplier_name.strip(),
        batch=batch.strip(),
        certificates=list(certificates),
        lines=list(lines),
        received_on=received_on,
        shelf_life_until=shelf_life_until,
        keep_until=inspection_keep_until(
            received_on=received_on, shelf_life_until=shelf_life_until
        ),
        accepted=accepted,
        note=note,
        inspected_by=actor,
    )


def cold_reading_record(
    *,
    unit: str,
    unit_type: str,
    temperature_c: Decimal,
    actor: Any,
    measured_at: datetime | None = None,
) -> ColdStorageReading:
    """One temperature reading, flagged when outside the range configured for its type."""
    measured_at = measured_at or timezone.now()
    if measured_at > timezone.now() + timedelta(minutes=5) or measured_at.year < 1900:
        raise InvalidInput(
            _("A reading cannot be taken in the future."), fields={"measured_at": ["future"]}
        )
    if not Decimal(-60) <= temperature_c <= Decimal(60):
        raise InvalidInput(
            _("No cold store reads this."), fields={"temperature_c": [str(temperature_c)]}
        )
    low, high = cold_range(unit_type)
    out = (low is not None and temperature_c < low) or (high is not None and temperature_c > high)
    return ColdStorageReading.objects.create(
        unit=unit.strip(),
        unit_type=unit_type,
        temperature_c=temperature_c,
        measured_at=measured_at,
        out_of_range=out,
        recorded_by=actor,
    )


# Closing a day -----------------------------------------------------------------------------------

ALERT_KINDS = ("no_sample", "cold_out_of_range", "cost_below_subsidy")


@transaction.atomic
def daily_close_record(*, day: date) -> DailyClose:
    """Record the alerts of `day` (meals without a sample, cold readings out of range, meals
    costing less than the subsidy pays) on the day's close; closing a day again updates it."""
    alerts = alert_list(start=day, end=day)
    counts = Counter(alert["kind"] for alert in alerts)
    values = {
        "counts": {
            **{kind: counts.get(kind, 0) for kind in ALERT_KINDS},
            "alerts": len(alerts),
            "sessions": MealSession.objects.filter(date=day).count(),
            "servings": Serving.objects.filter(session__date=day).count(),
        },
        "alerts": alerts,
        "closed_at": timezone.now(),
    }
    close, _created = DailyClose.objects.update_or_create(date=day, defaults=values)
    return close
