"""Reads about subsidies: the district reads every school's rows, a school only its own.

Budgets, supplements and claims belong to schools (houqin.tenancy): the lists below run once
their caller says whose rows they read, as `restrict()` does for the API."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from houqin.db import advisory_xact_locks
from houqin.money import ZERO
from houqin.months import add_months, month_bounds
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.subsidies.models import (
    CLOSING_STATUSES,
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    MonthCorrection,
    Programme,
)

# The first key of the advisory locks that order a school-month's records against the
# submission of its claim (the second names the school and the month).
_MONTH_LOCK = 0x6D6F6E  # "mon"


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.all()


def programme_get(*, code: str) -> Programme | None:
    return Programme.objects.filter(code=code).first()


def programme_active_list() -> QuerySet[Programme]:
    return Programme.objects.filter(active=True)


def programme_active_get(*, code: str) -> Programme | None:
    """The programme with this code while it is active; None when there is none or it was
    switched off. Read from a school's schema too (the table is public)."""
    return Programme.objects.filter(code=code, active=True).first()


def budget_list() -> SchoolOwnedQuerySet[Budget]:
    """Budgets with their supplements."""
    return Budget.objects.select_related("programme", "school").prefetch_related(
        Prefetch(
            "supplements",
            queryset=BudgetSupplement.objects.select_related("added_by", "approved_by"),
        )
    )


def supplement_list() -> SchoolOwnedQuerySet[BudgetSupplement]:
    """Supplementary budgets, proposed and approved."""
    return BudgetSupplement.objects.select_related("budget", "added_by", "approved_by")


def claim_list() -> SchoolOwnedQuerySet[Claim]:
    """Claims with their events and disbursements."""
    events: QuerySet[ClaimEvent] = ClaimEvent.objects.select_related("actor")
    paid: QuerySet[Disbursement] = Disbursement.objects.order_by("id")
    return Claim.objects.select_related(
        "programme", "school", "submitted_by", "decided_by", "computed_by"
    ).prefetch_related(
        Prefetch("events", queryset=events), Prefetch("disbursements", queryset=paid)
    )


def correction_list() -> SchoolOwnedQuerySet[MonthCorrection]:
    """Changes made to closed months, by whom and why, newest first."""
    return MonthCorrection.objects.select_related("school", "claim__programme", "corrected_by")


# Closed months -----------------------------------------------------------------------------------


def months_hold(*, school_id: int, months: Iterable[date], exclusive: bool = False) -> None:
    """Hold these months of the school still until the transaction ends. A write to a month's
    records holds it shared (writes go on side by side); submitting the month's claim holds it
    alone, so it waits for the writes under way and the writes after it see the month closed."""
    advisory_xact_locks(
        _MONTH_LOCK,
        (f"{school_id}:{month:%Y-%m}" for month in months),
        shared=not exclusive,
    )


def closing_claims(
    *,
    school_id: int,
    months: Iterable[date],
    programme: str | None = None,
    students: str | None = None,
) -> list[Claim]:
    """The submitted, approved or paid month claims that closed any of `months` (first days) of
    the school, under `programme` (a code) or any programme, and of programmes for `students`
    (a `Programme.Students` value) when given; oldest month first."""
    claims = Claim.objects.for_school(school_id).filter(
        kind=Claim.Kind.CLAIM, status__in=CLOSING_STATUSES, month__in=list(months)
    )
    if programme is not None:
        claims = claims.filter(programme__code=programme)
    if students is not None:
        claims = claims.filter(programme__students=students)
    return list(claims.select_related("programme").order_by("month", "programme__code"))


def budget_total(budget: Budget) -> Decimal:
    """What a budget holds: allocated, approved supplements and carry-overs."""
    return Decimal(budget.allocated + budget.supplemented + budget.carried_in - budget.carried_out)


def budget_spent_share(budget: Budget) -> Decimal:
    """The share of what a budget holds that approved claims have committed (0 to 1)."""
    total = budget_total(budget)
    return Decimal(budget.committed / total).quantize(Decimal("0.0001")) if total > 0 else ZERO


# What waits for someone --------------------------------------------------------------------------

# A budget is nearly spent once its approved claims hold this share of it.
NEARLY_SPENT = Decimal("0.90")


def budgets_nearly_spent(*, today: date | None = None) -> SchoolOwnedQuerySet[Budget]:
    """Budgets of periods not yet over whose approved claims hold 90% of what they hold or more
    (NEARLY_SPENT), most spent first."""
    today = today or timezone.localdate()
    total = F("allocated") + F("supplemented") + F("carried_in") - F("carried_out")
    return (
        Budget.objects.select_related("programme", "school")
        .filter(GreaterThan(total, 0), period_end__gte=today, committed__gte=total * NEARLY_SPENT)
        .order_by((F("committed") / total).desc(), "id")
    )


def programmes_to_claim(*, school_id: int, month: date) -> QuerySet[Programme]:
    """The active programmes with a budget of the school covering `month` and no month's claim
    for it yet (none, or only rejected ones): the month's claims still to compute."""
    start, end = month_bounds(month)
    covered = Budget.objects.for_school(school_id).filter(
        programme=OuterRef("pk"), period_start__lte=start, period_end__gte=end
    )
    claimed = (
        Claim.objects.for_school(school_id)
        .filter(programme=OuterRef("pk"), month=start, kind=Claim.Kind.CLAIM)
        .exclude(status=Claim.Status.REJECTED)
    )
    return Programme.objects.filter(Exists(covered), ~Exists(claimed), active=True)


# Burn-down ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurnDown:
    """A budget month by month over its period: what is left after each month's approved
    claims (None for months still to come), beside the straight line from the whole budget to
    nothing at the period's end."""

    total: Decimal
    months: list[date]
    remaining: list[Decimal | None]
    even: list[Decimal]


def budget_burn_down(budget: Budget, *, today: date | None = None) -> BurnDown:
    """What `budget` holds today (allocated, approved supplements and carry-overs), less the
    claims approved against it, by the month they claim. One query."""
    today = today or timezone.localdate()
    total = budget_total(budget)
    months = []
    month = budget.period_start.replace(day=1)
    while month <= budget.period_end:
        months.append(month)
        month = add_months(month, 1)
    approved = dict(
        budget.claims.filter(status__in=(Claim.Status.APPROVED, Claim.Status.PAID))
        .values("month")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("month", "amount")
    )
    remaining: list[Decimal | None] = []
    left = total
    for month in months:
        left -= approved.get(month, ZERO)
        remaining.append(left if month <= today else None)
    step = total / len(months)
    even = [(total - step * (i + 1)).quantize(Decimal("0.01")) for i in range(len(months))]
    return BurnDown(total=total, months=months, remaining=remaining, even=even)
