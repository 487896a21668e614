"""Subsidies: claims computed from the canteen's servings, to the fen; the submit, approve,
reject and disburse flow with reasons and events; a budget never overspent, also under
concurrent approvals and supplements on separate connections; idempotent approvals and
supplements; carry-over by rule; each school sees only its own claims and budgets."""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.db import tenant_db
from houqin.exceptions import Conflict, InvalidInput
from houqin.models import IdempotencyRecord
from houqin.roles import Role
from shared_apps.subsidies import services
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    Programme,
    ProgrammeCode,
)
from tenant_apps.canteen import selectors as canteen
from tenant_apps.canteen.models import CalendarDay, MealSession, Serving
from tenant_apps.people.models import SubsidyEligibility
from tenants.models import School
from tenants.routing import school_host
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, discard_user, programme_row, user_with_role
from tests.matrix.people import make_student
from tests.matrix.subsidies import make_budget, make_claim, make_programme

R = Role
OCTOBER = date(2025, 10, 1)
CLAIMS = "/api/v1/subsidies/claims/"


def weekdays(start: date, end: date) -> list[date]:
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [d for d in days if d.isoweekday() <= 5]


@contextmanager
def canteen_says(
    counts: dict[date, int], *, holidays: Collection[date] = ()
) -> Iterator[list[str]]:
    """Stand in for the canteen's selectors (the contract): school days are weekdays minus
    `holidays`; `counts` are the distinct eligible students served per day. Yields the schemas
    the selectors ran in."""
    schemas: list[str] = []

    def school_days_between(start: date, end: date) -> list[date]:
        schemas.append(tenant_db().schema_name)
        return [d for d in weekdays(start, end) if d not in holidays]

    def subsidised_student_days(
        *, start: date, end: date, programme: str, school_days: Collection[date]
    ) -> dict[date, int]:
        schemas.append(tenant_db().schema_name)
        return {d: n for d, n in counts.items() if start <= d <= end}

    with (
        mock.patch.object(canteen, "school_days_between", school_days_between),
        mock.patch.object(canteen, "subsidised_student_days", subsidised_student_days),
    ):
        yield schemas


def event_kinds(claim: Claim) -> list[str]:
    return list(
        ClaimEvent.objects.across_schools().filter(claim=claim).values_list("kind", flat=True)
    )


# Computing a claim ---------------------------------------------------------------------------


def test_claim_amount_is_student_days_times_rate_to_the_fen(school_a: School) -> None:
    programme = make_programme(daily_rate=Decimal("4.37"))
    budget = make_budget(school_a, programme)
    days = weekdays(OCTOBER, date(2025, 10, 31))
    holiday = days[0]
    counts = {d: 800 + i for i, d in enumerate(days)}
    with canteen_says(counts, holidays={holiday}) as schemas:
        claim = services.claim_compute(
            school=school_a, programme=programme, month=date(2025, 10, 17), actor=SETUP
        )
    # The canteen was read in the school's schema; the claim lives in the public one.
    assert set(schemas) == {school_a.schema_name}
    assert tenant_db().schema_name == "public"
    expected_days = sum(n for d, n in counts.items() if d != holiday)
    claim.refresh_from_db()
    assert claim.month == OCTOBER
    assert claim.budget == budget
    assert claim.status == Claim.Status.DRAFT
    assert claim.school_days == len(days) - 1
    assert claim.student_days == expected_days
    assert claim.amount == (Decimal("4.37") * expected_days).quantize(Decimal("0.01"))
    assert claim.breakdown[days[1].isoformat()] == 801
    assert holiday.isoformat() not in claim.breakdown
    assert event_kinds(claim) == ["computed"]


def test_only_school_days_count_whatever_the_canteen_returns(school_a: School) -> None:
    programme = make_programme()
    make_budget(school_a, programme)
    saturday = date(2025, 10, 4)
    monday = date(2025, 10, 6)
    with canteen_says({saturday: 300, monday: 3}):
        claim = services.claim_compute(
            school=school_a, programme=programme, month=OCTOBER, actor=SETUP
        )
    assert claim.student_days == 3
    assert claim.amount == Decimal("15.00")


