"""Reads about subsidies: the district reads every school's rows, a school only its own."""

from django.db.models import Prefetch, QuerySet

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


def budget_list(*, school_id: int | None = None) -> QuerySet[Budget]:
    """Budgets with their supplements, of one school when `school_id` is given (a school's
    host), else of all."""
    qs = Budget.objects.select_related("programme", "school").prefetch_related(
        Prefetch(
            "supplements",
            queryset=BudgetSupplement.objects.select_related("added_by", "approved_by"),
        )
    )
    return qs if school_id is None else qs.filter(school_id=school_id)


def supplement_list() -> QuerySet[BudgetSupplement]:
    """Every school's supplementary budgets, proposed and approved."""
    return BudgetSupplement.objects.select_related("budget", "added_by", "approved_by")


def claim_list(*, school_id: int | None = None) -> QuerySet[Claim]:
    """Claims with their events and disbursements, of one school when `school_id` is given."""
    qs = Claim.objects.select_related(
        "programme", "school", "submitted_by", "decided_by", "computed_by"
    ).prefetch_related(
        Prefetch("events", queryset=ClaimEvent.objects.select_related("actor")),
        Prefetch("disbursements", queryset=Disbursement.objects.order_by("id")),
    )
    return qs if school_id is None else qs.filter(school_id=school_id)
