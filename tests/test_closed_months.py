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

from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.months import month_end, previous_month
from houqin.roles import Role
from shared_apps.subsidies import services
from shared_apps.subsidies.models import (
    Programme,
)
from tenant_apps.canteen.models import MealSession
from tenant_apps.people.models import Student
from tenants.models import School
from tests.conftest import HostClient
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
    assert {c["corrected_by"] for c in corrections} == {username(month.director)}
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
    assert {r["decided_by"] for r in rows} == {username(month.finance)}
    # The money and the records agree: 3 eligible student-days at 5.00.
    counted = services._claim_computation(school=school_a, programme=month.programme, month=MONTH)
    assert sum(Decimal(r["disbursed"]) for r in rows) == counted.amount(Decimal("5.00"))


def username(client: HostClient) -> str:
    assert client.user is not None
    return client.user.username
