"""GPS telemetry: batches of points from a vehicle's device (known by its key), written to the
day-partitioned `transport_point` in one multi-row insert per batch, and the speed limits
checked as they arrive: 20 km/h within a hazard segment of the run's route, 80 on a highway,
60 elsewhere (decree 617 art. 35). A run of points over the limit raises one alarm, at its first.

Partitions: `partitions_ensure()` creates the coming days' (a periodic task runs it daily), and
`partitions_prune()` drops the days older than TRANSPORT_POINT_RETENTION_DAYS (six months by
default). A point of a day without its partition lands in the default partition.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql
from psycopg2.extras import execute_values

from houqin.door import Actor, SystemActor, service
from houqin.exceptions import InvalidInput, NotPermitted
from shared_apps.transport.models import Alarm, HazardSegment, Run, Vehicle

DEVICES = SystemActor("transport.device")
PARTITIONS = SystemActor("transport.partitions")
HAZARD_LIMIT, HIGHWAY_LIMIT, ROAD_LIMIT = 20, 80, 60
MAX_BATCH = 5000
EARTH_RADIUS_M = 6_371_000
# Points this far in the future are a device's wrong clock, not a point.
CLOCK_SKEW = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class PointInput:
    recorded_at: datetime.datetime
    latitude: float
    longitude: float
    speed_kmh: float
    highway: bool = False


@dataclass(frozen=True)
class Ingested:
    points: int
    alarms: int


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within a few metres of the great circle at a hazard's scale."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(x, y)


def vehicle_by_key(key: str) -> Vehicle:
    vehicle = Vehicle.objects.filter(device_key_hash=Vehicle.key_hash(key)).first() if key else None
    if vehicle is None:
        raise NotPermitted(_("Unknown device key."), code="unknown_device")
    return vehicle


def _checked(points: Sequence[PointInput]) -> None:
    if not 1 <= len(points) <= MAX_BATCH:
        raise InvalidInput(_("A batch holds 1 to 5000 points."), fields={"points": [len(points)]})
    latest = timezone.now() + CLOCK_SKEW
    bad = {
        str(i): [_("Coordinates, speed or time out of range.")]
        for i, p in enumerate(points)
        if not (-90 <= p.latitude <= 90 and -180 <= p.longitude <= 180)
        or not 0 <= p.speed_kmh < 300
        or timezone.is_naive(p.recorded_at)
        or p.recorded_at > latest
    }
    if bad:
        raise InvalidInput(_("Some points are invalid."), fields=bad)


def _hazards(vehicle: Vehicle, start: datetime.datetime, end: datetime.datetime) -> dict:
    """The vehicle's runs over the batch's time, each with the hazards of its route."""
    runs = list(
        Run.objects.filter(
            vehicle=vehicle,
            status=Run.Status.SCHEDULED,
            period__overlap=DateTimeTZRange(start, end, "[]"),
        ).only("id", "route_id", "period")
    )
    by_route: dict[int, list[tuple[float, float, float]]] = {}
    for hazard in HazardSegment.objects.filter(route__in={r.route_id for r in runs}):
        by_route.setdefault(hazard.route_id, []).append(
            (float(hazard.latitude), float(hazard.longitude), float(hazard.radius_m))
        )
    return {run.pk: (run, by_route.get(run.route_id, [])) for run in runs}


def limit_at(point: PointInput, hazards: Sequence[tuple[float, float, float]]) -> int:
    for lat, lon, radius in hazards:
        if distance_m(point.latitude, point.longitude, lat, lon) <= radius:
            return HAZARD_LIMIT
    return HIGHWAY_LIMIT if point.highway else ROAD_LIMIT


@service
def points_ingest(*, vehicle: Vehicle, points: Sequence[PointInput], actor: Actor) -> Ingested:
    """Store a batch of a vehicle's points and raise its speeding alarms."""
    _checked(points)
    ordered = sorted(points, key=lambda p: p.recorded_at)
    runs = _hazards(vehicle, ordered[0].recorded_at, ordered[-1].recorded_at)
    alarms: list[Alarm] = []
    speeding = False
    for point in ordered:
        run = next((r for r, _h in runs.values() if point.recorded_at in r.period), None)
        limit = limit_at(point, runs[run.pk][1] if run else ())
        over = point.speed_kmh > limit
        if over and not speeding:
            alarms.append(
                Alarm(
                    vehicle=vehicle,
                    run=run,
                    kind=Alarm.Kind.SPEEDING,
                    at=point.recorded_at,
                    speed_kmh=round(point.speed_kmh, 1),
                    limit_kmh=limit,
                    latitude=round(point.latitude, 6),
                    longitude=round(point.longitude, 6),
                )
            )
        speeding = over
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            "INSERT INTO transport_point "
            "(vehicle_id, recorded_at, latitude, longitude, speed_kmh, highway) VALUES %s",
            [
                (vehicle.pk, p.recorded_at, p.latitude, p.longitude, p.speed_kmh, p.highway)
                for p in ordered
            ],
            page_size=len(ordered),
        )
    Alarm.objects.bulk_create(alarms)
    return Ingested(points=len(ordered), alarms=len(alarms))


def _partition(day: datetime.date) -> str:
    return f"transport_point_{day:%Y%m%d}"


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@service
def partitions_ensure(
    *, days: int = 7, start: datetime.date | None = None, actor: Actor
) -> list[str]:
    """Create the partitions of `days` days from `start` (today) that do not exist yet."""
    first = start or timezone.localdate()
    created = []
    with connection.cursor() as cursor:
        for offset in range(days):
            day = first + datetime.timedelta(days=offset)
            name = _partition(day)
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is not None:
                continue
            cursor.execute(
                sql.SQL(
                    "CREATE TABLE {} PARTITION OF transport_point FOR VALUES FROM (%s) TO (%s)"
                ).format(sql.Identifier(name)),
                [_day_start(day), _day_start(day + datetime.timedelta(days=1))],
            )
            created.append(name)
    return created


@service
def partitions_prune(*, today: datetime.date | None = None, actor: Actor) -> list[str]:
    """Drop the days' partitions older than the retention period."""
    oldest = (today or timezone.localdate()) - datetime.timedelta(
        days=settings.TRANSPORT_POINT_RETENTION_DAYS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'transport_point'::regclass "
            "AND c.relname ~ '^transport_point_[0-9]{8}$'"
        )
        old = sorted(
            name for (name,) in cursor.fetchall() if datetime.date.fromisoformat(name[-8:]) < oldest
        )
        for name in old:
            cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
    return old
