"""Writes about meal sessions and real-name servings: a meal of a school day opened, and the
students who ate it recorded in bulk."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import insert_columns
from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.subsidies import closing
from shared_apps.subsidies.models import MonthCorrection
from tenant_apps.canteen.models import MealSession, Menu, Serving
from tenant_apps.canteen.selectors import is_school_day
from tenant_apps.canteen.services.calendar import _calendar_lock
from tenant_apps.people import selectors as people

# One request records at most this many servings (a whole school's meal fits many times over).
MAX_SERVINGS_PER_REQUEST = 20000


@service
def meal_session_open(
    *,
    date: date,
    meal: str,
    actor: Actor,
    ingredient_cost: Decimal = Decimal("0.00"),
    teachers_shared: bool = False,
    menu: Menu | None = None,
    correction_reason: str = "",
) -> MealSession:
    """Open one meal of one school day (one per day and meal). In a closed month, a correction
    (`shared_apps.subsidies.closing`)."""
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
    with closing.month_change(
        days=[date], change=MonthCorrection.Change.SESSION, reason=correction_reason, actor=actor
    ) as change:
        try:
            with transaction.atomic():
                if menu is not None:
                    # An edit of the menu waits for the meal opened from it, and the other way.
                    Menu.objects.select_for_update().filter(pk=menu.pk).exists()
                session = MealSession.objects.create(
                    date=date,
                    meal=meal,
                    ingredient_cost=ingredient_cost,
                    teachers_shared=teachers_shared,
                    menu=menu,
                    opened_by=person(actor),
                )
        except IntegrityError:
            raise Conflict(
                _("This meal of this day is already open."), code="session_exists"
            ) from None
        change.detail = _("%(meal)s of %(date)s opened") % {
            "meal": session.get_meal_display(),
            "date": date,
        }
    return session


class MealSessionChanges(TypedDict, total=False):
    ingredient_cost: Decimal
    teachers_shared: bool


@service
def meal_session_update(
    *, session: MealSession, actor: Actor, **changes: Unpack[MealSessionChanges]
) -> MealSession:
    """Record the ingredient cost or the shared meal once known."""
    locked = MealSession.objects.select_for_update().get(pk=session.pk)
    allowed = {"ingredient_cost", "teachers_shared"}
    for field, value in changes.items():
        if field not in allowed:
            raise InvalidInput(
                _("%s cannot be changed.") % field, fields={field: [_("Read-only.")]}
            )
        if field == "ingredient_cost" and changes["ingredient_cost"] < 0:
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


@service
def servings_record(
    *,
    session: MealSession,
    source: str,
    actor: Actor,
    student_ids: Sequence[int] | None = None,
    student_numbers: Sequence[str] | None = None,
    correction_reason: str = "",
) -> ServingsResult:
    """Record that these students ate this meal: all of them or none. Recording a student twice
    (a replayed card-reader batch) adds nothing; one INSERT … ON CONFLICT DO NOTHING. In a
    closed month, a correction (`shared_apps.subsidies.closing`)."""
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
    with closing.month_change(
        days=[day], change=MonthCorrection.Change.SERVING, reason=correction_reason, actor=actor
    ) as change:
        # One statement; a recording of the same meal at the same moment waits for this one
        # and skips what it inserted, so both counts are exact.
        recorded = insert_columns(
            Serving._meta.db_table,
            {"student_id": ("bigint[]", ids)},
            constant={"session_id": session.pk, "source": source, "recorded_at": timezone.now()},
            on_conflict_do_nothing=True,
        )
        change.detail = _("%(count)s students recorded for %(meal)s of %(date)s") % {
            "count": recorded,
            "meal": session.get_meal_display(),
            "date": day,
        }
    return ServingsResult(session, recorded, len(ids) - recorded)
