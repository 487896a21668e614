"""Route planning for a school's morning runs: each rider to a stop within walking distance, then
the stops into the buses and their order, so that the riders' total time on board is as short as
the search finds, under each bus's seats and a longest ride per rider.

The plan is computed from coordinates alone: road distances come from a matrix the district
imports (metres between two points' keys) or, failing that, the great-circle distance times a
detour factor. It is a capacitated vehicle-routing problem whose routes end at the school:

1. stops: the fewest candidate stops that leave every rider a walk of at most `max_walk_m`
   (greedy set cover), each rider to the nearest chosen stop;
2. a first plan per starting angle: the stops swept around the school, filling the buses (the
   largest first), each bus visiting its stops from the farthest to the school;
3. local search on the riders' total ride time: move a stop to any place of any bus, swap two
   stops of two buses, reverse a stretch of one bus, until no move improves the plan. A ride
   over the longest allowed counts as a penalty large enough that the search removes it first.

`nearest_neighbour` is the baseline a transport officer would draw by hand: from the school to
the nearest stop that fits, then the next nearest, until the bus is full; the bus then drives
that chain backwards to the school."""

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

EARTH_RADIUS_M = 6_371_000.0
# Minutes of ride over the longest allowed are worth this many minutes of total ride: the
# search never trades a too-long ride for a shorter total.
OVER_RIDE_PENALTY = 1_000.0


@dataclass(frozen=True)
class Place:
    """A point with a key of its own: the school, a candidate stop, a rider's home."""

    key: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Bus:
    """A vehicle of the run, `seats` being what riders may take (its rated load less the
    driver and the escorts)."""

    key: str
    seats: int


@dataclass(frozen=True)
class Problem:
    school: Place
    stops: Sequence[Place]
    riders: Sequence[Place]
    buses: Sequence[Bus]
    latest_arrival: datetime
    max_walk_m: float = 1_500.0
    max_ride_min: float = 60.0
    speed_kmh: float = 30.0
    detour: float = 1.3
    dwell_min: float = 0.5
    # Road metres from one place's key to another's, when the district has them.
    road_m: Mapping[tuple[str, str], float] | None = None


@dataclass(frozen=True)
class Leg:
    """A stop of a route: who boards there, when the bus leaves, and the ride to the school."""

    stop: str
    riders: tuple[str, ...]
    departs_at: datetime
    ride_min: float


@dataclass(frozen=True)
class Route:
    bus: str
    legs: tuple[Leg, ...]
    km: float

    @property
    def riders(self) -> int:
        return sum(len(leg.riders) for leg in self.legs)


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    # Riders the plan could not carry, each with the reason: no_stop (no candidate stop within
    # walking distance) or no_seat (every bus full).
    unserved: Mapping[str, str]
    total_ride_min: float
    longest_ride_min: float
    km: float
    # Riders whose ride is longer than the longest allowed: none unless the stops are too far
    # for the buses there are.
    over_max_ride: int = 0

    @property
    def buses_used(self) -> int:
        return len(self.routes)


@dataclass
class _Network:
    """Travel minutes between the school (index 0) and the chosen stops (1..n)."""

    keys: list[str]
    minutes: np.ndarray
    metres: np.ndarray
    demand: list[int]
    riders: list[list[str]]
    dwell: float
    # Latitude and longitude of each point, for the sweep.
    points: np.ndarray
    seats: list[int] = field(default_factory=list)
    # `minutes` as lists: the search reads one pair at a time, faster from a list than an array.
    legs: list[list[float]] = field(default_factory=list)


def plan(problem: Problem, *, starts: int = 8, kicks: int = 40) -> Plan:
    """The best plan the search finds from `starts` sweep angles, then from `kicks` shakes of
    the best (a few stops moved to other buses at random, and the search run again)."""
    network, unserved = _network(problem)
    firsts = [_sweep(network, angle=2 * math.pi * n / max(1, starts)) for n in range(starts)]
    # The chain of nearest stops packs the seats tightly: a start the sweep may not match.
    firsts.append(_chains(network))
    best: tuple[int, float] = (len(problem.riders) + 1, math.inf)
    chosen: list[list[int]] = []
    for routes, left in firsts:
        routes = _improve(network, problem, routes)
        # Riders left without a seat first, then the ride time.
        score = (sum(network.demand[stop] for stop in left), _cost(network, problem, routes))
        if score < best:
            best, chosen, seatless = score, routes, left
    dice = random.Random(len(network.keys))  # noqa: S311 - a search's shakes, not a secret
    for _kick in range(kicks):
        shaken = _improve(network, problem, _shaken(network, chosen, dice))
        cost = _cost(network, problem, shaken)
        if cost < best[1] - 1e-9:
            best, chosen = (best[0], cost), shaken
    for stop in seatless:
        for rider in network.riders[stop]:
            unserved[rider] = "no_seat"
    return _plan(network, problem, chosen, unserved)