def test_a_draft_is_recomputed_and_a_submitted_claim_is_not(school_a: School) -> None:
    programme = make_programme()
    make_budget(school_a, programme)
    monday = date(2025, 10, 6)
    with canteen_says({monday: 10}):
        first = services.claim_compute(
            school=school_a, programme=programme, month=OCTOBER, actor=SETUP
        )
    with canteen_says({monday: 12}):
        again = services.claim_compute(
            school=school_a, programme=programme, month=OCTOBER, actor=SETUP
        )
    assert again.pk == first.pk
    assert again.amount == Decimal("60.00")
    with canteen_says({monday: 12}):
        services.claim_submit(claim=again, actor=SETUP)
        # The records agree with the submitted claim: nothing to adjust.
        with pytest.raises(Conflict) as refused:
            services.claim_compute(school=school_a, programme=programme, month=OCTOBER, actor=SETUP)
    assert refused.value.code == "nothing_to_adjust"
    # Computing a closed month computes its adjustment: the claim itself stays as submitted.
    with canteen_says({monday: 99}):
        adjustment = services.claim_compute(
            school=school_a, programme=programme, month=OCTOBER, actor=SETUP
        )
    again.refresh_from_db()
    assert again.amount == Decimal("60.00")
    assert (adjustment.kind, adjustment.corrects_id) == (Claim.Kind.ADJUSTMENT, again.pk)
    assert (adjustment.student_days, adjustment.amount) == (99, Decimal("435.00"))
    assert adjustment.claimed_before == Decimal("60.00")


def test_a_month_without_a_budget_is_a_clear_400(client_for: Any, school_a: School) -> None:
    programme = make_programme()
    with canteen_says({date(2025, 10, 6): 10}):
        response = client_for(school_a, R.LOGISTICS_DIRECTOR).post(
            f"{CLAIMS}compute/", {"programme": programme.code, "month": "2025-10-01"}, format="json"
        )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "no_budget"
    assert not Claim.objects.across_schools().filter(programme=programme).exists()


def test_at_most_one_subsidised_meal_per_student_per_day_with_the_real_canteen(
    school_a: School,
) -> None:
    """Through the canteen's real selectors: breakfast and lunch on one day count once; a
    student who is not eligible, and a holiday, count nothing."""
    schema = school_a.schema_name
    eligible = [make_student(schema) for _ in range(3)]
    not_eligible = make_student(schema)
    monday, tuesday, wednesday = date(2025, 10, 13), date(2025, 10, 14), date(2025, 10, 15)
    with schema_context(schema):
        for student in eligible:
            SubsidyEligibility.objects.create(
                student=student,
                programme=programme_row(ProgrammeCode.NUTRITION_IMPROVEMENT),
                reason="rural_compulsory",
                valid_from=date(2025, 9, 1),
            )
        CalendarDay.objects.create(date=wednesday, kind="holiday", name="测试假日")
        now = timezone.now()
        for day in (monday, tuesday, wednesday):
            for meal in ("breakfast", "lunch"):
                session = MealSession.objects.create(date=day, meal=meal)
                eaters = [*eligible, not_eligible] if day == monday else eligible[:1]
                Serving.objects.bulk_create(
                    Serving(session=session, student=s, source="card", recorded_at=now)
                    for s in eaters
                )
    programme = Programme.objects.get(code="nutrition_improvement")
    make_budget(school_a, programme)
    claim = services.claim_compute(school=school_a, programme=programme, month=OCTOBER, actor=SETUP)
    assert claim.breakdown[monday.isoformat()] == 3
    assert claim.breakdown[tuesday.isoformat()] == 1
    assert wednesday.isoformat() not in claim.breakdown
    assert claim.student_days == 4
    assert claim.amount == Decimal("20.00")


def test_the_programmes_the_district_starts_with_declare_how_they_pay(db: Any) -> None:
    """The programmes are rows: the two the district starts with say whom they are for and
    how they pay; nothing else in the code lists programmes."""
    nutrition = Programme.objects.get(code=ProgrammeCode.NUTRITION_IMPROVEMENT)
    boarding = Programme.objects.get(code=ProgrammeCode.BOARDING_LIVING)
    assert (nutrition.basis, nutrition.students) == ("served_day", "compulsory")
    assert (boarding.basis, boarding.students) == ("semester", "boarders")
    field = SubsidyEligibility._meta.get_field("programme")
    assert field.related_model is Programme and not field.choices


# The flow ------------------------------------------------------------------------------------


