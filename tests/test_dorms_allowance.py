"""The boarders' living allowance (寄宿生生活补助): a per-term programme whose boarders are
those holding a bed on the term's first school day, by the dorms' allocations, and eligible by
the register; claimed, approved and paid through the same budgets and approvals as the meal
subsidy, to the fen."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from houqin.months import month_end, previous_month
from houqin.roles import Role as R
from shared_apps.subsidies import services
from shared_apps.subsidies.models import Budget, MonthCorrection, Programme, ProgrammeCode
from tenant_apps.canteen.services.calendar import school_term_add
from tenant_apps.dorms.models import Allocation
from tenant_apps.people.models import Student, SubsidyEligibility
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.dorms import make_room
from tests.matrix.people import make_student
from tests.matrix.subsidies import make_budget

CLAIMS = "/api/v1/subsidies/claims/"
ALLOCATIONS = "/api/v1/dorms/allocations/"
MONTH = previous_month()


def _first_weekdays(count: int) -> list[date]:
    days = (MONTH + timedelta(days=i) for i in range(31))
    return [d for d in days if d.isoweekday() <= 5 and d <= month_end(MONTH)][:count]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _eligible(school: School, programme: Programme, student: Student, since: date) -> None:
    with schema_context(school.schema_name):
        SubsidyEligibility.objects.create(
            student=student, programme=programme, reason="rural_compulsory", valid_from=since
        )


def test_the_allowance_is_claimed_for_the_eligible_boarders_in_a_bed_and_paid_to_the_fen(
    client_for: Any, school_a: School
) -> None:
    programme = services.programme_update(
        programme=Programme.objects.get(code=ProgrammeCode.BOARDING_LIVING),
        daily_rate=Decimal("625.00"),
        actor=SETUP,
    )
    budget = make_budget(
        school_a, programme, start=MONTH, end=month_end(MONTH), allocated=Decimal("1250.00")
    )
    first, second = _first_weekdays(2)
    with tenant_context(school_a):
        school_term_add(
            school_year=first.year,
            name="秋季学期",
            start_date=first,
            end_date=first + timedelta(days=120),
            actor=SETUP,
        )
    room = make_room(school_a)
    with tenant_context(school_a):
        beds = list(room.beds.all())
    boarder, moved_out, late, not_eligible = (make_student(school_a.schema_name) for _ in "abcd")
    manager = client_for(school_a, R.DORM_MANAGER)
    term_start = (first - timedelta(days=3)).isoformat()
    for student, bed, start in (
        (boarder, beds[0], term_start),
        (moved_out, beds[1], term_start),
        (late, beds[2], second.isoformat()),
        (not_eligible, beds[3], term_start),
    ):
        _ok(
            manager.post(ALLOCATIONS, {"student": student.pk, "bed": bed.pk, "start_date": start}),
            201,
        )
    for student in (boarder, moved_out, late):
        _eligible(school_a, programme, student, MONTH - timedelta(days=30))
    # Moved out of the dorm on the term's first day: no bed that day, no allowance.
    with tenant_context(school_a):
        stay = room.beds.get(pk=beds[1].pk).allocations.get()
    _ok(manager.post(f"{ALLOCATIONS}{stay.pk}/end/", {"end_date": first.isoformat()}))

    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    computed = _ok(
        director.post(
            f"{CLAIMS}compute/",
            {"programme": programme.code, "month": MONTH.isoformat()},
            format="json",
        ),
        201,
    )
    assert computed["breakdown"] == {first.isoformat(): 1}
    assert (computed["basis"], computed["amount"]) == ("semester", "625.00")
    claim = computed["id"]
    _ok(client_for(school_a, R.PRINCIPAL).post(f"{CLAIMS}{claim}/submit/"))
    finance = client_for(None, R.FINANCE_OFFICER)
    _ok(finance.post(f"{CLAIMS}{claim}/approve/"))
    budget.refresh_from_db()
    assert (budget.committed, budget.available) == (Decimal("625.00"), Decimal("625.00"))
    paid = _ok(
        finance.post(
            f"{CLAIMS}{claim}/disburse/",
            {"amount": "625.00", "paid_on": month_end(MONTH).isoformat(), "reference": "JS-001"},
            format="json",
        ),
        201,
    )
    assert (paid["status"], paid["disbursed"]) == ("paid", "625.00")
    assert Budget.objects.for_school(school_a).get(pk=budget.pk).committed == Decimal("625.00")


PROGRAMMES = "/api/v1/subsidies/programmes/"


def _staged_month_paid(client_for: Any, school: School) -> dict[str, Any]:
    """The allowance at 333.33 CNY a term for a primary pupil and 444.45 for a junior-secondary
    student (set by the finance officer), two primary boarders and a junior one eligible and in
    a bed on the term's first day, a pupil in a bed but not eligible; the month's claim computed,
    submitted, approved and paid. Returns the paid claim, the boarders' allocations and the
    clients."""
    programme = Programme.objects.get(code=ProgrammeCode.BOARDING_LIVING)
    finance = client_for(None, R.FINANCE_OFFICER)
    rates = _ok(
        finance.patch(
            f"{PROGRAMMES}{programme.pk}/",
            {"primary_rate": "333.33", "junior_rate": "444.45"},
            format="json",
        )
    )
    assert (rates["primary_rate"], rates["junior_rate"]) == ("333.33", "444.45")
    make_budget(school, programme, start=MONTH, end=month_end(MONTH), allocated=Decimal("1111.11"))
    first = _first_weekdays(1)[0]
    with tenant_context(school):
        school_term_add(
            school_year=first.year,
            name="春季学期",
            start_date=first,
            end_date=first + timedelta(days=120),
            actor=SETUP,
        )
    primary_room = make_room(school)
    junior_room = make_room(school, stage="junior")
    with tenant_context(school):
        primary_beds = list(primary_room.beds.all())
        junior_beds = list(junior_room.beds.all())
    pupils = [make_student(school.schema_name, grade=grade) for grade in (2, 5, 8, 4)]
    manager = client_for(school, R.DORM_MANAGER)
    start = (first - timedelta(days=3)).isoformat()
    stays = [
        _ok(manager.post(ALLOCATIONS, {"student": s.pk, "bed": b.pk, "start_date": start}), 201)
        for s, b in zip(
            pupils, [primary_beds[0], primary_beds[1], junior_beds[0], primary_beds[2]], strict=True
        )
    ]
    for pupil in pupils[:3]:
        _eligible(school, programme, pupil, MONTH - timedelta(days=30))
    director = client_for(school, R.LOGISTICS_DIRECTOR)
    claim = _ok(
        director.post(
            f"{CLAIMS}compute/",
            {"programme": programme.code, "month": MONTH.isoformat()},
            format="json",
        ),
        201,
    )
    _ok(client_for(school, R.PRINCIPAL).post(f"{CLAIMS}{claim['id']}/submit/"))
    _ok(finance.post(f"{CLAIMS}{claim['id']}/approve/"))
    _ok(
        finance.post(
            f"{CLAIMS}{claim['id']}/disburse/",
            {"amount": claim["amount"], "paid_on": month_end(MONTH).isoformat(), "reference": "JS"},
            format="json",
        ),
        201,
    )
    return {
        "claim": _ok(finance.get(f"{CLAIMS}{claim['id']}/")),
        "stays": stays,
        "manager": manager,
        "director": director,
        "finance": finance,
        "first": first,
    }


def test_the_allowance_pays_each_boarder_the_rate_of_their_stage_to_the_fen(
    client_for: Any, school_a: School
) -> None:
    paid = _staged_month_paid(client_for, school_a)
    claim = paid["claim"]
    # 2 x 333.33 + 444.45, not 3 x either rate.
    assert (claim["status"], claim["amount"], claim["disbursed"]) == ("paid", "1111.11", "1111.11")
    assert claim["stage_units"] == {"primary": 2, "junior": 1, "none": 0}
    assert (claim["primary_rate"], claim["junior_rate"]) == ("333.33", "444.45")
    assert claim["student_days"] == 3
    budget = Budget.objects.for_school(school_a).get(pk=claim["budget"])
    assert budget.available == Decimal("0.00")
    # The claim's page says what each stage was paid at.
    pages = Client(SERVER_NAME=paid["finance"].host)
    pages.force_login(paid["finance"].user)
    page = pages.get(f"/subsidies/claims/{claim['id']}/")
    assert page.status_code == 200
    assert "2 × 333.33" in page.content.decode() and "1 × 444.45" in page.content.decode()


def test_a_programme_paid_per_served_day_has_no_stage_rates(client_for: Any) -> None:
    nutrition = Programme.objects.get(code=ProgrammeCode.NUTRITION_IMPROVEMENT)
    response = client_for(None, R.FINANCE_OFFICER).patch(
        f"{PROGRAMMES}{nutrition.pk}/", {"primary_rate": "4.00"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "stage_rate_not_allowed"
    nutrition.refresh_from_db()
    assert nutrition.primary_rate is None


def test_a_bed_given_up_in_a_settled_month_is_a_correction_that_opens_its_adjustment(
    client_for: Any, school_a: School
) -> None:
    """The junior boarder's stay ended on the term's first day, after the month's allowance was
    paid: refused to the dorm manager (409 naming the claim), to the director without a reason
    (400), then recorded as a correction whose adjustment takes back the junior rate."""
    paid = _staged_month_paid(client_for, school_a)
    claim, junior_stay = paid["claim"], paid["stays"][2]
    end = f"{ALLOCATIONS}{junior_stay['id']}/end/"
    body = {"end_date": paid["first"].isoformat()}
    refused = paid["manager"].post(end, body)
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert (error["code"], error["fields"]["claim"]) == ("month_closed", [str(claim["id"])])
    assert f"#{claim['id']}" in error["message"]
    refused = paid["director"].post(end, body)
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"]["code"] == "correction_reason_required"
    with tenant_context(school_a):
        assert Allocation.objects.get(pk=junior_stay["id"]).end_date is None

    ended = _ok(paid["director"].post(end, {**body, "correction_reason": "学生开学前已退宿"}))
    assert ended["end_date"] == paid["first"].isoformat()
    correction = MonthCorrection.objects.for_school(school_a).get(claim_id=claim["id"])
    assert (correction.change, correction.reason) == ("allocation", "学生开学前已退宿")
    adjustment = correction.adjustment
    assert adjustment is not None
    assert (adjustment.amount, adjustment.claimed_before) == (
        Decimal("-444.45"),
        Decimal("1111.11"),
    )
    assert adjustment.stage_units == {"primary": 2, "junior": 0, "none": 0}
    assert (adjustment.primary_rate, adjustment.junior_rate) == (
        Decimal("333.33"),
        Decimal("444.45"),
    )


def test_a_bed_given_in_an_open_month_needs_no_correction(
    client_for: Any, school_a: School
) -> None:
    room = make_room(school_a)
    with tenant_context(school_a):
        bed = room.beds.first()
    assert bed is not None
    pupil = make_student(school_a.schema_name)
    manager = client_for(school_a, R.DORM_MANAGER)
    _ok(
        manager.post(
            ALLOCATIONS, {"student": pupil.pk, "bed": bed.pk, "start_date": MONTH.isoformat()}
        ),
        201,
    )
    assert not MonthCorrection.objects.for_school(school_a).exists()
