"""The transport officer's pages, on the district host: the officer reads and acts; auditors
read; nobody else finds them."""

import datetime
from typing import Any

from django.test import Client

from shared_apps.transport import services
from shared_apps.transport.models import FieldTrip, Licence
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix import R, Scene
from tests.matrix.transport import (
    READERS,
    TRIP_READERS,
    WRITERS,
    make_driver,
    make_field_trip,
    make_provider,
    make_route,
    make_route_plan,
    make_vehicle,
    today,
)
from tests.pages import Declared, Pages
from tests.web import signed_in


def district_client(district_host: str, role: R = R.TRANSPORT_OFFICER) -> Client:
    """A browser on the district host signed in with a new account holding `role`."""
    return signed_in(district_host, user_with_role(role, None))


def submitted_licence() -> Licence:
    """A licence the bureau has yet to forward."""
    provider = make_provider()
    vehicle = make_vehicle(provider)
    return services.licence_submit(
        number=f"L-{vehicle.plate}",
        vehicle=vehicle,
        driver=make_driver(provider),
        route=make_route(),
        issuer="县教育局",
        valid_from=today(),
        valid_until=vehicle.inspection_valid_until or today() + datetime.timedelta(days=90),
        actor=SETUP,
    )


def _submitted(scene: Scene) -> dict[str, Any]:
    return {"pk": submitted_licence().pk}


def _requested(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": make_field_trip(scene.school).pk}


def _endorsed(scene: Scene) -> dict[str, Any]:
    school = School.objects.order_by("code").first()
    assert school is not None
    return {"pk": make_field_trip(school, status=FieldTrip.Status.ENDORSED).pk}


def _route(scene: Scene) -> dict[str, Any]:
    return {"pk": make_route().pk}


def _plan(scene: Scene) -> dict[str, Any]:
    school = School.objects.order_by("code").first()
    assert school is not None
    return {"pk": make_route_plan(school).pk}


SCHOOL_PAGES: Pages = {
    "field_trips:list": Declared(TRIP_READERS),
    "field_trips:request": Declared(frozenset({R.LOGISTICS_DIRECTOR, R.TRANSPORT_OFFICER})),
    "field_trips:decide": Declared(frozenset({R.PRINCIPAL, R.TRANSPORT_OFFICER}), _requested),
}

DISTRICT_PAGES: Pages = {
    "transport:fleet": Declared(READERS),
    "transport:drivers": Declared(READERS),
    "transport:licences": Declared(READERS),
    "transport:licence-advance": Declared(WRITERS, _submitted),
    "transport:routes": Declared(READERS),
    "transport:route": Declared(READERS, _route),
    "transport:route-version-new": Declared(WRITERS, _route),
    "transport:runs": Declared(READERS),
    "transport:alarms": Declared(READERS),
    "transport:reports": Declared(READERS),
    "transport:plans": Declared(READERS),
    "transport:plan-new": Declared(WRITERS),
    "transport:plan": Declared(READERS, _plan),
    "transport:plan-adopt": Declared(WRITERS, _plan),
    "transport:field-trips": Declared(READERS),
    "transport:field-trip-decide": Declared(WRITERS, _endorsed),
}
