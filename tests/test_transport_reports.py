"""The transport officer's reports (校车 item 9): riders against rated load (the "核载56 实载5"
problem) and cost per rider for the district, each school (a shared run's cost split by the
seats each school holds), route and run; what lapses within 30 days; as JSON and Excel."""

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client

from houqin.roles import Role
from shared_apps.transport import services
from shared_apps.transport.models import Run
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.transport import make_driver, make_licence, make_run, today

pytestmark = pytest.mark.django_db
R = Role


def _seated(run: Run, school: School, count: int, first: int) -> None:
    for ref in range(first, first + count):
        services.assign_seat(run=run, school=school, student_ref=ref, actor=SETUP)


def test_riders_against_rated_load_and_cost_per_rider(
    client_for: Any, school_a: School, school_b: School
) -> None:
    day = today() + datetime.timedelta(days=1)
    shared = make_run(make_licence(schools=[school_a, school_b]), day=day)
    Run.objects.filter(pk=shared.pk).update(cost=Decimal("120.00"))
    _seated(shared, school_a, 3, 1)
    _seated(shared, school_b, 1, 1)
    empty = make_run(make_licence(schools=[school_a]), day=day)
    Run.objects.filter(pk=empty.pk).update(cost=Decimal("80.00"))
    lapsing = make_driver(name="赵师傅", review_valid_until=today() + datetime.timedelta(days=9))
    officer = client_for(None, R.TRANSPORT_OFFICER)
    span = {"date_from": str(day), "date_to": str(day)}
    answer = officer.get("/api/v1/transport/reports/", span)
    assert answer.status_code == 200, answer.content[:300]
    body = answer.json()
    district = body["district"]
    # Two buses of 19 seats, 4 riders: 10.5% of the rated load, 200 yuan for 4 riders.
    assert (district["runs"], district["rated_load"], district["riders"]) == (2, 38, 4)
    assert Decimal(district["load_percent"]) == Decimal("10.5")
    assert Decimal(district["cost_per_rider"]) == Decimal("50.00")
    schools = {row["school"]: row for row in body["schools"]}
    # The shared run's 120 yuan split 3 to 1 by seats: 90 for school A, 30 for school B.
    assert Decimal(schools[school_a.code]["cost"]) == Decimal("90.00")
    assert Decimal(schools[school_b.code]["cost_per_rider"]) == Decimal("30.00")
    runs = {row["run"]: row for row in body["runs"]}
    assert runs[empty.pk]["riders"] == 0 and runs[empty.pk]["cost_per_rider"] is None
    assert any(row["name"] == lapsing.name for row in body["expiring"])
    workbook = officer.get("/api/v1/transport/reports/", {**span, "format": "xlsx"})
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert len(book.worksheets) == 4
    assert [cell.value for cell in book.worksheets[0][2]][2:5] == [2, 38, 4]


def test_a_span_backwards_or_over_a_year_is_a_400(client_for: Any) -> None:
    officer = client_for(None, R.TRANSPORT_OFFICER)
    for span in (("2026-03-02", "2026-03-01"), ("2025-01-01", "2026-03-01")):
        answer = officer.get(
            "/api/v1/transport/reports/", {"date_from": span[0], "date_to": span[1]}
        )
        assert answer.status_code == 400
        assert "date_to" in answer.json()["error"]["fields"]


def test_the_reports_page_shows_the_loads(district_host: str, school_a: School) -> None:
    run = make_run(make_licence(schools=[school_a]))
    _seated(run, school_a, 2, 1)
    client = Client(SERVER_NAME=district_host)
    client.force_login(
        user_with_role(R.TRANSPORT_OFFICER, None), backend="houqin.permissions.RoleBackend"
    )
    day = run.period.lower.date()
    page = client.get("/transport/reports/", {"date_from": str(day), "date_to": str(day)})
    assert page.status_code == 200
    assert run.vehicle.plate in page.content.decode()
