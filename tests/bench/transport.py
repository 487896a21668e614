"""The telemetry benchmark: a fleet of buses, each on a run over the morning with a hazard
segment on its route, sending one GPS point every 10 s in batches of 30 (five minutes), through
the ingest service (one multi-row insert per batch, the speed limits checked as the points
arrive), against a naive baseline that inserts and checks each point on its own, in the same
run. Points per second for both."""

import datetime
import time
from decimal import Decimal

from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from houqin.door import SystemActor
from shared_apps.transport import services, telemetry
from shared_apps.transport.models import (
    Alarm,
    Driver,
    HazardSegment,
    Licence,
    Provider,
    Route,
    Run,
    Vehicle,
)

BENCH = SystemActor("bench.transport")
KIT = services.Equipment(hammer=True, extinguisher=True, first_aid_kit=True, gps_recorder=True)
BATCH = 30
DAY = datetime.date(2026, 9, 1)


def build_fleet(buses: int) -> list[Vehicle]:
    """`buses` vehicles, each licensed on a route of its own with a hazard, one run each
    (07:00-10:00 on DAY), and that day's partition."""
    provider = services.provider_create(
        name="压测承运人",
        kind=Provider.Kind.SCHOOL,
        insurer="人保",
        insurance_expires=DAY + datetime.timedelta(days=365),
        actor=BENCH,
    )
    telemetry.partitions_ensure(days=1, start=DAY, actor=BENCH)
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(
            plate=f"压{n:05d}",
            provider=provider,
            kind=Vehicle.Kind.PRIMARY,
            rated_load=40,
            inspection_valid_until=DAY + datetime.timedelta(days=90),
            has_hammer=True,
            has_extinguisher=True,
            has_first_aid_kit=True,
            has_gps_recorder=True,
        )
        for n in range(buses)
    )
    routes = Route.objects.bulk_create(
        Route(code=f"压{n:05d}", name="压测线路", period=Route.Period.MORNING) for n in range(buses)
    )
    HazardSegment.objects.bulk_create(
        HazardSegment(
            route=route,
            kind=HazardSegment.Kind.SHARP_BEND,
            latitude=Decimal("26.55"),
            longitude=Decimal("106.70"),
            radius_m=300,
            mitigation="减速慢行",
        )
        for route in routes
    )
    start = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(7)))
    drivers = Driver.objects.bulk_create(
        Driver(
            provider=provider,
            name="压测",
            licence_number=f"压{n:05d}",
            licence_class="A1",
            born_on=datetime.date(1980, 1, 1),
            licensed_since=datetime.date(2005, 1, 1),
        )
        for n in range(buses)
    )
    licences = Licence.objects.bulk_create(
        Licence(
            number=f"压{n:05d}",
            vehicle=vehicle,
            driver=driver,
            route=route,
            issuer="压测",
            valid_from=DAY,
            valid_until=DAY + datetime.timedelta(days=30),
            status=Licence.Status.APPROVED,
            decided_at=start,
        )
        for n, (vehicle, driver, route) in enumerate(zip(vehicles, drivers, routes, strict=True))
    )
    Run.objects.bulk_create(
        Run(
            licence=licence,
            vehicle=licence.vehicle,
            driver=licence.driver,
            route=licence.route,
            period=DateTimeTZRange(start, start + datetime.timedelta(hours=3)),
            capacity=38,
        )
        for licence in licences
    )
    return vehicles


def batches(vehicle: Vehicle, points: int) -> list[list[telemetry.PointInput]]:
    """A bus's morning: a point every 10 s, passing the hazard now and then, speeding a little."""
    start = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(7)))
    made = [
        telemetry.PointInput(
            recorded_at=start + datetime.timedelta(seconds=10 * i),
            latitude=26.50 + (i % 120) / 1200,
            longitude=106.70,
            speed_kmh=float(15 + (i * 7 + vehicle.pk) % 60),
            highway=i % 200 > 150,
        )
        for i in range(points)
    ]
    return [made[i : i + BATCH] for i in range(0, points, BATCH)]


def ingest(vehicles: list[Vehicle], points: int) -> tuple[float, int, int]:
    """Seconds to ingest `points` per vehicle through the service, points and alarms made."""
    work = [(vehicle, batch) for vehicle in vehicles for batch in batches(vehicle, points)]
    alarms = 0
    began = time.perf_counter()
    for vehicle, batch in work:
        alarms += telemetry.points_ingest(vehicle=vehicle, points=batch, actor=BENCH).alarms
    return time.perf_counter() - began, sum(len(b) for _v, b in work), alarms


def naive(vehicles: list[Vehicle], points: int) -> tuple[float, int]:
    """The same points one by one: each point's run and hazards read, an INSERT, an alarm row
    when over the limit, one transaction per point."""
    work = [point for vehicle in vehicles for batch in batches(vehicle, points) for point in batch]
    owners = [vehicle for vehicle in vehicles for _p in range(points)]
    began = time.perf_counter()
    for vehicle, point in zip(owners, work, strict=True):
        with transaction.atomic():
            hazards = [
                (float(h.latitude), float(h.longitude), float(h.radius_m))
                for h in HazardSegment.objects.filter(
                    route__runs__vehicle=vehicle, route__runs__period__contains=point.recorded_at
                )
            ]
            limit = telemetry.limit_at(point, hazards)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO transport_point "
                    "(vehicle_id, recorded_at, latitude, longitude, speed_kmh, highway) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        vehicle.pk,
                        point.recorded_at,
                        point.latitude,
                        point.longitude,
                        point.speed_kmh,
                        point.highway,
                    ],
                )
            if point.speed_kmh > limit:
                Alarm.objects.create(
                    vehicle=vehicle,
                    kind=Alarm.Kind.SPEEDING,
                    at=point.recorded_at,
                    speed_kmh=round(point.speed_kmh, 1),
                    limit_kmh=limit,
                    latitude=round(point.latitude, 6),
                    longitude=round(point.longitude, 6),
                )
    return time.perf_counter() - began, len(work)
