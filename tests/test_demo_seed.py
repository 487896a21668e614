"""The demo district, seeded as `make demo` seeds it, twice: the whole programme's month is there
(students, servings, a claim per school, two paid and one pending), the money agrees to the fen,
the audit trail names the actors, and the second run adds nothing."""

import time
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.demo import DEMO_SCHOOLS, PAID_SCHOOLS, DemoDates, seed_demo
from houqin.roles import DISTRICT_ROLES, SCHOOL_ROLES
from shared_apps.accounts.models import User
from shared_apps.audit.models import Change
from shared_apps.standards.models import MealPlan, Recipe
from shared_apps.subsidies.models import Budget, Claim, ClaimEvent, Disbursement
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    ColdStorageReading,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    Serving,
)
from tenant_apps.people import national_id
from tenant_apps.people.models import Student, SubsidyEligibility
from tenants.models import School

SCHOOL_MODELS: list[Any] = [
    Student,
    SubsidyEligibility,
    Menu,
    MealSession,
    Serving,
    FoodSample,
    AccompaniedMeal,
    InboundInspection,
    ColdStorageReading,
]
PUBLIC_MODELS: list[Any] = [School, Recipe, MealPlan, Budget, Claim, ClaimEvent, Disbursement]


def _counts() -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in PUBLIC_MODELS}
    for code, *_rest in DEMO_SCHOOLS:
        with tenant_context(School.objects.get(code=code)):
            counts.update({f"{code}.{m.__name__}": m.objects.count() for m in SCHOOL_MODELS})
    return counts


def test_seed_demo_twice(db: Any) -> None:
    started = time.monotonic()
    logins = seed_demo()
    first_run = time.monotonic() - started
    first = _counts()
    again = seed_demo()
    assert _counts() == first, "the second run added rows"
    print(f"seed_demo: first run {first_run:.1f} s")

    roles = {login.role for login in again}
    assert {r.value for r in DISTRICT_ROLES | SCHOOL_ROLES} <= roles
    assert len(again) == len(logins)

    dates = DemoDates.of(timezone.localdate())
    finance = next(login for login in again if login.role == "finance_officer")
    finance_id = User.objects.get(username=finance.username).pk
    statuses = []
    for code, *_rest in DEMO_SCHOOLS:
        school = School.objects.get(code=code)
        with tenant_context(school):
            students = Student.objects.count()
            assert students >= 100
            assert SubsidyEligibility.objects.count() / students >= 0.65
            for blob in Student.objects.values_list("national_id_ciphertext", flat=True)[:20]:
                assert blob is not None
                assert national_id.is_valid(national_id.decrypt(blob))
            served = Serving.objects.filter(
                session__date__range=(dates.month_start, dates.month_end)
            ).count()
            assert served > students * 10
            assert not MealSession.objects.exclude(samples__isnull=False).exists()
        claim = Claim.objects.get(school=school, month=dates.month_start)
        statuses.append(claim.status)
        assert claim.student_days > 0
        assert claim.amount == (claim.student_days * claim.daily_rate).quantize(Decimal("0.01"))
        budget = claim.budget
        committed = Claim.objects.filter(
            budget=budget, status__in=[Claim.Status.APPROVED, Claim.Status.PAID]
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        assert budget.committed == committed
        if code in PAID_SCHOOLS:
            assert claim.status == Claim.Status.PAID
            assert claim.disbursed == claim.amount
            assert claim.disbursements.aggregate(total=Sum("amount"))["total"] == claim.amount
            assert budget.committed == claim.amount
            approvals = Change.objects.filter(
                table_name="subsidies_claim",
                row_id=str(claim.pk),
                operation="UPDATE",
                after__status="approved",
            )
            assert approvals.exists()
            assert set(approvals.values_list("actor_id", flat=True)) == {finance_id}
        else:
            assert claim.status == Claim.Status.SUBMITTED
            assert budget.committed == 0
    assert sorted(statuses) == ["paid", "paid", "submitted"]
