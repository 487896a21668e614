"""The transport officer's pages with Django's test client: the fleet with what lapses within
30 days; drivers checked on a chosen day, each failed rule with its reason; licences moved
through their approval (a refusal only with its reason); routes as stop lists in order; today's
runs with their loads by school; alarms. Lists cost the same number of queries whatever their
rows; the home page counts what waits."""

import datetime
from typing import Any

import pytest

from houqin.roles import Role
from shared_apps.transport import services
from shared_apps.transport.models import Licence
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.transport import (
    make_alarm,
    make_driver,
    make_licence,
    make_provider,
    make_route,
    make_run,
    make_vehicle,
    today,
)
from tests.pages.transport import district_client, submitted_licence
from tests.web import queries

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_the_fleet_warns_of_what_lapses_within_30_days(district_host: str) -> None:
    soon = make_provider(insurance_expires=today() + datetime.timedelta(days=10))
    lapsing = make_vehicle(soon)
    bare = make_vehicle(inspected=False, equipment=services.Equipment())
    later = make_provider()
    make_vehicle(later)
    make_driver(later, review_valid_until=today() + datetime.timedelta(days=5), name="李师傅")
    page = _text(district_client(district_host).get("/transport/fleet/"))
    warnings = page[: page.index("<table")]
    assert soon.name in warnings and later.name not in warnings
    assert bare.plate in warnings and "李师傅" in warnings
    assert lapsing.plate in page
    row = page[page.index(bare.plate, page.index("<table")) :]
    assert "从未检验" in row[: row.index("</tr>")]


def test_a_driver_is_checked_on_the_day_asked_with_each_reason(district_host: str) -> None:
    born = today().replace(year=today().year - 59) - datetime.timedelta(days=1)
    make_driver(born_on=born, name="赵师傅")
    client = district_client(district_host)
    page = _text(client.get("/transport/drivers/"))
    assert "合格" in page and "driver_age" not in page
    later = today().replace(year=today().year + 2)
    page = _text(client.get("/transport/drivers/", {"on": later.isoformat()}))
    assert 'data-code="driver_age"' in page
    assert "班次当日驾驶人 61 岁" in page


def test_the_officer_moves_a_licence_through_its_steps(district_host: str) -> None:
    client = district_client(district_host)
    licence = submitted_licence()
    assert "办理下一步" in _text(client.get("/transport/licences/"))
    url = f"/transport/licences/{licence.pk}/advance/"
    for step, status in (("forward", "forwarded"), ("answer", "answered"), ("approve", "approved")):
        done = client.post(url, {"step": step, "once": f"step-{step}"})
        assert done.status_code == 302
        licence.refresh_from_db()
        assert licence.status == status
    assert licence.decided_at is not None


def test_a_refusal_needs_its_reason_and_a_wrong_step_is_refused(district_host: str) -> None:
    client = district_client(district_host)
    licence = submitted_licence()
    url = f"/transport/licences/{licence.pk}/advance/"
    assert client.post(url, {"step": "approve", "once": "a"}).status_code == 400
    for step in ("forward", "answer"):
        services.licence_advance(licence=licence, step=step, actor=SETUP)
    again = client.post(url, {"step": "refuse", "reason": " ", "once": "r"})
    assert again.status_code == 400
    assert "须说明理由" in _text(again)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.ANSWERED
    done = client.post(url, {"step": "refuse", "reason": "线路经过临崖路段", "once": "r2"})
    assert done.status_code == 302
    licence.refresh_from_db()
    assert (licence.status, licence.reason) == (Licence.Status.REFUSED, "线路经过临崖路段")


def test_an_auditor_reads_licences_but_takes_no_step(district_host: str) -> None:
    licence = submitted_licence()
    client = district_client(district_host, Role.AUDITOR)
    page = _text(client.get("/transport/licences/"))
    assert licence.number in page and "办理下一步" not in page
    refused = client.post(f"/transport/licences/{licence.pk}/advance/", {"step": "forward"})
    assert refused.status_code in (403, 404)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.SUBMITTED


def test_routes_list_their_stops_in_order_with_times(district_host: str) -> None:
    route = make_route()
    page = _text(district_client(district_host).get("/transport/routes/"))
    section = page[page.index(route.code) :]
    assert section.index("07:10") < section.index("站 1") < section.index("站 2")
    assert section.index("站 2") < section.index("站 3")


def test_todays_runs_show_their_loads_by_school(
    district_host: str, school_a: School, school_b: School
) -> None:
    licence = make_licence(schools=[school_a, school_b])
    run = make_run(licence, day=today())
    for ref in (1, 2):
        services.assign_seat(run=run, school=school_a, student_ref=ref, actor=SETUP)
    services.assign_seat(run=run, school=school_b, student_ref=3, actor=SETUP)
    tomorrow = make_run(make_licence(), day=today() + datetime.timedelta(days=1))
    page = _text(district_client(district_host).get("/transport/runs/"))
    run.refresh_from_db()
    assert f"3 / {run.capacity}" in page
    assert f"{school_a.name} 2" in page and f"{school_b.name} 1" in page
    assert tomorrow.vehicle.plate not in page


def test_alarms_are_listed(district_host: str) -> None:
    alarm = make_alarm()
    page = _text(district_client(district_host).get("/transport/alarms/"))
    assert alarm.vehicle.plate in page and "72.0" in page


def test_the_lists_cost_the_same_whatever_their_rows(district_host: str, school_a: School) -> None:
    client = district_client(district_host)
    pages = [
        "/transport/fleet/",
        "/transport/drivers/",
        "/transport/licences/",
        "/transport/routes/",
        "/transport/runs/",
        "/transport/alarms/",
    ]

    def rows() -> None:
        run = make_run(make_licence(schools=[school_a]), day=today())
        services.assign_seat(run=run, school=school_a, student_ref=run.pk, actor=SETUP)
        make_alarm()
        make_driver(review_valid_until=today())

    rows()
    before = [queries(client, url) for url in pages]
    for _ in range(3):
        rows()
    assert [queries(client, url) for url in pages] == before


def test_the_home_page_counts_what_waits_for_the_officer(district_host: str) -> None:
    submitted_licence()
    page = _text(district_client(district_host).get("/"))
    assert "校车" in page and "/transport/licences/" in page
