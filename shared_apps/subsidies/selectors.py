"""Reads about subsidies: the district reads every school's rows, a school only its own.

Budgets, supplements and claims belong to schools (houqin.tenancy): the lists below run once
their caller says whose rows they read, as `restrict()` does for the API."""

from django.db.models import Prefetch, QuerySet

from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    Programme,
)


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.all()


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
