"""School buses (district host only): the transport officer does everything, auditors read,
other roles nothing. Also the small fleet the transport tests build from: a provider in good
standing, a bus inspected last month, a qualified driver, a route of approved stops shared by
the given schools, a licence approved through every step, and runs on it."""

import datetime
import itertools
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shared_apps.transport import services
from shared_apps.transport.models import Driver, Licence, Provider, Route, Run, Vehicle
from tenants.models import School
from tests.factories import SETUP
from tests.matrix import Built, Operations, R, Scene

READERS = frozenset({R.TRANSPORT_OFFICER, R.AUDITOR})
WRITERS = frozenset({R.TRANSPORT_OFFICER})

SCHOOL_OPERATIONS: Operations = {}
DISTRICT_OPERATIONS: Operations = {}

FULL_KIT = services.Equipment(hammer=True, extinguisher=True, first_aid_kit=True, gps_recorder=True)
_seq = itertools.count()


def _tag() -> str:
    return f"{next(_seq)}{secrets.token_hex(3)}"


def today() -> datetime.date:
    return timezone.localdate()


def make_provider(**changes: Any) -> Provider:
    fields: dict[str, Any] = {
        "name": f"县校车公司 {_tag()}",
        "kind": Provider.Kind.COUNTY_OPERATOR,
        "licence_number": "JY-001",
        "licence_expires": today() + datetime.timedelta(days=365),
        "insurer": "人保",
        "insurance_expires": today() + datetime.timedelta(days=365),
    }
    return services.provider_create(**{**fields, **changes}, actor=SETUP)


def make_vehicle(
    provider: Provider | None = None,
    *,
    rated_load: int = 19,
    inspected: bool = True,
    equipment: services.Equipment = FULL_KIT,
) -> Vehicle:
    vehicle = services.vehicle_create(
        plate=f"黔A{_tag()}",
        provider=provider or make_provider(),
        kind=Vehicle.Kind.PRIMARY,
        rated_load=rated_load,
        equipment=equipment,
        actor=SETUP,
    )
    if inspected:
        services.inspection_record(
            vehicle=vehicle,
            inspected_on=today() - datetime.timedelta(days=30),
            passed=True,
            actor=SETUP,
        )
        vehicle.refresh_from_db()
    return vehicle


def make_driver(provider: Provider | None = None, **changes: Any) -> Driver:
    later = today() + datetime.timedelta(days=365)
    fields: dict[str, Any] = {
        "provider": provider or make_provider(),
        "name": "王师傅",
        "licence_number": f"DL{_tag()}",
        "licence_class": "A1",
        "born_on": today().replace(year=today().year - 45),
        "licensed_since": today().replace(year=today().year - 15),
        "health_valid_until": later,
        "endorsement_valid_until": later,
        "review_valid_until": later,
    }
    return services.driver_create(**{**fields, **changes}, actor=SETUP)


def make_route(schools: Sequence[School] = (), *, approved: bool = True) -> Route:
    return services.route_create(
        code=f"R{_tag()}",
        name="城关—河西",
        period=Route.Period.MORNING,
        schools=schools,
        stops=[
            services.StopInput(
                name=f"站 {i}",
                latitude=Decimal("26.5") + Decimal(i) / 100,
                longitude=Decimal("106.7"),
                at=datetime.time(7, 10 * i),
                approved=approved,
            )
            for i in range(1, 4)
        ],
        actor=SETUP,
    )


def approve(licence: Licence) -> Licence:
    for step in ("forward", "answer", "approve"):
        licence = services.licence_advance(licence=licence, step=step, actor=SETUP)
    return licence


def make_licence(
    vehicle: Vehicle | None = None,
    driver: Driver | None = None,
    route: Route | None = None,
    *,
    schools: Sequence[School] = (),
) -> Licence:
    provider = make_provider()
    vehicle = vehicle or make_vehicle(provider)
    licence = services.licence_submit(
        number=f"L{_tag()}",
        vehicle=vehicle,
        driver=driver or make_driver(provider),
        route=route or make_route(schools),
        issuer="县教育局",
        valid_from=today() - datetime.timedelta(days=1),
        valid_until=vehicle.inspection_valid_until or today(),
        actor=SETUP,
    )
    return approve(licence)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_run(licence: Licence, *, day: datetime.date | None = None, escorts: int = 1) -> Run:
    day = day or today() + datetime.timedelta(days=1)
    return services.run_schedule(
        licence=licence,
        starts_at=at(day, 7),
        ends_at=at(day, 8),
        escorts=escorts,
        actor=SETUP,
    )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    raise AssertionError(f"no operation {method} {path} is declared here")
