"""The meal flow end to end, over HTTP, as each person would do it on their own host: the
nutrition officer publishes a weekly plan, the canteen manager adopts it and records who ate,
the logistics director computes the month's claim and the principal submits it, the finance
officer approves and pays; the budget and both statements agree to the fen, every step is in the
audit trail under its actor, and another school sees none of it."""

import datetime
from decimal import Decimal
from typing import Any

from shared_apps.audit.models import Change
from shared_apps.subsidies.models import Budget, Programme
from tenants.models import School
from tests.conftest import HostClient
from tests.matrix import R

MONDAY = datetime.date(2026, 9, 7)
WEEK = [MONDAY + datetime.timedelta(days=n) for n in range(5)]
MONTH = "2026-09-01"
PROGRAMME = "nutrition_improvement"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _publish_plan(officer: HostClient) -> int:
    recipe = _ok(
        officer.post(
            "/api/v1/recipes/",
            {
                "name": "米饭猪肉白菜",
                "meal": "lunch",
                "items": [
                    {"food": "CT006", "age_band": "9-11", "grams": "250"},
                    {"food": "MT001", "age_band": "9-11", "grams": "60"},
                    {"food": "VG001", "age_band": "9-11", "grams": "150"},
                ],
            },
            format="json",
        ),
        201,
    )
    plan = _ok(
        officer.post(
            "/api/v1/meal-plans/",
            {
                "week_start": MONDAY.isoformat(),
                "age_band": "9-11",
                "title": "秋季学期第二周",
                "entries": [
                    {"weekday": day, "meal": "lunch", "recipe": recipe["id"]} for day in range(1, 6)
                ],
            },
            format="json",
        ),
        201,
    )
    published = _ok(officer.post(f"/api/v1/meal-plans/{plan['id']}/publish/"))
    assert published["status"] == "published"
    return int(plan["id"])


def _register(director: HostClient) -> dict[str, int]:
    """Three pupils; two of them eligible for the nutrition programme from the start of term."""
    ids = {}
    for number, name in [("F001", "王小明"), ("F002", "李小红"), ("F003", "张小刚")]:
        student = _ok(
            director.post(
                "/api/v1/students/",
                {"student_number": number, "name": name, "gender": "male", "grade": 4},
                format="json",
            ),
            201,
        )
        ids[number] = student["id"]
    for number in ("F001", "F002"):
        _ok(
            director.post(
                "/api/v1/eligibility/",
                {
                    "student": ids[number],
                    "programme": PROGRAMME,
                    "reason": "rural_compulsory",
                    "valid_from": "2026-09-01",
                },
                format="json",
            ),
            201,
        )
    return ids


