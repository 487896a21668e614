"""Route planning (shared_apps/transport/planning.py): every rider a stop within walking
distance and a seat, no bus over its seats, rides under the longest allowed where the buses
allow it, and a plan no worse than the nearest-neighbour chains drawn by hand."""

from dataclasses import replace
from datetime import datetime, timedelta

from shared_apps.transport.planning import Bus, Place, Problem, nearest_neighbour, plan
from tests.bench.routes import SCHOOL, SHANGHAI, instance

ARRIVAL = datetime(2026, 12, 7, 7, 50, tzinfo=SHANGHAI)


def _checked(problem: Problem) -> None:
    made = plan(problem)
    seats = {bus.key: bus.seats for bus in problem.buses}
    carried = [rider for route in made.routes for leg in route.legs for rider in leg.riders]
    assert len(carried) == len(set(carried)), "a rider on two buses"
    assert set(carried) | set(made.unserved) == {r.key for r in problem.riders}
    assert len({route.bus for route in made.routes}) == len(made.routes), "a bus used twice"
    for route in made.routes:
        assert route.riders <= seats[route.bus]
        rides = [leg.ride_min for leg in route.legs]
        assert rides == sorted(rides, reverse=True), "the bus goes to the school"
        for leg in route.legs:
            planned = problem.latest_arrival - timedelta(minutes=leg.ride_min)
            assert leg.departs_at.second == 0
            assert planned - timedelta(minutes=1) <= leg.departs_at <= planned
    stops = {s.key: s for s in problem.stops}
    homes = {r.key: r for r in problem.riders}
    for route in made.routes:
        for leg in route.legs:
            for rider in leg.riders:
                # 0.02 degrees is more than any walk allowed here.
                assert abs(homes[rider].lat - stops[leg.stop].lat) < 0.02


def test_a_morning_plan_carries_every_rider_within_the_seats_and_beats_the_hand_drawn_chains() -> (
    None
):
    # Five buses for 200 riders spread over 26 km: a ride of at most 75 minutes is possible.
    problem = replace(instance(riders=200, stops=30, buses=5), max_ride_min=75)
    _checked(problem)
    ours, hand = plan(problem), nearest_neighbour(problem)
    assert not ours.unserved and not hand.unserved
    assert ours.total_ride_min < hand.total_ride_min
    assert ours.longest_ride_min <= problem.max_ride_min < hand.longest_ride_min
    assert ours.over_max_ride == 0 < hand.over_max_ride


def test_riders_without_a_stop_in_walking_distance_or_a_seat_are_named() -> None:
    far = Place("far", SCHOOL.lat + 0.5, SCHOOL.lon)
    stop = Place("stop", SCHOOL.lat + 0.05, SCHOOL.lon)
    riders = [Place(f"r{n}", stop.lat + 0.001, stop.lon) for n in range(12)] + [far]
    made = plan(Problem(SCHOOL, [stop], riders, [Bus("small", 10)], ARRIVAL))
    assert made.unserved["far"] == "no_stop"
    # Twelve riders at one stop, ten seats: a busload of ten, two without a seat.
    assert sum(reason == "no_seat" for reason in made.unserved.values()) == 2
    assert made.routes[0].riders == 10


def test_a_stop_with_more_riders_than_a_bus_holds_is_visited_once_per_busload() -> None:
    stop = Place("crowded", SCHOOL.lat + 0.05, SCHOOL.lon)
    riders = [Place(f"r{n}", stop.lat, stop.lon + 0.001) for n in range(70)]
    made = plan(Problem(SCHOOL, [stop], riders, [Bus("a", 54), Bus("b", 54)], ARRIVAL))
    assert not made.unserved
    assert sorted(route.riders for route in made.routes) == [16, 54]
    assert {leg.stop for route in made.routes for leg in route.legs} == {"crowded"}


def test_the_districts_road_distances_are_used_where_it_has_them() -> None:
    near = Place("near", SCHOOL.lat + 0.02, SCHOOL.lon)
    riders = [Place("r", near.lat, near.lon)]
    straight = plan(Problem(SCHOOL, [near], riders, [Bus("a", 40)], ARRIVAL))
    # A river between: 9 km by the road the bus takes.
    road = {("near", "school"): 9_000.0, ("school", "near"): 9_000.0}
    around = plan(Problem(SCHOOL, [near], riders, [Bus("a", 40)], ARRIVAL, road_m=road))
    assert straight.km < 4 and around.km == 9.0
    assert around.routes[0].legs[0].ride_min == 18.5  # 9 km at 30 km/h, and the stop's half minute


def test_the_fewest_stops_that_leave_everyone_a_short_walk_are_chosen() -> None:
    a = Place("a", SCHOOL.lat + 0.05, SCHOOL.lon)
    b = Place("b", SCHOOL.lat + 0.05, SCHOOL.lon + 0.004)  # 390 m east of a
    riders = [Place(f"r{n}", a.lat, a.lon + 0.002) for n in range(6)]  # between the two
    made = plan(Problem(SCHOOL, [a, b], riders, [Bus("a", 40)], ARRIVAL))
    assert len(made.routes[0].legs) == 1
