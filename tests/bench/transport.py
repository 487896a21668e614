"""The telemetry benchmark: a fleet of buses, each on a run over the morning on a route of its
own (stops every 1.1 km, a hazard segment), sending one GPS point every 10 s in batches of 30
(five minutes), through the ingest service (one statement per batch: the points, the episodes
continued or raised, the run's rules; the routes read once per bus), against a naive baseline
that reads the run and its route, checks, inserts and raises each point on its own, in the same
run. Points per second for both. Each morning speeds now and then, stands away from a stop,
leaves its route and is overloaded, so that every rule raises alarms."""

import datetime
import multiprocessing
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from django.db import connection, connections, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from houqin.door import SystemActor
from shared_apps.transport import alarms, services, telemetry
from shared_apps.transport.models import (
    Alarm,
    Driver,
    HazardSegment,
    Licence,
    Provider,
    Route,
    Run,
    Stop,
    Vehicle,
)

BENCH = SystemActor("bench.transport")
KIT = services.Equipment(hammer=True, extinguisher=True, first_aid_kit=True, gps_recorder=True)
BATCH = 30
T = TypeVar("T")
DAY = datetime.date(2026, 9, 1)


def build_fleet(buses: int, tag: str = "压") -> list[Vehicle]:
    """`buses` vehicles, each licensed on a route of its own (ten approved stops due north from
    26.50 N, 106.70 E) with a hazard, one run each (07:00-10:00 on DAY; one in ten with more
    seats taken than the bus now has), and that day's partition; plates, codes and numbers
    begin with `tag`."""
    provider = services.provider_create(
        name=f"{tag}测承运人",
        kind=Provider.Kind.SCHOOL,
        insurer="人保",
        insurance_expires=DAY + datetime.timedelta(days=365),
        actor=BENCH,
    )
    telemetry.partitions_ensure(days=1, start=DAY, actor=BENCH)
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(
            plate=f"{tag}{n:05d}",
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
        Route(code=f"{tag}{n:05d}", name="压测线路", period=Route.Period.MORNING)
        for n in range(buses)
    )
    Stop.objects.bulk_create(
        Stop(
            route=route,
            order=n + 1,
            name=f"站{n + 1}",
            latitude=Decimal("26.50") + Decimal(n) / 100,
            longitude=Decimal("106.70"),
            at=datetime.time(7, 5 * n),
            approved=True,
        )
        for route in routes
        for n in range(10)
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
            licence_number=f"{tag}{n:05d}",
            licence_class="A1",
            born_on=datetime.date(1980, 1, 1),
            licensed_since=datetime.date(2005, 1, 1),
        )
        for n in range(buses)
    )
    licences = Licence.objects.bulk_create(
        Licence(
            number=f"{tag}{n:05d}",
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
            seats_taken=20,
        )
        for licence in licences
    )
    # One bus in ten re-rated to 19 seats since: 17 for pupils, 20 taken.
    Vehicle.objects.filter(pk__in=[v.pk for v in vehicles[::10]]).update(rated_load=19)
    return vehicles


def batches(vehicle: Vehicle, points: int) -> list[list[telemetry.PointInput]]:
    """A bus's morning: a point every 10 s up and down its route, passing the hazard now and
    then, speeding a little, standing three minutes 550 m from the nearest stop every half hour,
    and 650 m off its route for a minute now and then."""
    start = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(7)))
    made = [
        telemetry.PointInput(
            recorded_at=start + datetime.timedelta(seconds=10 * i),
            latitude=26.545 if standing else 26.50 + (i % 120) / 1200,
            longitude=106.70 + (0.0065 if i % 150 < 6 else 0.0),
            speed_kmh=0.0 if standing else float(15 + (i * 7 + vehicle.pk) % 60),
            highway=i % 200 > 150,
        )
        for i in range(points)
        for standing in [100 <= i % 180 < 118]
    ]
    return [made[i : i + BATCH] for i in range(0, points, BATCH)]


