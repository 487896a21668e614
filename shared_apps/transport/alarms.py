"""The alarm rules of school-bus telemetry (decree 617), each evaluated as a
vehicle's points arrive:

- speeding: over 20 km/h within a hazard segment of the run's route, 80 on a highway, 60
  elsewhere (outside a run too);
- off route: a run's point farther than TRANSPORT_OFF_ROUTE_M from its route's line, the
  stops joined in their order;
- unapproved stop: during a run, the bus stopped (at most 3 km/h) for TRANSPORT_STOP_SECONDS
  or more, farther than TRANSPORT_STOP_RADIUS_M from every approved stop of its route;
- overload: the seats taken on a run above the vehicle's rated load less the driver and the
  escorts (checked as the run's points arrive, and when a seat is added);
- driver swap: the run's driver is not the licence's, and no substitution was filed on the
  run's day.

One alarm per episode: a point breaching a rule within EPISODE_GAP of the last breach of the
same rule on the same run continues that alarm (its `last_at` moves) rather than raising
another, whether the two fall in one batch or two; overload and driver swap are raised once per
run (a unique index). Routes are read once per vehicle and day into a plan, kept in this process
until a service changes a run, a stop or a hazard (`plans_changed`).
"""

import bisect
import datetime
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from shared_apps.transport.models import Alarm, HazardSegment, Run, Stop

HAZARD_LIMIT, HIGHWAY_LIMIT, ROAD_LIMIT = 20, 80, 60
STOPPED_KMH = 3.0
EPISODE_GAP = datetime.timedelta(minutes=2)
EARTH_RADIUS_M = 6_371_000
M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
PLANS_KEY = "transport:plans"
# Plans kept per process: a district's buses for a couple of days.
MAX_PLANS = 20_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within a few metres of the great circle at a route's scale."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(x, y)


