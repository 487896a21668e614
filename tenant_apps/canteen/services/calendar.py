"""Writes about the school calendar: terms (学期), holidays and make-up days. A change that would
take a school day on which meals were served out of the calendar is refused."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import month_bounds
from shared_apps.subsidies import closing
from shared_apps.subsidies.models import MonthCorrection
from tenant_apps.canteen.models import CalendarDay, SchoolTerm, Serving
from tenant_apps.canteen.selectors import calendar_read, school_days_between, term_list

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


@contextmanager
def _keeping_closed_months(
    since: date, until: date, *, what: str, reason: str, actor: Actor
) -> Iterator[None]:
    """Around a change to the calendar that may change which days of [since, until] are school
    days: in a month closed by its claim that it changes, refused (409 `month_closed`) unless
    the actor may correct it and says why, when it is recorded as a correction
    (`shared_apps.subsidies.closing`)."""
    last = min(until, timezone.localdate())
    months = closing.months_between(since, last) if since <= last else []
    claims = closing.closed(months=months)
    by_month = {claim.month for claim in claims}
    before = {month: school_days_between(*month_bounds(month)) for month in by_month}
    yield
    changed = {m for m in by_month if school_days_between(*month_bounds(m)) != before[m]}
    closing.corrections_record(
        [claim for claim in claims if claim.month in changed],
        change=MonthCorrection.Change.CALENDAR,
        detail=what,
        reason=reason,
        actor=actor,
    )


@service
def school_term_add(
    *,
    school_year: int,
    name: str,
    start_date: date,
    end_date: date,
    actor: Actor,
    correction_reason: str = "",
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
    what = _("term %(name)s (%(start)s to %(end)s) added") % {
        "name": name,
        "start": start_date,
        "end": end_date,
    }
    with (
        _keeping_served_days(start_date),
        _keeping_closed_months(
            start_date, date.max, what=what, reason=correction_reason, actor=actor
        ),
    ):
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


@service
def school_term_delete(*, term: SchoolTerm, actor: Actor, correction_reason: str = "") -> None:
    """Remove a term with its holidays and make-up days; refused when meals were served on its
    school days."""
    what = _("term %(name)s removed") % {"name": term.name}
    with (
        _keeping_served_days(term.start_date),
        _keeping_closed_months(
            term.start_date, date.max, what=what, reason=correction_reason, actor=actor
        ),
    ):
        SchoolTerm.objects.filter(pk=term.pk).delete()


def _calendar_day_add(
    *, day: date, kind: str, name: str, actor: Actor, correction_reason: str
) -> CalendarDay:
    if kind == CalendarDay.Kind.MAKE_UP_DAY and day.isoweekday() <= 5:
        raise InvalidInput(
            _("A make-up day is a Saturday or a Sunday worked; %s is a weekday.") % day,
            code="not_a_weekend",
            fields={"date": [str(day)]},
        )
    what = _("%(date)s made a %(kind)s") % {"date": day, "kind": CalendarDay.Kind(kind).label}
    with (
        _keeping_served_days(day, day),
        _keeping_closed_months(day, day, what=what, reason=correction_reason, actor=actor),
    ):
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


@service
def holiday_add(*, date: date, name: str, actor: Actor, correction_reason: str = "") -> CalendarDay:
    """A day of a term without classes or meals (节假日); refused outside every term, and when
    meals were served that day."""
    return _calendar_day_add(
        day=date,
        kind=CalendarDay.Kind.HOLIDAY,
        name=name,
        actor=actor,
        correction_reason=correction_reason,
    )


@service
def make_up_day_add(
    *, date: date, name: str, actor: Actor, correction_reason: str = ""
) -> CalendarDay:
    """A Saturday or Sunday of a term worked as a school day (调休上班)."""
    return _calendar_day_add(
        day=date,
        kind=CalendarDay.Kind.MAKE_UP_DAY,
        name=name,
        actor=actor,
        correction_reason=correction_reason,
    )


@service
def calendar_day_delete(*, day: CalendarDay, actor: Actor, correction_reason: str = "") -> None:
    """Remove a holiday (the day is a school day again) or a make-up day (refused when meals were
    served that day)."""
    what = _("%(date)s is no longer a %(kind)s") % {
        "date": day.date,
        "kind": CalendarDay.Kind(day.kind).label,
    }
    with (
        _keeping_served_days(day.date, day.date),
        _keeping_closed_months(
            day.date, day.date, what=what, reason=correction_reason, actor=actor
        ),
    ):
        CalendarDay.objects.filter(pk=day.pk).delete()
