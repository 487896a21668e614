"""The subsidies app's operations. District host: the finance officer writes (supplementary
budgets included: one proposes, another approves), auditors read. A school's host: its own claims
and budgets (with their supplements); the logistics director prepares (computes) the month's
claim, the principal submits it. District roles hold in every school, so the finance officer's
`subsidies.*` reaches a school's host too (roles.py)."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from houqin.door import Actor
from shared_apps.subsidies import services
from shared_apps.subsidies.models import Budget, Claim, MonthCorrection, Programme
from tenants.models import School
from tests.conftest import SCHOOL_A
from tests.factories import SETUP, make_user
from tests.matrix import AUDITOR, Built, Operations, R, Scene

FINANCE = frozenset({R.FINANCE_OFFICER})
DISTRICT_READERS = FINANCE | AUDITOR
# subsidies.view_* in roles.py, the auditor's *.view_*, and the finance officer's subsidies.*.
SCHOOL_READERS = (
    frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER, R.ACCOUNTANT})
    | AUDITOR
    | FINANCE
)

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/subsidies/budgets/"): SCHOOL_READERS,
    ("GET", "/api/v1/subsidies/budgets/{id}/"): SCHOOL_READERS,
    ("GET", "/api/v1/subsidies/claims/"): SCHOOL_READERS,
    ("GET", "/api/v1/subsidies/claims/{id}/"): SCHOOL_READERS,
    ("POST", "/api/v1/subsidies/claims/compute/"): frozenset({R.LOGISTICS_DIRECTOR}),
    ("POST", "/api/v1/subsidies/claims/{id}/submit/"): frozenset({R.PRINCIPAL}),
    ("GET", "/api/v1/subsidies/corrections/"): SCHOOL_READERS,
    ("GET", "/api/v1/subsidies/corrections/{id}/"): SCHOOL_READERS,
}

DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/subsidies/programmes/"): DISTRICT_READERS,
    ("POST", "/api/v1/subsidies/programmes/"): FINANCE,
    ("GET", "/api/v1/subsidies/programmes/{id}/"): DISTRICT_READERS,
    ("PATCH", "/api/v1/subsidies/programmes/{id}/"): FINANCE,
    ("GET", "/api/v1/subsidies/budgets/"): DISTRICT_READERS,
    ("POST", "/api/v1/subsidies/budgets/"): FINANCE,
    ("GET", "/api/v1/subsidies/budgets/{id}/"): DISTRICT_READERS,
    ("POST", "/api/v1/subsidies/budgets/{id}/carry-over/"): FINANCE,
    ("POST", "/api/v1/subsidies/budgets/{id}/supplements/"): FINANCE,
    ("POST", "/api/v1/subsidies/supplements/{id}/approve/"): FINANCE,
    ("GET", "/api/v1/subsidies/claims/"): DISTRICT_READERS,
    ("GET", "/api/v1/subsidies/claims/{id}/"): DISTRICT_READERS,
    ("POST", "/api/v1/subsidies/claims/{id}/approve/"): FINANCE,
    ("POST", "/api/v1/subsidies/claims/{id}/reject/"): FINANCE,
    ("POST", "/api/v1/subsidies/claims/{id}/disburse/"): FINANCE,
    ("GET", "/api/v1/subsidies/corrections/"): DISTRICT_READERS,
    ("GET", "/api/v1/subsidies/corrections/{id}/"): DISTRICT_READERS,
}

# Programme codes unique across every scene of a run.
_serial = itertools.count(1)
# A month every test can claim: begun, and far from any other test's.
MONTH = date(2025, 10, 1)


def make_programme(**values: Any) -> Programme:
    fields: dict[str, Any] = {"code": f"matrix-{next(_serial)}", "name": "测试补助", **values}
    return Programme.objects.create(**fields)


def make_budget(
    school: School,
    programme: Programme,
    *,
    start: date = date(2025, 9, 1),
    end: date = date(2026, 1, 31),
    allocated: Decimal = Decimal("100000.00"),
    year: int = 2025,
) -> Budget:
    return Budget.objects.create(
        programme=programme,
        school=school,
        budget_year=year,
        period_start=start,
        period_end=end,
        allocated=allocated,
    )


def make_claim(
    school: School,
    *,
    status: str = Claim.Status.DRAFT,
    amount: Decimal = Decimal("500.00"),
    budget: Budget | None = None,
    month: date = MONTH,
) -> Claim:
    """A claim for 100 student-days at 5 CNY (by default), in the given status."""
    if budget is None:
        budget = make_budget(school, make_programme())
    now = timezone.now()
    submitted = status != Claim.Status.DRAFT
    decided = status in (Claim.Status.APPROVED, Claim.Status.PAID)
    claim = Claim.objects.create(
        programme=budget.programme,
        school=school,
        budget=budget,
        month=month,
        status=status,
        breakdown={month.isoformat(): int(amount / 5)},
        school_days=1,
        student_days=int(amount / 5),
        daily_rate=Decimal("5.00"),
        amount=amount,
        computed_at=now,
        submitted_at=now if submitted else None,
        submitted_by=make_user() if submitted else None,
        decided_at=now if decided else None,
    )
    if decided:
        Budget.objects.across_schools().filter(pk=budget.pk).update(committed=amount)
    return claim


def computed_claim(school: School, *, actor: Actor = SETUP) -> Claim:
    """A draft claim computed from the school's records for `MONTH` (none: 0.00 CNY), as the
    submission checks it against them."""
    programme = make_programme()
    make_budget(school, programme)
    return services.claim_compute(school=school, programme=programme, month=MONTH, actor=actor)


def make_correction(school: School) -> MonthCorrection:
    """A correction of a month closed by a submitted claim (the serving it recorded counted
    nothing: no adjustment)."""
    claim = make_claim(school, status=Claim.Status.SUBMITTED)
    return MonthCorrection.objects.create(
        school=school,
        claim=claim,
        month=claim.month,
        change=MonthCorrection.Change.SERVING,
        detail="1 名学生补录午餐",
        reason="刷卡机故障，按纸质签到补录",
    )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school or School.objects.get(code=SCHOOL_A)
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if "/programmes/" in path:
        if "{id}" in path:
            params["id"] = make_programme().pk
            body = (
                {"daily_rate": "6.00", "name": "营养改善计划（调整）"}
                if method == "PATCH"
                else None
            )
        elif method == "POST":
            body = {
                "code": f"new-programme-{next(_serial)}",
                "name": "新补助",
                "daily_rate": "5.00",
            }
    elif path.endswith("/carry-over/"):
        programme = make_programme(carry_over=Programme.CarryOver.NEXT_PERIOD)
        autumn = make_budget(school, programme, start=date(2025, 2, 1), end=date(2025, 7, 31))
        spring = make_budget(school, programme, start=date(2025, 8, 1), end=date(2025, 12, 31))
        params["id"] = autumn.pk
        body = {"to_budget": spring.pk}
    elif path.startswith("/api/v1/subsidies/supplements/"):
        # Proposed by another finance officer: whoever proposed it does not approve it.
        budget = make_budget(school, make_programme())
        supplement = services.budget_supplement(
            budget=budget,
            amount=Decimal("12000.00"),
            reason="秋季学期就餐人数增加，追加营养餐补助",
            actor=make_user(),
        )
        params["id"] = supplement.pk
    elif path.endswith("/supplements/"):
        params["id"] = make_budget(school, make_programme()).pk
        body = {"amount": "12000.00", "reason": "秋季学期就餐人数增加，追加营养餐补助"}
    elif "/budgets/" in path:
        if "{id}" in path:
            params["id"] = make_budget(school, make_programme()).pk
        elif method == "POST":
            body = {
                "programme": make_programme().code,
                "school": school.code,
                "period_start": "2025-09-01",
                "period_end": "2026-01-31",
                "allocated": "250000.00",
            }
    elif path.endswith("/compute/"):
        programme = make_programme()
        make_budget(school, programme)
        body = {"programme": programme.code, "month": MONTH.isoformat()}
    elif path.endswith("/submit/"):
        params["id"] = computed_claim(school).pk
    elif path.endswith("/approve/"):
        params["id"] = make_claim(school, status=Claim.Status.SUBMITTED).pk
    elif path.endswith("/reject/"):
        params["id"] = make_claim(school, status=Claim.Status.SUBMITTED).pk
        body = {"reason": "十月第二周就餐记录与排课不符，请核对后重报"}
    elif path.endswith("/disburse/"):
        params["id"] = make_claim(school, status=Claim.Status.APPROVED).pk
        body = {"amount": "500.00", "paid_on": "2025-11-20", "reference": f"GK-{n}"}
    elif path.startswith("/api/v1/subsidies/corrections/{id}/"):
        params["id"] = make_correction(school).pk
    elif "/claims/" in path and "{id}" in path:
        params["id"] = make_claim(school).pk
    return params, body
