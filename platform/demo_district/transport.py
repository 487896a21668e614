"""The demo's school buses: a county operator's fleet and the primary school's own bus, their
drivers, two morning routes of approved stops shared by the primary and the nine-year school
(each with a hazard segment), licences approved through every step, today's runs with pupils of
both schools seated (as each school's riders), and one bus speeding past a hazard (its alarm)."""

import datetime
from decimal import Decimal

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.users import acting_as, demo_user
from houqin.months import add_months
from shared_apps.transport import services, telemetry
from shared_apps.transport.models import Provider, Route, Run
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
        for (plate, kind, load, name, number, born, since), (code, title, stops, hazard) in zip(
            FLEET, ROUTES, strict=True
        ):
            vehicle = services.vehicle_create(
                plate=plate,
                provider=provider,
                kind=kind,
                rated_load=load,
                equipment=KIT,
                actor=officer,
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
            licence = services.licence_submit(
                number=f"XCBP-{code}",
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
            licences.append(licence)
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
    for n, school in enumerate(schools):
        director = demo_user("logistics_director", school.code)
        with tenant_context(school), acting_as(director):
            pupils = list(Student.objects.order_by("pk")[: 6 + 3 * n])
            for run in runs:
                stop = run.route.stops.order_by("order")[n]
                for pupil in pupils:
                    rider_assign(student=pupil, run=run, stop=stop, actor=director)
    _speeding(runs[0])


def _speeding(run: Run) -> None:
    """The first bus speeds past its hazard: one alarm (limit 20 on the run; if the run is still
    to come when the demo is seeded, the points are half an hour ago, off the run: limit 60)."""
    hazard = run.route.hazards.get()
    period: DateTimeTZRange = run.period
    start = min(
        period.lower + datetime.timedelta(minutes=10),
        timezone.now() - datetime.timedelta(minutes=30),
    )
    telemetry.points_ingest(
        vehicle=run.vehicle,
        points=[
            telemetry.PointInput(
                recorded_at=start + datetime.timedelta(seconds=10 * i),
                latitude=float(hazard.latitude),
                longitude=float(hazard.longitude),
                speed_kmh=speed,
            )
            for i, speed in enumerate((18.0, 72.0, 65.0, 15.0))
        ],
        actor=telemetry.DEVICES,
    )
