"""The boarders' living allowance (寄宿生生活补助): a per-term programme whose boarders are
those holding a bed on the term's first school day, by the dorms' allocations, and eligible by
the register; claimed, approved and paid through the same budgets and approvals as the meal
subsidy, to the fen."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django_tenants.utils import schema_context, tenant_context

from houqin.months import month_end, previous_month
from houqin.roles import Role as R
from shared_apps.subsidies import services
from shared_apps.subsidies.models import Budget, Programme, ProgrammeCode
from tenant_apps.canteen.services.calendar import school_term_add
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
