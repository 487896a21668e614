"""The subsidy and statement pages. A school's host: its claims and budgets for those who read
them (district roles hold in every school), computing for the logistics director, submitting
for the principal, asking for a supplementary budget for the principal (and the finance officer,
who holds it everywhere). The district host: programmes, budgets, claims and the monthly
statement for the finance officer and auditors; deciding, paying and confirming for the finance
officer."""

from decimal import Decimal
from typing import Any

from houqin.roles import Role as R
from shared_apps.subsidies import services
from shared_apps.subsidies.models import Claim
from tests.factories import make_user
from tests.matrix import Scene
from tests.matrix.subsidies import make_budget, make_claim, make_programme
from tests.pages import Declared, Pages

FINANCE = frozenset({R.FINANCE_OFFICER})
DISTRICT_READERS = FINANCE | {R.AUDITOR}
SCHOOL_READERS = (
    frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER, R.ACCOUNTANT})
    | DISTRICT_READERS
)


def _claim(status: str) -> Any:
    def build(scene: Scene) -> dict[str, Any]:
        assert scene.school is not None
        return {"pk": make_claim(scene.school, status=status).pk}

    return build


def _budget(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": make_budget(scene.school, make_programme()).pk}


def _supplement(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    supplement = services.budget_supplement(
        budget=make_budget(scene.school, make_programme()),
        amount=Decimal("8000.00"),
        reason="秋季学期寄宿生增加",
        actor=make_user(),
    )
    return {"pk": supplement.pk}


SCHOOL_PAGES: Pages = {
    "subsidies:claims": Declared(SCHOOL_READERS),
    "subsidies:claim-compute": Declared(frozenset({R.LOGISTICS_DIRECTOR})),
    "subsidies:claim": Declared(SCHOOL_READERS, _claim(Claim.Status.DRAFT)),
    "subsidies:claim-submit": Declared(frozenset({R.PRINCIPAL}), _claim(Claim.Status.DRAFT)),
    "subsidies:budgets": Declared(SCHOOL_READERS),
    "subsidies:budget": Declared(SCHOOL_READERS, _budget),
    "subsidies:supplement-request": Declared(frozenset({R.PRINCIPAL}) | FINANCE, _budget),
}
DISTRICT_PAGES: Pages = {
    "subsidies:programmes": Declared(DISTRICT_READERS),
    "subsidies:budgets": Declared(DISTRICT_READERS),
    "subsidies:budget": Declared(DISTRICT_READERS, _budget),
    "subsidies:supplement-approve": Declared(FINANCE, _supplement),
    "subsidies:claims": Declared(DISTRICT_READERS),
    "subsidies:claim": Declared(DISTRICT_READERS, _claim(Claim.Status.SUBMITTED)),
    "subsidies:claim-approve": Declared(FINANCE, _claim(Claim.Status.SUBMITTED)),
    "subsidies:claim-reject": Declared(FINANCE, _claim(Claim.Status.SUBMITTED)),
    "subsidies:claim-pay": Declared(FINANCE, _claim(Claim.Status.APPROVED)),
    "reporting:district-statement": Declared(DISTRICT_READERS),
    "reporting:upkeep": Declared(DISTRICT_READERS),
}
