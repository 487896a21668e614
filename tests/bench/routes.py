"""Route planning's benchmark: a rural school's morning, 400 riders around 60 candidate stops
within 13 km of the school, 8 buses of 56 seats (54 for riders, the driver and an escort
aboard), planned by the search and by the nearest-neighbour chains a transport officer draws by
hand, on the same stops: time to plan, the riders' total ride time, the longest ride and the
buses' kilometres."""

import random
import statistics
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared_apps.transport.planning import Bus, Place, Plan, Problem, nearest_neighbour, plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHOOL = Place("school", 29.35, 110.55)
# Degrees of latitude and longitude around the school: about 13 km.
SPREAD = 0.12
# A rider lives within about 600 m of the stop their family uses.
HOMES = 0.006


def instance(
    riders: int = 400, stops: int = 60, buses: int = 8, seats: int = 54, seed: int = 617
) -> Problem:
    dice = random.Random(seed)
    candidates = [
        Place(
            f"stop-{n}",
            SCHOOL.lat + dice.uniform(-SPREAD, SPREAD),
            SCHOOL.lon + dice.uniform(-SPREAD, SPREAD),
        )
        for n in range(stops)
    ]
    homes = []
    for n in range(riders):
        near = dice.choice(candidates)
        homes.append(
            Place(
                f"rider-{n}",
                near.lat + dice.uniform(-HOMES, HOMES),
                near.lon + dice.uniform(-HOMES, HOMES),
            )
        )
    return Problem(
        school=SCHOOL,
        stops=candidates,
        riders=homes,
        buses=[Bus(f"bus-{n}", seats) for n in range(buses)],
        latest_arrival=datetime(2026, 12, 7, 7, 50, tzinfo=SHANGHAI),
        max_ride_min=60,
    )


def _timed(solve: Any, problem: Problem, samples: int) -> tuple[float, Plan]:
    times = []
    for _sample in range(samples):
        started = time.perf_counter()
        made = solve(problem)
        times.append(time.perf_counter() - started)
    return statistics.median(times), made


def figures(smoke: bool) -> dict[str, float]:
    problem = instance(riders=120, stops=20, buses=3) if smoke else instance()
    samples = 1 if smoke else 5
    took, ours = _timed(plan, problem, samples)
    base_took, base = _timed(nearest_neighbour, problem, samples)
    return {
        "seconds": took,
        "baseline_seconds": base_took,
        "total_ride_min": ours.total_ride_min,
        "baseline_total_ride_min": base.total_ride_min,
        "longest_ride_min": ours.longest_ride_min,
        "baseline_longest_ride_min": base.longest_ride_min,
        "over_max_ride": ours.over_max_ride,
        "baseline_over_max_ride": base.over_max_ride,
        "km": ours.km,
        "baseline_km": base.km,
        "unserved": len(ours.unserved),
        "baseline_unserved": len(base.unserved),
    }
