"""Field trips (校车 item 8): asked for by a school at least ten school days ahead by its own
calendar, approved by its principal and then by the district, which names a licensed carrier's
bus and driver, checked on the trip's day and never booked twice (against field trips by the
database, against runs under the rows' locks; two approvals at once on separate connections)."""

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict, InvalidInput
from shared_apps.transport import services
from shared_apps.transport.models import (
    Driver,
    FieldTrip,
    Inspection,
    Provider,
    Vehicle,
)
from tenant_apps.canteen.models import CalendarDay
from tenants.models import School
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, SCHOOL_B
from tests.factories import SETUP, make_user
from tests.matrix.transport import (
    at,
    make_driver,
    make_field_trip,
    make_licence,
    make_provider,
    make_vehicle,
    school_days_ahead,
)


def _request(school: School, day: datetime.date, **changes: Any) -> FieldTrip:
    fields: dict[str, Any] = {
        "school": school,
        "destination": "县科技馆",
        "starts_at": at(day, 8),
        "ends_at": at(day, 15),
        "pupils": 40,
        "escorts": 2,
    }
    return services.field_trip_request(**{**fields, **changes}, actor=make_user())


def _carrier_bus() -> tuple[Vehicle, Driver]:
    provider = make_provider(kind=Provider.Kind.CARRIER)
    return make_vehicle(provider, rated_load=45), make_driver(provider)


@pytest.mark.django_db
def test_ten_school_days_of_notice_by_the_school_calendar(school_a: School) -> None:
    assert _request(school_a, school_days_ahead(10)).status == FieldTrip.Status.REQUESTED
    with pytest.raises(Conflict) as caught:
        _request(school_a, school_days_ahead(9))
    assert caught.value.code == "field_trip_notice"
    # A holiday in the school's calendar is no school day: ten weekdays are nine school days.
    day = school_days_ahead(10)
    with schema_context(school_a.schema_name):
        CalendarDay.objects.create(
            date=school_days_ahead(3), kind=CalendarDay.Kind.HOLIDAY, name="校庆"
        )
    with pytest.raises(Conflict) as caught:
        _request(school_a, day)
    assert caught.value.code == "field_trip_notice"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"destination": " "}, "destination"),
        ({"pupils": 54}, "pupils"),
        ({"escorts": 0}, "escorts"),
        ({"hours": 15}, "ends_at"),
    ],
)
def test_a_bad_request_names_its_field_and_saves_nothing(
    school_a: School, changes: dict[str, Any], field: str
) -> None:
    day = school_days_ahead(12)
    hours = changes.pop("hours", None)
    if hours:
        changes["ends_at"] = at(day, 8) + datetime.timedelta(hours=hours)
    before = FieldTrip.objects.across_schools().count()
    with pytest.raises(InvalidInput) as caught:
        _request(school_a, day, **changes)
    assert field in caught.value.fields
    assert FieldTrip.objects.across_schools().count() == before


@pytest.mark.django_db
def test_the_principal_then_the_district_approve_with_a_carrier_bus(school_a: School) -> None:
    trip = make_field_trip(school_a)
    vehicle, driver = _carrier_bus()
    with pytest.raises(Conflict) as caught:
        services.field_trip_approve(trip=trip, vehicle=vehicle, driver=driver, actor=make_user())
    assert caught.value.code == "field_trip_step"
    principal = make_user()
    trip = services.field_trip_endorse(trip=trip, actor=principal)
    assert trip.status == FieldTrip.Status.ENDORSED
    with pytest.raises(Conflict) as caught:
        services.field_trip_approve(trip=trip, vehicle=vehicle, driver=driver, actor=principal)
    assert caught.value.code == "field_trip_own"
    trip = services.field_trip_approve(trip=trip, vehicle=vehicle, driver=driver, actor=SETUP)
    assert (trip.status, trip.vehicle, trip.driver) == (FieldTrip.Status.APPROVED, vehicle, driver)


@pytest.mark.django_db
def test_whoever_asked_does_not_approve(school_a: School) -> None:
    asker = make_user()
    day = school_days_ahead(15)
    trip = services.field_trip_request(
        school=school_a,
        destination="烈士陵园",
        starts_at=at(day, 8),
        ends_at=at(day, 12),
        pupils=20,
        actor=asker,
    )
    with pytest.raises(Conflict) as caught:
        services.field_trip_endorse(trip=trip, actor=asker)
    assert caught.value.code == "field_trip_own"


@pytest.mark.django_db
def test_the_schools_own_bus_never_carries_a_field_trip(school_a: School) -> None:
    trip = make_field_trip(school_a, status=FieldTrip.Status.ENDORSED)
    own = make_provider(kind=Provider.Kind.SCHOOL)
    with pytest.raises(Conflict) as caught:
        services.field_trip_approve(
            trip=trip,
            vehicle=make_vehicle(own, rated_load=45),
            driver=make_driver(own),
            actor=SETUP,
        )
    assert caught.value.code == "field_trip_carrier"