def _serve_week(canteen: HostClient, plan_id: int) -> None:
    menu = _ok(canteen.post("/api/v1/menus/adopt/", {"plan": plan_id}, format="json"), 201)
    for day in WEEK:
        session = _ok(
            canteen.post(
                "/api/v1/sessions/",
                {"date": day.isoformat(), "meal": "lunch", "menu": menu["id"]},
                format="json",
            ),
            201,
        )
        served = _ok(
            canteen.post(
                f"/api/v1/sessions/{session['id']}/servings/",
                {"student_numbers": ["F001", "F002", "F003"], "source": "card"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"flow-{day}",
            ),
            201,
        )
        assert served["recorded"] == 3, served
    # A second meal the same day subsidises nothing more: at most one per student per day.
    breakfast = _ok(
        canteen.post(
            "/api/v1/sessions/", {"date": WEEK[0].isoformat(), "meal": "breakfast"}, format="json"
        ),
        201,
    )
    _ok(
        canteen.post(
            f"/api/v1/sessions/{breakfast['id']}/servings/",
            {"student_numbers": ["F001"], "source": "class_list"},
            format="json",
        ),
        201,
    )


def test_plan_to_payment_agrees_to_the_fen_and_is_audited(
    client_for: Any, school_a: School, school_b: School
) -> None:
    officer = client_for(None, R.NUTRITION_OFFICER)
    finance = client_for(None, R.FINANCE_OFFICER)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    canteen = client_for(school_a, R.CANTEEN_MANAGER)
    principal = client_for(school_a, R.PRINCIPAL)

    plan_id = _publish_plan(officer)
    budget = _ok(
        finance.post(
            "/api/v1/subsidies/budgets/",
            {
                "programme": PROGRAMME,
                "school": school_a.code,
                "period_start": "2026-09-01",
                "period_end": "2027-01-31",
                "allocated": "1000.00",
            },
            format="json",
        ),
        201,
    )
    students = _register(director)
    _serve_week(canteen, plan_id)

    claim = _ok(
        director.post(
            "/api/v1/subsidies/claims/compute/",
            {"programme": PROGRAMME, "month": MONTH},
            format="json",
        ),
        201,
    )
    rate = Programme.objects.get(code=PROGRAMME).daily_rate
    # Two eligible pupils on five school days; the third pupil and the extra breakfast add nothing.
    assert (claim["school_days"], claim["student_days"]) == (22, 10)
    assert Decimal(claim["amount"]) == 10 * rate == Decimal("50.00")
    _ok(principal.post(f"/api/v1/subsidies/claims/{claim['id']}/submit/"))
    approved = _ok(finance.post(f"/api/v1/subsidies/claims/{claim['id']}/approve/"))
    assert approved["status"] == "approved"
    paid = _ok(
        finance.post(
            f"/api/v1/subsidies/claims/{claim['id']}/disburse/",
            {"amount": "50.00", "paid_on": "2026-10-15", "reference": "国库集中支付 2026-1015"},
            format="json",
        ),
        201,
    )
    assert (paid["status"], paid["disbursed"]) == ("paid", "50.00")

    held = Budget.objects.across_schools().get(pk=budget["id"])
    assert (held.committed, held.available) == (Decimal("50.00"), Decimal("950.00"))
    own = _ok(principal.get("/api/v1/statements/school/", {"month": MONTH[:7]}))
    district = _ok(finance.get("/api/v1/statements/district/", {"month": MONTH[:7]}))
    (row,) = [r for r in district["rows"] if r["school_code"] == school_a.code]
    for statement in (own["totals"], row):
        assert statement["amount"] == "50.00"
        assert statement["student_days"] == 10
    for key in ("approved", "disbursed", "committed"):
        assert own["totals"][key] == district["totals"][key] == "50.00"
    assert (row["approved"], row["disbursed"]) == ("50.00", "50.00")
    assert own["totals"]["remaining"] == "950.00"

    # Each step is in the trail under the person who took it.
    actors = {
        "standards_mealplan": officer.user.pk,
        "canteen_menu": canteen.user.pk,
        "canteen_mealsession": canteen.user.pk,
        "canteen_serving": canteen.user.pk,
        "people_student": director.user.pk,
        "subsidies_budget": finance.user.pk,
        "subsidies_disbursement": finance.user.pk,
    }
    for table, actor in actors.items():
        assert Change.objects.across_schools().filter(table_name=table, actor_id=actor).exists(), (
            table
        )
    claim_steps = Change.objects.across_schools().filter(
        table_name="subsidies_claim", row_id=str(claim["id"])
    )
    assert {director.user.pk, principal.user.pk, finance.user.pk} <= set(
        claim_steps.values_list("actor_id", flat=True)
    )

    # School B's people see none of school A's students, servings or claims.
    other = client_for(school_b, R.LOGISTICS_DIRECTOR)
    assert other.get(f"/api/v1/students/{students['F001']}/").status_code == 404
    assert _ok(other.get("/api/v1/servings/"))["count"] == 0
    assert _ok(other.get("/api/v1/subsidies/claims/"))["count"] == 0
    assert other.get(f"/api/v1/subsidies/claims/{claim['id']}/").status_code == 404
