"""The alarms of school-bus telemetry beside speeding: off route, unapproved stop, overload and
driver swap, each by its rule, one alarm per continuing episode whether it spans one batch or
several; and the officer's alarms page in zh-Hans. The test route's stops are 26.51, 26.52 and
26.53 N on 106.7 E (about 1.1 km apart), its run 07:00-08:00 yesterday."""

import datetime
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.roles import Role
from shared_apps.transport import alarms, services, telemetry
from shared_apps.transport.models import Alarm, Run, Vehicle
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.transport import at, make_driver, make_licence, make_run, today

pytestmark = pytest.mark.django_db

EAST_2KM = 106.7 + 2000 / alarms.M_PER_DEGREE / 0.8945
BETWEEN_STOPS = 26.515


def _yesterdays_run(**kwargs: Any) -> Run:
    return make_run(make_licence(**kwargs), day=today() - datetime.timedelta(days=1))


def _batch(
    start: datetime.datetime,
    speeds: list[float],
    *,
    latitude: float = BETWEEN_STOPS,
    longitude: float = 106.7,
) -> list[telemetry.PointInput]:
    return [
        telemetry.PointInput(
            recorded_at=start + datetime.timedelta(seconds=10 * i),
            latitude=latitude,
            longitude=longitude,
            speed_kmh=speed,
        )
        for i, speed in enumerate(speeds)
    ]


def _send(vehicle: Vehicle, points: list[telemetry.PointInput]) -> int:
    return telemetry.points_ingest(vehicle=vehicle, points=points, actor=telemetry.DEVICES).alarms


def _alarms(run: Run, kind: str) -> list[Alarm]:
    return list(Alarm.objects.filter(run=run, kind=kind).order_by("at"))


def test_on_the_line_between_stops_no_alarm() -> None:
    run = _yesterdays_run()
    assert _send(run.vehicle, _batch(run.period.lower, [40] * 12)) == 0
    assert not Alarm.objects.filter(vehicle=run.vehicle).exists()


def test_off_route_is_one_alarm_per_episode_across_batches() -> None:
    run = _yesterdays_run()
    start = run.period.lower + datetime.timedelta(minutes=5)
    assert _send(run.vehicle, _batch(start, [40] * 6, longitude=EAST_2KM)) == 1
    # The next batch goes on off route: the same episode, its last point moved.
    later = start + datetime.timedelta(minutes=1)
    assert _send(run.vehicle, _batch(later, [40] * 6, longitude=EAST_2KM)) == 0
    (alarm,) = _alarms(run, Alarm.Kind.OFF_ROUTE)
    assert alarm.at == start and alarm.last_at == later + datetime.timedelta(seconds=50)
    assert 1950 <= (alarm.distance_m or 0) <= 2050
    # Back on the route, then off again ten minutes on: another episode.
    back = start + datetime.timedelta(minutes=3)
    assert _send(run.vehicle, _batch(back, [40] * 6)) == 0
    again = start + datetime.timedelta(minutes=15)
    assert _send(run.vehicle, _batch(again, [40] * 3, longitude=EAST_2KM)) == 1
    assert [a.at for a in _alarms(run, Alarm.Kind.OFF_ROUTE)] == [start, again]


def test_off_route_counts_only_during_a_run_and_its_distance_is_a_setting(settings: Any) -> None:
    run = _yesterdays_run()
    after = run.period.upper + datetime.timedelta(minutes=10)
    assert _send(run.vehicle, _batch(after, [40] * 3, longitude=EAST_2KM)) == 0
    settings.TRANSPORT_OFF_ROUTE_M = 2500
    assert _send(run.vehicle, _batch(run.period.lower, [40] * 3, longitude=EAST_2KM)) == 0
    assert not Alarm.objects.filter(vehicle=run.vehicle).exists()


def test_standing_two_minutes_away_from_an_approved_stop_is_an_unapproved_stop() -> None:
    run = _yesterdays_run()
    start = run.period.lower + datetime.timedelta(minutes=5)
    # 110 s at a standstill 550 m from either stop: not yet.
    assert _send(run.vehicle, _batch(start, [30, *[0] * 12, 30])) == 0
    # Two minutes and more: one alarm, from the first point standing.
    later = start + datetime.timedelta(minutes=5)
    assert _send(run.vehicle, _batch(later, [30, *[1] * 14, 30])) == 1
    (alarm,) = _alarms(run, Alarm.Kind.UNAPPROVED_STOP)
    assert alarm.at == later + datetime.timedelta(seconds=10)
    assert alarm.last_at == later + datetime.timedelta(seconds=140)
    assert 540 <= (alarm.distance_m or 0) <= 570


def test_standing_at_an_approved_stop_is_no_alarm() -> None:
    run = _yesterdays_run()
    assert _send(run.vehicle, _batch(run.period.lower, [0] * 30, latitude=26.5202)) == 0
    assert not Alarm.objects.filter(vehicle=run.vehicle).exists()


def test_a_stop_that_spans_two_batches_is_one_alarm_from_its_first_point() -> None:
    run = _yesterdays_run()
    start = run.period.lower + datetime.timedelta(minutes=5)
    assert _send(run.vehicle, _batch(start, [0] * 7)) == 0
    second = start + datetime.timedelta(seconds=70)
    assert _send(run.vehicle, _batch(second, [0] * 7)) == 1
    third = second + datetime.timedelta(seconds=70)
    assert _send(run.vehicle, _batch(third, [0] * 7)) == 0
    (alarm,) = _alarms(run, Alarm.Kind.UNAPPROVED_STOP)
    assert alarm.at == start and alarm.last_at == third + datetime.timedelta(seconds=60)


