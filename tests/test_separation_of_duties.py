"""Separation of duties: for every pair declared in houqin.duties, whoever prepared a record
does not approve it, neither themselves nor through a second account: one they opened, or one
holding the approving role through a membership they granted. Each pair through the API, the way
the attack went: a logistics director raised a requisition and approved it with a second account
they had made principal."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.duties import DUTIES, REQUISITION_APPROVAL
from houqin.roles import Role, roles_allowed
from shared_apps.accounts.models import Membership, User
from shared_apps.procurement.models import Award, Requisition
from shared_apps.subsidies.models import Budget, BudgetSupplement, Claim
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import SETUP, make_user, user_with_role
from tests.matrix.orders import make_order
from tests.matrix.subsidies import computed_claim, make_budget, make_claim, make_programme
from tests.matrix.tenders import make_item, make_requisition, opened_tender, score_all

R = Role
SOD = "separation_of_duties"


def _refused(response: Any) -> None:
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == SOD
    assert error["message"]


def _puppet(
    role: Role, school: School | None, *, opened_by: User | None = None, granted_by: Any = None
) -> User:
    """A second account holding `role`: opened by `opened_by`, or given the role by
    `granted_by` (as memberships granted before the grant rule were)."""
    user = make_user(school=school, created_by=opened_by)
    Membership.objects.create(user=user, role=role.value, school=school, granted_by=granted_by)
    return user


def _grant_in_school(user: User, role: Role, school: School) -> Membership:
    return Membership.objects.create(user=user, role=role.value, school=school)


def test_every_pair_names_an_approving_role_and_its_preparers() -> None:
    """Each declared pair: a role holds the approving act, and every preparer path ends on a
    user of the approved model."""
    from django.apps import apps

    assert len({duty.act for duty in DUTIES}) == len(DUTIES)
    for duty in DUTIES:
        assert roles_allowed(duty.act), duty.act
        for path in duty.prepared_by:
            model: type[models.Model] = apps.get_model(duty.record)
            *through, last = path.split(".")
            for step in through:
                model = model._meta.get_field(step).related_model  # type: ignore[assignment]
            field = model._meta.get_field(last)
            assert field.related_model is not None
            assert field.related_model._meta.label == settings.AUTH_USER_MODEL, (duty, path)


def test_a_duty_refuses_a_record_of_another_model(school_a: School) -> None:
    from houqin.duties import ensure_separate

    wrong = replace(REQUISITION_APPROVAL, record="procurement.lot")
    requisition = make_requisition(school_a, [make_item()])
    with pytest.raises(TypeError):
        ensure_separate(wrong, record=requisition, actor=make_user())


# Requisitions --------------------------------------------------------------------------------


def _approve_requisition(client: HostClient, requisition: Requisition) -> Any:
    return client.post(f"/api/v1/procurement/requisitions/{requisition.pk}/approve/")


def test_a_requisition_is_not_approved_by_its_raiser_nor_their_second_account(
    client_for: Any, school_a: School
) -> None:
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    raiser = director.user
    assert raiser is not None
    raised = director.post(
        "/api/v1/procurement/requisitions/",
        {
            "note": "下周食堂用米",
            "lines": [
                {
                    "item": make_item().code,
                    "quantity": "250.000",
                    "needed_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
                }
            ],
        },
        format="json",
    )
    assert raised.status_code == 201, raised.content
    requisition = Requisition.objects.across_schools().get(pk=raised.json()["id"])
    # The raiser, also principal of the school.
    _grant_in_school(raiser, R.PRINCIPAL, school_a)
    _refused(_approve_requisition(client_for(school_a, raiser), requisition))
    # A second account the director opened on the school's host, which the district admin then
    # made principal: the director knew its first password.
    opened = director.post(
        "/api/v1/users/",
        {"username": "second-of-director", "password": "Strong-pass-2026"},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    second = User.objects.get(username="second-of-director")
    made = client_for(None, R.DISTRICT_ADMIN).post(
        "/api/v1/memberships/",
        {"username": second.username, "role": "principal", "school": school_a.code},
        format="json",
    )
    assert made.status_code == 201, made.content
    _refused(_approve_requisition(client_for(school_a, second), requisition))
    # A principal whose role the director granted (before the grant rule forbade it).
    granted = _puppet(R.PRINCIPAL, school_a, granted_by=raiser)
    _refused(_approve_requisition(client_for(school_a, granted), requisition))
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.PENDING
    # The school's own principal approves.
    approved = _approve_requisition(client_for(school_a, R.PRINCIPAL), requisition)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"


# Claims --------------------------------------------------------------------------------------


def _draft_claim(school: School, preparer: User) -> Claim:
    return computed_claim(school, actor=preparer)


def _submit(client: HostClient, claim: Claim) -> Any:
    return client.post(f"/api/v1/subsidies/claims/{claim.pk}/submit/")


def test_a_claim_is_not_submitted_by_its_preparer_nor_their_second_account(
    client_for: Any, school_a: School
) -> None:
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    claim = _draft_claim(school_a, director)
    # The preparer, also the school's principal.
    _grant_in_school(director, R.PRINCIPAL, school_a)
    _refused(_submit(client_for(school_a, director), claim))
    # A principal on an account the preparer opened, or given the role by them.
    for second in (
        _puppet(R.PRINCIPAL, school_a, opened_by=director),
        _puppet(R.PRINCIPAL, school_a, granted_by=director),
    ):
        _refused(_submit(client_for(school_a, second), claim))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT
    submitted = _submit(client_for(school_a, R.PRINCIPAL), claim)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"


def test_a_claim_is_not_approved_by_whoever_prepared_or_submitted_it(
    client_for: Any, school_a: School
) -> None:
    preparer, submitter = make_user(), make_user()
    claim = make_claim(school_a, status=Claim.Status.SUBMITTED)
    Claim.objects.across_schools().filter(pk=claim.pk).update(
        computed_by=preparer, submitted_by=submitter
    )
    approve = f"/api/v1/subsidies/claims/{claim.pk}/approve/"
    for person in (preparer, submitter):
        Membership.objects.create(user=person, role=R.FINANCE_OFFICER.value)
        _refused(client_for(None, person).post(approve))
        _refused(client_for(None, _puppet(R.FINANCE_OFFICER, None, opened_by=person)).post(approve))
        _refused(
            client_for(None, _puppet(R.FINANCE_OFFICER, None, granted_by=person)).post(approve)
        )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    approved = client_for(None, R.FINANCE_OFFICER).post(approve)
    assert approved.status_code == 200, approved.content


# Supplementary budgets -------------------------------------------------------------------------


def test_a_supplement_is_not_approved_through_an_account_its_proposer_made_officer(
    client_for: Any, school_a: School
) -> None:
    """A district admin who is also a finance officer proposes a supplement, opens an account,
    makes it finance officer (both within the admin's powers), and approves with it: refused."""
    admin = user_with_role(R.DISTRICT_ADMIN)
    Membership.objects.create(user=admin, role=R.FINANCE_OFFICER.value)
    client = client_for(None, admin)
    budget = make_budget(school_a, make_programme(), allocated=Decimal("400.00"))
    proposed = client.post(
        f"/api/v1/subsidies/budgets/{budget.pk}/supplements/",
        {"amount": "1000.00", "reason": "追加"},
        format="json",
    )
    assert proposed.status_code == 201, proposed.content
    supplement = BudgetSupplement.objects.across_schools().get(budget=budget)
    approve = f"/api/v1/subsidies/supplements/{supplement.pk}/approve/"
    _refused(client.post(approve))
    opened = client.post(
        "/api/v1/users/",
        {"username": "admin-second", "password": "Strong-pass-2026"},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    made = client.post(
        "/api/v1/memberships/",
        {"username": "admin-second", "role": "finance_officer"},
        format="json",
    )
    assert made.status_code == 201, made.content
    second = User.objects.get(username="admin-second")
    _refused(client_for(None, second).post(approve))
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("0.00")
    approved = client_for(None, R.FINANCE_OFFICER).post(approve)
    assert approved.status_code == 200, approved.content
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("1000.00")


# Invoices and payments ---------------------------------------------------------------------------


def test_an_invoice_is_not_paid_by_whoever_recorded_it(client_for: Any, school_a: School) -> None:
    order = make_order(school_a, quantity=Decimal("10"), delivered=Decimal("10"))
    with tenant_context(school_a):
        line = order.lines.get()
    accountant = client_for(school_a, R.ACCOUNTANT)
    recorder = accountant.user
    assert recorder is not None
    recorded = accountant.post(
        f"/api/v1/orders/{order.pk}/invoices/",
        {
            "number": "FP-SOD-1",
            "issued_on": timezone.localdate().isoformat(),
            "lines": [{"line": line.pk, "quantity": "10", "unit_price": str(line.unit_price)}],
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    expenditure = recorded.json()["expenditure"]["id"]
    pay = f"/api/v1/expenditures/{expenditure}/pay/"
    body = {"paid_on": timezone.localdate().isoformat(), "reference": "ZF-SOD-1"}
    _refused(accountant.post(pay, body, format="json"))
    for second in (
        _puppet(R.ACCOUNTANT, school_a, opened_by=recorder),
        _puppet(R.ACCOUNTANT, school_a, granted_by=recorder),
    ):
        _refused(client_for(school_a, second).post(pay, body, format="json"))
    paid = client_for(school_a, R.ACCOUNTANT).post(pay, body, format="json")
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"


# Awards --------------------------------------------------------------------------------------


def test_a_lot_is_not_awarded_by_the_officer_who_evaluated_the_tender(
    client_for: Any, school_a: School
) -> None:
    tender = opened_tender(school=school_a)
    score_all(tender)
    evaluator_admin = user_with_role(R.DISTRICT_ADMIN)
    Membership.objects.create(user=evaluator_admin, role=R.PROCUREMENT_OFFICER.value)
    client = client_for(None, evaluator_admin)
    evaluated = client.post(f"/api/v1/procurement/tenders/{tender.pk}/evaluate/")
    assert evaluated.status_code == 200, evaluated.content
    tender.refresh_from_db()
    assert tender.evaluated_by_id == evaluator_admin.pk
    award = f"/api/v1/procurement/tenders/{tender.pk}/award/"
    body = {"lot": tender.lots.get().pk, "justification": "仅一家有效投标，经核实价格合理"}
    _refused(client.post(award, body, format="json"))
    # A second account the evaluating officer, also district admin, made procurement officer.
    opened = client.post(
        "/api/v1/users/",
        {"username": "officer-second", "password": "Strong-pass-2026"},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    made = client.post(
        "/api/v1/memberships/",
        {"username": "officer-second", "role": "procurement_officer"},
        format="json",
    )
    assert made.status_code == 201, made.content
    second = User.objects.get(username="officer-second")
    _refused(client_for(None, second).post(award, body, format="json"))
    other = client_for(None, R.PROCUREMENT_OFFICER)
    awarded = other.post(award, body, format="json")
    assert awarded.status_code == 201, awarded.content
    assert Award.objects.get(lot__tender=tender).awarded_by == other.user


def test_a_system_act_is_not_checked(school_a: School) -> None:
    """Seeding and tasks act without a person: nothing to separate."""
    from shared_apps.subsidies import services

    budget = make_budget(school_a, make_programme(), start=date(2024, 1, 1), end=date(2024, 6, 30))
    supplement = services.budget_supplement(
        budget=budget, amount=Decimal("5.00"), reason="追加", actor=SETUP
    )
    services.budget_supplement_approve(supplement=supplement, actor=SETUP)
    assert Budget.objects.across_schools().get(pk=budget.pk).supplemented == Decimal("5.00")
