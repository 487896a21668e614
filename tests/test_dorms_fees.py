"""The boarding fee (住宿费): charged per term to a boarder where the school may charge it,
refused at a rural school's compulsory-education grades; refunded for the share of the term's
school days left when the pupil leaves the dormitory, due on the 15th working day after (the
school calendar's holidays and make-up days counted), recorded as paid back once."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from tenant_apps.canteen.models import CalendarDay
from tenant_apps.canteen.selectors import school_days_between, working_days_after
from tenant_apps.dorms.models import Allocation, FeeCharge
from tenants.models import School
from tests.factories import user_with_role
from tests.matrix.dorms import make_allocation, make_fee, make_term
from tests.matrix.people import make_student
from tests.web import signed_in

FEES = "/api/v1/dorms/fees/"


def _charge(client: Any, allocation: Allocation, term: Any, amount: str = "600.00") -> Any:
    body = {"student": allocation.student_id, "term": term.pk, "amount": amount}
    return client.post(FEES, body, format="json")


def _code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_boarder_is_charged_once_a_term(client_for: Any, school_a: School) -> None:
    term, allocation = make_term(school_a), make_allocation(school_a)
    accountant = client_for(school_a, R.ACCOUNTANT)
    made = _charge(accountant, allocation, term)
    assert made.status_code == 201, made.content
    assert (made.json()["amount"], made.json()["refund"]) == ("600.00", "0.00")
    assert _code(_charge(accountant, allocation, term)) == (409, "fee_charged")


@pytest.mark.parametrize(
    ("rural", "grade", "allowed"), [(True, 4, False), (True, 10, True), (False, 4, True)]
)
def test_a_rural_school_charges_no_boarding_fee_in_compulsory_education(
    school_a: School, rural: bool, grade: int, allowed: bool
) -> None:
    school_a.rural = rural
    assert school_a.may_charge_boarding_fee(grade) is allowed


def test_the_fee_is_refused_at_a_rural_school_and_nothing_is_saved(
    client_for: Any, school_a: School
) -> None:
    School.objects.filter(pk=school_a.pk).update(rural=True)
    term, allocation = make_term(school_a), make_allocation(school_a)
    refused = _charge(client_for(school_a, R.ACCOUNTANT), allocation, term)
    assert _code(refused) == (409, "fee_not_allowed")
    with tenant_context(school_a):
        assert not FeeCharge.objects.exists()


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "600.001", "100000.00"])
def test_a_fee_out_of_range_is_refused(client_for: Any, school_a: School, amount: str) -> None:
    term, allocation = make_term(school_a), make_allocation(school_a)
    response = _charge(client_for(school_a, R.ACCOUNTANT), allocation, term, amount)
    assert response.status_code == 400, response.content


def test_a_pupil_without_a_bed_in_the_term_is_not_charged(
    client_for: Any, school_a: School
) -> None:
    term = make_term(school_a)
    student = make_student(school_a.schema_name)
    body = {"student": student.pk, "term": term.pk, "amount": "600.00"}
    response = client_for(school_a, R.ACCOUNTANT).post(FEES, body, format="json")
    assert _code(response) == (409, "not_boarding")


def test_fifteen_working_days_skip_weekends_and_holidays_and_count_make_up_days(
    school_a: School,
) -> None:
    monday = date(2026, 10, 12)
    term = make_term(school_a)
    with tenant_context(school_a):
        assert working_days_after(monday, 15) == date(2026, 11, 2)
        CalendarDay.objects.create(date=date(2026, 10, 14), kind="holiday", name="校庆", term=term)
        assert working_days_after(monday, 15) == date(2026, 11, 3)
        CalendarDay.objects.create(
            date=date(2026, 10, 17), kind="make_up_day", name="调休", term=term
        )
        assert working_days_after(monday, 15) == date(2026, 11, 2)


def test_leaving_the_dormitory_refunds_the_terms_days_left_due_in_15_working_days(
    client_for: Any, school_a: School
) -> None:
    charge = make_fee(school_a, left=True)
    with tenant_context(school_a):
        term = charge.term
        days = len(school_days_between(term.start_date, term.end_date))
        left = len(school_days_between(date(2026, 10, 12), term.end_date))
    expected = (Decimal("600.00") * left / days).quantize(Decimal("0.01"))
    assert (charge.left_on, charge.refund) == (date(2026, 10, 12), expected)
    assert charge.refund_due == date(2026, 11, 2)
    accountant = client_for(school_a, R.ACCOUNTANT)
    url = f"{FEES}{charge.pk}/refund/"
    early = accountant.post(url, {"refunded_on": "2026-10-01", "reference": "TF1"}, format="json")
    assert early.status_code == 400, early.content
    paid = accountant.post(url, {"refunded_on": "2026-10-20", "reference": "TF1"}, format="json")
    assert paid.status_code == 200, paid.content
    assert (paid.json()["refunded_on"], paid.json()["refund"]) == ("2026-10-20", str(expected))
    again = accountant.post(url, {"refunded_on": "2026-10-21", "reference": "TF2"}, format="json")
    assert _code(again) == (409, "refunded")


def test_moving_to_another_bed_refunds_nothing(client_for: Any, school_a: School) -> None:
    charge = make_fee(school_a)
    with tenant_context(school_a):
        allocation = Allocation.objects.get(student_id=charge.student_id)
        bed = allocation.bed.room.beds.exclude(pk=allocation.bed_id).first()
    assert bed is not None
    manager = client_for(school_a, R.DORM_MANAGER)
    moved = manager.post(
        f"/api/v1/dorms/allocations/{allocation.pk}/move/", {"bed": bed.pk, "on": "2026-10-08"}
    )
    assert moved.status_code == 201, moved.content
    with tenant_context(school_a):
        charge.refresh_from_db()
    assert (charge.left_on, charge.refund) == (None, Decimal("0.00"))
    refused = client_for(school_a, R.ACCOUNTANT).post(
        f"{FEES}{charge.pk}/refund/", {"refunded_on": "2026-10-20", "reference": "X"}
    )
    assert _code(refused) == (409, "no_refund")


def test_the_principal_reads_the_fees_and_does_not_charge(
    client_for: Any, school_a: School
) -> None:
    make_fee(school_a)
    principal = client_for(school_a, R.PRINCIPAL)
    assert principal.get(FEES).json()["count"] == 1
    assert _code(_charge(principal, make_allocation(school_a), make_term(school_a)))[0] == 403


def test_the_principals_page_shows_the_term_and_the_overdue_refund(school_a: School) -> None:
    charge = make_fee(school_a, left=True)
    with tenant_context(school_a):
        name = charge.term.name
    browser = signed_in(school_a, user_with_role(R.PRINCIPAL, school_a))
    response = browser.get("/dorms/money/")
    assert response.status_code == 200
    html = response.content.decode()
    assert name in html and "600.00" in html and str(charge.refund) in html
    # Due on 2026-11-02, unpaid: overdue from the next day on.
    assert ("badge bad" in html) is (timezone.localdate() > date(2026, 11, 2))