def test_speeding_that_goes_on_in_the_next_batch_is_the_same_alarm() -> None:
    run = _yesterdays_run()
    start = run.period.lower + datetime.timedelta(minutes=5)
    assert _send(run.vehicle, _batch(start, [50, 70, 72])) == 1
    assert _send(run.vehicle, _batch(start + datetime.timedelta(seconds=30), [75, 50])) == 0
    (alarm,) = _alarms(run, Alarm.Kind.SPEEDING)
    assert alarm.last_at == start + datetime.timedelta(seconds=30)


def test_an_overloaded_run_raises_one_alarm_as_it_runs(school_a: School) -> None:
    run = _yesterdays_run(schools=[school_a])
    for ref in (1, 2):
        services.assign_seat(run=run, school=school_a, student_ref=ref, actor=SETUP)
    # The bus re-rated to 3 seats: 3 less the driver and one escort leaves one for pupils.
    Vehicle.objects.filter(pk=run.vehicle_id).update(rated_load=3)
    assert _send(run.vehicle, _batch(run.period.lower, [30] * 3)) == 1
    assert _send(run.vehicle, _batch(run.period.lower + datetime.timedelta(minutes=1), [30])) == 0
    (alarm,) = _alarms(run, Alarm.Kind.OVERLOAD)
    assert (alarm.seats_taken, alarm.seats_allowed, alarm.at) == (2, 1, run.period.lower)


def test_a_seat_added_over_the_rated_load_raises_the_overload(school_a: School) -> None:
    run = _yesterdays_run(schools=[school_a])
    Vehicle.objects.filter(pk=run.vehicle_id).update(rated_load=4)
    for ref in (1, 2):
        services.assign_seat(run=run, school=school_a, student_ref=ref, actor=SETUP)
    assert not _alarms(run, Alarm.Kind.OVERLOAD)
    services.assign_seat(run=run, school=school_a, student_ref=3, actor=SETUP)
    services.assign_seat(run=run, school=school_a, student_ref=4, actor=SETUP)
    (alarm,) = _alarms(run, Alarm.Kind.OVERLOAD)
    assert (alarm.seats_taken, alarm.seats_allowed) == (3, 2)


def test_a_driver_other_than_the_licence_s_without_a_substitution_is_a_swap() -> None:
    run = _yesterdays_run()
    stand_in = make_driver(name="赵师傅")
    Run.objects.filter(pk=run.pk).update(driver=stand_in)
    assert _send(run.vehicle, _batch(run.period.lower, [30] * 3)) == 1
    assert _send(run.vehicle, _batch(run.period.lower + datetime.timedelta(minutes=1), [30])) == 0
    (alarm,) = _alarms(run, Alarm.Kind.DRIVER_SWAP)
    assert alarm.driver == stand_in


@mock.patch("django.utils.timezone.now", return_value=at(today(), 12))
def test_a_same_day_substitution_filed_is_no_swap_but_one_filed_the_day_before_is(
    now_at_noon: mock.Mock,
) -> None:
    """At noon: the run, half an hour either side of now, must fall on the day it is filed."""
    licence = make_licence()
    now = timezone.now()
    filed = services.run_schedule(
        licence=licence,
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(minutes=30),
        driver=make_driver(name="钱师傅"),
        substitution="sick_driver",
        actor=SETUP,
    )
    points = _batch(now - datetime.timedelta(minutes=20), [30] * 3)
    assert _send(licence.vehicle, points) == 0
    Run.objects.filter(pk=filed.pk).update(created_at=now - datetime.timedelta(days=1))
    assert _send(licence.vehicle, _batch(now - datetime.timedelta(minutes=19), [30])) == 1
    assert _alarms(filed, Alarm.Kind.DRIVER_SWAP)


def test_a_run_scheduled_after_the_vehicle_s_plan_was_read_is_checked() -> None:
    licence = make_licence()
    day = today() - datetime.timedelta(days=1)
    assert _send(licence.vehicle, _batch(at(day, 7, 5), [40], longitude=EAST_2KM)) == 0
    make_run(licence, day=day)
    assert _send(licence.vehicle, _batch(at(day, 7, 6), [40], longitude=EAST_2KM)) == 1


def test_the_points_and_episodes_of_a_batch_are_one_statement() -> None:
    run = _yesterdays_run()
    _send(run.vehicle, _batch(run.period.lower, [40]))
    with CaptureQueriesContext(connection) as queries:
        _send(run.vehicle, _batch(run.period.lower + datetime.timedelta(minutes=1), [90] * 30))
    assert len([q for q in queries if "transport_" in q["sql"]]) == 1
    assert Alarm.objects.get(run=run).kind == Alarm.Kind.SPEEDING


def test_the_officer_reads_every_kind_in_chinese(district_host: str, school_a: School) -> None:
    run = _yesterdays_run(schools=[school_a])
    services.assign_seat(run=run, school=school_a, student_ref=1, actor=SETUP)
    Vehicle.objects.filter(pk=run.vehicle_id).update(rated_load=2)
    Run.objects.filter(pk=run.pk).update(driver=make_driver(name="孙师傅"))
    start = run.period.lower + datetime.timedelta(minutes=5)
    _send(run.vehicle, _batch(start, [90, *[0] * 14], longitude=EAST_2KM))
    assert set(Alarm.objects.filter(run=run).values_list("kind", flat=True)) == set(
        Alarm.Kind.values
    )
    client = Client(SERVER_NAME=district_host, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(
        user_with_role(Role.TRANSPORT_OFFICER, None), backend="houqin.permissions.RoleBackend"
    )
    page = client.get("/transport/alarms/").content.decode()
    for words in ("超速", "偏离路线", "非批准站点停车", "超员", "非标牌驾驶人", "孙师傅"):
        assert words in page, words
