"""School buses, the district's side: the rules of decree 617 as constraints and as the run's
checks on its date, the licence's six months and approval, runs that never double-book a vehicle
or driver, the seat ledger shared by schools (two schools assigning at once), and GPS telemetry
with its speed alarms and day partitions."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from houqin.exceptions import Conflict, InvalidInput, NotPermitted
from shared_apps.transport import rules, services, telemetry
from shared_apps.transport.models import Alarm, Licence, Offence, Run, Vehicle
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.transport import (
    FULL_KIT,
    at,
    make_driver,
    make_licence,
    make_provider,
    make_route,
    make_run,
    make_vehicle,
    today,
)

pytestmark = pytest.mark.django_db


def _refused(code: str, **kwargs: Any) -> Conflict:
    with pytest.raises(Conflict) as caught:
        services.run_schedule(actor=SETUP, **kwargs)
    assert caught.value.code == code, caught.value.fields
    return caught.value


def _run_kwargs(licence: Licence, day: datetime.date | None = None) -> dict[str, Any]:
    day = day or today() + datetime.timedelta(days=1)
    return {"licence": licence, "starts_at": at(day, 7), "ends_at": at(day, 8)}


# The vehicle's rules, in the database however written.


@pytest.mark.parametrize(("kind", "load"), [("primary", 57), ("general", 0), ("kindergarten", 46)])
def test_rated_load_above_the_limit_is_refused_by_the_database(kind: str, load: int) -> None:
    vehicle = make_vehicle()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicle.objects.filter(pk=vehicle.pk).update(kind=kind, rated_load=load)


@pytest.mark.parametrize(("kind", "load"), [("primary", 57), ("kindergarten", 46)])
def test_rated_load_above_the_limit_is_a_400_naming_it(kind: str, load: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.vehicle_create(
            plate="黔A99999",
            provider=make_provider(),
            kind=kind,
            rated_load=load,
            equipment=FULL_KIT,
            actor=SETUP,
        )
    assert "rated_load" in caught.value.fields
    assert not Vehicle.objects.filter(plate="黔A99999").exists()


def test_an_inspection_holds_six_months_and_moves_the_vehicle_due_date() -> None:
    vehicle = make_vehicle(inspected=False)
    day = datetime.date(2026, 8, 31)
    inspection = services.inspection_record(
        vehicle=vehicle, inspected_on=day, passed=True, actor=SETUP
    )
    assert inspection.valid_until == datetime.date(2027, 2, 28)
    vehicle.refresh_from_db()
    assert vehicle.inspection_valid_until == datetime.date(2027, 2, 28)
    failed = services.inspection_record(
        vehicle=vehicle, inspected_on=day, passed=False, actor=SETUP
    )
    assert not failed.passed
    vehicle.refresh_from_db()
    assert vehicle.inspection_valid_until == datetime.date(2027, 2, 28)


# The licence: six months at most, never past the inspection, its approval steps.


def test_a_licence_longer_than_six_months_is_refused() -> None:
    vehicle = make_vehicle()
    with pytest.raises(InvalidInput) as caught:
        services.licence_submit(
            number="L-long",
            vehicle=vehicle,
            driver=make_driver(),
            route=make_route(),
            issuer="县教育局",
            valid_from=today(),
            valid_until=today() + datetime.timedelta(days=200),
            actor=SETUP,
        )
    assert caught.value.code == "licence_six_months"


def test_a_licence_past_the_inspection_is_refused() -> None:
    vehicle = make_vehicle()
    assert vehicle.inspection_valid_until is not None
    with pytest.raises(InvalidInput) as caught:
        services.licence_submit(
            number="L-past",
            vehicle=vehicle,
            driver=make_driver(),
            route=make_route(),
            issuer="县教育局",
            valid_from=vehicle.inspection_valid_until - datetime.timedelta(days=30),
            valid_until=vehicle.inspection_valid_until + datetime.timedelta(days=1),
            actor=SETUP,
        )
    assert caught.value.code == "licence_past_inspection"


def test_the_database_refuses_a_licence_of_more_than_six_months() -> None:
    licence = make_licence()
    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.filter(pk=licence.pk).update(
            valid_until=licence.valid_from + datetime.timedelta(days=185)
        )


def test_the_approval_goes_step_by_step_with_its_working_day_timers() -> None:
    vehicle = make_vehicle()
    licence = services.licence_submit(
        number="L-steps",
        vehicle=vehicle,
        driver=make_driver(),
        route=make_route(),
        issuer="县教育局",
        valid_from=today(),
        valid_until=today() + datetime.timedelta(days=60),
        actor=SETUP,
    )
    assert licence.status == Licence.Status.SUBMITTED
    assert licence.step_due == rules.working_days_after(today(), 3)
    with pytest.raises(Conflict):
        services.licence_advance(licence=licence, step="approve", actor=SETUP)
    licence = services.licence_advance(licence=licence, step="forward", actor=SETUP)
    licence = services.licence_advance(licence=licence, step="answer", actor=SETUP)
    assert licence.step_due == rules.working_days_after(today(), 5)
    with pytest.raises(InvalidInput):
        services.licence_advance(licence=licence, step="refuse", actor=SETUP)
    licence = services.licence_advance(
        licence=licence, step="refuse", reason="线路临崖", actor=SETUP
    )
    assert licence.status == Licence.Status.REFUSED and licence.decided_at is not None
    with pytest.raises(Conflict) as caught:
        services.run_schedule(actor=SETUP, **_run_kwargs(licence))
    assert caught.value.code == "licence_not_approved"


def test_working_days_skip_the_weekend() -> None:
    friday = datetime.date(2026, 12, 4)
    assert rules.working_days_after(friday, 3) == datetime.date(2026, 12, 9)


# A run refused for each rule, naming it; nothing saved.


def test_a_run_with_an_overdue_inspection_is_refused() -> None:
    licence = make_licence()
    Vehicle.objects.filter(pk=licence.vehicle_id).update(
        inspection_valid_until=today() - datetime.timedelta(days=1)
    )
    _refused("vehicle_inspection", **_run_kwargs(licence))
    assert not Run.objects.filter(licence=licence).exists()


def test_a_run_with_equipment_missing_names_what_is_missing() -> None:
    licence = make_licence()
    services.vehicle_equipment_set(
        vehicle=licence.vehicle,
        equipment=services.Equipment(hammer=True, extinguisher=True, first_aid_kit=True),
        actor=SETUP,
    )
    error = _refused("vehicle_equipment", **_run_kwargs(licence))
    assert "GPS" in error.message


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"insurer": "", "insurance_expires": None}, "provider_insurance"),
        ({"licence_number": "", "licence_expires": None}, "provider_licence"),
    ],
)
def test_a_run_of_an_uninsured_or_unlicensed_provider_is_refused(
    change: dict[str, Any], code: str
) -> None:
    licence = make_licence()
    provider = licence.vehicle.provider
    current = {
        "licence_number": provider.licence_number,
        "licence_expires": provider.licence_expires,
        "insurer": provider.insurer,
        "insurance_expires": provider.insurance_expires,
    }
    services.provider_update(provider=provider, actor=SETUP, **{**current, **change})
    _refused(code, **_run_kwargs(licence))


def test_a_driver_aged_61_on_the_run_date_is_refused_though_60_the_day_before() -> None:
    run_day = today() + datetime.timedelta(days=2)
    born = run_day.replace(year=run_day.year - 61)
    driver = make_driver(born_on=born, licensed_since=born.replace(year=born.year + 30))
    licence = make_licence(driver=driver)
    error = _refused("driver_age", **_run_kwargs(licence, run_day))
    assert "61" in error.message
    # The day before, still 60: the rule is evaluated on the run's date.
    assert make_run(licence, day=run_day - datetime.timedelta(days=1)).pk


@pytest.mark.parametrize(
    ("kind", "ago_days", "code"),
    [
        (Offence.Kind.DRINK_DRIVING, 3650, "driver_drink_driving"),
        (Offence.Kind.FATAL, 3000, "driver_accident_liability"),
        (Offence.Kind.TWELVE_POINTS, 700, "driver_twelve_points"),
        (Offence.Kind.SPEEDING, 100, "driver_overload_or_speeding"),
        (Offence.Kind.OVERLOAD, 300, "driver_overload_or_speeding"),
    ],
)
def test_an_offence_keeps_the_driver_off_the_run(kind: str, ago_days: int, code: str) -> None:
    licence = make_licence()
    services.offence_record(
        driver=licence.driver,
        kind=kind,
        occurred_on=today() - datetime.timedelta(days=ago_days),
        actor=SETUP,
    )
    _refused(code, **_run_kwargs(licence))


def test_an_old_speeding_offence_no_longer_counts() -> None:
    licence = make_licence()
    services.offence_record(
        driver=licence.driver,
        kind=Offence.Kind.SPEEDING,
        occurred_on=today() - datetime.timedelta(days=400),
        actor=SETUP,
    )
    assert make_run(licence).pk


def test_every_failed_rule_is_named() -> None:
    driver = make_driver(
        licensed_since=today() - datetime.timedelta(days=365),
        health_valid_until=None,
        criminal_record=True,
    )
    licence = make_licence(driver=driver)
    error = _refused("driver_licence_years", **_run_kwargs(licence))
    codes = [rule["code"] for rule in error.fields["rules"]]
    assert codes == ["driver_licence_years", "driver_criminal_record", "driver_health"]


def test_a_run_past_the_licence_validity_is_refused() -> None:
    licence = make_licence()
    _refused(
        "licence_validity", **_run_kwargs(licence, licence.valid_until + datetime.timedelta(days=1))
    )


def test_a_route_with_an_unapproved_stop_is_refused() -> None:
    licence = make_licence(route=make_route(approved=False))
    _refused("route_unapproved_stops", **_run_kwargs(licence))


def test_another_driver_needs_a_same_day_substitution_reason() -> None:
    licence = make_licence()
    other = make_driver(licence.vehicle.provider)
    kwargs = {**_run_kwargs(licence, today()), "driver": other}
    kwargs["starts_at"] = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    kwargs["ends_at"] = kwargs["starts_at"] + datetime.timedelta(minutes=50)
    _refused("substitution_reason", **kwargs)
    run = services.run_schedule(substitution="sick_driver", actor=SETUP, **kwargs)
    assert run.driver == other and run.substitution == "sick_driver"
    tomorrow = {**_run_kwargs(licence), "driver": other, "substitution": "sick_driver"}
    _refused("substitution_same_day", **tomorrow)


# No vehicle or driver on two runs at once.


def test_a_vehicle_on_two_runs_at_once_is_refused() -> None:
    licence = make_licence()
    run = make_run(licence)
    start = run.period.lower + datetime.timedelta(minutes=30)
    _refused(
        "vehicle_double_booked",
        licence=licence,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    assert Run.objects.filter(licence=licence).count() == 1


def test_a_driver_on_two_runs_at_once_is_refused() -> None:
    first = make_licence()
    second = make_licence(driver=first.driver)
    make_run(first)
    _refused("driver_double_booked", **_run_kwargs(second))


def test_the_database_refuses_overlapping_runs_however_written() -> None:
    run = make_run(make_licence())
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(
            licence=run.licence,
            vehicle=run.vehicle,
            driver=make_driver(),
            route=run.route,
            period=run.period,
            capacity=run.capacity,
        )


def test_a_cancelled_run_frees_its_time() -> None:
    licence = make_licence()
    run = make_run(licence)
    services.run_cancel(run=run, actor=SETUP)
    assert make_run(licence).pk != run.pk


# The seat ledger.


def test_seats_are_the_rated_load_less_the_driver_and_escorts(school_a: School) -> None:
    run = make_run(make_licence(make_vehicle(rated_load=5), schools=[school_a]), escorts=2)
    assert run.capacity == 2
    services.assign_seat(run=run, school=school_a, student_ref=1, actor=SETUP)
    services.assign_seat(run=run, school=school_a, student_ref=2, actor=SETUP)
    with pytest.raises(Conflict) as caught:
        services.assign_seat(run=run, school=school_a, student_ref=3, actor=SETUP)
    assert caught.value.code == "run_full"
    run.refresh_from_db()
    assert run.seats_taken == 2


def test_the_database_refuses_seats_over_capacity(school_a: School) -> None:
    run = make_run(make_licence(schools=[school_a]))
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.filter(pk=run.pk).update(seats_taken=run.capacity + 1)


def test_a_pupil_has_one_seat_and_a_school_off_the_route_none(
    school_a: School, school_b: School
) -> None:
    run = make_run(make_licence(schools=[school_a]))
    services.assign_seat(run=run, school=school_a, student_ref=7, actor=SETUP)
    for school, code in ((school_a, "seat_taken"), (school_b, "school_not_on_route")):
        with pytest.raises(Conflict) as caught:
            services.assign_seat(run=run, school=school, student_ref=7, actor=SETUP)
        assert caught.value.code == code


def test_a_released_seat_is_taken_again(school_a: School) -> None:
    run = make_run(make_licence(make_vehicle(rated_load=5), schools=[school_a]), escorts=1)
    seats = [
        services.assign_seat(run=run, school=school_a, student_ref=i, actor=SETUP) for i in range(3)
    ]
    services.release_seat(seat=seats[0], actor=SETUP)
    again = services.assign_seat(run=run, school=school_a, student_ref=9, actor=SETUP)
    assert again.number == seats[0].number
    run.refresh_from_db()
    assert run.seats_taken == 3


# Telemetry.


def _points(start: datetime.datetime, speeds: list[float], **kw: Any) -> list[Any]:
    return [
        telemetry.PointInput(
            recorded_at=start + datetime.timedelta(seconds=10 * i),
            latitude=kw.get("latitude", 26.51),
            longitude=106.7,
            speed_kmh=speed,
            highway=kw.get("highway", False),
        )
        for i, speed in enumerate(speeds)
    ]


def test_an_unknown_device_key_is_refused() -> None:
    with pytest.raises(NotPermitted) as caught:
        telemetry.vehicle_by_key("no-such-key")
    assert caught.value.code == "unknown_device"


def test_speed_limits_raise_one_alarm_per_stretch_over_them() -> None:
    licence = make_licence()
    key = services.vehicle_device_key_issue(vehicle=licence.vehicle, actor=SETUP)
    vehicle = telemetry.vehicle_by_key(key)
    assert vehicle == licence.vehicle
    start = timezone.now() - datetime.timedelta(hours=2)
    result = telemetry.points_ingest(
        vehicle=vehicle,
        points=[
            *_points(start, [50, 65, 70, 50]),
            *_points(start + datetime.timedelta(minutes=5), [75, 79], highway=True),
        ],
        actor=telemetry.DEVICES,
    )
    assert result == telemetry.Ingested(points=6, alarms=1)
    alarm = Alarm.objects.get(vehicle=vehicle)
    assert (alarm.limit_kmh, alarm.speed_kmh) == (60, Decimal("65.0"))


def test_within_a_hazard_of_the_run_route_the_limit_is_20() -> None:
    licence = make_licence()
    run = make_run(licence, day=today() - datetime.timedelta(days=1))
    services.hazard_add(
        route=licence.route,
        kind="cliff",
        latitude=Decimal("26.51"),
        longitude=Decimal("106.7"),
        radius_m=200,
        mitigation="限速20，设护栏",
        actor=SETUP,
    )
    start = run.period.lower + datetime.timedelta(minutes=1)
    telemetry.points_ingest(
        vehicle=licence.vehicle, points=_points(start, [25]), actor=telemetry.DEVICES
    )
    telemetry.points_ingest(
        vehicle=licence.vehicle,
        points=_points(start + datetime.timedelta(minutes=1), [25], latitude=26.6),
        actor=telemetry.DEVICES,
    )
    alarm = Alarm.objects.get(vehicle=licence.vehicle, kind=Alarm.Kind.SPEEDING)
    assert (alarm.limit_kmh, alarm.run) == (20, run)


def test_a_bad_batch_is_refused_whole() -> None:
    vehicle = make_vehicle()
    points = _points(timezone.now(), [50, 500])
    with pytest.raises(InvalidInput) as caught:
        telemetry.points_ingest(vehicle=vehicle, points=points, actor=telemetry.DEVICES)
    assert set(caught.value.fields) == {"1"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM transport_point WHERE vehicle_id = %s", [vehicle.pk])
        assert cursor.fetchone()[0] == 0


def test_points_land_in_their_day_partition_and_old_days_are_dropped(settings: Any) -> None:
    settings.TRANSPORT_POINT_RETENTION_DAYS = 10
    first = datetime.date(2030, 3, 1)
    created = telemetry.partitions_ensure(days=3, start=first, actor=telemetry.PARTITIONS)
    assert created == [f"transport_point_2030030{d}" for d in (1, 2, 3)]
    assert telemetry.partitions_ensure(days=3, start=first, actor=telemetry.PARTITIONS) == []
    vehicle = make_vehicle()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO transport_point "
            "(vehicle_id, recorded_at, latitude, longitude, speed_kmh, highway) "
            "VALUES (%s, %s, 26.5, 106.7, 40, false)",
            [vehicle.pk, at(datetime.date(2030, 3, 2), 7)],
        )
        cursor.execute(
            "SELECT tableoid::regclass::text FROM transport_point WHERE vehicle_id = %s",
            [vehicle.pk],
        )
        assert cursor.fetchone()[0] == "transport_point_20300302"
    dropped = telemetry.partitions_prune(
        today=datetime.date(2030, 3, 12), actor=telemetry.PARTITIONS
    )
    assert dropped == ["transport_point_20300301"]


def test_the_daily_job_creates_the_week_and_drops_old_days(settings: Any) -> None:
    from shared_apps.transport.tasks import point_partitions_task

    done = point_partitions_task()
    names = {f"transport_point_{today() + datetime.timedelta(days=d):%Y%m%d}" for d in range(7)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'transport_point_2%%'")
        assert names <= {name for (name,) in cursor.fetchall()}
    assert set(done["created"]) <= names
