"""The branches of the transport pages the journeys do not take: the reports' default month, a
bad span and the Excel link; the route plans' list, each state of a plan's page (queued and
polling, failed, done, adopted), a bad plan and its adoption refused or done; field trips asked
for, endorsed, refused and approved on the school's and the district's hosts, bad input said
next to its field."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from houqin.roles import Role
from shared_apps.transport import services
from shared_apps.transport.models import FieldTrip, Provider, Route, RoutePlan
from tenants.models import School
from tests.conftest import tasks_queued
from tests.factories import user_with_role
from tests.matrix.transport import (
    make_driver,
    make_field_trip,
    make_licence,
    make_provider,
    make_route,
    make_route_plan,
    make_run,
    make_vehicle,
    school_days_ahead,
)
from tests.pages.transport import district_client
from tests.web import form_key, page, signed_in

pytestmark = pytest.mark.django_db


def _school(school: School, role: Role) -> Client:
    return signed_in(school, user_with_role(role, school))


# Reports -----------------------------------------------------------------------------------------


def test_the_reports_default_to_this_month_and_link_its_workbook(
    district_host: str, school_a: School
) -> None:
    make_run(make_licence(schools=[school_a]))
    html = page(district_client(district_host), "/transport/reports/")
    first = timezone.localdate().replace(day=1)
    assert f'value="{first.isoformat()}"' in html
    assert f"date_from={first.isoformat()}" in html and "format=xlsx" in html


def test_a_bad_span_is_said_next_to_its_field_and_the_month_shown(district_host: str) -> None:
    client = district_client(district_host)
    html = page(client, "/transport/reports/", date_from="2026-03-02", date_to="2026-03-01")
    assert 'id="id_date_to_error"' in html
    first = timezone.localdate().replace(day=1)
    assert f"date_from={first.isoformat()}" in html
    html = page(client, "/transport/reports/", date_from="soon", date_to="2026-03-01")
    assert 'id="id_date_from_error"' in html


# Route plans -------------------------------------------------------------------------------------


def test_the_plans_list_offers_planning_to_the_officer_only(
    district_host: str, school_a: School
) -> None:
    plan = make_route_plan(school_a, solved=False)
    officer = page(district_client(district_host), "/transport/plans/")
    assert f"/transport/plans/{plan.pk}/" in officer and "/transport/plans/new/" in officer
    auditor = page(district_client(district_host, Role.AUDITOR), "/transport/plans/")
    assert f"/transport/plans/{plan.pk}/" in auditor and "/transport/plans/new/" not in auditor


def test_a_plan_page_in_each_state(district_host: str, school_a: School) -> None:
    client = district_client(district_host)
    queued = make_route_plan(school_a, solved=False)
    html = page(client, f"/transport/plans/{queued.pk}/")
    assert 'hx-trigger="every 2s"' in html and "<progress" in html
    assert f"/transport/plans/{queued.pk}/adopt/" not in html
    failed = make_route_plan(school_a, solved=False)
    services.route_plan_fail(plan=failed, error="求解超时", actor=services.PLANNER)
    html = page(client, f"/transport/plans/{failed.pk}/")
    assert "求解超时" in html and "hx-trigger" not in html
    done = make_route_plan(school_a)
    html = page(client, f"/transport/plans/{done.pk}/")
    assert f"/transport/plans/{done.pk}/adopt/" in html
    # The auditor reads the proposal, without the adoption.
    auditor = page(district_client(district_host, Role.AUDITOR), f"/transport/plans/{done.pk}/")
    assert "北村" in auditor and f"/transport/plans/{done.pk}/adopt/" not in auditor


def test_a_plan_is_adopted_once_and_a_second_time_is_refused_on_the_form(
    district_host: str, school_a: School
) -> None:
    client = district_client(district_host)
    plan = make_route_plan(school_a)
    url = f"/transport/plans/{plan.pk}/adopt/"
    blank = client.post(url, {"once": form_key(client, url), "code": ""})
    assert blank.status_code == 400
    adopted = client.post(url, {"once": form_key(client, url), "code": "P7"})
    assert adopted.status_code == 302 and adopted["Location"] == "/transport/routes/"
    assert Route.objects.filter(code__startswith="P7-").exists()
    again = client.post(url, {"once": form_key(client, url), "code": "P8"})
    assert again.status_code == 400
    assert 'class="alert error" role="alert"' in again.content.decode()
    assert not Route.objects.filter(code__startswith="P8-").exists()
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.ADOPTED


def test_a_bus_is_adopted_on_the_form_as_a_new_version_of_a_school_route(
    district_host: str, school_a: School
) -> None:
    client = district_client(district_host)
    plan = make_route_plan(school_a)
    current = make_route([school_a])
    url = f"/transport/plans/{plan.pk}/adopt/"
    assert f'<option value="{current.pk}">{current.code}' in page(client, url)
    adopted = client.post(
        url, {"once": form_key(client, url), "code": "P7", "version_of_1": str(current.pk)}
    )
    assert adopted.status_code == 302, adopted.content.decode()[:2000]
    assert Route.objects.filter(version_of=current, version=2).exists()
    # A route not offered is refused next to its bus.
    other = make_route_plan(school_a)
    url = f"/transport/plans/{other.pk}/adopt/"
    refused = client.post(url, {"once": form_key(client, url), "code": "P8", "version_of_1": "0"})
    assert refused.status_code == 400
    assert 'id="id_version_of_1_error"' in refused.content.decode()


def test_a_bad_plan_names_each_field(district_host: str, school_a: School) -> None:
    client = district_client(district_host)
    assert "school_latitude" in page(client, "/transport/plans/new/")
    good: dict[str, Any] = {
        "school": school_a.pk,
        "school_latitude": "26.5",
        "school_longitude": "106.7",
        "riders": "S1,26.6,106.7",
        "stops": "北村,26.6,106.7",
        "vehicles": [make_vehicle().pk],
        "latest_arrival": "07:50",
        "max_ride_min": "60",
        "max_walk_m": "1500",
    }
    for field, value in (
        ("riders", "S1,26.6,106.7\nS1,26.61,106.7"),
        ("riders", ",26.6,106.7"),
        ("stops", "北村,北,106.7"),
    ):
        with tasks_queued() as queued:
            refused = client.post("/transport/plans/new/", {**good, field: value})
        assert refused.status_code == 400
        assert f'id="id_{field}_error"' in refused.content.decode()
        assert queued == []
    assert not RoutePlan.objects.across_schools().exists()


# Field trips -------------------------------------------------------------------------------------


def _trip_form(day: datetime.date, **extra: Any) -> dict[str, Any]:
    return {
        "destination": "县科技馆",
        "purpose": "研学",
        "day": day.isoformat(),
        "leaves": "08:30",
        "back": "15:30",
        "pupils": "30",
        "escorts": "2",
        **extra,
    }


def test_the_school_asks_for_a_trip_too_soon_then_in_time(school_a: School) -> None:
    director = _school(school_a, Role.LOGISTICS_DIRECTOR)
    listed = page(director, "/field-trips/")
    assert "/field-trips/request/" in listed
    url = "/field-trips/request/"
    soon = timezone.localdate() + datetime.timedelta(days=2)
    refused = director.post(url, {"once": form_key(director, url), **_trip_form(soon)})
    assert refused.status_code == 400
    assert 'id="id_day_error"' in refused.content.decode()
    backwards = _trip_form(school_days_ahead(20), back="07:00")
    refused = director.post(url, {"once": form_key(director, url), **backwards})
    assert refused.status_code == 400
    assert not FieldTrip.objects.across_schools().exists()
    asked = director.post(
        url, {"once": form_key(director, url), **_trip_form(school_days_ahead(20))}
    )
    assert asked.status_code == 302 and asked["Location"] == "/field-trips/"
    trip = FieldTrip.objects.across_schools().get()
    assert trip.status == FieldTrip.Status.REQUESTED
    # The principal sees it waiting for them; the director does not decide it.
    principal = _school(school_a, Role.PRINCIPAL)
    assert f"/field-trips/{trip.pk}/decide/" in page(principal, "/field-trips/")
    assert f"/field-trips/{trip.pk}/decide/" not in page(director, "/field-trips/")


def test_the_principal_refuses_only_with_a_reason_and_endorses(school_a: School) -> None:
    principal = _school(school_a, Role.PRINCIPAL)
    trip = make_field_trip(school_a)
    url = f"/field-trips/{trip.pk}/decide/"
    assert trip.destination in page(principal, url)
    bare = principal.post(url, {"once": form_key(principal, url), "decision": "refuse"})
    assert bare.status_code == 400 and 'id="id_reason_error"' in bare.content.decode()
    endorsed = principal.post(url, {"once": form_key(principal, url), "decision": "approve"})
    assert endorsed.status_code == 302
    trip.refresh_from_db()
    assert trip.status == FieldTrip.Status.ENDORSED
    # No longer waiting for the principal: not found.
    assert principal.get(url).status_code == 404
    other = make_field_trip(school_a)
    url = f"/field-trips/{other.pk}/decide/"
    refused = principal.post(
        url, {"once": form_key(principal, url), "decision": "refuse", "reason": "与期中考试冲突"}
    )
    assert refused.status_code == 302
    other.refresh_from_db()
    assert (other.status, other.reason) == (FieldTrip.Status.REFUSED, "与期中考试冲突")


def test_the_district_approves_with_a_carriers_bus_or_refuses(
    district_host: str, school_a: School
) -> None:
    officer = district_client(district_host)
    trip = make_field_trip(school_a, status=FieldTrip.Status.ENDORSED)
    carrier = make_provider(kind=Provider.Kind.CARRIER)
    bus, driver = make_vehicle(carrier, rated_load=45), make_driver(carrier)
    own = make_vehicle(make_provider(kind=Provider.Kind.SCHOOL))
    listed = page(officer, "/transport/field-trips/")
    assert school_a.name in listed and f"/transport/field-trips/{trip.pk}/decide/" in listed
    url = f"/transport/field-trips/{trip.pk}/decide/"
    form = page(officer, url)
    assert bus.plate in form and own.plate not in form
    unnamed = officer.post(url, {"once": form_key(officer, url), "decision": "approve"})
    assert unnamed.status_code == 400 and 'id="id_vehicle_error"' in unnamed.content.decode()
    approved = officer.post(
        url,
        {
            "once": form_key(officer, url),
            "decision": "approve",
            "vehicle": bus.pk,
            "driver": driver.pk,
        },
    )
    assert approved.status_code == 302, approved.content.decode()[:2000]
    trip.refresh_from_db()
    assert (trip.status, trip.vehicle_id) == (FieldTrip.Status.APPROVED, bus.pk)
    other = make_field_trip(school_a, status=FieldTrip.Status.ENDORSED)
    url = f"/transport/field-trips/{other.pk}/decide/"
    refused = officer.post(
        url, {"once": form_key(officer, url), "decision": "refuse", "reason": "无可用车辆"}
    )
    assert refused.status_code == 302
    other.refresh_from_db()
    assert other.status == FieldTrip.Status.REFUSED
