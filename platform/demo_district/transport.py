"""The demo's school buses: a county operator's fleet, their drivers, two morning routes of
approved stops shared by the primary and the nine-year school (each with a hazard segment),
licences approved through every step, the first route's second version from next month
awaiting its licence, today's runs with pupils of both schools seated (as each
school's riders), and one case of each alarm its GPS rules raise: a bus speeding past a hazard
today; yesterday, the first bus off its route and standing away from any approved stop, and the
small bus overloaded (re-rated at its inspection after its seats were taken) and driven by
another than its licence's driver, nothing filed."""

import datetime
from decimal import Decimal

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.users import acting_as, demo_user
from houqin.months import add_months
from shared_apps.accounts.models import User
from shared_apps.transport import services, telemetry
from shared_apps.transport.models import Driver, Licence, Provider, Route, Run, Vehicle
from tenant_apps.people.models import Student
from tenant_apps.riders.services import rider_assign
from tenants.models import School

SHARING = ("3101010001", "3101010003")
KIT = services.Equipment(hammer=True, extinguisher=True, first_aid_kit=True, gps_recorder=True)
# plate, kind, rated load, driver, licence number, year born, licensed since
FLEET = (
    ("黔A·X0101", "primary", 41, "张建国", "520101197502031234", 1975, 2002),
    ("黔A·X0102", "primary", 35, "李卫东", "520101198008152345", 1980, 2006),
)
# The small bus of yesterday's afternoon run on the second route (its alarms), and its driver.
SMALL = ("黔A·X0103", "primary", 8, "王志强", "520101197811203456", 1978, 2004)
ROUTES = (
    (
        "XC-01",
        "城关—青山（早）",
        [
            ("青山镇中心街", "26.5800", "106.7100", 6, 50),
            ("河湾村", "26.5650", "106.7050", 7, 2),
            ("人民路口", "26.5520", "106.7000", 7, 15),
            ("城关第一实验小学", "26.5480", "106.6980", 7, 25),
        ],
        ("cliff", "26.5700", "106.7080", "临崖路段设护栏，限速20"),
    ),
    (
        "XC-02",
        "红星—城关（早）",
        [
            ("红星乡政府", "26.6100", "106.7300", 6, 45),
            ("学府路", "26.5900", "106.7200", 7, 0),
            ("青山九年一贯制学校", "26.5790", "106.7110", 7, 10),
            ("城关第一实验小学", "26.5480", "106.6980", 7, 30),
        ],
        ("sharp_bend", "26.6000", "106.7250", "急弯处鸣笛减速"),
    ),
)


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed_transport(*, today: datetime.date) -> None:
    if Provider.objects.exists():
        return
    officer = demo_user("transport_officer")
    schools = list(School.objects.filter(code__in=SHARING).order_by("code"))
    with acting_as(officer):
        provider = services.provider_create(
            name="县校车服务有限公司",
            kind=Provider.Kind.COUNTY_OPERATOR,
            licence_number="黔交运管许可字520101000123",
            licence_expires=add_months(today, 18),
            insurer="中国人民财产保险",
            insurance_expires=add_months(today, 8),
            actor=officer,
        )
        licences = []
        for bus, (code, title, stops, hazard) in zip(FLEET, ROUTES, strict=True):
            vehicle, driver = _bus(provider, bus, today, officer)
            route = services.route_create(
                code=code,
                name=title,
                period=Route.Period.MORNING,
                schools=schools,
                stops=[
                    services.StopInput(
                        name=stop,
                        latitude=Decimal(lat),
                        longitude=Decimal(lon),
                        at=datetime.time(hour, minute),
                        approved=True,
                    )
                    for stop, lat, lon, hour, minute in stops
                ],
                actor=officer,
            )
            kind_, lat, lon, mitigation = hazard
            services.hazard_add(
                route=route,
                kind=kind_,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                radius_m=300,
                mitigation=mitigation,
                actor=officer,
            )
            licences.append(_licence(f"XCBP-{code}", vehicle, driver, route, today, officer))
        _next_version(licences[0].route, today, officer)
        runs = [
            services.run_schedule(
                licence=licence,
                starts_at=_at(today, 6, 40 + 5 * n),
                ends_at=_at(today, 7, 40),
                escorts=1,
                actor=officer,
            )
            for n, licence in enumerate(licences)
        ]
        small = _bus(provider, SMALL, today, officer)
        yesterday = today - datetime.timedelta(days=1)
        route = licences[1].route
        gone = [
            services.run_schedule(
                licence=licences[0],
                starts_at=_at(yesterday, 6, 40),
                ends_at=_at(yesterday, 7, 40),
                actor=officer,
            ),
            services.run_schedule(
                licence=_licence("XCBP-XC-02-S", *small, route, today, officer),
                starts_at=_at(yesterday, 16, 30),
                ends_at=_at(yesterday, 17, 20),
                actor=officer,
            ),
        ]
    for n, school in enumerate(schools):
        director = demo_user("logistics_director", school.code)
        with tenant_context(school), acting_as(director):
            pupils = list(Student.objects.order_by("pk")[: 6 + 3 * n])
            for run in runs:
                stop = run.route.stops.order_by("order")[n]
                for pupil in pupils:
                    rider_assign(student=pupil, run=run, stop=stop, actor=director)
            # Three of each school on the small bus's six seats for pupils.
            for pupil in pupils[:3]:
                rider_assign(student=pupil, run=gone[1], stop=None, actor=director)
    _speeding(runs[0])
    _astray(gone[0])
    _overloaded_and_swapped(gone[1], licences[0].driver)