def in_workers(
    workers: int,
    task: Callable[[list[T], int], tuple[int, int]],
    items: list[T],
    points: int,
) -> tuple[float, int, int]:
    """Seconds for `workers` processes (forked, each with its own connection, as gunicorn's
    workers are) to run `task` over their share of the items (buses, terminals' reports); the
    two counts it returns (points and alarms made, events sent and accepted), summed."""
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        began = time.perf_counter()
        done = pool.starmap(task, [(items[k::workers], points) for k in range(workers)])
        seconds = time.perf_counter() - began
    return seconds, sum(n for n, _a in done), sum(a for _n, a in done)


def ingest(vehicles: list[Vehicle], points: int) -> tuple[int, int]:
    """`points` per vehicle through the ingest service, the buses' batches interleaved as the
    morning goes; points and alarms made."""
    work = sorted(
        ((vehicle, batch) for vehicle in vehicles for batch in batches(vehicle, points)),
        key=lambda job: job[1][0].recorded_at,
    )
    raised = 0
    for vehicle, batch in work:
        raised += telemetry.points_ingest(vehicle=vehicle, points=batch, actor=BENCH).alarms
    connections.close_all()
    return sum(len(b) for _v, b in work), raised


def naive(vehicles: list[Vehicle], points: int) -> tuple[int, int]:
    """The same points one by one, one transaction each: the vehicle's run at the point and its
    route's stops and hazards read, the point inserted, the rules checked against it and the
    points just before it, and any alarm looked up to continue or created."""
    work = [point for vehicle in vehicles for batch in batches(vehicle, points) for point in batch]
    owners = [vehicle for vehicle in vehicles for _p in range(points)]
    raised = Alarm.objects.count()
    for vehicle, point in zip(owners, work, strict=True):
        with transaction.atomic():
            run = (
                Run.objects.select_related("vehicle")
                .filter(
                    vehicle=vehicle,
                    status=Run.Status.SCHEDULED,
                    period__contains=point.recorded_at,
                )
                .first()
            )
            runs = []
            if run is not None:
                stops = [
                    (float(s.latitude), float(s.longitude), s.approved)
                    for s in Stop.objects.filter(route_id=run.route_id).order_by("order")
                ]
                hazards = [
                    (float(h.latitude), float(h.longitude), float(h.radius_m))
                    for h in HazardSegment.objects.filter(route_id=run.route_id)
                ]
                route = alarms.RoutePlan.of(stops, hazards)
                runs = [alarms.RunPlan(run.pk, run.period.lower, run.period.upper, route)]
            since = alarms.standing_since([point], runs)
            with connection.cursor() as cursor:
                before = []
                if since:
                    cursor.execute(
                        "SELECT recorded_at, latitude, longitude, speed_kmh, highway "
                        "FROM transport_point WHERE vehicle_id = %s AND recorded_at >= %s "
                        "AND recorded_at < %s ORDER BY recorded_at",
                        [vehicle.pk, since, point.recorded_at],
                    )
                    before = [telemetry.PointInput(*row) for row in cursor.fetchall()]
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
            for breach in alarms.evaluate([point], runs, before=before):
                open_alarm = Alarm.objects.filter(
                    vehicle=vehicle,
                    kind=breach.kind,
                    run=run,
                    last_at__gte=breach.at - alarms.EPISODE_GAP,
                ).first()
                if open_alarm is not None:
                    open_alarm.last_at = max(open_alarm.last_at, breach.last_at)
                    open_alarm.save(update_fields=["last_at"])
                    continue
                Alarm.objects.create(
                    vehicle=vehicle,
                    run_id=breach.run_id,
                    kind=breach.kind,
                    at=breach.at,
                    last_at=breach.last_at,
                    speed_kmh=breach.speed_kmh,
                    limit_kmh=breach.limit_kmh,
                    distance_m=breach.distance_m,
                    latitude=round(breach.latitude, 6),
                    longitude=round(breach.longitude, 6),
                )
            allowed = run.vehicle.rated_load - 1 - run.escorts if run else 0
            if run is not None and run.seats_taken > allowed:
                Alarm.objects.get_or_create(
                    run=run,
                    kind=Alarm.Kind.OVERLOAD,
                    defaults={
                        "vehicle": vehicle,
                        "at": point.recorded_at,
                        "last_at": point.recorded_at,
                        "seats_taken": run.seats_taken,
                        "seats_allowed": allowed,
                    },
                )
    raised = Alarm.objects.count() - raised
    connections.close_all()
    return len(work), raised
