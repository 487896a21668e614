"""School buses (district host only): the transport officer does everything, auditors read,
other roles nothing. Also the small fleet the transport tests build from: a provider in good
standing, a bus inspected last month, a qualified driver, a route of approved stops shared by
the given schools, a licence approved through every step, and runs on it."""

import datetime
import itertools
import secrets
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shared_apps.transport import services
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    Licence,
    Provider,
    Route,
    RoutePlan,
    Run,
    Vehicle,
)
from tenants.models import School
from tests.factories import SETUP, make_user
from tests.matrix import Built, Operations, R, Scene

READERS = frozenset({R.TRANSPORT_OFFICER, R.AUDITOR})
WRITERS = frozenset({R.TRANSPORT_OFFICER})

TRIPS = "/api/v1/transport/field-trips/"
# A school's field trips: its logistics director asks, its principal approves; district roles
# hold on a school's host too (the transport officer's `transport.*`, the auditor's reads).
TRIP_READERS = frozenset({R.LOGISTICS_DIRECTOR, R.PRINCIPAL, R.TRANSPORT_OFFICER, R.AUDITOR})
SCHOOL_OPERATIONS: Operations = {
    ("GET", TRIPS): TRIP_READERS,
    ("POST", TRIPS): frozenset({R.LOGISTICS_DIRECTOR, R.TRANSPORT_OFFICER}),
    ("GET", TRIPS + "{id}/"): TRIP_READERS,
    ("POST", TRIPS + "{id}/endorse/"): frozenset({R.PRINCIPAL, R.TRANSPORT_OFFICER}),
    ("POST", TRIPS + "{id}/refuse/"): frozenset({R.PRINCIPAL, R.TRANSPORT_OFFICER}),
}
DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/transport/providers/"): READERS,
    ("POST", "/api/v1/transport/providers/"): WRITERS,
    ("GET", "/api/v1/transport/providers/{id}/"): READERS,
    ("PATCH", "/api/v1/transport/providers/{id}/"): WRITERS,
    ("GET", "/api/v1/transport/vehicles/"): READERS,
    ("POST", "/api/v1/transport/vehicles/"): WRITERS,
    ("GET", "/api/v1/transport/vehicles/{id}/"): READERS,
    ("POST", "/api/v1/transport/vehicles/{id}/inspections/"): WRITERS,
    ("POST", "/api/v1/transport/vehicles/{id}/equipment/"): WRITERS,
    ("POST", "/api/v1/transport/vehicles/{id}/device-key/"): WRITERS,
    ("GET", "/api/v1/transport/drivers/"): READERS,
    ("POST", "/api/v1/transport/drivers/"): WRITERS,
    ("GET", "/api/v1/transport/drivers/{id}/"): READERS,
    ("POST", "/api/v1/transport/drivers/{id}/offences/"): WRITERS,
    ("GET", "/api/v1/transport/drivers/{id}/qualification/"): READERS,
    ("GET", "/api/v1/transport/routes/"): READERS,
    ("POST", "/api/v1/transport/routes/"): WRITERS,
    ("GET", "/api/v1/transport/routes/{id}/"): READERS,
    ("POST", "/api/v1/transport/routes/{id}/hazards/"): WRITERS,
    ("POST", "/api/v1/transport/routes/{id}/stops/{stop_id}/approve/"): WRITERS,
    ("POST", "/api/v1/transport/routes/{id}/version/"): WRITERS,
    ("GET", "/api/v1/transport/licences/"): READERS,
    ("POST", "/api/v1/transport/licences/"): WRITERS,
    ("GET", "/api/v1/transport/licences/{id}/"): READERS,
    ("POST", "/api/v1/transport/licences/{id}/advance/"): WRITERS,
    ("POST", "/api/v1/transport/licences/{id}/runs/"): WRITERS,
    ("GET", "/api/v1/transport/runs/"): READERS,
    ("POST", "/api/v1/transport/runs/"): WRITERS,
    ("GET", "/api/v1/transport/runs/{id}/"): READERS,
    ("POST", "/api/v1/transport/runs/{id}/cancel/"): WRITERS,
    ("GET", "/api/v1/transport/alarms/"): READERS,
    ("GET", "/api/v1/transport/alarms/{id}/"): READERS,
    ("GET", "/api/v1/transport/reports/"): READERS,
    ("GET", TRIPS): READERS,
    ("GET", TRIPS + "{id}/"): READERS,
    ("POST", TRIPS + "{id}/approve/"): WRITERS,
    ("POST", TRIPS + "{id}/refuse/"): WRITERS,
}

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


