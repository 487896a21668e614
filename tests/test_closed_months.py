"""Closed months: submitting a month's claim closes the school's month for what it counted.
A later change to its servings, sessions, eligibility or calendar is refused (409 naming the
claim) for whoever may not correct it, needs a reason (400) from whoever may, and is recorded as
a correction that opens an adjustment claim for the difference, positive or negative, decided
and paid (or returned) through the same budget rules, shown on the statements as its own line.
Programmes are rows: a new one works without code. Also on separate connections: a serving and
the month's submission at the same moment never both count."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict
from houqin.months import month_end, previous_month
from houqin.roles import Role
from shared_apps.subsidies import services
from shared_apps.subsidies.models import (
    Budget,
    Claim,
    ClaimEvent,
    MonthCorrection,
    Programme,
)
from tenant_apps.canteen.models import CalendarDay, MealSession, Serving
from tenant_apps.canteen.services.calendar import school_term_add
from tenant_apps.canteen.services.servings import meal_session_open, servings_record
from tenant_apps.dorms.services.allocations import allocation_create
from tenant_apps.people.models import Student, SubsidyEligibility
from tenants.models import School
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, discard_user, user_with_role
from tests.matrix.dorms import make_room
from tests.matrix.people import make_student
from tests.matrix.subsidies import make_budget

R = Role
CLAIMS = "/api/v1/subsidies/claims/"
MONTH = previous_month()
TODAY = timezone.localdate().isoformat()


def school_days(count: int) -> list[date]:
    """The first `count` weekdays of `MONTH` (school days by the calendar's rule before a term
    is recorded)."""
    days = (MONTH + timedelta(days=i) for i in range(31))
    return [d for d in days if d.isoweekday() <= 5 and d <= month_end(MONTH)][:count]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


class Month:
    """One school's month under a new programme (made by the finance officer through the API,
    so no code names it): the people who act on it, two eligible students, a budget."""

    def __init__(self, client_for: Callable[..., HostClient], school: School) -> None:
        self.school = school
        self.finance = client_for(None, R.FINANCE_OFFICER)
        self.code = f"closing-{school.code}-{id(self)}"
        ok(
            self.finance.post(
                "/api/v1/subsidies/programmes/",
                {"code": self.code, "name": "课后加餐补助", "daily_rate": "5.00"},
                format="json",
            ),
            201,
        )
        self.programme = Programme.objects.get(code=self.code)
        self.budget = make_budget(
            school,
            self.programme,
            start=MONTH.replace(month=1),
            end=MONTH.replace(month=12, day=31),
            allocated=Decimal("1000.00"),
        )
        self.director = client_for(school, R.LOGISTICS_DIRECTOR)
        self.canteen = client_for(school, R.CANTEEN_MANAGER)
        self.principal = client_for(school, R.PRINCIPAL)
        self.students = [make_student(school.schema_name, grade=4) for _ in range(2)]
        for student in self.students:
            ok(
                self.director.post(
                    "/api/v1/eligibility/",
                    {
                        "student": student.pk,
                        "programme": self.code,
                        "reason": "registered_poor",
                        "valid_from": MONTH.isoformat(),
                    },
                    format="json",
                ),
                201,
            )

    def serve(self, client: HostClient, day: date, students: list[Student], **extra: Any) -> Any:
        session = client.post(
            "/api/v1/sessions/", {"date": day.isoformat(), "meal": "lunch", **extra}, format="json"
        )
        if session.status_code != 201:
            return session
        return client.post(
            f"/api/v1/sessions/{session.json()['id']}/servings/",
            {"student_ids": [s.pk for s in students], "source": "card", **extra},
            format="json",
        )

    def claim_paid(self) -> dict[str, Any]:
        claim = ok(
            self.director.post(
                f"{CLAIMS}compute/", {"programme": self.code, "month": f"{MONTH:%Y-%m}"}
            ),
            201,
        )
        ok(self.principal.post(f"{CLAIMS}{claim['id']}/submit/"))
        ok(self.finance.post(f"{CLAIMS}{claim['id']}/approve/"))
        return ok(
            self.finance.post(
                f"{CLAIMS}{claim['id']}/disburse/",
                {
                    "amount": claim["amount"],
                    "paid_on": TODAY,
                    "reference": "GK-1",
                },
                format="json",
            ),
            201,
        )


def test_a_paid_month_and_the_canteens_records_agree_through_a_paid_adjustment(
    client_for: Any, school_a: School
) -> None:
    """The issue's scenario, walked through the API: a serving added to a paid month is refused
    to the canteen manager, recorded by the director as a correction with its reason, and the
    adjustment it opens is submitted, approved and paid; the statement shows it as its own line,
    and claimed money equals what the records now count."""
    month = Month(client_for, school_a)
    first, second = school_days(2)
    ok(month.serve(month.director, first, month.students), 201)
    claim = month.claim_paid()
    assert (claim["status"], claim["amount"], claim["student_days"]) == ("paid", "10.00", 2)

    # The canteen manager may not change the closed month: 409 naming the claim.
    error = refused(month.serve(month.canteen, second, month.students[:1]), 409, "month_closed")
    assert error["fields"]["claim"] == [str(claim["id"])]
    assert f"#{claim['id']}" in error["message"]
    # The director may, saying why; without a reason it is a 400.
    refused(
        month.serve(month.director, second, month.students[:1]), 400, "correction_reason_required"
    )
    with schema_context(school_a.schema_name):
        assert not MealSession.objects.filter(date=second).exists()
    because = {"correction_reason": "刷卡机故障，按纸质签到补录"}
    assert (
        ok(month.serve(month.director, second, month.students[:1], **because), 201)["recorded"] == 1
    )
    served = ok(month.director.get(f"/api/v1/servings/?date_from={second}&date_to={second}"))
    assert served["count"] == 1

    # Two corrections (the session, then the serving), one adjustment of 5.00 CNY.
    corrections = ok(month.director.get("/api/v1/subsidies/corrections/"))["results"]
    assert [c["change"] for c in corrections] == ["serving", "session"]
    assert {c["reason"] for c in corrections} == {because["correction_reason"]}
    assert {c["corrected_by"]["username"] for c in corrections} == {username(month.director)}
    adjustment_id = corrections[0]["adjustment"]
    adjustment = ok(month.director.get(f"{CLAIMS}{adjustment_id}/"))
    assert (adjustment["kind"], adjustment["corrects"], adjustment["status"]) == (
        "adjustment",
        claim["id"],
        "draft",
    )
    assert (adjustment["amount"], adjustment["claimed_before"], adjustment["student_days"]) == (
        "5.00",
        "10.00",
        3,
    )
    assert [e["kind"] for e in ok(month.director.get(f"{CLAIMS}{claim['id']}/"))["events"]][
        -2:
    ] == ["corrected", "corrected"]

    ok(month.principal.post(f"{CLAIMS}{adjustment_id}/submit/"))
    ok(month.finance.post(f"{CLAIMS}{adjustment_id}/approve/"))
    paid = ok(
        month.finance.post(
            f"{CLAIMS}{adjustment_id}/disburse/",
            {"amount": "5.00", "paid_on": TODAY, "reference": "GK-2"},
            format="json",
        ),
        201,
    )
    assert paid["status"] == "paid"
    month.budget.refresh_from_db()
    assert month.budget.committed == Decimal("15.00")

    statement = ok(month.principal.get(f"/api/v1/statements/school/?month={MONTH:%Y-%m}"))
    rows = [r for r in statement["rows"] if r["programme_code"] == month.code]
    assert [(r["kind"], r["adjusts"], r["amount"], r["student_days"]) for r in rows] == [
        ("claim", None, "10.00", 2),
        ("adjustment", claim["id"], "5.00", 1),
    ]
    assert {r["decided_by"]["username"] for r in rows} == {username(month.finance)}
    # The money and the records agree: 3 eligible student-days at 5.00.
    counted = services._claim_computation(school=school_a, programme=month.programme, month=MONTH)
    assert sum(Decimal(r["disbursed"]) for r in rows) == counted.amount(
        services.Rates(Decimal("5.00"))
    )


def username(client: HostClient) -> str:
    assert client.user is not None
    return client.user.username


def _eligibility_id(school: School, student: Student) -> int:
    with schema_context(school.schema_name):
        return SubsidyEligibility.objects.get(student=student).pk


def test_a_shorter_eligibility_opens_a_negative_adjustment_that_returns_money(
    client_for: Any, school_a: School
) -> None:
    month = Month(client_for, school_a)
    first, second = school_days(2)
    ok(month.serve(month.director, first, month.students), 201)
    ok(month.serve(month.director, second, month.students), 201)
    claim = month.claim_paid()
    assert claim["amount"] == "20.00"
    period = _eligibility_id(school_a, month.students[1])
    refused(
        month.director.patch(f"/api/v1/eligibility/{period}/", {"valid_to": first.isoformat()}),
        400,
        "correction_reason_required",
    )
    ok(
        month.director.patch(
            f"/api/v1/eligibility/{period}/",
            {"valid_to": first.isoformat(), "correction_reason": "该生十月初已转学，资格应截止"},
        )
    )
    correction = MonthCorrection.objects.across_schools().get(claim_id=claim["id"])
    assert correction.change == MonthCorrection.Change.ELIGIBILITY
    adjustment = correction.adjustment
    assert adjustment is not None
    assert (adjustment.amount, adjustment.claimed_before) == (Decimal("-5.00"), Decimal("20.00"))
    ok(month.principal.post(f"{CLAIMS}{adjustment.pk}/submit/"))
    ok(month.finance.post(f"{CLAIMS}{adjustment.pk}/approve/"))
    month.budget.refresh_from_db()
    # A negative adjustment returns its amount to the budget.
    assert month.budget.committed == Decimal("15.00")
    returned = ok(
        month.finance.post(
            f"{CLAIMS}{adjustment.pk}/disburse/",
            {"amount": "5.00", "paid_on": TODAY, "reference": "TH-1"},
            format="json",
        ),
        201,
    )
    assert (returned["status"], returned["disbursed"]) == ("paid", "-5.00")
    assert returned["events"][-1]["kind"] == "returned"
    over = month.finance.post(
        f"{CLAIMS}{adjustment.pk}/disburse/",
        {"amount": "0.01", "paid_on": TODAY, "reference": "TH-2"},
        format="json",
    )
    refused(over, 409, "claim_paid")


def test_a_negative_adjustment_larger_than_what_was_paid_is_409(
    client_for: Any, school_a: School
) -> None:
    month = Month(client_for, school_a)
    (first,) = school_days(1)
    ok(month.serve(month.director, first, month.students), 201)
    claim = ok(
        month.director.post(
            f"{CLAIMS}compute/", {"programme": month.code, "month": f"{MONTH:%Y-%m}"}
        ),
        201,
    )
    ok(month.principal.post(f"{CLAIMS}{claim['id']}/submit/"))
    ok(month.finance.post(f"{CLAIMS}{claim['id']}/approve/"))
    # Approved, nothing paid yet: taking 5.00 back is more than was paid.
    period = _eligibility_id(school_a, month.students[0])
    before = MONTH - timedelta(days=1)
    ok(month.director.patch(f"/api/v1/eligibility/{period}/", {"note": "核对"}))
    with schema_context(school_a.schema_name):
        SubsidyEligibility.objects.filter(pk=period).update(valid_from=before)
    response = month.director.patch(
        f"/api/v1/eligibility/{period}/",
        {"valid_to": before.isoformat(), "correction_reason": "资格录入有误"},
    )
    refused(response, 409, "adjustment_exceeds_paid")
    with schema_context(school_a.schema_name):
        assert SubsidyEligibility.objects.get(pk=period).valid_to is None
    assert not MonthCorrection.objects.across_schools().filter(claim_id=claim["id"]).exists()


def test_a_calendar_change_in_a_closed_month_is_a_correction(
    client_for: Any, school_a: School
) -> None:
    month = Month(client_for, school_a)
    first, second = school_days(2)
    ok(month.serve(month.director, first, month.students), 201)
    claim = month.claim_paid()
    with schema_context(school_a.schema_name):
        school_term_add(
            school_year=MONTH.year - 1 if MONTH.month < 8 else MONTH.year,
            name="本学期",
            start_date=MONTH.replace(day=1) - timedelta(days=60),
            end_date=month_end(MONTH) + timedelta(days=60),
            actor=SETUP,
            correction_reason="补录学期",
        )
    body = {"date": second.isoformat(), "name": "临时停课"}
    error = refused(month.canteen.post("/api/v1/calendar/holidays/", body), 409, "month_closed")
    assert error["fields"]["claim"] == [str(claim["id"])]
    holiday = ok(
        month.director.post(
            "/api/v1/calendar/holidays/", {**body, "correction_reason": "区教育局通知停课"}
        ),
        201,
    )
    correction = (
        MonthCorrection.objects.across_schools()
        .filter(claim_id=claim["id"], change="calendar")
        .latest("pk")
    )
    assert correction.reason == "区教育局通知停课"
    # One school day fewer, nobody served on it: the money is the same, nothing to adjust.
    assert correction.adjustment is None
    removed = month.canteen.delete(f"/api/v1/calendar/holidays/{holiday['id']}/")
    refused(removed, 409, "month_closed")
    gone = month.director.delete(
        f"/api/v1/calendar/holidays/{holiday['id']}/?correction_reason=误录"
    )
    assert gone.status_code == 204, gone.content
    with schema_context(school_a.schema_name):
        assert not CalendarDay.objects.filter(pk=holiday["id"]).exists()


def test_a_programme_paid_per_head_counts_students_not_meals(school_a: School) -> None:
    programme = services.programme_create(
        code="per-head-test",
        name="按人头补助",
        daily_rate=Decimal("30.00"),
        basis=Programme.Basis.PER_HEAD,
        actor=SETUP,
    )
    make_budget(school_a, programme, start=MONTH, end=month_end(MONTH))
    schema = school_a.schema_name
    eligible = [make_student(schema) for _ in range(3)]
    with schema_context(schema):
        for i, student in enumerate(eligible):
            SubsidyEligibility.objects.create(
                student=student,
                programme=programme,
                reason="other",
                # The last one only after the month: not counted.
                valid_from=MONTH if i < 2 else month_end(MONTH) + timedelta(days=1),
            )
    claim = services.claim_compute(school=school_a, programme=programme, month=MONTH, actor=SETUP)
    assert (claim.basis, claim.student_days, claim.amount) == ("per_head", 2, Decimal("60.00"))


def test_a_programme_paid_per_term_counts_the_students_on_the_terms_first_day(
    school_a: School,
) -> None:
    programme = services.programme_create(
        code="per-term-test",
        name="寄宿生生活补助（测试）",
        daily_rate=Decimal("500.00"),
        basis=Programme.Basis.SEMESTER,
        students=Programme.Students.BOARDERS,
        actor=SETUP,
    )
    make_budget(school_a, programme, start=MONTH, end=month_end(MONTH))
    schema = school_a.schema_name
    boarders = [make_student(schema) for _ in range(2)]
    first, second = school_days(2)
    room = make_room(school_a)
    with schema_context(schema):
        for student, bed in zip(boarders, room.beds.all(), strict=False):
            allocation_create(student=student, bed=bed, start_date=MONTH, actor=SETUP)
        school_term_add(
            school_year=first.year,
            name="测试学期",
            start_date=first,
            end_date=first + timedelta(90),
            actor=SETUP,
        )
        SubsidyEligibility.objects.create(
            student=boarders[0], programme=programme, reason="other", valid_from=first
        )
        SubsidyEligibility.objects.create(
            student=boarders[1], programme=programme, reason="other", valid_from=second
        )
    claim = services.claim_compute(school=school_a, programme=programme, month=MONTH, actor=SETUP)
    assert claim.breakdown == {first.isoformat(): 1}
    assert (claim.student_days, claim.amount) == (1, Decimal("500.00"))


def test_a_new_programme_is_one_schools_record_eligibility_for_with_its_own_rule(
    client_for: Any, school_a: School
) -> None:
    """No list of programmes in the code: eligibility for a programme the finance officer just
    created is accepted, its rule (boarders only) applied, and the database keeps its periods
    apart."""
    finance = client_for(None, R.FINANCE_OFFICER)
    ok(
        finance.post(
            "/api/v1/subsidies/programmes/",
            {
                "code": "boarders-new",
                "name": "新寄宿补助",
                "students": "boarders",
                "basis": "semester",
            },
            format="json",
        ),
        201,
    )
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    day = MONTH.isoformat()
    day_pupil = make_student(school_a.schema_name, boarding=False)
    boarder = make_student(school_a.schema_name, boarding=True)
    body = {"programme": "boarders-new", "reason": "other", "valid_from": day}
    refused(
        director.post("/api/v1/eligibility/", {**body, "student": day_pupil.pk}, format="json"),
        400,
        "ineligible_not_boarding",
    )
    created = ok(
        director.post("/api/v1/eligibility/", {**body, "student": boarder.pk}, format="json"), 201
    )
    assert created["programme"] == "boarders-new"
    again = director.post("/api/v1/eligibility/", {**body, "student": boarder.pk}, format="json")
    refused(again, 409, "eligibility_overlap")
    unknown = director.post(
        "/api/v1/eligibility/",
        {**body, "programme": "no-such", "student": boarder.pk},
        format="json",
    )
    assert unknown.status_code == 400


def test_a_serving_in_a_closed_month_by_a_role_without_the_grant_is_refused_in_the_service(
    client_for: Any, school_a: School
) -> None:
    month = Month(client_for, school_a)
    (first,) = school_days(1)
    ok(month.serve(month.director, first, month.students), 201)
    month.claim_paid()
    canteen_manager = user_with_role(R.CANTEEN_MANAGER, school_a)
    with schema_context(school_a.schema_name), pytest.raises(Conflict) as refused_:
        session = MealSession.objects.get(date=first, meal="lunch")
        servings_record(
            session=session,
            source="card",
            student_ids=[month.students[0].pk],
            actor=canteen_manager,
            correction_reason="补录",
        )
    assert refused_.value.code == "month_closed"
    with schema_context(school_a.schema_name), pytest.raises(Conflict):
        meal_session_open(date=first, meal="dinner", actor=canteen_manager, correction_reason="x")


def test_a_serving_and_the_months_submission_at_once_never_both_count(
    committed: list[Callable[[], Any]],
) -> None:
    """On two connections at once: the principal submits the month's claim while the canteen
    manager records a serving in it. Either the submission waits and finds the records changed
    (409 `claim_stale`), or the serving waits and finds the month closed (409 `month_closed`):
    never a closed month that misses a serving."""
    school = School.objects.get(code=SCHOOL_A)
    schema = school.schema_name
    programme = services.programme_create(
        code=f"race-{id(committed)}", name="并发测试", actor=SETUP
    )
    make_budget(school, programme, start=MONTH, end=month_end(MONTH))
    principal = user_with_role(R.PRINCIPAL, school)
    canteen_manager = user_with_role(R.CANTEEN_MANAGER, school)
    (day,) = school_days(1)
    with schema_context(schema):
        students = [make_student(schema) for _ in range(2)]
        for student in students:
            SubsidyEligibility.objects.create(
                student=student, programme=programme, reason="other", valid_from=MONTH
            )
        session = meal_session_open(date=day, meal="supper", actor=SETUP)
        servings_record(session=session, source="card", student_ids=[students[0].pk], actor=SETUP)

    def cleanup() -> None:
        claims = Claim.objects.across_schools().filter(programme=programme)
        MonthCorrection.objects.across_schools().filter(claim__in=claims).delete()
        ClaimEvent.objects.across_schools().filter(claim__in=claims).delete()
        claims.delete()
        Budget.objects.across_schools().filter(programme=programme).delete()
        with schema_context(schema):
            Serving.objects.filter(session=session).delete()
            MealSession.objects.filter(pk=session.pk).delete()
            SubsidyEligibility.objects.filter(programme=programme).delete()
            Student.objects.filter(pk__in=[s.pk for s in students]).delete()
        Programme.objects.filter(pk=programme.pk).delete()
        for user in (principal, canteen_manager):
            discard_user(user)

    committed.append(cleanup)
    claim = services.claim_compute(school=school, programme=programme, month=MONTH, actor=SETUP)
    host = f"{school.code}.localhost"
    clients = [HostClient(host, principal), HostClient(host, canteen_manager)]

    def act(i: int) -> Any:
        if i == 0:
            return clients[0].post(f"{CLAIMS}{claim.pk}/submit/")
        return clients[1].post(
            f"/api/v1/sessions/{session.pk}/servings/",
            {"student_ids": [students[1].pk], "source": "card"},
            format="json",
        )

    submitted, served = at_once(2, act)
    assert not isinstance(submitted, BaseException) and not isinstance(served, BaseException)
    outcome = (submitted.status_code, served.status_code)
    assert outcome in ((200, 409), (409, 201)), (submitted.content, served.content)
    refusal = served if outcome == (200, 409) else submitted
    assert refusal.json()["error"]["code"] in ("month_closed", "claim_stale")
    claim.refresh_from_db()
    with schema_context(schema):
        recorded = Serving.objects.filter(session=session).count()
    if claim.status == Claim.Status.SUBMITTED:
        assert (claim.student_days, recorded) == (1, 1)
    else:
        assert (claim.status, recorded) == (Claim.Status.DRAFT, 2)
