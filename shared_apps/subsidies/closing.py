"""Closed months: what the services that change a school's records for a month (servings, meal
sessions, eligibility periods, the calendar, boarders' bed allocations) go through.

Submitting a month's claim closes the school's month for what the claim counted. A change to a
closed month is refused (409 `month_closed`, naming the claim) unless the actor may correct
closed months (`subsidies.correct_claim`) and says why: then it is recorded as a correction
(`MonthCorrection`) and the month's adjustment is computed from the records as they now are, in
the same transaction as the change.

    with closing.month_change(days=[session.date], change=..., reason=..., actor=actor) as change:
        ... the change ...
        change.detail = "what changed"

The months a change touches are held (shared) until its transaction ends, so a claim submitted
at the same moment waits for the change and counts it, or the change waits for the submission
and sees the month closed.
"""

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from houqin.door import Actor, SystemActor
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import add_months
from houqin.permissions import has_perm
from shared_apps.subsidies import selectors, services
from shared_apps.subsidies.models import Claim
from tenants.selectors import current_school

CORRECT_PERMISSION = "subsidies.correct_claim"
# The longest span of months one change holds: a change reaching further back is refused.
MAX_MONTHS = 240


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, both included."""
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last and len(months) <= MAX_MONTHS:
        months.append(month)
        month = add_months(month, 1)
    if len(months) > MAX_MONTHS:
        message = _("A change may reach at most %(months)d months back.") % {"months": MAX_MONTHS}
        raise InvalidInput(message, code="too_far_back")
    return months


def closed(
    *,
    months: Iterable[date],
    programme: str | None = None,
    students: str | None = None,
    exclusive: bool = False,
) -> list[Claim]:
    """Hold these months of the current school (until the transaction ends) and return the
    claims that closed them (under `programme`, a code, or any; of programmes for `students`
    when given)."""
    school = current_school()
    months = sorted({month.replace(day=1) for month in months})
    selectors.months_hold(school_id=school.pk, months=months, exclusive=exclusive)
    return selectors.closing_claims(
        school_id=school.pk, months=months, programme=programme, students=students
    )


def may_correct(actor: Actor) -> bool:
    """Whether `actor` may correct a closed month: a job or command acting by a rule may; a
    person needs the grant."""
    return isinstance(actor, SystemActor) or has_perm(actor, CORRECT_PERMISSION)  # type: ignore[arg-type]


def ensure_correctable(claims: Collection[Claim], *, actor: Actor, reason: str) -> None:
    """Refuse a change to the months `claims` closed: 409 `month_closed` naming the first claim
    for whoever may not correct them, 400 `correction_reason_required` without a reason."""
    if not claims:
        return
    if not may_correct(actor):
        claim = min(claims, key=lambda c: (c.month, c.pk))
        message = _(
            "%(month)s is closed: claim #%(claim)s (%(programme)s) was %(status)s. Only those "
            "who may correct a closed month can change it, saying why."
        ) % {
            "month": f"{claim.month:%Y-%m}",
            "claim": claim.pk,
            "programme": claim.programme.name,
            "status": claim.get_status_display(),
        }
        raise Conflict(message, code="month_closed", fields={"claim": [str(claim.pk)]})
    if not (reason or "").strip():
        message = _("A change to a closed month is a correction: say why it is made.")
        raise InvalidInput(
            message, code="correction_reason_required", fields={"correction_reason": [message]}
        )


@dataclass
class Change:
    """A change under way to a school's records: what it is, in words, once it is made."""

    kind: str
    claims: list[Claim]
    detail: str = ""
    months: list[date] = field(default_factory=list)


@contextmanager
def month_change(
    *,
    days: Iterable[date],
    change: str,
    reason: str,
    actor: Actor,
    programme: str | None = None,
    students: str | None = None,
) -> Iterator[Change]:
    """Around a change to the records of `days` (under `programme`, a code, or every one; of
    programmes for `students` when given, e.g. boarders for a bed allocation): refused up front
    when they fall in a closed month and the actor may not correct it or gave no reason;
    recorded as a correction once made. The body sets `Change.detail`."""
    claims = closed(
        months={day.replace(day=1) for day in days}, programme=programme, students=students
    )
    ensure_correctable(claims, actor=actor, reason=reason)
    under_way = Change(kind=change, claims=claims)
    yield under_way
    if claims:
        services.month_corrections_record(
            claims=claims, change=change, detail=under_way.detail, reason=reason, actor=actor
        )


def corrections_record(
    claims: Collection[Claim], *, change: str, detail: str, reason: str, actor: Actor
) -> None:
    """For a change whose closed months are known only once it is made (the calendar's): refuse
    it (the caller's transaction is undone) or record it, as `month_change` does."""
    ensure_correctable(claims, actor=actor, reason=reason)
    if claims:
        services.month_corrections_record(
            claims=list(claims), change=change, detail=detail, reason=reason, actor=actor
        )