@dataclass(frozen=True, eq=False)
class RoutePlan:
    """A route as the rules read it, in metres east and north of its first stop: the segments
    joining its stops in order (a lone stop is a segment of no length), its approved stops, its
    hazards (x, y, radius). Each measure takes every point of a batch at once."""

    lat0: float
    lon0: float
    cos0: float
    starts: np.ndarray
    ends: np.ndarray
    approved: np.ndarray
    hazards: np.ndarray

    @classmethod
    def of(
        cls,
        stops: Sequence[tuple[float, float, bool]],
        hazards: Sequence[tuple[float, float, float]],
    ) -> "RoutePlan":
        lat0, lon0 = stops[0][:2] if stops else (0.0, 0.0)
        cos0 = math.cos(math.radians(lat0))

        def metres(rows: Sequence[Sequence[float]]) -> np.ndarray:
            at = np.array([row[:2] for row in rows], dtype=float).reshape(-1, 2)
            return np.column_stack(
                ((at[:, 1] - lon0) * M_PER_DEGREE * cos0, (at[:, 0] - lat0) * M_PER_DEGREE)
            )

        line = metres(stops)
        starts, ends = (line, line) if len(line) == 1 else (line[:-1], line[1:])
        radii = np.array([h[2] for h in hazards], dtype=float).reshape(-1, 1)
        return cls(
            lat0,
            lon0,
            cos0,
            starts,
            ends,
            metres([s for s in stops if s[2]]),
            np.hstack((metres(hazards), radii)),
        )

    def xy(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return np.column_stack(
            ((lon - self.lon0) * M_PER_DEGREE * self.cos0, (lat - self.lat0) * M_PER_DEGREE)
        )

    def off_line_m(self, points: np.ndarray) -> np.ndarray:
        """Each point's distance from the nearest segment (0 for a route with no stops)."""
        if not len(self.starts):
            return np.zeros(len(points))
        span = self.ends - self.starts
        length = (span**2).sum(axis=1)
        rel = points[:, None, :] - self.starts[None, :, :]
        along = np.divide(
            (rel * span[None, :, :]).sum(axis=2),
            length,
            out=np.zeros((len(points), len(span))),
            where=length > 0,
        ).clip(0.0, 1.0)
        return np.hypot(*(rel - along[:, :, None] * span[None, :, :]).transpose(2, 0, 1)).min(
            axis=1
        )

    def to_approved_m(self, points: np.ndarray) -> np.ndarray:
        """Each point's distance from the nearest approved stop (infinite with none)."""
        if not len(self.approved):
            return np.full(len(points), np.inf)
        rel = points[:, None, :] - self.approved[None, :, :]
        return np.hypot(rel[:, :, 0], rel[:, :, 1]).min(axis=1)

    def in_hazard(self, points: np.ndarray) -> np.ndarray:
        if not len(self.hazards):
            return np.zeros(len(points), dtype=bool)
        rel = points[:, None, :] - self.hazards[None, :, :2]
        return (np.hypot(rel[:, :, 0], rel[:, :, 1]) <= self.hazards[None, :, 2]).any(axis=1)


@dataclass(frozen=True)
class RunPlan:
    run_id: int
    starts: datetime.datetime
    ends: datetime.datetime
    route: RoutePlan


@dataclass(frozen=True)
class PointInput:
    """A point as the rules read it (a stored point looked back at, or one arriving)."""

    recorded_at: datetime.datetime
    latitude: float
    longitude: float
    speed_kmh: float
    highway: bool = False


@dataclass
class Breach:
    """An episode of one rule on one run: its first breach (where, what was measured) and the
    time of its last."""

    kind: str
    run_id: int | None
    at: datetime.datetime
    last_at: datetime.datetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    limit_kmh: int | None = None
    distance_m: int | None = None


_plans: dict[tuple[int, datetime.date], tuple[str, list[RunPlan]]] = {}


def _generation() -> str:
    return str(caches["global"].get(PLANS_KEY, ""))


def _bump() -> None:
    caches["global"].set(PLANS_KEY, secrets.token_hex(8), None)


def plans_changed() -> None:
    """A run, stop or hazard changed: every process reads its plans again. Now (for this
    transaction's next batch) and once committed (for a process that read the old rows since)."""
    _bump()
    transaction.on_commit(_bump)


def _load(vehicle_id: int, day: datetime.date) -> list[RunPlan]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    runs = list(
        Run.objects.filter(
            vehicle_id=vehicle_id,
            status=Run.Status.SCHEDULED,
            period__overlap=DateTimeTZRange(start, start + datetime.timedelta(days=1)),
        ).values_list("id", "route_id", "period")
    )
    routes = {route_id for _i, route_id, _p in runs}
    stops: dict[int, list[tuple[float, float, bool]]] = {r: [] for r in routes}
    for route_id, lat, lon, approved in (
        Stop.objects.filter(route_id__in=routes)
        .order_by("route_id", "order")
        .values_list("route_id", "latitude", "longitude", "approved")
    ):
        stops[route_id].append((float(lat), float(lon), approved))
    hazards: dict[int, list[tuple[float, float, float]]] = {r: [] for r in routes}
    for route_id, lat, lon, radius in HazardSegment.objects.filter(route_id__in=routes).values_list(
        "route_id", "latitude", "longitude", "radius_m"
    ):
        hazards[route_id].append((float(lat), float(lon), float(radius)))
    plans = {r: RoutePlan.of(stops[r], hazards[r]) for r in routes}
    return [
        RunPlan(run_id, period.lower, period.upper, plans[route_id])
        for run_id, route_id, period in runs
    ]


def runs_of(vehicle_id: int, days: Iterable[datetime.date]) -> list[RunPlan]:
    """The vehicle's scheduled runs over `days`, each with its route's plan: read once per
    vehicle and day, again after `plans_changed`."""
    generation = _generation()
    found: dict[int, RunPlan] = {}
    for day in sorted(set(days)):
        kept = _plans.get((vehicle_id, day))
        if kept is None or kept[0] != generation:
            if len(_plans) >= MAX_PLANS:
                _plans.clear()
            kept = (generation, _load(vehicle_id, day))
            _plans[(vehicle_id, day)] = kept
        found.update((plan.run_id, plan) for plan in kept[1])
    return list(found.values())


def _run_at(runs: Sequence[RunPlan], at: datetime.datetime) -> RunPlan | None:
    return next((r for r in runs if r.starts <= at < r.ends), None)


def _run_index(points: Sequence[PointInput], runs: Sequence[RunPlan]) -> np.ndarray:
    """For each point, the index in `runs` of the run it was recorded on (-1 for none)."""
    times = np.array([p.recorded_at.timestamp() for p in points])
    index = np.full(len(points), -1)
    for k, run in enumerate(runs):
        index[(times >= run.starts.timestamp()) & (times < run.ends.timestamp())] = k
    return index


def _merge(breaches: Iterable[Breach]) -> list[Breach]:
    """Breaches of one rule, in time order, as episodes: one continues the last while on the
    same run and within EPISODE_GAP of it."""
    episodes: list[Breach] = []
    for breach in breaches:
        last = episodes[-1] if episodes else None
        if last and last.run_id == breach.run_id and breach.at - last.last_at <= EPISODE_GAP:
            last.last_at = max(last.last_at, breach.last_at)
        else:
            episodes.append(breach)
    return episodes


def evaluate(
    fixes: Sequence[PointInput], runs: Sequence[RunPlan], *, before: Sequence[PointInput] = ()
) -> list[Breach]:
    """The episodes of speeding, off route and unapproved stop among `fixes` (in time order);
    `before`, the vehicle's stored points just before them, only tells how long a bus already
    stood still. The distances are measured for the whole batch at once, run by run."""
    points = [*before, *fixes]
    index = _run_index(points, runs)
    lat = np.array([p.latitude for p in points])
    lon = np.array([p.longitude for p in points])
    off = np.zeros(len(points))
    away = np.full(len(points), np.inf)
    hazard = np.zeros(len(points), dtype=bool)
    for k, run in enumerate(runs):
        mask = index == k
        if mask.any():
            xy = run.route.xy(lat[mask], lon[mask])
            off[mask] = run.route.off_line_m(xy)
            away[mask] = run.route.to_approved_m(xy)
            hazard[mask] = run.route.in_hazard(xy)
    which = [runs[k] if k >= 0 else None for k in index.tolist()]
    speeding: list[Breach] = []
    off_route: list[Breach] = []
    stopped: list[Breach] = []
    standing: Breach | None = None
    for i, (fix, on, off_m, away_m, in_hazard) in enumerate(
        zip(points, which, off.tolist(), away.tolist(), hazard.tolist(), strict=True)
    ):
        run_id = on.run_id if on else None
        here = (fix.recorded_at, fix.recorded_at, fix.latitude, fix.longitude)
        if on and fix.speed_kmh <= STOPPED_KMH and away_m > settings.TRANSPORT_STOP_RADIUS_M:
            if standing is None or standing.run_id != run_id:
                distance = round(away_m) if math.isfinite(away_m) else 0
                standing = Breach(Alarm.Kind.UNAPPROVED_STOP, run_id, *here, distance_m=distance)
                stopped.append(standing)
            standing.last_at = fix.recorded_at
        else:
            standing = None
        if i < len(before):
            continue
        limit = HAZARD_LIMIT if in_hazard else HIGHWAY_LIMIT if fix.highway else ROAD_LIMIT
        if fix.speed_kmh > limit:
            speeding.append(
                Breach(Alarm.Kind.SPEEDING, run_id, *here, round(fix.speed_kmh, 1), limit)
            )
        if on and off_m > settings.TRANSPORT_OFF_ROUTE_M:
            off_route.append(Breach(Alarm.Kind.OFF_ROUTE, run_id, *here, distance_m=round(off_m)))
    long_enough = datetime.timedelta(seconds=settings.TRANSPORT_STOP_SECONDS)
    return [
        *_merge(speeding),
        *_merge(off_route),
        *_merge(s for s in stopped if s.last_at - s.at >= long_enough),
    ]


def standing_since(
    fixes: Sequence[PointInput], runs: Sequence[RunPlan]
) -> datetime.datetime | None:
    """When the batch opens with the bus standing still during a run, the time from which its
    stored points must be read to tell how long it has stood."""
    first = fixes[0]
    if first.speed_kmh > STOPPED_KMH or _run_at(runs, first.recorded_at) is None:
        return None
    return first.recorded_at - datetime.timedelta(seconds=settings.TRANSPORT_STOP_SECONDS)


# A run's rules that no point measures: checked for each run in %(run_ids)s at %(run_ats)s.
RUN_RULES_SQL = """
per_run AS (
    INSERT INTO transport_alarm
        (vehicle_id, run_id, kind, at, last_at, seats_taken, seats_allowed, driver_id)
    SELECT r.vehicle_id, r.id, 'overload', s.at, s.at, r.seats_taken,
           greatest(v.rated_load - 1 - r.escorts, 0), NULL
    FROM unnest(%(run_ids)s::bigint[], %(run_ats)s::timestamptz[]) AS s(run_id, at)
    JOIN transport_run r ON r.id = s.run_id
    JOIN transport_vehicle v ON v.id = r.vehicle_id
    WHERE r.seats_taken > v.rated_load - 1 - r.escorts
    UNION ALL
    SELECT r.vehicle_id, r.id, 'driver_swap', s.at, s.at, NULL, NULL, r.driver_id
    FROM unnest(%(run_ids)s::bigint[], %(run_ats)s::timestamptz[]) AS s(run_id, at)
    JOIN transport_run r ON r.id = s.run_id
    JOIN transport_licence l ON l.id = r.licence_id
    WHERE r.driver_id <> l.driver_id
      AND (r.substitution = ''
           OR (r.created_at AT TIME ZONE %(zone)s)::date
              <> (lower(r.period) AT TIME ZONE %(zone)s)::date)
    ON CONFLICT (run_id, kind) WHERE kind IN ('overload', 'driver_swap') DO NOTHING
    RETURNING 1
)
"""

# Points, the episodes (continued or raised) and the run rules, in one statement: one round
# trip per batch. %(gap)s is EPISODE_GAP; the arrays come from `evaluate`.
_INGEST_HEAD = """
WITH
points AS (
    INSERT INTO transport_point
        (vehicle_id, recorded_at, latitude, longitude, speed_kmh, highway)
    SELECT %(vehicle)s, p.* FROM unnest(
        %(times)s::timestamptz[], %(lats)s::float8[], %(lons)s::float8[],
        %(speeds)s::float8[], %(highways)s::bool[]
    ) AS p
),
breach AS (
    SELECT * FROM unnest(
        %(kinds)s::text[], %(runs)s::bigint[], %(ats)s::timestamptz[],
        %(lasts)s::timestamptz[], %(blats)s::numeric[], %(blons)s::numeric[],
        %(bspeeds)s::numeric[], %(blimits)s::int[], %(bdistances)s::int[]
    ) AS b(kind, run_id, at, last_at, latitude, longitude, speed_kmh, limit_kmh, distance_m)
),
continued AS (
    UPDATE transport_alarm a SET last_at = greatest(a.last_at, b.last_at)
    FROM breach b
    WHERE a.vehicle_id = %(vehicle)s AND a.kind = b.kind
      AND a.run_id IS NOT DISTINCT FROM b.run_id
      AND a.last_at >= b.at - %(gap)s AND a.at <= b.last_at + %(gap)s
    RETURNING b.kind, b.at
),
raised AS (
    INSERT INTO transport_alarm (vehicle_id, kind, run_id, at, last_at, latitude, longitude,
                                 speed_kmh, limit_kmh, distance_m)
    SELECT %(vehicle)s, b.* FROM breach b
    WHERE NOT EXISTS (SELECT FROM continued c WHERE c.kind = b.kind AND c.at = b.at)
    RETURNING 1
),
"""
_INGEST_TAIL = "\nSELECT (SELECT count(*) FROM raised) + (SELECT count(*) FROM per_run)\n"
INGEST_SQL = _INGEST_HEAD + RUN_RULES_SQL.strip() + _INGEST_TAIL


def _numbered(statement: str) -> tuple[str, list[str]]:
    """`statement` with its named parameters numbered ($1, $2, ...) in the order they first
    appear, and their names in that order."""
    names: list[str] = []

    def number(found: re.Match[str]) -> str:
        if found[1] not in names:
            names.append(found[1])
        return f"${names.index(found[1]) + 1}"

    return re.sub(r"%\((\w+)\)s", number, statement), names


# INGEST_SQL prepared once per connection: planning it took longer than running it. Its
# parameters are text (the arrays' literals, the zone) but for the vehicle and the gap.
INGEST_STATEMENT = "transport_ingest"
_PREPARED_SQL, _INGEST_NAMES = _numbered(INGEST_SQL)
_PARAMETER_TYPES = {"vehicle": "bigint", "gap": "interval"}
PREPARE_INGEST = (
    f"PREPARE {INGEST_STATEMENT} ("
    + ", ".join(_PARAMETER_TYPES.get(name, "text") for name in _INGEST_NAMES)
    + f") AS {_PREPARED_SQL}"
)
EXECUTE_INGEST = (
    f"EXECUTE {INGEST_STATEMENT} (" + ", ".join(f"%({name})s" for name in _INGEST_NAMES) + ")"
)

SEAT_SQL = "WITH " + RUN_RULES_SQL + "SELECT count(*) FROM per_run"  # noqa: S608 - constants


def _array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal of numbers, booleans, words or times (None is NULL): psycopg2
    adapts a list element by element, which cost more than the rest of a batch's work."""
    return (
        "{"
        + ",".join(
            "NULL"
            if v is None
            else f'"{v.isoformat()}"'
            if isinstance(v, datetime.datetime)
            else str(v)
            for v in values
        )
        + "}"
    )


def ingest_params(
    vehicle_id: int,
    fixes: Sequence[PointInput],
    breaches: Sequence[Breach],
    runs: Sequence[RunPlan],
) -> dict[str, Any]:
    """The arrays INGEST_SQL reads: the points (in time order), the episodes, and each run the
    batch touches with the time of its first point in it."""
    first: dict[int, datetime.datetime] = {}
    times = [f.recorded_at for f in fixes]
    for run in runs:
        i = bisect.bisect_left(times, run.starts)
        if i < len(times) and times[i] < run.ends:
            first[run.run_id] = times[i]
    return {
        "vehicle": vehicle_id,
        "times": _array(times),
        "lats": _array(f.latitude for f in fixes),
        "lons": _array(f.longitude for f in fixes),
        "speeds": _array(f.speed_kmh for f in fixes),
        "highways": _array(f.highway for f in fixes),
        "kinds": _array(b.kind for b in breaches),
        "runs": _array(b.run_id for b in breaches),
        "ats": _array(b.at for b in breaches),
        "lasts": _array(b.last_at for b in breaches),
        "blats": _array(round(b.latitude, 6) for b in breaches),
        "blons": _array(round(b.longitude, 6) for b in breaches),
        "bspeeds": _array(b.speed_kmh for b in breaches),
        "blimits": _array(b.limit_kmh for b in breaches),
        "bdistances": _array(b.distance_m for b in breaches),
        "gap": EPISODE_GAP,
        **run_params(list(first), list(first.values())),
    }


def run_params(run_ids: Sequence[int], ats: Sequence[datetime.datetime]) -> dict[str, Any]:
    return {"run_ids": _array(run_ids), "run_ats": _array(ats), "zone": settings.TIME_ZONE}