def _next_version(route: Route, today: datetime.date, officer: User) -> Route:
    """The route's second version from the first of next month, every stop five minutes later
    (the first stop's village asked for it): a changed timetable, awaiting its licence, the first
    version running meanwhile."""
    return services.route_version_add(
        route=route,
        stops=[
            services.VersionStop(
                stop,
                (datetime.datetime.combine(today, stop.at) + datetime.timedelta(minutes=5)).time(),
            )
            for stop in route.stops.order_by("order")
        ],
        weekdays=route.weekdays,
        valid_from=add_months(today.replace(day=1), 1),
        actor=officer,
    )


def _bus(
    provider: Provider,
    bus: tuple[str, str, int, str, str, int, int],
    today: datetime.date,
    officer: User,
) -> tuple[Vehicle, Driver]:
    """A bus of `provider` inspected two months ago, with its qualified driver."""
    plate, kind, load, name, number, born, since = bus
    vehicle = services.vehicle_create(
        plate=plate, provider=provider, kind=kind, rated_load=load, equipment=KIT, actor=officer
    )
    services.inspection_record(
        vehicle=vehicle,
        inspected_on=add_months(today, -2),
        passed=True,
        record="制动、转向、灯光、轮胎合格",
        actor=officer,
    )
    vehicle.refresh_from_db()
    driver = services.driver_create(
        provider=provider,
        name=name,
        licence_number=number,
        licence_class="A1",
        born_on=datetime.date(born, 3, 1),
        licensed_since=datetime.date(since, 6, 1),
        health_valid_until=add_months(today, 10),
        endorsement_valid_until=add_months(today, 20),
        review_valid_until=add_months(today, 1),
        actor=officer,
    )
    return vehicle, driver


def _licence(
    number: str, vehicle: Vehicle, driver: Driver, route: Route, today: datetime.date, officer: User
) -> Licence:
    """The bus licence (校车标牌) of `vehicle`, `driver` and `route`, approved in every step."""
    licence = services.licence_submit(
        number=number,
        vehicle=vehicle,
        driver=driver,
        route=route,
        issuer="县人民政府",
        valid_from=add_months(today, -1),
        valid_until=vehicle.inspection_valid_until or today,
        actor=officer,
    )
    for step in ("forward", "answer", "approve"):
        licence = services.licence_advance(licence=licence, step=step, actor=officer)
    return licence


def _points(run: Run, start: datetime.datetime, where: list[tuple[float, float, float]]) -> None:
    """The run's bus sends `where` (latitude, longitude, speed), one point every 10 seconds."""
    telemetry.points_ingest(
        vehicle=run.vehicle,
        points=[
            telemetry.PointInput(
                recorded_at=start + datetime.timedelta(seconds=10 * i),
                latitude=lat,
                longitude=lon,
                speed_kmh=speed,
            )
            for i, (lat, lon, speed) in enumerate(where)
        ],
        actor=telemetry.DEVICES,
    )


def _astray(run: Run) -> None:
    """Yesterday the first bus went 2 km east of its route (off route), then stood three minutes
    on the road between two stops, away from any approved one (an unapproved stop)."""
    first, second, third = run.route.stops.order_by("order")[:3]
    start: datetime.datetime = run.period.lower + datetime.timedelta(minutes=5)
    east = float(first.longitude) + 0.02
    _points(run, start, [(float(first.latitude), east, 40.0)] * 2)
    between = (
        float(second.latitude + third.latitude) / 2,
        float(second.longitude + third.longitude) / 2,
        0.0,
    )
    _points(run, start + datetime.timedelta(minutes=5), [between] * 19)


def _overloaded_and_swapped(run: Run, stand_in: Driver) -> None:
    """Yesterday afternoon the small bus ran re-rated at its inspection to 6 seats after its
    six pupils' seats were taken (4 are left for pupils: overloaded), and another driver than
    its licence's drove it, no substitution filed (a driver swap). Neither goes through a
    service, which would refuse both: the alarms are there for what happens on the road."""
    Vehicle.objects.filter(pk=run.vehicle_id).update(rated_load=6)
    Run.objects.filter(pk=run.pk).update(driver=stand_in)
    stop = run.route.stops.order_by("order").first()
    assert stop is not None
    start: datetime.datetime = run.period.lower + datetime.timedelta(minutes=5)
    _points(run, start, [(float(stop.latitude), float(stop.longitude), 15.0)] * 3)


def _speeding(run: Run) -> None:
    """The first bus speeds past its hazard: one alarm (limit 20 on the run; if the run is still
    to come when the demo is seeded, the points are half an hour ago, off the run: limit 60)."""
    hazard = run.route.hazards.get()
    period: DateTimeTZRange = run.period
    start = min(
        period.lower + datetime.timedelta(minutes=10),
        timezone.now() - datetime.timedelta(minutes=30),
    )
    place = (float(hazard.latitude), float(hazard.longitude))
    _points(run, start, [(*place, speed) for speed in (18.0, 72.0, 65.0, 15.0)])
