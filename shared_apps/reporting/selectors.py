"""Monthly statements: servings (student-days), claims, decisions and budget use, per school and
for the whole district.

Everything is read from the subsidy tables in the public schema (claims, budgets; a claim's
`disbursed` is kept by the disbursement service), never from a school's schema, and with a fixed
number of queries whatever the number of schools: the district statement is three queries
(schools, the month's claims, the budgets covering the month), a school's statement two.

Budget figures are the budget's as they stand when the statement is built (a budget spans a
semester or a year, not the month); claim figures are the month's.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.api import deprecation
from houqin.exceptions import InvalidInput
from houqin.months import month_end, names_a_day, parse_month, previous_month
from houqin.tenancy import SchoolScope
from shared_apps.reporting.models import SchoolAssetCategory, SchoolUpkeep
from shared_apps.subsidies.models import Budget, Claim
from tenants.models import School

ZERO = Decimal("0.00")
# Statements start with the programme; nothing older is worth a statement.
EARLIEST_MONTH = date(2000, 1, 1)
NO_CLAIM = "none"
STATUSES = [*Claim.Status.values, NO_CLAIM]


# Months -----------------------------------------------------------------------------------------


def month_parse(value: str | None, *, today: date | None = None) -> date:
    """The first day of the month `value` ("YYYY-MM") names; the previous month when `value` is
    empty. A malformed month, or one that has not begun, is an InvalidInput."""
    if value is None or not value.strip():
        return previous_month(today)
    text = value.strip()
    if names_a_day(text):
        deprecation.used("month")
    try:
        month = parse_month(text)
    except ValueError as exc:
        message = _("A month is written YYYY-MM, e.g. 2026-10.")
        raise InvalidInput(message, fields={"month": [message]}) from exc
    today = today or timezone.localdate()
    if month > today.replace(day=1):
        message = _("This month has not begun.")
        raise InvalidInput(message, fields={"month": [message]})
    if month < EARLIEST_MONTH:
        message = _("There are no statements for this month.")
        raise InvalidInput(message, fields={"month": [message]})
    return month


# What a statement holds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    """Eligible students served on one school day under one programme."""

    day: date
    student_days: int


@dataclass(frozen=True)
class Shown:
    """A person as every answer shows one (`houqin.api.fields.PersonSerializer`)."""

    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class StatementRow:
    """One school under one programme for the month: its claim (if any) and its budget (if any),
    or one adjustment of the month's claim (`kind` "adjustment", `adjusts` the claim): the
    difference it claims, in units and in money, positive or negative. A school with neither
    has one row of zeros."""

    school_id: int
    school_code: str
    school_name: str
    programme_code: str
    programme_name: str
    claim_id: int | None
    status: str  # a Claim.Status value, or "none"
    school_days: int
    student_days: int
    daily_rate: Decimal | None
    amount: Decimal  # claimed
    approved: Decimal  # the amount, once approved (approved or paid)
    disbursed: Decimal
    decided_at: datetime | None
    decided_by: Shown | None
    budget_id: int | None
    allocated: Decimal
    supplemented: Decimal
    carried_in: Decimal
    carried_out: Decimal
    committed: Decimal
    remaining: Decimal
    days: tuple[DayCount, ...] = ()
    kind: str = Claim.Kind.CLAIM
    adjusts: int | None = None


@dataclass(frozen=True)
class Totals:
    """Sums over a statement's rows; budget figures count each budget once."""

    student_days: int = 0
    amount: Decimal = ZERO
    approved: Decimal = ZERO
    disbursed: Decimal = ZERO
    allocated: Decimal = ZERO
    supplemented: Decimal = ZERO
    carried_in: Decimal = ZERO
    carried_out: Decimal = ZERO
    committed: Decimal = ZERO
    remaining: Decimal = ZERO


@dataclass(frozen=True)
class SchoolStatement:
    """One school's month."""

    school_id: int
    school_code: str
    school_name: str
    month: date
    generated_at: datetime
    rows: list[StatementRow]
    totals: Totals