def make_version(route: Route, *, weekdays: str = "12345", **changes: Any) -> Route:
    """A new version of `route` keeping its stops, ten minutes later."""
    later = datetime.timedelta(minutes=10)
    kept = [
        services.VersionStop(stop, (datetime.datetime.combine(today(), stop.at) + later).time())
        for stop in route.stops.all()
    ]
    return services.route_version_add(
        route=route, stops=kept, weekdays=weekdays, actor=SETUP, **changes
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


def make_alarm() -> Alarm:
    now = timezone.now()
    return Alarm.objects.create(
        vehicle=make_vehicle(),
        kind=Alarm.Kind.SPEEDING,
        at=now,
        last_at=now,
        speed_kmh=Decimal("72.0"),
        limit_kmh=60,
        latitude=Decimal("26.5"),
        longitude=Decimal("106.7"),
    )


def _collection(path: str) -> str:
    return path.split("/")[4]


def _row(collection: str) -> Any:
    made: dict[str, Callable[[], Any]] = {
        "providers": make_provider,
        "vehicles": make_vehicle,
        "drivers": make_driver,
        "routes": make_route,
        "alarms": make_alarm,
    }
    if collection in made:
        return made[collection]()
    if collection == "licences":
        vehicle = make_vehicle()
        return services.licence_submit(
            number=f"L{_tag()}",
            vehicle=vehicle,
            driver=make_driver(),
            route=make_route(),
            issuer="县教育局",
            valid_from=today(),
            valid_until=today() + datetime.timedelta(days=30),
            actor=SETUP,
        )
    return make_run(make_licence(), day=today() + datetime.timedelta(days=2 + _next_day()))


_days = itertools.count()


def _next_day() -> int:
    return next(_days) % 60


def _create_body(collection: str) -> dict[str, Any]:
    if collection == "providers":
        return {
            "name": f"承运人 {_tag()}",
            "kind": "school",
            "insurer": "人保",
            "insurance_expires": str(today() + datetime.timedelta(days=300)),
        }
    if collection == "vehicles":
        return {
            "plate": f"黔B{_tag()}",
            "provider": make_provider().pk,
            "kind": "primary",
            "rated_load": 35,
            "equipment": {"hammer": True, "extinguisher": True},
        }
    if collection == "drivers":
        return {
            "provider": make_provider().pk,
            "name": "李师傅",
            "licence_number": f"DL{_tag()}",
            "licence_class": "A1",
            "born_on": "1980-05-01",
            "licensed_since": "2005-05-01",
        }
    if collection == "routes":
        return {
            "code": f"R{_tag()}",
            "name": "城关—河东",
            "period": "afternoon",
            "schools": [],
            "stops": [
                {"name": "学校", "latitude": "26.5", "longitude": "106.7", "at": "16:30"},
                {"name": "河东村", "latitude": "26.52", "longitude": "106.71", "at": "16:55"},
            ],
        }
    if collection == "licences":
        vehicle = make_vehicle()
        return {
            "number": f"L{_tag()}",
            "vehicle": vehicle.pk,
            "driver": make_driver().pk,
            "route": make_route().pk,
            "issuer": "县教育局",
            "valid_from": str(today()),
            "valid_until": str(today() + datetime.timedelta(days=60)),
        }
    licence = make_licence()
    day = today() + datetime.timedelta(days=2 + _next_day())
    return {
        "licence": licence.pk,
        "starts_at": at(day, 16).isoformat(),
        "ends_at": at(day, 17).isoformat(),
        "escorts": 1,
    }


_ACTION_BODIES: dict[str, dict[str, Any]] = {
    "inspections": {"inspected_on": "2026-11-01", "passed": True},
    "equipment": {"hammer": True, "extinguisher": True, "first_aid_kit": True},
    "device-key": {},
    "offences": {"kind": "speeding", "occurred_on": "2026-06-01", "points": 3},
    "hazards": {
        "kind": "water",
        "latitude": "26.51",
        "longitude": "106.70",
        "radius_m": 150,
        "mitigation": "设护栏，限速20",
    },
    "advance": {"step": "forward"},
    "cancel": {},
    "approve": {},
    "version": {"weekdays": "135", "valid_from": "2026-09-01", "valid_until": "2027-01-20"},
    "runs": {
        "start": str(today() + datetime.timedelta(days=1)),
        "end": str(today() + datetime.timedelta(days=7)),
        "leaves": "06:10",
        "arrives": "06:50",
    },
}


def _build_field_trip(scene: Scene, method: str, path: str) -> Built:
    school = scene.school or School.objects.order_by("code").first()
    assert school is not None
    if path == TRIPS:
        day = school_days_ahead(20 + _next_day())
        body = {
            "destination": "县科技馆",
            "starts_at": at(day, 8).isoformat(),
            "ends_at": at(day, 15).isoformat(),
            "pupils": 30,
            "escorts": 2,
        }
        return {}, (body if method == "POST" else None)
    waiting = FieldTrip.Status.REQUESTED if scene.school else FieldTrip.Status.ENDORSED
    trip = make_field_trip(school, status=waiting)
    params = {"id": trip.pk}
    if path.endswith("/approve/"):
        provider = make_provider(kind=Provider.Kind.CARRIER)
        body = {
            "vehicle": make_vehicle(provider, rated_load=45).pk,
            "driver": make_driver(provider).pk,
        }
        return params, body
    if path.endswith("/refuse/"):
        return params, {"reason": "当天期中考试"}
    return params, ({} if method == "POST" else None)


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    collection = _collection(path)
    if collection == "field-trips":
        return _build_field_trip(scene, method, path)
    if "{id}" not in path:
        return {}, (_create_body(collection) if method == "POST" else None)
    row: Any = make_licence() if path.endswith("/runs/") else _row(collection)
    params: dict[str, Any] = {"id": row.pk}
    if "{stop_id}" in path:
        params["stop_id"] = row.stops.first().pk
    if method == "PATCH":
        return params, {
            "licence_number": "JY-002",
            "licence_expires": str(today() + datetime.timedelta(days=400)),
            "insurer": "平安",
            "insurance_expires": str(today() + datetime.timedelta(days=400)),
        }
    if method == "POST":
        return params, _ACTION_BODIES[path.rstrip("/").split("/")[-1]]
    return params, None


def school_days_ahead(days: int) -> datetime.date:
    """The weekday with `days` weekdays strictly between today and it (a school with no term
    recorded counts every weekday that is no holiday)."""
    day, found = today(), -1
    while found < days:
        day += datetime.timedelta(days=1)
        found += day.isoweekday() <= 5
    return day


def make_field_trip(
    school: School,
    *,
    status: str = FieldTrip.Status.REQUESTED,
    day: datetime.date | None = None,
    pupils: int = 30,
) -> FieldTrip:
    """A field trip of `school` twenty school days ahead, taken as far as `status`."""
    day = day or school_days_ahead(20 + _next_day())
    trip = services.field_trip_request(
        school=school,
        destination=f"县博物馆 {_tag()}",
        purpose="研学",
        starts_at=at(day, 8),
        ends_at=at(day, 16),
        pupils=pupils,
        escorts=2,
        actor=make_user(),
    )
    if status in (FieldTrip.Status.ENDORSED, FieldTrip.Status.APPROVED):
        trip = services.field_trip_endorse(trip=trip, actor=make_user())
    if status == FieldTrip.Status.APPROVED:
        provider = make_provider(kind=Provider.Kind.CARRIER)
        trip = services.field_trip_approve(
            trip=trip,
            vehicle=make_vehicle(provider, rated_load=45),
            driver=make_driver(provider),
            actor=make_user(),
        )
    if status == FieldTrip.Status.REFUSED:
        trip = services.field_trip_refuse(
            trip=trip, at=FieldTrip.Status.REQUESTED, reason="时间冲突", actor=make_user()
        )
    return trip


def make_route_plan(school: School, *, solved: bool = True) -> RoutePlan:
    """A plan for `school`: twelve riders around two candidate stops, two buses; solved unless
    asked otherwise."""
    north, south = (26.60, 106.70), (26.55, 106.72)
    riders = [
        (f"S{n:03}", base[0] + n * 0.0004, base[1])
        for n, base in enumerate([north] * 6 + [south] * 6)
    ]
    day = today() + datetime.timedelta(days=1)
    plan = services.route_plan_request(
        school=school,
        given=services.PlanInput(
            school_at=(26.50, 106.70),
            riders=riders,
            stops=[("北村", *north), ("南村", *south)],
            vehicles=[make_vehicle(rated_load=10), make_vehicle(rated_load=10)],
            latest_arrival=at(day, 7, 50),
        ),
        actor=make_user(),
    )
    if solved:
        plan = services.route_plan_solve(plan=plan, actor=services.PLANNER)
    return plan