def nearest_neighbour(problem: Problem) -> Plan:
    """The baseline: the same stops, each bus chaining the nearest stop that fits."""
    network, unserved = _network(problem)
    routes, left = _chains(network)
    for stop in left:
        for rider in network.riders[stop]:
            unserved[rider] = "no_seat"
    return _plan(network, problem, [route for route in routes if route], unserved)


def _chains(network: _Network) -> tuple[list[list[int]], list[int]]:
    """Each bus, largest first, from the school to the nearest stop that fits, and on until
    none does, driven backwards; also the stops no bus had room for."""
    left = set(range(1, len(network.keys)))
    routes: list[list[int]] = []
    for seats in network.seats:
        here, room, chain = 0, seats, []
        while True:
            fitting = [s for s in left if network.demand[s] <= room]
            if not fitting:
                break
            from_here = network.legs[here]
            here = min(fitting, key=from_here.__getitem__)
            chain.append(here)
            left.discard(here)
            room -= network.demand[here]
        routes.append(chain[::-1])
    return routes, sorted(left)


# The network ------------------------------------------------------------------------------------


def _haversine_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Metres between every point of `a` and every point of `b` ((n, 2) and (m, 2), degrees)."""
    lat1, lon1 = np.radians(a[:, 0])[:, None], np.radians(a[:, 1])[:, None]
    lat2, lon2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _coordinates(places: Sequence[Place]) -> np.ndarray:
    return np.array([(p.lat, p.lon) for p in places], dtype=float).reshape(-1, 2)


def _chosen_stops(problem: Problem) -> tuple[dict[int, list[str]], dict[str, str]]:
    """Candidate stop index -> its riders, and the riders with no stop in walking distance."""
    stops, riders = list(problem.stops), list(problem.riders)
    if not stops or not riders:
        return {}, {r.key: "no_stop" for r in riders}
    walk = _haversine_m(_coordinates(riders), _coordinates(stops))
    reach: np.ndarray = np.asarray(walk <= problem.max_walk_m)
    unserved = {riders[i].key: "no_stop" for i in np.flatnonzero(~reach.any(axis=1))}
    uncovered: np.ndarray = np.asarray(reach.any(axis=1))
    chosen: list[int] = []
    while uncovered.any():
        counts = (reach & uncovered[:, None]).sum(axis=0)
        stop = int(np.argmax(counts))
        chosen.append(stop)
        uncovered &= ~reach[:, stop]
    assigned: dict[int, list[str]] = {stop: [] for stop in chosen}
    if chosen:
        near = np.where(reach[:, chosen], walk[:, chosen], np.inf)
        for i, row in enumerate(near):
            if np.isfinite(row).any():
                assigned[chosen[int(np.argmin(row))]].append(riders[i].key)
    return {stop: keys for stop, keys in assigned.items() if keys}, unserved


def _network(problem: Problem) -> tuple[_Network, dict[str, str]]:
    assigned, unserved = _chosen_stops(problem)
    largest = max((bus.seats for bus in problem.buses), default=0)
    places = [problem.school]
    demand: list[int] = [0]
    riders: list[list[str]] = [[]]
    for stop, keys in sorted(assigned.items()):
        # A stop with more riders than the largest bus seats is visited once per busload.
        for start in range(0, len(keys), max(largest, 1)):
            places.append(problem.stops[stop])
            demand.append(len(keys[start : start + max(largest, 1)]))
            riders.append(keys[start : start + max(largest, 1)])
    points = _coordinates(places)
    metres = _haversine_m(points, points) * problem.detour
    if problem.road_m:
        for i, a in enumerate(places):
            for j, b in enumerate(places):
                known = problem.road_m.get((a.key, b.key))
                if known is not None:
                    metres[i, j] = known
    minutes = metres / (problem.speed_kmh * 1000 / 60)
    network = _Network(
        keys=[p.key for p in places],
        minutes=minutes,
        metres=metres,
        demand=demand,
        riders=riders,
        dwell=problem.dwell_min,
        points=points,
        legs=minutes.tolist(),
        seats=sorted((bus.seats for bus in problem.buses), reverse=True),
    )
    return network, unserved


# The search -------------------------------------------------------------------------------------


def _rides(network: _Network, route: Sequence[int]) -> list[float]:
    """Each stop's ride to the school, in minutes, the route's stops in order."""
    rides, after = [0.0] * len(route), 0
    ride = 0.0
    for position in range(len(route) - 1, -1, -1):
        stop = route[position]
        ride += network.legs[stop][after] + network.dwell
        rides[position] = ride
        after = stop
    return rides


def _route_cost(network: _Network, problem: Problem, route: Sequence[int]) -> float:
    cost = 0.0
    for stop, ride in zip(route, _rides(network, route), strict=True):
        cost += network.demand[stop] * ride
        cost += OVER_RIDE_PENALTY * max(0.0, ride - problem.max_ride_min)
    return cost


def _cost(network: _Network, problem: Problem, routes: Sequence[Sequence[int]]) -> float:
    return sum(_route_cost(network, problem, route) for route in routes)


def _load(network: _Network, route: Sequence[int]) -> int:
    return sum(network.demand[stop] for stop in route)


def _sweep(network: _Network, *, angle: float) -> tuple[list[list[int]], list[int]]:
    """Stops in order of their bearing from the school, from `angle`, into the buses largest
    first; each bus from its farthest stop to the school. Also the stops no bus had room for."""
    school = network.points[0]

    def bearing(stop: int) -> float:
        lat, lon = network.points[stop]
        return float((math.atan2(lat - school[0], lon - school[1]) - angle) % (2 * math.pi))

    routes: list[list[int]] = [[] for _ in network.seats]
    loads = [0] * len(network.seats)
    left: list[int] = []
    bus = 0
    for stop in sorted(range(1, len(network.keys)), key=bearing):
        while bus < len(routes) and loads[bus] + network.demand[stop] > network.seats[bus]:
            bus += 1
        # The bus being filled, else any with room left.
        fits = [
            b
            for b in [bus, *range(len(routes))]
            if b < len(routes) and loads[b] + network.demand[stop] <= network.seats[b]
        ]
        if not fits:
            left.append(stop)
            continue
        routes[fits[0]].append(stop)
        loads[fits[0]] += network.demand[stop]
    for route in routes:
        route.sort(key=lambda s: -network.minutes[s, 0])
    return routes, left


def _shaken(
    network: _Network, routes: Sequence[Sequence[int]], dice: random.Random
) -> list[list[int]]:
    """`routes` with three stops moved, each to a random place of a random bus with room."""
    shaken = [list(route) for route in routes]
    shaken += [[] for _ in range(len(network.seats) - len(shaken))]
    # The buses, largest first, as the routes are; an emptied route keeps its bus.
    for _move in range(3):
        full = [n for n, route in enumerate(shaken) if route]
        if not full:
            break
        a = dice.choice(full)
        stop = shaken[a].pop(dice.randrange(len(shaken[a])))
        room = [
            b
            for b in range(len(shaken))
            if b != a and _load(network, shaken[b]) + network.demand[stop] <= network.seats[b]
        ]
        b = dice.choice(room) if room else a
        shaken[b].insert(dice.randrange(len(shaken[b]) + 1), stop)
    return shaken


def _improve(network: _Network, problem: Problem, routes: list[list[int]]) -> list[list[int]]:
    """Local search until no move (relocate, swap, reverse) lowers the cost."""
    costs = [_route_cost(network, problem, route) for route in routes]
    loads = [_load(network, route) for route in routes]
    improved = True
    while improved:
        improved = False
        for a, route in enumerate(routes):
            # Reverse a stretch of one bus (2-opt).
            for i in range(len(route) - 1):
                for j in range(i + 2, len(route) + 1):
                    trial = route[:i] + route[i:j][::-1] + route[j:]
                    cost = _route_cost(network, problem, trial)
                    if cost < costs[a] - 1e-9:
                        routes[a], costs[a], route = trial, cost, trial
                        improved = True
        for a in range(len(routes)):
            for i in range(len(routes[a])):
                if i >= len(routes[a]):
                    break
                stop = routes[a][i]
                without = routes[a][:i] + routes[a][i + 1 :]
                saved = costs[a] - _route_cost(network, problem, without)
                best: tuple[float, int, list[int]] | None = None
                for b in range(len(routes)):
                    if b != a and loads[b] + network.demand[stop] > network.seats[b]:
                        continue
                    base = without if b == a else routes[b]
                    here = costs[a] - saved if b == a else costs[b]
                    for k in range(len(base) + 1):
                        trial = [*base[:k], stop, *base[k:]]
                        added = _route_cost(network, problem, trial) - here
                        if added < saved - 1e-9 and (best is None or added < best[0]):
                            best = (added, b, trial)
                if best is not None:
                    _added, b, trial = best
                    if b == a:
                        routes[a] = trial
                    else:
                        routes[a], routes[b] = without, trial
                        loads[a] -= network.demand[stop]
                        loads[b] += network.demand[stop]
                        costs[b] = _route_cost(network, problem, routes[b])
                    costs[a] = _route_cost(network, problem, routes[a])
                    improved = True
        for a in range(len(routes)):
            for b in range(a + 1, len(routes)):
                for i in range(len(routes[a])):
                    for j in range(len(routes[b])):
                        x, y = routes[a][i], routes[b][j]
                        delta = network.demand[y] - network.demand[x]
                        if (
                            loads[a] + delta > network.seats[a]
                            or loads[b] - delta > network.seats[b]
                        ):
                            continue
                        first = [*routes[a][:i], y, *routes[a][i + 1 :]]
                        second = [*routes[b][:j], x, *routes[b][j + 1 :]]
                        one = _route_cost(network, problem, first)
                        two = _route_cost(network, problem, second)
                        if one + two < costs[a] + costs[b] - 1e-9:
                            routes[a], routes[b], costs[a], costs[b] = first, second, one, two
                            loads[a] += delta
                            loads[b] -= delta
                            improved = True
    return routes


def _plan(
    network: _Network, problem: Problem, routes: Sequence[Sequence[int]], unserved: dict[str, str]
) -> Plan:
    buses = sorted(problem.buses, key=lambda bus: -bus.seats)
    # Routes to buses: the fullest route to the largest bus that holds it.
    made: list[Route] = []
    free = list(buses)
    total = longest = km = 0.0
    over = 0
    for route in sorted((r for r in routes if r), key=lambda r: -_load(network, r)):
        load = _load(network, route)
        bus = next(b for b in reversed(free) if b.seats >= load)
        free.remove(bus)
        rides = _rides(network, route)
        legs = tuple(
            Leg(
                stop=network.keys[stop],
                riders=tuple(network.riders[stop]),
                departs_at=_minute(problem.latest_arrival - timedelta(minutes=float(ride))),
                ride_min=round(float(ride), 1),
            )
            for stop, ride in zip(route, rides, strict=True)
        )
        metres = sum(network.metres[a, b] for a, b in zip(route, [*route[1:], 0], strict=True))
        made.append(Route(bus=bus.key, legs=legs, km=round(float(metres) / 1000, 2)))
        total += sum(network.demand[s] * r for s, r in zip(route, rides, strict=True))
        longest = max([longest, *rides])
        over += sum(
            network.demand[s] for s, r in zip(route, rides, strict=True) if r > problem.max_ride_min
        )
        km += metres / 1000
    return Plan(
        routes=tuple(made),
        unserved=dict(unserved),
        total_ride_min=round(float(total), 1),
        longest_ride_min=round(float(longest), 1),
        km=round(float(km), 2),
        over_max_ride=over,
    )


def _minute(moment: datetime) -> datetime:
    """The minute a timetable shows: the bus leaves no later than planned."""
    return moment.replace(second=0, microsecond=0)


def path_km(places: Sequence[Place], *, detour: float = 1.3) -> float:
    """Kilometres along `places` in order, by great-circle distance times the detour factor:
    a current route's length, set beside a plan's."""
    if len(places) < 2:
        return 0.0
    points = _coordinates(places)
    legs = _haversine_m(points[:-1], points[1:]).diagonal()
    return round(float(legs.sum()) * detour / 1000, 2)