def test_compute_submit_approve_disburse_with_events(client_for: Any, school_a: School) -> None:
    programme = make_programme()
    budget = make_budget(school_a, programme, allocated=Decimal("1000.00"))
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    principal = client_for(school_a, R.PRINCIPAL)
    finance = client_for(None, R.FINANCE_OFFICER)
    with canteen_says({date(2025, 10, 6): 80, date(2025, 10, 7): 78}):
        computed = director.post(
            f"{CLAIMS}compute/", {"programme": programme.code, "month": "2025-10-01"}, format="json"
        )
    assert computed.status_code == 201, computed.content
    claim_id = computed.json()["id"]
    assert computed.json()["amount"] == "790.00"
    assert computed.json()["school"] == SCHOOL_A

    # The director prepares, the principal submits; not the other way round.
    assert director.post(f"{CLAIMS}{claim_id}/submit/").status_code == 404
    with canteen_says({date(2025, 10, 6): 80, date(2025, 10, 7): 78}):
        submitted = principal.post(f"{CLAIMS}{claim_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"

    approved = finance.post(f"{CLAIMS}{claim_id}/approve/")
    assert approved.status_code == 200, approved.content
    budget.refresh_from_db()
    assert budget.committed == Decimal("790.00")

    paid = finance.post(
        f"{CLAIMS}{claim_id}/disburse/",
        {"amount": "500.00", "paid_on": "2025-11-10", "reference": "GK-2025-11-001"},
        format="json",
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["status"] == "approved"
    too_much = finance.post(
        f"{CLAIMS}{claim_id}/disburse/",
        {"amount": "290.01", "paid_on": "2025-11-11", "reference": "GK-2025-11-002"},
        format="json",
    )
    assert too_much.status_code == 409
    assert too_much.json()["error"]["code"] == "over_disbursed"
    rest = finance.post(
        f"{CLAIMS}{claim_id}/disburse/",
        {"amount": "290.00", "paid_on": "2025-11-11", "reference": "GK-2025-11-003"},
        format="json",
    )
    assert rest.status_code == 201
    body = rest.json()
    assert body["status"] == "paid"
    assert body["disbursed"] == "790.00"
    assert [e["kind"] for e in body["events"]] == [
        "computed",
        "submitted",
        "approved",
        "paid",
        "paid",
    ]
    assert Disbursement.objects.across_schools().filter(claim_id=claim_id).count() == 2

    # Auditors see every step, on the district host and on the school's.
    for where in (None, school_a):
        seen = client_for(where, R.AUDITOR).get(f"{CLAIMS}{claim_id}/")
        assert seen.status_code == 200
        assert len(seen.json()["events"]) == 5


def test_rejecting_needs_a_reason_and_the_school_may_claim_anew(
    client_for: Any, school_a: School
) -> None:
    claim = make_claim(school_a, status=Claim.Status.SUBMITTED)
    finance = client_for(None, R.FINANCE_OFFICER)
    for body in ({}, {"reason": "   "}):
        response = finance.post(f"{CLAIMS}{claim.pk}/reject/", body, format="json")
        assert response.status_code == 400, response.content
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert event_kinds(claim) == []
    rejected = finance.post(
        f"{CLAIMS}{claim.pk}/reject/", {"reason": "人数与学籍不符"}, format="json"
    )
    assert rejected.status_code == 200
    assert rejected.json()["reason"] == "人数与学籍不符"
    assert rejected.json()["events"][-1] == {
        **rejected.json()["events"][-1],
        "kind": "rejected",
        "note": "人数与学籍不符",
    }
    with pytest.raises(InvalidInput):
        services.claim_reject(claim=claim, reason="", actor=SETUP)
    # A rejected claim does not block the month: a new draft may be computed.
    with canteen_says({date(2025, 10, 6): 5}):
        again = services.claim_compute(
            school=school_a, programme=claim.programme, month=OCTOBER, actor=SETUP
        )
    assert again.pk != claim.pk
    assert again.status == Claim.Status.DRAFT


def test_an_approval_over_budget_is_409_and_changes_nothing(
    client_for: Any, school_a: School
) -> None:
    budget = make_budget(school_a, make_programme(), allocated=Decimal("499.99"))
    claim = make_claim(school_a, status=Claim.Status.SUBMITTED, budget=budget)
    response = client_for(None, R.FINANCE_OFFICER).post(
        f"{CLAIMS}{claim.pk}/approve/", HTTP_IDEMPOTENCY_KEY="over-budget-1"
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "over_budget"
    assert "499.99" in response.json()["error"]["message"]
    budget.refresh_from_db()
    claim.refresh_from_db()
    assert budget.committed == Decimal("0.00")
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.decided_at is None
    assert event_kinds(claim) == []
    assert not IdempotencyRecord.objects.across_schools().filter(key="over-budget-1").exists()


def test_a_submission_over_budget_is_409(client_for: Any, school_a: School) -> None:
    budget = make_budget(school_a, make_programme(), allocated=Decimal("100.00"))
    claim = make_claim(school_a, budget=budget)
    with canteen_says({OCTOBER: 100}):
        response = client_for(school_a, R.PRINCIPAL).post(f"{CLAIMS}{claim.pk}/submit/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "over_budget"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_the_database_refuses_an_overspent_budget(school_a: School) -> None:
    budget = make_budget(school_a, make_programme(), allocated=Decimal("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.across_schools().filter(pk=budget.pk).update(committed=Decimal("10.01"))


def test_whoever_submitted_cannot_approve(school_a: School) -> None:
    claim = make_claim(school_a, status=Claim.Status.SUBMITTED)
    assert claim.submitted_by is not None
    with pytest.raises(Conflict):
        services.claim_approve(claim=claim, actor=claim.submitted_by)


def test_a_paid_or_decided_claim_cannot_be_decided_again(client_for: Any, school_a: School) -> None:
    claim = make_claim(school_a, status=Claim.Status.APPROVED)
    finance = client_for(None, R.FINANCE_OFFICER)
    assert finance.post(f"{CLAIMS}{claim.pk}/approve/").status_code == 409
    assert (
        finance.post(f"{CLAIMS}{claim.pk}/reject/", {"reason": "x"}, format="json").status_code
        == 409
    )


# Concurrency -----------------------------------------------------------------------------------


def _cleanup_money(programme_ids: list[int]) -> None:
    claims = Claim.objects.across_schools().filter(programme_id__in=programme_ids)
    BudgetSupplement.objects.across_schools().filter(
        budget__programme_id__in=programme_ids
    ).delete()
    Disbursement.objects.across_schools().filter(claim__in=claims).delete()
    ClaimEvent.objects.across_schools().filter(claim__in=claims).delete()
    claims.delete()
    Budget.objects.across_schools().filter(programme_id__in=programme_ids).delete()
    Programme.objects.filter(pk__in=programme_ids).delete()


def _committed_setup(
    committed: list[Callable[[], Any]],
    *,
    allocated: Decimal,
    claims: int,
    amount: Decimal = Decimal("100.00"),
) -> tuple[Any, Budget, list[Claim]]:
    school = School.objects.get(code=SCHOOL_A)
    finance = user_with_role(R.FINANCE_OFFICER)
    programme = make_programme()
    users = [finance]

    def cleanup() -> None:
        IdempotencyRecord.objects.across_schools().filter(user_id=finance.pk).delete()
        _cleanup_money([programme.pk])
        for user in users:
            discard_user(user)

    committed.append(cleanup)
    budget = make_budget(
        school, programme, start=date(2025, 1, 1), end=date(2025, 12, 31), allocated=allocated
    )
    made = [
        make_claim(
            school,
            status=Claim.Status.SUBMITTED,
            amount=amount,
            budget=budget,
            month=date(2025, 1 + i, 1),
        )
        for i in range(claims)
    ]
    users.extend(c.submitted_by for c in made if c.submitted_by is not None)
    return finance, budget, made


def test_concurrent_approvals_never_overspend_a_budget(committed: list[Any]) -> None:
    """A budget with room for exactly K claims, N > K approvals at once on N connections."""
    k, n = 3, 8
    finance, budget, claims = _committed_setup(committed, allocated=Decimal("300.00"), claims=n)
    host = "localhost"
    clients = [HostClient(host, finance) for _ in range(n)]

    def approve(i: int) -> Any:
        return clients[i].post(f"{CLAIMS}{claims[i].pk}/approve/")

    responses = at_once(n, approve)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    codes = sorted(r.status_code for r in responses)  # type: ignore[union-attr]
    assert codes == [200] * k + [409] * (n - k), codes
    assert all(
        r.json()["error"]["code"] == "over_budget"  # type: ignore[union-attr]
        for r in responses
        if r.status_code == 409  # type: ignore[union-attr]
    )
    budget.refresh_from_db()
    assert budget.committed == Decimal("300.00") <= budget.allocated
    approved = Claim.objects.across_schools().filter(budget=budget, status=Claim.Status.APPROVED)
    assert approved.count() == k
    assert (
        Claim.objects.across_schools().filter(budget=budget, status=Claim.Status.SUBMITTED).count()
        == n - k
    )
    assert (
        ClaimEvent.objects.across_schools().filter(claim__budget=budget, kind="approved").count()
        == k
    )


def test_five_concurrent_replays_of_one_approval_approve_once(committed: list[Any]) -> None:
    finance, budget, (claim,) = _committed_setup(committed, allocated=Decimal("1000.00"), claims=1)
    clients = [HostClient("localhost", finance) for _ in range(5)]

    def approve(i: int) -> Any:
        return clients[i].post(
            f"{CLAIMS}{claim.pk}/approve/", HTTP_IDEMPOTENCY_KEY=f"approve-{claim.pk}"
        )

    responses = at_once(5, approve)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    assert {r.status_code for r in responses} == {200}  # type: ignore[union-attr]
    assert len({r.content for r in responses}) == 1  # type: ignore[union-attr]
    budget.refresh_from_db()
    assert budget.committed == Decimal("100.00")
    assert ClaimEvent.objects.across_schools().filter(claim=claim, kind="approved").count() == 1


# Supplementary budgets (追加预算) ----------------------------------------------------------------


def test_a_supplement_raises_what_a_budget_holds_once_another_officer_approves_it(
    client_for: Any, school_a: School
) -> None:
    budget = make_budget(school_a, make_programme(), allocated=Decimal("400.00"))
    claim = make_claim(school_a, status=Claim.Status.SUBMITTED, budget=budget)
    finance = client_for(None, R.FINANCE_OFFICER)
    assert finance.post(f"{CLAIMS}{claim.pk}/approve/").json()["error"]["code"] == "over_budget"
    url = f"/api/v1/subsidies/budgets/{budget.pk}/supplements/"
    reason = "十月起新增寄宿生，追加营养餐补助"
    response = finance.post(
        url, {"amount": "150.50", "reason": reason}, format="json", HTTP_IDEMPOTENCY_KEY="sup-1"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # Proposed: it does not count yet.
    assert (body["allocated"], body["supplemented"], body["available"]) == (
        "400.00",
        "0.00",
        "400.00",
    )
    assert [
        (s["amount"], s["reason"], s["status"], s["added_by"]["username"], s["approved_by"])
        for s in body["supplements"]
    ] == [("150.50", reason, "proposed", finance.user.username, None)]
    # A retry with the same key adds nothing.
    replay = finance.post(
        url, {"amount": "150.50", "reason": reason}, format="json", HTTP_IDEMPOTENCY_KEY="sup-1"
    )
    assert replay.json() == body
    supplement = BudgetSupplement.objects.across_schools().get(budget=budget)
    approve = f"/api/v1/subsidies/supplements/{supplement.pk}/approve/"
    # Whoever proposed it does not approve it.
    own = finance.post(approve)
    assert own.status_code == 409
    assert own.json()["error"]["code"] == "separation_of_duties"
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("0.00")
    colleague = client_for(None, R.FINANCE_OFFICER)
    approved = colleague.post(approve, HTTP_IDEMPOTENCY_KEY="sup-approve-1")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["supplemented"], approved.json()["available"]) == ("150.50", "550.50")
    assert approved.json()["supplements"][0]["approved_by"]["username"] == colleague.user.username
    assert colleague.post(approve).json()["error"]["code"] == "supplement_approved"
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("150.50")
    assert BudgetSupplement.objects.across_schools().filter(budget=budget).count() == 1
    # The claim the budget could not hold now fits.
    assert finance.post(f"{CLAIMS}{claim.pk}/approve/").status_code == 200
    budget.refresh_from_db()
    assert budget.available == Decimal("50.50")
    # The school reads its budget's supplements; the district lists them on every budget.
    school_view = client_for(school_a, R.PRINCIPAL).get(f"/api/v1/subsidies/budgets/{budget.pk}/")
    assert school_view.status_code == 200
    assert [s["amount"] for s in school_view.json()["supplements"]] == ["150.50"]
    listed = client_for(None, R.AUDITOR).get(
        "/api/v1/subsidies/budgets/", {"school": school_a.code, "page_size": 500}
    )
    row = next(b for b in listed.json()["results"] if b["id"] == budget.pk)
    assert row["supplemented"] == "150.50"
    assert len(row["supplements"]) == 1


def test_listing_budgets_with_their_supplements_does_not_grow_with_rows(
    client_for: Any, school_a: School
) -> None:
    auditor = client_for(None, R.AUDITOR)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auditor.get("/api/v1/subsidies/budgets/", {"page_size": 500}).status_code == 200
        return len(captured)

    def supplemented_budget() -> None:
        budget = make_budget(school_a, make_programme())
        for amount in ("10.00", "20.00"):
            services.budget_supplement(
                budget=budget, amount=Decimal(amount), reason="追加", actor=SETUP
            )

    supplemented_budget()
    queries()  # the token's and the roles' first read, then kept
    few = queries()
    for _ in range(5):
        supplemented_budget()
    assert queries() == few


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "0.00", "reason": "追加"},
        {"amount": "-10.00", "reason": "追加"},
        {"amount": "10.001", "reason": "追加"},
        {"amount": "999999999999.99", "reason": "追加"},
        {"amount": "10.00"},
        {"amount": "10.00", "reason": "   "},
    ],
)
def test_a_supplement_needs_a_positive_amount_and_a_reason(
    client_for: Any, school_a: School, body: dict[str, str]
) -> None:
    budget = make_budget(school_a, make_programme(), allocated=Decimal("400.00"))
    response = client_for(None, R.FINANCE_OFFICER).post(
        f"/api/v1/subsidies/budgets/{budget.pk}/supplements/", body, format="json"
    )
    assert response.status_code == 400, response.content
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("0.00")
    assert not BudgetSupplement.objects.across_schools().filter(budget=budget).exists()


def test_the_database_refuses_supplements_without_amount_or_reason(school_a: School) -> None:
    budget = make_budget(school_a, make_programme())
    for values in ({"amount": Decimal("0.00"), "reason": "追加"}, {"amount": Decimal(1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetSupplement.objects.create(budget=budget, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.across_schools().filter(pk=budget.pk).update(supplemented=Decimal("-0.01"))


def test_supplements_and_approvals_at_once_end_consistent(committed: list[Any]) -> None:
    """Four proposed supplements of 25 CNY approved and four 50 CNY claims approved, at once on
    eight connections, against a budget allocated 100 CNY: every supplement counts, the claims
    that fit are committed, the rest refused, the budget never overspent."""
    finance, budget, claims = _committed_setup(
        committed, allocated=Decimal("100.00"), claims=4, amount=Decimal("50.00")
    )
    proposer = user_with_role(R.FINANCE_OFFICER)

    def cleanup() -> None:
        BudgetSupplement.objects.across_schools().filter(added_by=proposer).delete()
        discard_user(proposer)

    committed.append(cleanup)
    proposed = [
        services.budget_supplement(
            budget=budget, amount=Decimal("25.00"), reason=f"追加 {i}", actor=proposer
        )
        for i in range(4)
    ]
    clients = [HostClient("localhost", finance) for _ in range(8)]

    def act(i: int) -> Any:
        if i % 2:
            return clients[i].post(f"{CLAIMS}{claims[i // 2].pk}/approve/")
        return clients[i].post(f"/api/v1/subsidies/supplements/{proposed[i // 2].pk}/approve/")

    responses = at_once(8, act)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    supplements = [r.status_code for r in responses[0::2]]  # type: ignore[union-attr]
    approvals = [r.status_code for r in responses[1::2]]  # type: ignore[union-attr]
    assert supplements == [200] * 4
    assert set(approvals) <= {200, 409}
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("100.00")
    assert sum(
        s.amount for s in BudgetSupplement.objects.across_schools().filter(budget=budget)
    ) == Decimal("100")
    approved = (
        Claim.objects.across_schools().filter(budget=budget, status=Claim.Status.APPROVED).count()
    )
    assert approved == approvals.count(200) >= 2
    assert budget.committed == Decimal("50.00") * approved <= Decimal("200.00")
    assert budget.available == Decimal("200.00") - budget.committed


# Carry-over ------------------------------------------------------------------------------------


def test_surplus_carries_to_the_next_period_of_the_same_year(
    client_for: Any, school_a: School
) -> None:
    programme = make_programme(carry_over=Programme.CarryOver.NEXT_PERIOD)
    spring = make_budget(
        school_a, programme, start=date(2025, 2, 1), end=date(2025, 7, 31), allocated=Decimal("800")
    )
    autumn = make_budget(
        school_a,
        programme,
        start=date(2025, 8, 1),
        end=date(2025, 12, 31),
        allocated=Decimal("900"),
    )
    later = make_budget(
        school_a,
        programme,
        start=date(2026, 2, 1),
        end=date(2026, 7, 31),
        allocated=Decimal("1"),
        year=2026,
    )
    make_claim(school_a, status=Claim.Status.APPROVED, budget=spring, month=date(2025, 3, 1))
    finance = client_for(None, R.FINANCE_OFFICER)
    url = f"/api/v1/subsidies/budgets/{spring.pk}/carry-over/"
    # Not the next period (and another budget year): refused.
    assert finance.post(url, {"to_budget": later.pk}, format="json").status_code == 400
    response = finance.post(url, {"to_budget": autumn.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["carried_in"] == "300.00"
    assert response.json()["available"] == "1200.00"
    spring.refresh_from_db()
    assert spring.available == Decimal("0.00")
    assert spring.carried_out == Decimal("300.00")
    # Nothing is carried twice, and the spring budget has nothing left to approve against.
    assert finance.post(url, {"to_budget": autumn.pk}, format="json").status_code == 409
    late = make_claim(
        school_a, status=Claim.Status.SUBMITTED, budget=spring, month=date(2025, 4, 1)
    )
    with pytest.raises(Conflict):
        services.claim_approve(claim=late, actor=SETUP)


def test_no_carry_over_when_the_rule_says_none(school_a: School) -> None:
    programme = make_programme()
    first = make_budget(school_a, programme, start=date(2025, 2, 1), end=date(2025, 7, 31))
    second = make_budget(school_a, programme, start=date(2025, 8, 1), end=date(2025, 12, 31))
    with pytest.raises(Conflict):
        services.budget_carry_over(from_budget=first, to_budget=second, actor=SETUP)
    second.refresh_from_db()
    assert second.carried_in == Decimal("0.00")


def test_budgets_of_one_school_and_programme_do_not_overlap(
    client_for: Any, school_a: School
) -> None:
    programme = make_programme()
    make_budget(school_a, programme, start=date(2025, 9, 1), end=date(2026, 1, 31))
    response = client_for(None, R.FINANCE_OFFICER).post(
        "/api/v1/subsidies/budgets/",
        {
            "programme": programme.code,
            "school": school_a.code,
            "period_start": "2025-12-01",
            "period_end": "2026-06-30",
            "allocated": "1000.00",
        },
        format="json",
    )
    assert response.status_code == 409
    assert Budget.objects.across_schools().filter(programme=programme).count() == 1


# Isolation -------------------------------------------------------------------------------------


def test_a_school_sees_only_its_own_claims_and_budgets(
    client_for: Any, school_a: School, school_b: School
) -> None:
    mine = make_claim(school_a)
    theirs = make_claim(school_b)
    client = client_for(school_a, R.PRINCIPAL)
    claims = client.get(CLAIMS, {"page_size": 500}).json()["results"]
    ids = {row["id"] for row in claims}
    assert mine.pk in ids
    assert theirs.pk not in ids
    assert {row["school"] for row in claims} == {SCHOOL_A}
    assert client.get(f"{CLAIMS}{theirs.pk}/").status_code == 404
    budgets = client.get("/api/v1/subsidies/budgets/", {"page_size": 500}).json()["results"]
    assert mine.budget_id in {row["id"] for row in budgets}
    assert theirs.budget_id not in {row["id"] for row in budgets}
    assert client.get(f"/api/v1/subsidies/budgets/{theirs.budget_id}/").status_code == 404
    # The district sees both.
    district = client_for(None, R.AUDITOR).get(CLAIMS, {"page_size": 500}).json()["results"]
    assert {mine.pk, theirs.pk} <= {row["id"] for row in district}
    assert school_host(school_a.code) != school_host(school_b.code)
    assert connection.schema_name == "public"  # type: ignore[attr-defined]