@pytest.mark.django_db
def test_a_driver_aged_61_on_the_trip_day_and_too_few_seats_are_named(school_a: School) -> None:
    trip = make_field_trip(school_a, status=FieldTrip.Status.ENDORSED, pupils=30)
    day = trip.starts_at.date()
    provider = make_provider(kind=Provider.Kind.CARRIER)
    old = make_driver(provider, born_on=day.replace(year=day.year - 61))
    with pytest.raises(Conflict) as caught:
        services.field_trip_approve(
            trip=trip, vehicle=make_vehicle(provider, rated_load=19), driver=old, actor=SETUP
        )
    codes = {rule["code"] for rule in caught.value.fields["rules"]}
    assert {"driver_age", "field_trip_seats"} <= codes
    trip.refresh_from_db()
    assert trip.status == FieldTrip.Status.ENDORSED


@pytest.mark.django_db
def test_refusals_give_their_reason_at_their_own_step(school_a: School) -> None:
    trip = make_field_trip(school_a)
    with pytest.raises(InvalidInput):
        services.field_trip_refuse(trip=trip, at="requested", reason=" ", actor=SETUP)
    with pytest.raises(Conflict):
        services.field_trip_refuse(trip=trip, at="endorsed", reason="无车", actor=SETUP)
    trip = services.field_trip_refuse(trip=trip, at="requested", reason="期中考试", actor=SETUP)
    assert (trip.status, trip.reason) == (FieldTrip.Status.REFUSED, "期中考试")


@pytest.mark.django_db
def test_a_bus_or_driver_on_a_run_or_another_trip_is_refused(
    school_a: School, school_b: School
) -> None:
    vehicle, driver = _carrier_bus()
    first = make_field_trip(school_a, status=FieldTrip.Status.ENDORSED)
    services.field_trip_approve(trip=first, vehicle=vehicle, driver=driver, actor=SETUP)
    day = first.starts_at.date()
    second = make_field_trip(school_b, status=FieldTrip.Status.ENDORSED, day=day)
    _other_bus, other_driver = _carrier_bus()
    with pytest.raises(Conflict) as caught:
        services.field_trip_approve(trip=second, vehicle=vehicle, driver=other_driver, actor=SETUP)
    assert caught.value.code == "vehicle_double_booked"
    # A run of the same driver that morning: the trip is refused, and a run over the trip too.
    licence = make_licence()
    services.run_schedule(licence=licence, starts_at=at(day, 9), ends_at=at(day, 10), actor=SETUP)
    third = make_field_trip(school_b, status=FieldTrip.Status.ENDORSED, day=day)
    bus, _driver = _carrier_bus()
    with pytest.raises(Conflict) as caught:
        services.field_trip_approve(trip=third, vehicle=bus, driver=licence.driver, actor=SETUP)
    assert caught.value.code == "driver_double_booked"
    # Nor is a run of the trip's driver while the trip is out.
    with pytest.raises(Conflict) as caught:
        services.run_schedule(
            licence=make_licence(driver=driver),
            starts_at=at(day, 9),
            ends_at=at(day, 10),
            actor=SETUP,
        )
    assert caught.value.code == "driver_double_booked"


@pytest.mark.django_db
def test_the_database_refuses_a_bus_on_two_approved_trips_however_written(
    school_a: School,
) -> None:
    first = make_field_trip(school_a, status=FieldTrip.Status.APPROVED)
    second = make_field_trip(school_a, status=FieldTrip.Status.ENDORSED)
    FieldTrip.objects.across_schools().filter(pk=second.pk).update(
        starts_at=first.starts_at, ends_at=first.ends_at
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FieldTrip.objects.across_schools().filter(pk=second.pk).update(
            status="approved",
            vehicle=first.vehicle,
            driver=make_driver(),
            decided_at=first.decided_at,
        )


def _discard(*trips: FieldTrip) -> None:
    FieldTrip.objects.across_schools().filter(pk__in=[t.pk for t in trips]).delete()
    for trip in trips:
        for vehicle in Vehicle.objects.filter(pk__in=[trip.vehicle_id]):
            Inspection.objects.filter(vehicle=vehicle).delete()
            vehicle.delete()
        Driver.objects.filter(pk__in=[trip.driver_id]).delete()
    Provider.objects.filter(vehicles=None, drivers=None).delete()


def test_two_approvals_of_one_bus_at_once_book_it_once(committed: list[Any]) -> None:
    """Two schools' trips the same day, approved at once with the same bus and driver on
    separate connections: one is approved, the other told the bus is booked."""
    schools = [School.objects.get(code=SCHOOL_A), School.objects.get(code=SCHOOL_B)]
    day = school_days_ahead(25)
    trips = [
        make_field_trip(school, status=FieldTrip.Status.ENDORSED, day=day) for school in schools
    ]
    vehicle, driver = _carrier_bus()
    committed.append(lambda: _discard(*trips))

    def approve(i: int) -> Any:
        return services.field_trip_approve(
            trip=trips[i], vehicle=vehicle, driver=driver, actor=SETUP
        )

    results = at_once(2, approve)
    approved = [r for r in results if isinstance(r, FieldTrip)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert refused[0].code in ("vehicle_double_booked", "driver_double_booked")
