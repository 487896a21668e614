"""GPS telemetry: batches of points from a vehicle's device (known by its key), written to the
day-partitioned `transport_point` and checked against the alarm rules (alarms.py) as they
arrive: speeding, off route, unapproved stop, overload and driver swap. A batch costs one
statement (its points, its episodes continued or raised, its runs' rules) besides the
transaction; the vehicle's runs and routes come from the plans kept per process.

Partitions: `partitions_ensure()` creates the coming days' (a periodic task runs it daily), and
`partitions_prune()` drops the days older than TRANSPORT_POINT_RETENTION_DAYS (six months by
default). A point of a day without its partition lands in the default partition.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql

from houqin.door import Actor, SystemActor, service
from houqin.exceptions import InvalidInput, NotPermitted
from shared_apps.transport import alarms
from shared_apps.transport.alarms import PointInput
from shared_apps.transport.models import Vehicle

DEVICES = SystemActor("transport.device")
PARTITIONS = SystemActor("transport.partitions")
MAX_BATCH = 5000
# Points this far in the future are a device's wrong clock, not a point.
CLOCK_SKEW = datetime.timedelta(minutes=10)
# The first key of the advisory lock that takes one vehicle's batches one at a time, so that
# two batches of one episode never both raise it.
_VEHICLE_LOCK = 0x627573  # "bus"


@dataclass(frozen=True)
class Ingested:
    points: int
    alarms: int


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


def _stored(
    vehicle: Vehicle, since: datetime.datetime, until: datetime.datetime
) -> list[PointInput]:
    """The vehicle's points already stored from `since` until (not including) `until`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recorded_at, latitude, longitude, speed_kmh, highway FROM transport_point "
            "WHERE vehicle_id = %s AND recorded_at >= %s AND recorded_at < %s "
            "ORDER BY recorded_at",
            [vehicle.pk, since, until],
        )
        return [PointInput(*row) for row in cursor.fetchall()]


def _prepare(cursor: CursorWrapper) -> None:
    """The ingest statement prepared on this connection (once: a prepared statement outlives
    the transaction that prepared it, rolled back or not, until the connection closes)."""
    raw = connection.connection
    if getattr(connection, "transport_prepared_on", None) is raw:
        return
    cursor.execute("SELECT FROM pg_prepared_statements WHERE name = %s", [alarms.INGEST_STATEMENT])
    if cursor.fetchone() is None:
        cursor.execute(alarms.PREPARE_INGEST)
    connection.transport_prepared_on = raw  # type: ignore[attr-defined]


@service
def points_ingest(*, vehicle: Vehicle, points: Sequence[PointInput], actor: Actor) -> Ingested:
    """Store a batch of a vehicle's points and raise (or continue) its alarms."""
    _checked(points)
    ordered = sorted(points, key=lambda p: p.recorded_at)
    first, last = (timezone.localtime(p.recorded_at).date() for p in (ordered[0], ordered[-1]))
    runs = alarms.runs_of(
        vehicle.pk, (first + datetime.timedelta(days=d) for d in range((last - first).days + 1))
    )
    since = alarms.standing_since(ordered, runs)
    before = _stored(vehicle, since, ordered[0].recorded_at) if since else []
    breaches = alarms.evaluate(ordered, runs, before=before)
    with connection.cursor() as cursor:
        _prepare(cursor)
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%(lock)s, %(lock_id)s);" + alarms.EXECUTE_INGEST,
            {
                "lock": _VEHICLE_LOCK,
                "lock_id": vehicle.pk & 0x7FFFFFFF,
                **alarms.ingest_params(vehicle.pk, ordered, breaches, runs),
            },
        )
        raised = cursor.fetchone()[0]
    return Ingested(points=len(ordered), alarms=raised)


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