@dataclass(frozen=True)
class DistrictStatement:
    """Every school's month: one row per school and programme, totals, claims by status."""

    month: date
    generated_at: datetime
    rows: list[StatementRow]
    totals: Totals
    school_count: int
    status_counts: dict[str, int] = field(default_factory=dict)


# Building them ------------------------------------------------------------------------------------


def _claims(month: date, scope: SchoolScope) -> QuerySet[Claim]:
    return (
        Claim.objects.scoped(scope)
        .filter(month=month)
        .select_related("programme", "school", "budget", "decided_by")
        .order_by("id")
    )


def _budgets(month: date, scope: SchoolScope) -> QuerySet[Budget]:
    return (
        Budget.objects.scoped(scope)
        .filter(period_start__lte=month_end(month), period_end__gte=month)
        .select_related("programme", "school")
        .order_by("period_start", "id")
    )


def _days(claim: Claim) -> tuple[DayCount, ...]:
    return tuple(
        DayCount(day=date.fromisoformat(day), student_days=int(count))
        for day, count in sorted((claim.breakdown or {}).items())
    )


def _budget_figures(budget: Budget | None) -> dict[str, object]:
    if budget is None:
        return {
            "budget_id": None,
            "allocated": ZERO,
            "supplemented": ZERO,
            "carried_in": ZERO,
            "carried_out": ZERO,
            "committed": ZERO,
            "remaining": ZERO,
        }
    return {
        "budget_id": budget.pk,
        "allocated": budget.allocated,
        "supplemented": budget.supplemented,
        "carried_in": budget.carried_in,
        "carried_out": budget.carried_out,
        "committed": budget.committed,
        "remaining": budget.available,
    }


def _school_fields(school: School) -> dict[str, object]:
    return {"school_id": school.pk, "school_code": school.code, "school_name": school.name}


def _units(claim: Claim) -> int:
    """What a row counts: the claim's units, or, for an adjustment, the units it adds (or takes
    back) over what was claimed before, at the month's rate."""
    if claim.kind == Claim.Kind.CLAIM or claim.claimed_before is None:
        return claim.student_days
    return claim.student_days - int(claim.claimed_before / claim.daily_rate)


def _claim_row(claim: Claim, *, with_days: bool) -> StatementRow:
    decider = claim.decided_by
    decided_by = (
        None
        if decider is None
        else Shown(decider.pk, decider.username, decider.display_name or decider.username)
    )
    approved = claim.status in (Claim.Status.APPROVED, Claim.Status.PAID)
    return StatementRow(
        **_school_fields(claim.school),  # type: ignore[arg-type]
        programme_code=claim.programme.code,
        programme_name=claim.programme.name,
        claim_id=claim.pk,
        status=claim.status,
        school_days=claim.school_days,
        student_days=_units(claim),
        daily_rate=claim.daily_rate,
        amount=claim.amount,
        approved=claim.amount if approved else ZERO,
        disbursed=claim.disbursed,
        decided_at=timezone.localtime(claim.decided_at) if claim.decided_at else None,
        decided_by=decided_by,
        days=_days(claim) if with_days and claim.kind == Claim.Kind.CLAIM else (),
        kind=claim.kind,
        adjusts=claim.corrects_id,
        **_budget_figures(claim.budget),  # type: ignore[arg-type]
    )


def _empty_row(school: School, budget: Budget | None) -> StatementRow:
    return StatementRow(
        **_school_fields(school),  # type: ignore[arg-type]
        programme_code=budget.programme.code if budget else "",
        programme_name=budget.programme.name if budget else "",
        claim_id=None,
        status=NO_CLAIM,
        school_days=0,
        student_days=0,
        daily_rate=None,
        amount=ZERO,
        approved=ZERO,
        disbursed=ZERO,
        decided_at=None,
        decided_by=None,
        **_budget_figures(budget),  # type: ignore[arg-type]
    )


