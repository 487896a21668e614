"""School buses over the API: each refusal a 4xx in the one error shape naming its rule, and the
GPS devices' ingest opened by a device key alone."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from houqin.roles import Role
from shared_apps.transport import services
from shared_apps.transport.models import Alarm, Run, Vehicle
from tests.conftest import HostClient
from tests.factories import SETUP
from tests.matrix.transport import at, make_driver, make_licence, make_provider, today

pytestmark = pytest.mark.django_db
API = "/api/v1/transport"


@pytest.fixture
def officer(client_for: Callable[..., HostClient]) -> HostClient:
    return client_for(None, Role.TRANSPORT_OFFICER)


def test_a_rated_load_over_56_is_a_400_naming_the_field(officer: HostClient) -> None:
    response = officer.post(
        f"{API}/vehicles/",
        {
            "plate": "黔C00001",
            "provider": make_provider().pk,
            "kind": "primary",
            "rated_load": 60,
            "equipment": {"hammer": True},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "rated_load" in response.json()["error"]["fields"]
    assert not Vehicle.objects.filter(plate="黔C00001").exists()


def test_a_driver_aged_61_on_the_run_date_is_a_409_naming_the_rule(officer: HostClient) -> None:
    day = today() + datetime.timedelta(days=3)
    born = day.replace(year=day.year - 61) - datetime.timedelta(days=1)
    licence = make_licence(
        driver=make_driver(born_on=born, licensed_since=datetime.date(2000, 1, 1))
    )
    response = officer.post(
        f"{API}/runs/",
        {
            "licence": licence.pk,
            "starts_at": at(day, 7).isoformat(),
            "ends_at": at(day, 8).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "driver_age"
    assert "61" in error["message"]
    assert not Run.objects.filter(licence=licence).exists()
    qualification = officer.get(
        f"{API}/drivers/{licence.driver_id}/qualification/", {"on": str(day)}
    ).json()
    assert qualification.get("qualified") is False, qualification
    assert [f["code"] for f in qualification["failures"]] == ["driver_age"]


def test_a_vehicle_on_two_runs_is_a_409(officer: HostClient) -> None:
    licence = make_licence()
    day = today() + datetime.timedelta(days=4)
    body: dict[str, Any] = {
        "licence": licence.pk,
        "starts_at": at(day, 7).isoformat(),
        "ends_at": at(day, 8).isoformat(),
    }
    assert officer.post(f"{API}/runs/", body, format="json").status_code == 201
    body["starts_at"] = at(day, 7, 30).isoformat()
    response = officer.post(f"{API}/runs/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "vehicle_double_booked"


def test_a_device_sends_points_with_its_key_and_an_unknown_key_is_refused(
    client_for: Callable[..., HostClient],
) -> None:
    licence = make_licence()
    key = services.vehicle_device_key_issue(vehicle=licence.vehicle, actor=SETUP)
    device = client_for(None)
    now = timezone.now() - datetime.timedelta(minutes=5)
    batch = {
        "points": [
            {
                "recorded_at": (now + datetime.timedelta(seconds=10 * i)).isoformat(),
                "latitude": 26.5,
                "longitude": 106.7,
                "speed_kmh": speed,
                "highway": True,
            }
            for i, speed in enumerate([60, 85, 90, 70])
        ]
    }
    refused = device.post(f"{API}/telemetry/", batch, format="json", HTTP_X_DEVICE_KEY="nope")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "unknown_device"
    response = device.post(f"{API}/telemetry/", batch, format="json", HTTP_X_DEVICE_KEY=key)
    assert response.status_code == 201, response.json()
    assert response.json() == {"points": 4, "alarms": 1}
    assert Alarm.objects.get(vehicle=licence.vehicle).limit_kmh == 80
    bad = device.post(f"{API}/telemetry/", {"points": []}, format="json", HTTP_X_DEVICE_KEY=key)
    assert bad.status_code == 400
