"""Reads about subsidies: the district reads every school's rows, a school only its own.

Budgets, supplements and claims belong to schools (houqin.tenancy): the lists below run once
their caller says whose rows they read, as `restrict()` does for the API."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, QuerySet

from houqin.db import advisory_xact_locks
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
    *, school_id: int, months: Iterable[date], programme: str | None = None
) -> list[Claim]:
    """The submitted, approved or paid month claims that closed any of `months` (first days) of
    the school, under `programme` (a code) or any programme; oldest month first."""
    claims = Claim.objects.for_school(school_id).filter(
        kind=Claim.Kind.CLAIM, status__in=CLOSING_STATUSES, month__in=list(months)
    )
    if programme is not None:
        claims = claims.filter(programme__code=programme)
    return list(claims.select_related("programme").order_by("month", "programme__code"))
