"""The money's pages with Django's test client: a school computes the month's claim once the
month is over (and is told why not before), reviews it by day and by class, submits it once, and
asks for a supplementary budget; the district approves, rejects with a reason, pays, confirms
supplementary budgets, reads budgets with their burn-down and the monthly statement with its
files. Refusals come back next to their fields with what was typed; lists cost the same number of
queries whatever their rows; the home pages count what waits."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.api.renderers import PDF, XLSX
from houqin.months import add_months, month_end
from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.subsidies import selectors, services
from shared_apps.subsidies.models import Budget, BudgetSupplement, Claim, ClaimEvent, Programme
from tenant_apps.canteen.models import MealSession, Serving
from tenant_apps.people.models import SubsidyEligibility
from tenants.models import School
from tenants.routing import school_host
from tests.factories import programme_row, user_with_role
from tests.matrix.people import make_student
from tests.matrix.subsidies import make_budget, make_claim, make_programme
from tests.web import queries, signed_in

pytestmark = pytest.mark.django_db
R = Role
OCTOBER = date(2025, 10, 1)
MONDAY, TUESDAY = date(2025, 10, 13), date(2025, 10, 14)


def _school(school: School, role: Role) -> tuple[Client, User]:
    user = user_with_role(role, school)
    return signed_in(school_host(school.code), user), user


def _district(district_host: str, role: Role = R.FINANCE_OFFICER) -> tuple[Client, User]:
    user = user_with_role(role, None)
    return signed_in(district_host, user), user


def _text(response: Any) -> str:
    return str(response.content.decode())


def _field_error(response: Any, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">([^<]*)<', _text(response))
    assert found, f"no error next to {field}"
    return found.group(1)


def _served_october(school: School) -> Programme:
    """Three eligible students, two in grade 3's 一班 and one in grade 4's 二班, served lunch on
    Monday 13 and Tuesday 14 October 2025 (the grade 4 student on Monday only), and a budget."""
    schema = school.schema_name
    students = [
        make_student(schema, grade=3, class_name="一班"),
        make_student(schema, grade=3, class_name="一班"),
        make_student(schema, grade=4, class_name="二班"),
    ]
    with schema_context(schema):
        for student in students:
            SubsidyEligibility.objects.create(
                student=student,
                programme=programme_row("nutrition_improvement"),
                reason="rural_compulsory",
                valid_from=date(2025, 9, 1),
            )
        now = timezone.now()
        for day, eaters in ((MONDAY, students), (TUESDAY, students[:2])):
            session = MealSession.objects.create(date=day, meal="lunch")
            Serving.objects.bulk_create(
                Serving(session=session, student=s, source="card", recorded_at=now) for s in eaters
            )
    programme = Programme.objects.get(code="nutrition_improvement")
    make_budget(school, programme)
    return programme


def _computed(school: School, director: User) -> Claim:
    programme = _served_october(school)
    return services.claim_compute(school=school, programme=programme, month=OCTOBER, actor=director)


# A school's claim ---------------------------------------------------------------------------------


def test_a_month_is_computed_once_it_is_over_and_refused_before_saying_why(
    school_a: School,
) -> None:
    _served_october(school_a)
    client, director = _school(school_a, R.LOGISTICS_DIRECTOR)
    page = client.get("/subsidies/claims/compute/")
    assert page.status_code == 200
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    assert f'value="{last_month:%Y-%m}"' in _text(page)

    ahead = add_months(timezone.localdate().replace(day=1), 1)
    refused = client.post(
        "/subsidies/claims/compute/",
        {"programme": "nutrition_improvement", "month": f"{ahead:%Y-%m}"},
    )
    assert refused.status_code == 400
    assert "尚未结束" in _field_error(refused, "month")
    assert f'value="{ahead:%Y-%m}"' in _text(refused)
    assert not Claim.objects.across_schools().filter(school=school_a, month=ahead).exists()

    bad = client.post(
        "/subsidies/claims/compute/", {"programme": "nutrition_improvement", "month": "十月"}
    )
    assert bad.status_code == 400 and "YYYY-MM" in _field_error(bad, "month")

    done = client.post(
        "/subsidies/claims/compute/", {"programme": "nutrition_improvement", "month": "2025-10"}
    )
    claim = Claim.objects.across_schools().get(school=school_a, month=OCTOBER)
    assert done.status_code == 302 and done["Location"] == f"/subsidies/claims/{claim.pk}/"
    assert claim.status == Claim.Status.DRAFT and claim.computed_by == director
    assert claim.student_days == 5 and claim.amount == Decimal("25.00")

    shown = _text(client.get(done["Location"]))
    assert "2025-10-13" in shown and "星期一" in shown
    # By class: grade 3's 一班 ate on two days, four student-days; grade 4's 二班 one.
    by_class = shown[shown.index('id="by-class"') :]
    assert re.search(r"3年级</td><td[^>]*>一班</td><td[^>]*>2</td><td[^>]*>4</td>", by_class)
    assert re.search(r"4年级</td><td[^>]*>二班</td><td[^>]*>1</td><td[^>]*>1</td>", by_class)
    assert "data-chart=" in shown and "claims/compute/?programme=" in shown
    assert "提交区里" not in shown


def test_the_claim_page_says_when_the_records_changed_since_it_was_computed(
    school_a: School,
) -> None:
    client, director = _school(school_a, R.LOGISTICS_DIRECTOR)
    claim = _computed(school_a, director)
    with schema_context(school_a.schema_name):
        Serving.objects.filter(session__date=TUESDAY).delete()
    shown = _text(client.get(f"/subsidies/claims/{claim.pk}/"))
    assert "食堂记录现为本月 3 人天，申报为 5 人天" in shown


def test_the_principal_submits_once_however_often_the_button_is_pressed(
    school_a: School,
) -> None:
    claim = _computed(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    client, principal = _school(school_a, R.PRINCIPAL)
    page = _text(client.get(f"/subsidies/claims/{claim.pk}/"))
    assert "提交区里" in page and "data-confirm=" in page
    assert "claims/compute/?programme=" not in page
    form = {"once": "principal-submits-october-once"}
    first = client.post(f"/subsidies/claims/{claim.pk}/submit/", form)
    again = client.post(f"/subsidies/claims/{claim.pk}/submit/", form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/subsidies/claims/{claim.pk}/"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED and claim.submitted_by == principal
    kinds = ClaimEvent.objects.across_schools().filter(claim=claim).values_list("kind", flat=True)
    assert list(kinds).count(ClaimEvent.Kind.SUBMITTED) == 1
    # Submitted: nothing more to do here, and a new press is told why.
    late = client.post(f"/subsidies/claims/{claim.pk}/submit/", {"once": "another-press"})
    assert late.status_code == 400 and "已提交" in _text(late)


def test_whoever_computed_a_claim_cannot_submit_it(school_a: School) -> None:
    both = user_with_role(R.PRINCIPAL, school_a)
    claim = make_claim(school_a)
    Claim.objects.across_schools().filter(pk=claim.pk).update(computed_by=both)
    refused = signed_in(school_host(school_a.code), both).post(
        f"/subsidies/claims/{claim.pk}/submit/", {"once": "self-approval"}
    )
    assert refused.status_code == 400 and "不能提交" in _text(refused)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_a_principal_asks_for_a_supplementary_budget(school_a: School) -> None:
    budget = make_budget(school_a, make_programme())
    client, principal = _school(school_a, R.PRINCIPAL)
    assert "申请追加预算" in _text(client.get(f"/subsidies/budgets/{budget.pk}/"))
    url = f"/subsidies/budgets/{budget.pk}/supplement/"
    refused = client.post(url, {"amount": "12000.00", "reason": "  "})
    assert refused.status_code == 400
    assert _field_error(refused, "reason")
    assert 'value="12000.00"' in _text(refused)
    assert not BudgetSupplement.objects.across_schools().filter(budget=budget).exists()
    negative = client.post(url, {"amount": "-5", "reason": "就餐人数增加"})
    assert negative.status_code == 400 and _field_error(negative, "amount")

    sent = client.post(url, {"amount": "12000.00", "reason": "秋季学期就餐人数增加", "once": "k1"})
    assert sent.status_code == 302 and sent["Location"] == f"/subsidies/budgets/{budget.pk}/"
    supplement = BudgetSupplement.objects.across_schools().get(budget=budget)
    assert supplement.status == BudgetSupplement.Status.PROPOSED
    assert supplement.added_by == principal and supplement.amount == Decimal("12000.00")
    budget.refresh_from_db()
    assert budget.supplemented == 0  # until the district confirms it
    assert "秋季学期就餐人数增加" in _text(client.get(sent["Location"]))


# The district ---------------------------------------------------------------------------------


def test_the_finance_officer_rejects_with_a_reason_approves_and_pays(
    school_a: School, district_host: str
) -> None:
    client, finance = _district(district_host)
    claim = make_claim(school_a, status=Claim.Status.SUBMITTED)
    other = make_claim(school_a, status=Claim.Status.SUBMITTED, month=date(2025, 11, 1))
    page = _text(client.get(f"/subsidies/claims/{claim.pk}/"))
    assert "核准" in page and "退回（填写理由）" in page

    reject = f"/subsidies/claims/{other.pk}/reject/"
    refused = client.post(reject, {"reason": "", "once": "r1"})
    assert refused.status_code == 400 and _field_error(refused, "reason")
    other.refresh_from_db()
    assert other.status == Claim.Status.SUBMITTED
    sent_back = client.post(reject, {"reason": "十一月就餐记录与排课不符", "once": "r2"})
    assert sent_back.status_code == 302
    other.refresh_from_db()
    assert other.status == Claim.Status.REJECTED and other.reason == "十一月就餐记录与排课不符"

    approved = client.post(f"/subsidies/claims/{claim.pk}/approve/", {"once": "a1"})
    assert approved.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.decided_by == finance
    assert Budget.objects.across_schools().get(pk=claim.budget_id).committed == claim.amount

    pay = f"/subsidies/claims/{claim.pk}/pay/"
    form = _text(client.get(pay))
    assert 'value="500.00"' in form and "data-confirm=" in form
    too_much = client.post(
        pay, {"amount": "600.00", "paid_on": "2025-11-20", "reference": "GK-1", "once": "p1"}
    )
    assert too_much.status_code == 400 and "600.00" in _text(too_much)
    paid = client.post(
        pay, {"amount": "500.00", "paid_on": "2025-11-20", "reference": "GK-1", "once": "p2"}
    )
    assert paid.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.disbursed == Decimal("500.00")
    shown = _text(client.get(paid["Location"]))
    assert "已支付" in shown and "GK-1" in shown


def test_the_district_confirms_what_a_school_asked_for(
    school_a: School, district_host: str
) -> None:
    budget = make_budget(school_a, make_programme())
    principal = user_with_role(R.PRINCIPAL, school_a)
    supplement = services.budget_supplement(
        budget=budget, amount=Decimal("8000.00"), reason="寄宿生增加", actor=principal
    )
    client, finance = _district(district_host)
    listed = _text(client.get("/subsidies/budgets/"))
    assert 'id="proposed"' in listed and "寄宿生增加" in listed
    home = _text(client.get("/"))
    assert re.search(r'<span class="count">1</span>待确认的追加预算', home)
    done = client.post(f"/subsidies/supplements/{supplement.pk}/confirm/", {"once": "c1"})
    assert done.status_code == 302 and done["Location"] == f"/subsidies/budgets/{budget.pk}/"
    budget.refresh_from_db()
    assert budget.supplemented == Decimal("8000.00")
    supplement.refresh_from_db()
    assert supplement.approved_by == finance


def test_a_budget_burns_down_month_by_month(school_a: School, district_host: str) -> None:
    programme = make_programme()
    budget = make_budget(school_a, programme, allocated=Decimal("5000.00"))
    make_claim(school_a, budget=budget, status=Claim.Status.APPROVED, amount=Decimal("1000.00"))
    burn = selectors.budget_burn_down(budget, today=date(2025, 11, 15))
    assert burn.months[0] == date(2025, 9, 1) and burn.months[-1] == date(2026, 1, 1)
    assert burn.remaining == [
        Decimal("5000.00"),
        Decimal("4000.00"),
        Decimal("4000.00"),
        None,
        None,
    ]
    assert burn.even[0] == Decimal("4000.00") and burn.even[-1] == Decimal("0.00")
    client, _finance = _district(district_host)
    page = _text(client.get(f"/subsidies/budgets/{budget.pk}/"))
    assert "data-chart=" in page and "chart-4.6.1.umd.min.js" in page
    assert "4000.00" in page


def test_nearly_spent_budgets(school_a: School) -> None:
    today = date(2025, 11, 15)
    spent = make_budget(school_a, make_programme(), allocated=Decimal("1000.00"))
    make_claim(school_a, budget=spent, status=Claim.Status.APPROVED, amount=Decimal("950.00"))
    half = make_budget(school_a, make_programme(), allocated=Decimal("1000.00"))
    make_claim(school_a, budget=half, status=Claim.Status.APPROVED, amount=Decimal("500.00"))
    over = make_budget(
        school_a, make_programme(), start=date(2025, 2, 1), end=date(2025, 7, 31), year=2025
    )
    Budget.objects.across_schools().filter(pk=over.pk).update(committed=over.allocated)
    nearly = selectors.budgets_nearly_spent(today=today).for_school(school_a)
    assert list(nearly) == [spent]


def test_the_district_statement_on_screen_with_its_excel_and_pdf(
    school_a: School, district_host: str
) -> None:
    make_claim(school_a, status=Claim.Status.SUBMITTED)
    client, _finance = _district(district_host, R.AUDITOR)
    page = client.get("/statements/", {"month": "2025-10"})
    shown = _text(page)
    assert page.status_code == 200 and school_a.name in shown and "已提交" in shown
    xlsx = re.search(r'href="([^"]*format=xlsx[^"]*)"', shown)
    pdf = re.search(r'href="([^"]*format=pdf[^"]*)"', shown)
    assert xlsx and pdf
    excel = client.get(xlsx.group(1).replace("&amp;", "&"))
    assert excel.status_code == 200 and excel["Content-Type"] == XLSX
    assert excel.content.startswith(b"PK")
    document = client.get(pdf.group(1).replace("&amp;", "&"))
    assert document.status_code == 200 and document["Content-Type"] == PDF
    assert b"WenQuanYiMicroHei" in document.content

    bad = client.get("/statements/", {"month": "2025/10"})
    assert "YYYY-MM" in _field_error(bad, "month") and "format=xlsx" not in _text(bad)
    ahead = add_months(timezone.localdate().replace(day=1), 1)
    future = client.get("/statements/", {"month": f"{ahead:%Y-%m}"})
    assert _field_error(future, "month") == "本月尚未开始。"


# Lists and homes ------------------------------------------------------------------------------


def test_the_lists_cost_the_same_whatever_their_rows(school_a: School, district_host: str) -> None:
    district, _finance = _district(district_host)
    school, _principal = _school(school_a, R.PRINCIPAL)
    pages = [
        (district, "/subsidies/claims/"),
        (district, "/subsidies/budgets/"),
        (district, "/subsidies/programmes/"),
        (district, "/statements/?month=2025-10"),
        (school, "/subsidies/claims/"),
        (school, "/subsidies/budgets/"),
    ]
    make_claim(school_a, status=Claim.Status.SUBMITTED)
    for client in (district, school):  # what a first request costs (the session)
        client.get("/")
    one = [queries(client, url) for client, url in pages]
    for n in range(8):
        make_claim(school_a, status=Claim.Status.APPROVED, month=date(2024, 1 + n, 1))
        services.budget_supplement(
            budget=Budget.objects.across_schools().latest("id"),
            amount=Decimal("10.00"),
            reason="追加",
            actor=user_with_role(R.FINANCE_OFFICER, None),
        )
    many = [queries(client, url) for client, url in pages]
    assert one == many


def test_the_homes_count_what_waits(school_a: School, district_host: str) -> None:
    programme = Programme.objects.get(code="nutrition_improvement")
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    make_budget(school_a, programme, start=last_month, end=month_end(last_month), year=2025)
    director, _user = _school(school_a, R.LOGISTICS_DIRECTOR)
    home = _text(director.get("/"))
    assert re.search(rf'<span class="count">1</span>待核算的 {last_month:%Y-%m} 申报', home)
    assert f"/subsidies/claims/compute/?month={last_month:%Y-%m}" in home

    make_claim(school_a)
    principal, _user = _school(school_a, R.PRINCIPAL)
    assert re.search(r'<span class="count">1</span>待提交的申报', _text(principal.get("/")))
    canteen, _user = _school(school_a, R.CANTEEN_MANAGER)
    assert "待提交的申报" not in _text(canteen.get("/"))

    make_claim(school_a, status=Claim.Status.SUBMITTED, month=date(2025, 11, 1))
    finance, _user = _district(district_host)
    shown = _text(finance.get("/"))
    assert re.search(r'<span class="count">1</span>待核准的申报', shown)
    assert "/subsidies/claims/?status=submitted" in shown
    auditor, _user = _district(district_host, R.AUDITOR)
    assert "待核准的申报" not in _text(auditor.get("/"))