def _rows(
    schools: Iterable[School],
    claims: Iterable[Claim],
    budgets: Iterable[Budget],
    *,
    with_days: bool,
) -> list[StatementRow]:
    """One row per school and programme: the live claim (else the latest rejected one) with its
    budget, then a row for each adjustment of it not rejected; budgets covering the month that
    no claim drew on get a row of their own; schools with neither a row of zeros. Every claimed
    programme and every budget appears once."""
    chosen: dict[tuple[int, int], Claim] = {}
    adjustments: list[Claim] = []
    for claim in claims:  # by id: a later claim replaces an earlier one unless it is rejected
        if claim.kind == Claim.Kind.ADJUSTMENT:
            if claim.status != Claim.Status.REJECTED:
                adjustments.append(claim)
            continue
        key = (claim.school_id, claim.programme_id)
        current = chosen.get(key)
        if (
            current is None
            or current.status == Claim.Status.REJECTED
            or claim.status != Claim.Status.REJECTED
        ):
            chosen[key] = claim
    rows = [_claim_row(claim, with_days=with_days) for claim in [*chosen.values(), *adjustments]]
    used = {claim.budget_id for claim in chosen.values()}
    seen_schools = {claim.school_id for claim in chosen.values()}
    for budget in budgets:
        if budget.pk not in used:
            used.add(budget.pk)
            seen_schools.add(budget.school_id)
            rows.append(_empty_row(budget.school, budget))
    for school in schools:
        if school.pk not in seen_schools:
            seen_schools.add(school.pk)
            rows.append(_empty_row(school, None))
    rows.sort(
        key=lambda r: (
            r.school_code,
            r.programme_code,
            r.adjusts or r.claim_id or 0,
            r.claim_id or 0,
            r.budget_id or 0,
        )
    )
    return rows


def _totals(rows: list[StatementRow]) -> Totals:
    budgets: dict[int, StatementRow] = {r.budget_id: r for r in rows if r.budget_id is not None}
    return Totals(
        student_days=sum(r.student_days for r in rows),
        amount=sum((r.amount for r in rows), ZERO),
        approved=sum((r.approved for r in rows), ZERO),
        disbursed=sum((r.disbursed for r in rows), ZERO),
        allocated=sum((r.allocated for r in budgets.values()), ZERO),
        supplemented=sum((r.supplemented for r in budgets.values()), ZERO),
        carried_in=sum((r.carried_in for r in budgets.values()), ZERO),
        carried_out=sum((r.carried_out for r in budgets.values()), ZERO),
        committed=sum((r.committed for r in budgets.values()), ZERO),
        remaining=sum((r.remaining for r in budgets.values()), ZERO),
    )


def school_statement(*, school: School, month: date) -> SchoolStatement:
    """`school`'s statement for `month` (its first day), with each claim's student-days per
    school day. Two queries."""
    claims = list(_claims(month, SchoolScope.of(school)))
    budgets = list(_budgets(month, SchoolScope.of(school)))
    rows = _rows([school], claims, budgets, with_days=True)
    return SchoolStatement(
        school_id=school.pk,
        school_code=school.code,
        school_name=school.name,
        month=month,
        generated_at=timezone.localtime(),
        rows=rows,
        totals=_totals(rows),
    )


def district_statement(*, month: date) -> DistrictStatement:
    """Every active school's statement for `month` in one table (and any other school with a
    claim or a budget that month), with totals and claims counted by status. Three queries,
    whatever the number of schools; no school's schema is visited."""
    schools = School.objects.filter(status=School.Status.ACTIVE).only("id", "code", "name")
    every = SchoolScope.every()
    claims, budgets = list(_claims(month, every)), list(_budgets(month, every))
    rows = _rows(list(schools), claims, budgets, with_days=False)
    counts = Counter(r.status for r in rows)
    return DistrictStatement(
        month=month,
        generated_at=timezone.localtime(),
        rows=rows,
        totals=_totals(rows),
        school_count=len({r.school_id for r in rows}),
        status_counts={s: counts.get(s, 0) for s in STATUSES},
    )


def upkeep_list() -> "QuerySet[SchoolUpkeep]":
    """Every school's repair and asset figures, as their jobs last wrote them."""
    return SchoolUpkeep.objects.select_related("school")


def asset_category_list() -> "QuerySet[SchoolAssetCategory]":
    return SchoolAssetCategory.objects.select_related("school")
