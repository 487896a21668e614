"""Writes of the district's school buses: providers, vehicles and inspections, drivers and their
offences, routes and stops, bus licences through their approval, runs, and each run's seat
ledger, which every school riding the run writes through `assign_seat`.

A run is refused (409, `code` naming the first rule, `fields.rules` naming every one) while the
vehicle's inspection is overdue or equipment is missing, the provider is unlicensed or uninsured,
the driver fails a rule of art. 23 on the run's date, or the licence is not in force that day.
Bad input raises `InvalidInput` (400); nothing is half saved (each service is one transaction).
"""

import datetime
import itertools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from houqin.door import Actor, SystemActor, actor_id, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import add_months
from houqin.tasks import queue_on_commit
from shared_apps.accounts.actors import person
from shared_apps.transport import alarms, planning, rules, selectors
from shared_apps.transport.models import (
    MAX_KINDERGARTEN_LOAD,
    MAX_RATED_LOAD,
    SIX_MONTHS,
    VERSION_MARK,
    Driver,
    FieldTrip,
    HazardSegment,
    Inspection,
    Licence,
    Offence,
    Provider,
    Route,
    RoutePlan,
    Run,
    Seat,
    Stop,
    Vehicle,
)
from tenant_apps.canteen import selectors as canteen
from tenants.models import School

# Working days each step of a licence's approval may take: the bureau forwards, public security
# and transport answer, the bureau decides (decree 617 art. 15).
STEP_DAYS = {
    Licence.Status.SUBMITTED: 3,
    Licence.Status.FORWARDED: 3,
    Licence.Status.ANSWERED: 5,
}
NEXT_STEP = {
    "forward": (Licence.Status.SUBMITTED, Licence.Status.FORWARDED),
    "answer": (Licence.Status.FORWARDED, Licence.Status.ANSWERED),
    "approve": (Licence.Status.ANSWERED, Licence.Status.APPROVED),
    "refuse": (Licence.Status.ANSWERED, Licence.Status.REFUSED),
}
# The only reasons a vehicle or driver may stand in for the licensed one on the day.
SUBSTITUTIONS = ("breakdown", "inspection", "accident", "sick_driver")
# A run is a school trip: it starts and ends on one day, within a few hours.
MAX_RUN = datetime.timedelta(hours=4)
# What one run may cost (CNY): a bus for a morning, well above any county's rate.
MAX_RUN_COST = Decimal("5000.00")


def _refuse(failures: Sequence[rules.Failure]) -> None:
    if failures:
        raise Conflict(
            " ".join(f.reason for f in failures),
            code=failures[0].code,
            fields={"rules": [{"code": f.code, "reason": f.reason} for f in failures]},
        )


@service
def provider_create(
    *,
    name: str,
    kind: str,
    licence_number: str = "",
    licence_expires: datetime.date | None = None,
    insurer: str = "",
    insurance_expires: datetime.date | None = None,
    actor: Actor,
) -> Provider:
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("A provider has a name.")]
    if kind not in Provider.Kind.values:
        problems["kind"] = [_("Unknown kind of provider.")]
    if licence_number and licence_expires is None:
        problems["licence_expires"] = [_("A licence has an expiry date.")]
    if insurer and insurance_expires is None:
        problems["insurance_expires"] = [_("An insurance has an expiry date.")]
    if problems:
        raise InvalidInput(_("The provider is invalid."), fields=problems)
    if Provider.objects.filter(name=name.strip()).exists():
        raise Conflict(_("A provider of that name exists."), code="provider_exists")
    return Provider.objects.create(
        name=name.strip(),
        kind=kind,
        licence_number=licence_number,
        licence_expires=licence_expires,
        insurer=insurer,
        insurance_expires=insurance_expires,
    )


@service
def provider_update(
    *,
    provider: Provider,
    licence_number: str,
    licence_expires: datetime.date | None,
    insurer: str,
    insurance_expires: datetime.date | None,
    actor: Actor,
) -> Provider:
    """Renew a provider's licence and insurance (an empty one with no expiry: none held)."""
    if (licence_number and licence_expires is None) or (insurer and insurance_expires is None):
        raise InvalidInput(_("A licence or insurance has an expiry date."))
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    locked.licence_number = licence_number
    locked.licence_expires = licence_expires
    locked.insurer = insurer
    locked.insurance_expires = insurance_expires
    locked.save()
    return locked


@dataclass(frozen=True)
class Equipment:
    hammer: bool = False
    extinguisher: bool = False
    first_aid_kit: bool = False
    gps_recorder: bool = False


@service
def vehicle_create(
    *,
    plate: str,
    provider: Provider,
    kind: str,
    rated_load: int,
    equipment: Equipment,
    actor: Actor,
) -> Vehicle:
    problems: dict[str, list[str]] = {}
    if not plate.strip():
        problems["plate"] = [_("A vehicle has a plate.")]
    if kind not in Vehicle.Kind.values:
        problems["kind"] = [_("Unknown type of school bus.")]
    limit = MAX_KINDERGARTEN_LOAD if kind == Vehicle.Kind.KINDERGARTEN else MAX_RATED_LOAD
    if not 1 <= rated_load <= limit:
        problems["rated_load"] = [
            _("A %(kind)s carries at most %(limit)s seats.")
            % {
                "kind": Vehicle.Kind(kind).label if kind in Vehicle.Kind.values else kind,
                "limit": limit,
            }
        ]
    if problems:
        raise InvalidInput(_("The vehicle is invalid."), fields=problems, code="vehicle_invalid")
    if Vehicle.objects.filter(plate=plate.strip()).exists():
        raise Conflict(_("A vehicle with that plate exists."), code="vehicle_exists")
    return Vehicle.objects.create(
        plate=plate.strip(),
        provider=provider,
        kind=kind,
        rated_load=rated_load,
        has_hammer=equipment.hammer,
        has_extinguisher=equipment.extinguisher,
        has_first_aid_kit=equipment.first_aid_kit,
        has_gps_recorder=equipment.gps_recorder,
    )


@service
def vehicle_equipment_set(*, vehicle: Vehicle, equipment: Equipment, actor: Actor) -> Vehicle:
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    locked.has_hammer = equipment.hammer
    locked.has_extinguisher = equipment.extinguisher
    locked.has_first_aid_kit = equipment.first_aid_kit
    locked.has_gps_recorder = equipment.gps_recorder
    locked.save()
    return locked


@service
def vehicle_device_key_issue(*, vehicle: Vehicle, actor: Actor) -> str:
    """A new key for the vehicle's GPS device (the previous one stops working); shown once."""
    key = secrets.token_urlsafe(32)
    Vehicle.objects.filter(pk=vehicle.pk).update(device_key_hash=Vehicle.key_hash(key))
    return key


@service
def inspection_record(
    *,
    vehicle: Vehicle,
    inspected_on: datetime.date,
    passed: bool,
    record: str = "",
    actor: Actor,
) -> Inspection:
    """A safety inspection: it holds six months; a passed one moves the vehicle's due date."""
    if inspected_on > timezone.localdate():
        raise InvalidInput(
            _("An inspection is recorded once done."),
            fields={"inspected_on": [_("Not in the future.")]},
        )
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    inspection = Inspection.objects.create(
        vehicle=locked,
        inspected_on=inspected_on,
        valid_until=add_months(inspected_on, 6),
        passed=passed,
        record=record,
        created_by=person(actor),
    )
    if passed and (
        locked.inspection_valid_until is None
        or locked.inspection_valid_until < inspection.valid_until
    ):
        locked.inspection_valid_until = inspection.valid_until
        locked.save(update_fields=["inspection_valid_until"])
    return inspection


@service
def driver_create(
    *,
    provider: Provider,
    name: str,
    licence_number: str,
    licence_class: str,
    born_on: datetime.date,
    licensed_since: datetime.date,
    health_valid_until: datetime.date | None = None,
    endorsement_valid_until: datetime.date | None = None,
    review_valid_until: datetime.date | None = None,
    criminal_record: bool = False,
    actor: Actor,
) -> Driver:
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("A driver has a name.")]
    if not licence_number.strip():
        problems["licence_number"] = [_("A driver has a licence number.")]
    if licensed_since <= born_on:
        problems["licensed_since"] = [_("After the driver's birth.")]
    if problems:
        raise InvalidInput(_("The driver is invalid."), fields=problems)
    if Driver.objects.filter(licence_number=licence_number.strip()).exists():
        raise Conflict(_("A driver with that licence number exists."), code="driver_exists")
    return Driver.objects.create(
        provider=provider,
        name=name.strip(),
        licence_number=licence_number.strip(),
        licence_class=licence_class,
        born_on=born_on,
        licensed_since=licensed_since,
        health_valid_until=health_valid_until,
        endorsement_valid_until=endorsement_valid_until,
        review_valid_until=review_valid_until,
        criminal_record=criminal_record,
    )


@service
def offence_record(
    *,
    driver: Driver,
    kind: str,
    occurred_on: datetime.date,
    points: int = 0,
    note: str = "",
    actor: Actor,
) -> Offence:
    if kind not in Offence.Kind.values:
        raise InvalidInput(_("Unknown kind of offence."), fields={"kind": [kind]})
    if not 0 <= points <= 12:
        raise InvalidInput(_("From 0 to 12 points."), fields={"points": [str(points)]})
    Driver.objects.select_for_update().get(pk=driver.pk)
    return Offence.objects.create(
        driver=driver, kind=kind, occurred_on=occurred_on, points=points, note=note
    )


@dataclass(frozen=True)
class StopInput:
    name: str
    latitude: Decimal
    longitude: Decimal
    at: datetime.time
    approved: bool = False


@service
def route_create(
    *,
    code: str,
    name: str,
    period: str,
    schools: Sequence[School],
    stops: Sequence[StopInput],
    actor: Actor,
) -> Route:
    """A route with its stops in the order given (numbered from 1), their times rising."""
    return _route_make(code=code, name=name, period=period, schools=schools, stops=stops)


def _route_make(
    *,
    code: str,
    name: str,
    period: str,
    schools: Sequence[School],
    stops: Sequence[StopInput],
    version_of: Route | None = None,
    version: int = 1,
    weekdays: str = "12345",
) -> Route:
    problems: dict[str, list[str]] = {}
    if not code.strip():
        problems["code"] = [_("A route has a code.")]
    if period not in Route.Period.values:
        problems["period"] = [_("Morning or afternoon.")]
    if not stops:
        problems["stops"] = [_("A route has at least one stop.")]
    if any(later.at < earlier.at for earlier, later in itertools.pairwise(stops)):
        problems["stops"] = [_("Each stop's time is at or after the one before.")]
    if problems:
        raise InvalidInput(_("The route is invalid."), fields=problems)
    if Route.objects.filter(code=code.strip()).exists():
        raise Conflict(_("A route with that code exists."), code="route_exists")
    route = Route.objects.create(
        code=code.strip(),
        name=name,
        period=period,
        version_of=version_of,
        version=version,
        weekdays=weekdays,
    )
    route.schools.set(schools)
    Stop.objects.bulk_create(
        Stop(
            route=route,
            order=order,
            name=stop.name,
            latitude=stop.latitude,
            longitude=stop.longitude,
            at=stop.at,
            approved=stop.approved,
        )
        for order, stop in enumerate(stops, 1)
    )
    return route


@service
def stop_approve(*, stop: Stop, actor: Actor) -> Stop:
    Stop.objects.filter(pk=stop.pk).update(approved=True)
    alarms.plans_changed()
    stop.refresh_from_db()
    return stop


@service
def hazard_add(
    *,
    route: Route,
    kind: str,
    latitude: Decimal,
    longitude: Decimal,
    radius_m: int,
    mitigation: str,
    actor: Actor,
) -> HazardSegment:
    if kind not in HazardSegment.Kind.values:
        raise InvalidInput(_("Unknown kind of hazard."), fields={"kind": [kind]})
    if not 10 <= radius_m <= 5000:
        raise InvalidInput(_("From 10 to 5000 m."), fields={"radius_m": [str(radius_m)]})
    if not mitigation.strip():
        raise InvalidInput(_("A hazard has its mitigation."), fields={"mitigation": [""]})
    alarms.plans_changed()
    return HazardSegment.objects.create(
        route=route,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        mitigation=mitigation,
    )


@service
def licence_submit(
    *,
    number: str,
    vehicle: Vehicle,
    driver: Driver,
    route: Route,
    issuer: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    actor: Actor,
) -> Licence:
    """Ask the bureau for a licence: at most six months, never past the vehicle's inspection."""
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if valid_until < valid_from or valid_until > min(
        add_months(valid_from, 6), valid_from + SIX_MONTHS
    ):
        raise InvalidInput(
            _("A bus licence is valid for at most 6 months."),
            code="licence_six_months",
            fields={"valid_until": [_("At most 6 months after valid_from.")]},
        )
    if locked.inspection_valid_until is None or valid_until > locked.inspection_valid_until:
        raise InvalidInput(
            _("A bus licence never runs past the vehicle's safety inspection."),
            code="licence_past_inspection",
            fields={"valid_until": [str(locked.inspection_valid_until or "")]},
        )
    if Licence.objects.filter(number=number).exists():
        raise Conflict(_("A licence with that number exists."), code="licence_exists")
    return Licence.objects.create(
        number=number,
        vehicle=locked,
        driver=driver,
        route=route,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        step_due=rules.working_days_after(
            timezone.localdate(), STEP_DAYS[Licence.Status.SUBMITTED]
        ),
        submitted_by=person(actor),
    )


@service
def licence_advance(*, licence: Licence, step: str, reason: str = "", actor: Actor) -> Licence:
    """One step of the approval: forward, answer, approve or refuse (with a reason)."""
    if step not in NEXT_STEP:
        raise InvalidInput(_("Unknown step."), fields={"step": [step]})
    locked = Licence.objects.select_for_update().get(pk=licence.pk)
    before, after = NEXT_STEP[step]
    if locked.status != before:
        raise Conflict(
            _("A licence %(status)s cannot take this step.")
            % {"status": Licence.Status(locked.status).label},
            code="licence_step",
        )
    if after == Licence.Status.REFUSED and not reason.strip():
        raise InvalidInput(
            _("A refusal gives its reason."), fields={"reason": [_("A refusal gives its reason.")]}
        )
    locked.status = after
    locked.reason = reason
    if after in STEP_DAYS:
        locked.step_due = rules.working_days_after(timezone.localdate(), STEP_DAYS[after])
    else:
        locked.step_due = None
        locked.decided_at = timezone.now()
    locked.save()
    return locked


@service
def run_schedule(
    *,
    licence: Licence,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    escorts: int = 1,
    vehicle: Vehicle | None = None,
    driver: Driver | None = None,
    substitution: str = "",
    cost: Decimal = Decimal("0.00"),
    actor: Actor,
) -> Run:
    """A run of the licence's vehicle, driver and route, each rule checked on the run's date
    with the rows locked; another vehicle or driver only as a same-day substitution for one of
    SUBSTITUTIONS, filed on the run."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise InvalidInput(_("Times carry their time zone."))
    if not starts_at < ends_at <= starts_at + MAX_RUN:
        raise InvalidInput(
            _("A run ends after it starts, within 4 hours."), fields={"ends_at": [str(ends_at)]}
        )
    if not 1 <= escorts <= 4:
        raise InvalidInput(_("A run has 1 to 4 escorts."), fields={"escorts": [str(escorts)]})
    if not Decimal("0") <= cost <= MAX_RUN_COST:
        raise InvalidInput(
            _("A run costs from 0 to %(most)s yuan.") % {"most": MAX_RUN_COST},
            fields={"cost": [str(cost)]},
        )
    locked = Licence.objects.select_for_update().get(pk=licence.pk)
    substituted = (vehicle is not None and vehicle.pk != locked.vehicle_id) or (
        driver is not None and driver.pk != locked.driver_id
    )
    day = timezone.localtime(starts_at).date()
    if substituted:
        if substitution not in SUBSTITUTIONS:
            raise Conflict(
                _(
                    "Another vehicle or driver than the licence's needs a new approval, or a "
                    "same-day substitution for a breakdown, inspection, accident or sick driver."
                ),
                code="substitution_reason",
            )
        if day != timezone.localdate():
            raise Conflict(
                _("A substitution is filed on the run's day."), code="substitution_same_day"
            )
    elif substitution:
        raise InvalidInput(_("No substitution: the licence's vehicle and driver run."))
    bus = Vehicle.objects.select_for_update().get(pk=(vehicle or locked.vehicle).pk)
    person_driving = Driver.objects.select_for_update().get(pk=(driver or locked.driver).pk)
    _refuse_field_trip_clash(bus, person_driving, starts_at, ends_at)
    provider = Provider.objects.get(pk=bus.provider_id)
    route = Route.objects.get(pk=locked.route_id)
    unapproved = Stop.objects.filter(route=route, approved=False).count()
    _refuse(
        [
            *rules.licence_failures(locked, day),
            *rules.vehicle_failures(bus, day),
            *rules.provider_failures(provider, day),
            *rules.driver_failures(person_driving, person_driving.offences.all(), day),
            *rules.route_failures(route, unapproved),
        ]
    )
    capacity = bus.rated_load - 1 - escorts
    if capacity < 1:
        raise InvalidInput(
            _("No seat is left for pupils after the driver and the escorts."),
            code="run_no_seats",
        )
    alarms.plans_changed()
    try:
        with transaction.atomic():
            return Run.objects.create(
                licence=locked,
                vehicle=bus,
                driver=person_driving,
                route=route,
                period=DateTimeTZRange(starts_at, ends_at, "[)"),
                escorts=escorts,
                capacity=capacity,
                substitution=substitution,
                cost=cost,
                created_by=person(actor),
            )
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if constraint == "transport_run_driver_not_twice":
            raise Conflict(
                _("The driver is on another run at that time."), code="driver_double_booked"
            ) from None
        raise Conflict(
            _("The vehicle is on another run at that time."), code="vehicle_double_booked"
        ) from None


@service
def run_cancel(*, run: Run, actor: Actor) -> Run:
    locked = Run.objects.select_for_update().get(pk=run.pk)
    if locked.seats_taken:
        raise Conflict(
            _("Pupils hold seats on this run: the schools release them first."),
            code="run_has_riders",
        )
    locked.status = Run.Status.CANCELLED
    locked.save(update_fields=["status"])
    alarms.plans_changed()
    return locked


@service
def assign_seat(
    *,
    run: Run,
    school: School,
    student_ref: int,
    stop: Stop | None = None,
    actor: Actor,
) -> Seat:
    """Seat one pupil of `school` (its student's id there) on a run, across every school that
    rides it: the run's row is locked while its seats are counted, and the database refuses a
    count above the seats for pupils (rated load less the driver and escorts) however written.
    For the schools' riders: 409 `run_full`, `seat_taken` (already seated), `run_cancelled`,
    `school_not_on_route`; 400 for a stop of another route. Raises the run's overload alarm
    when the seats now exceed the vehicle's rated load less the driver and the escorts."""
    locked = Run.objects.select_for_update().get(pk=run.pk)
    if locked.status != Run.Status.SCHEDULED:
        raise Conflict(_("The run is cancelled."), code="run_cancelled")
    if not locked.route.schools.filter(pk=school.pk).exists():
        raise Conflict(_("The school does not ride this route."), code="school_not_on_route")
    if stop is not None and (stop.route_id != locked.route_id or not stop.approved):
        raise InvalidInput(
            _("The stop is not an approved stop of the run's route."), fields={"stop": [stop.pk]}
        )
    if Seat.objects.for_school(school).filter(run=locked, student_ref=student_ref).exists():
        raise Conflict(_("The pupil already has a seat on this run."), code="seat_taken")
    if locked.seats_taken >= locked.capacity:
        raise Conflict(
            _(
                "The run is full: %(capacity)s seats for pupils (rated load %(load)s less the "
                "driver and %(escorts)s escorts)."
            )
            % {
                "capacity": locked.capacity,
                "load": locked.capacity + 1 + locked.escorts,
                "escorts": locked.escorts,
            },
            code="run_full",
        )
    numbered = set(
        Seat.objects.across_schools().filter(run=locked).values_list("number", flat=True)
    )
    number = min(set(range(1, locked.capacity + 1)) - numbered)
    Run.objects.filter(pk=locked.pk).update(seats_taken=F("seats_taken") + 1)
    seat = Seat.objects.create(
        run=locked, school=school, student_ref=student_ref, number=number, stop=stop
    )
    with connection.cursor() as cursor:
        cursor.execute(alarms.SEAT_SQL, alarms.run_params([locked.pk], [timezone.now()]))
    return seat


@service
def assign_escort(*, run: Run, school: School, actor: Actor) -> Run:
    """Put one escort of `school` on a run. Past the escorts it was scheduled with, the escort
    takes a free pupils' seat (the seats for pupils stay the rated load less the driver and the
    escorts); 409 `run_full` when none is free, `run_cancelled`, `school_not_on_route`."""
    locked = Run.objects.select_for_update().get(pk=run.pk)
    if locked.status != Run.Status.SCHEDULED:
        raise Conflict(_("The run is cancelled."), code="run_cancelled")
    if not locked.route.schools.filter(pk=school.pk).exists():
        raise Conflict(_("The school does not ride this route."), code="school_not_on_route")
    if locked.escorts_assigned >= locked.escorts:
        if locked.seats_taken >= locked.capacity:
            raise Conflict(
                _("The run is full: no seat is left for another escort."), code="run_full"
            )
        locked.escorts += 1
        locked.capacity -= 1
    locked.escorts_assigned += 1
    locked.save(update_fields=["escorts", "capacity", "escorts_assigned"])
    return locked


@service
def release_escort(*, run: Run, actor: Actor) -> Run:
    """Take one escort off a run (the seat stays an escort's, for whoever replaces them)."""
    locked = Run.objects.select_for_update().get(pk=run.pk)
    locked.escorts_assigned = max(locked.escorts_assigned - 1, 0)
    locked.save(update_fields=["escorts_assigned"])
    return locked


@service
def release_seat(*, seat: Seat, actor: Actor) -> None:
    """Free a pupil's seat for another (the others keep their numbers)."""
    locked = Run.objects.select_for_update().get(pk=seat.run_id)
    Seat.objects.for_school(seat.school_id).filter(pk=seat.pk).delete()
    Run.objects.filter(pk=locked.pk).update(seats_taken=F("seats_taken") - 1)


# Field trips ----------------------------------------------------------------------------------

# School days of notice a field trip needs: strictly between the day it is asked for and its day.
NOTICE_SCHOOL_DAYS = 10
# A field trip leaves and comes back the same day, within this.
MAX_FIELD_TRIP = datetime.timedelta(hours=14)
# The kinds of provider that carry field trips: licensed operators, never the school's own bus.
TRIP_CARRIERS = (Provider.Kind.CARRIER, Provider.Kind.COUNTY_OPERATOR)


def _refuse_field_trip_clash(
    bus: Vehicle, driving: Driver, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> None:
    """Called with the vehicle's and the driver's rows locked: a run refused over an approved
    field trip of either at that time."""
    during = DateTimeTZRange(starts_at, ends_at, "[)")
    trips = FieldTrip.objects.across_schools().filter(
        status=FieldTrip.Status.APPROVED, starts_at__lt=during.upper, ends_at__gt=during.lower
    )
    if trips.filter(driver=driving).exists():
        raise Conflict(
            _("The driver is on a field trip at that time."), code="driver_double_booked"
        )
    if trips.filter(vehicle=bus).exists():
        raise Conflict(
            _("The vehicle is on a field trip at that time."), code="vehicle_double_booked"
        )


def _refuse_run_clash(
    bus: Vehicle, driving: Driver, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> None:
    """Called with the vehicle's and the driver's rows locked: a field trip refused over a
    scheduled run of either at that time."""
    runs = Run.objects.filter(
        status=Run.Status.SCHEDULED,
        period__overlap=DateTimeTZRange(starts_at, ends_at, "[)"),
    )
    if runs.filter(driver=driving).exists():
        raise Conflict(_("The driver is on a run at that time."), code="driver_double_booked")
    if runs.filter(vehicle=bus).exists():
        raise Conflict(_("The vehicle is on a run at that time."), code="vehicle_double_booked")


def _notice_school_days(school: School, day: datetime.date) -> int:
    """The school's school days strictly between today and `day`, by its calendar."""
    today = timezone.localdate()
    with tenant_context(school):
        return len(
            canteen.school_days_between(
                today + datetime.timedelta(days=1), day - datetime.timedelta(days=1)
            )
        )


@service
def field_trip_request(
    *,
    school: School,
    destination: str,
    purpose: str = "",
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    pupils: int,
    escorts: int = 1,
    actor: Actor,
) -> FieldTrip:
    """A school asks for a bus for a field trip: at least ten school days ahead by its own
    calendar (409 `field_trip_notice`), back the same day, pupils within what a bus may seat.
    Its principal approves it, then the district."""
    problems: dict[str, list[str]] = {}
    if not destination.strip():
        problems["destination"] = [_("A field trip has a destination.")]
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        problems["starts_at"] = [_("Times carry their time zone.")]
    elif not starts_at < ends_at <= starts_at + MAX_FIELD_TRIP or (
        timezone.localtime(starts_at).date() != timezone.localtime(ends_at).date()
    ):
        problems["ends_at"] = [_("A field trip comes back after it leaves, the same day.")]
    if not 1 <= escorts <= 4:
        problems["escorts"] = [_("A bus has 1 to 4 escorts.")]
    if not 1 <= pupils <= MAX_RATED_LOAD - 1 - max(escorts, 1):
        problems["pupils"] = [
            _("One bus seats at most %(most)s pupils besides the driver and escorts.")
            % {"most": MAX_RATED_LOAD - 1 - max(escorts, 1)}
        ]
    if problems:
        raise InvalidInput(_("The field trip is invalid."), fields=problems)
    day = timezone.localtime(starts_at).date()
    notice = _notice_school_days(school, day)
    if notice < NOTICE_SCHOOL_DAYS:
        raise Conflict(
            _(
                "A field trip is asked for at least %(days)s school days ahead; %(day)s is "
                "%(notice)s school days away."
            )
            % {"days": NOTICE_SCHOOL_DAYS, "day": day, "notice": notice},
            code="field_trip_notice",
            fields={"starts_at": [str(day)]},
        )
    return FieldTrip.objects.create(
        school=school,
        destination=destination.strip(),
        purpose=purpose.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        pupils=pupils,
        escorts=escorts,
        requested_by=person(actor),
    )


def _locked_trip(trip: FieldTrip, status: str) -> FieldTrip:
    locked = FieldTrip.objects.across_schools().select_for_update().get(pk=trip.pk)
    if locked.status != status:
        raise Conflict(
            _("The field trip is %(status)s: it cannot take this step.")
            % {"status": FieldTrip.Status(locked.status).label},
            code="field_trip_step",
        )
    return locked


@service
def field_trip_endorse(*, trip: FieldTrip, actor: Actor) -> FieldTrip:
    """The principal approves the school's field trip: it goes to the district."""
    locked = _locked_trip(trip, FieldTrip.Status.REQUESTED)
    if actor_id(actor) is not None and locked.requested_by_id == actor_id(actor):
        raise Conflict(
            _("Whoever asked for a field trip does not approve it too."), code="field_trip_own"
        )
    locked.status = FieldTrip.Status.ENDORSED
    locked.endorsed_by = person(actor)
    locked.endorsed_at = timezone.now()
    locked.save(update_fields=["status", "endorsed_by", "endorsed_at"])
    return locked


@service
def field_trip_refuse(*, trip: FieldTrip, at: str, reason: str, actor: Actor) -> FieldTrip:
    """The principal refuses a field trip awaiting them (`at` requested), or the district one
    awaiting it (`at` endorsed), with the reason."""
    if at not in (FieldTrip.Status.REQUESTED, FieldTrip.Status.ENDORSED):
        raise InvalidInput(_("Unknown step."), fields={"at": [at]})
    if not reason.strip():
        raise InvalidInput(
            _("A refusal gives its reason."), fields={"reason": [_("A refusal gives its reason.")]}
        )
    locked = _locked_trip(trip, at)
    locked.status = FieldTrip.Status.REFUSED
    locked.reason = reason.strip()
    locked.decided_by = person(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return locked


@service
def field_trip_approve(
    *, trip: FieldTrip, vehicle: Vehicle, driver: Driver, actor: Actor
) -> FieldTrip:
    """The district approves a field trip its school's principal approved, naming the bus and
    the driver: a licensed carrier's (or county operator's) vehicle and driver, each rule
    checked on the trip's day (409 naming each in `fields.rules`), seats for every pupil, and
    neither on a run or another field trip then (409 `vehicle_double_booked`,
    `driver_double_booked`: the rows are locked, and the database refuses a second approved
    trip however written)."""
    locked = _locked_trip(trip, FieldTrip.Status.ENDORSED)
    if actor_id(actor) is not None and locked.endorsed_by_id == actor_id(actor):
        raise Conflict(
            _("Whoever approved the field trip for the school does not decide it."),
            code="field_trip_own",
        )
    bus = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    driving = Driver.objects.select_for_update().get(pk=driver.pk)
    provider = Provider.objects.get(pk=bus.provider_id)
    day = timezone.localtime(locked.starts_at).date()
    failures = [
        *rules.vehicle_failures(bus, day),
        *rules.provider_failures(provider, day),
        *rules.driver_failures(driving, driving.offences.all(), day),
    ]
    if provider.kind not in TRIP_CARRIERS:
        failures.insert(
            0,
            rules.Failure(
                "field_trip_carrier", _("A field trip goes with a licensed carrier's bus.")
            ),
        )
    seats = bus.rated_load - 1 - locked.escorts
    if locked.pupils > seats:
        failures.append(
            rules.Failure(
                "field_trip_seats",
                _("The bus seats %(seats)s pupils besides the driver and escorts; %(pupils)s go.")
                % {"seats": seats, "pupils": locked.pupils},
            )
        )
    _refuse(failures)
    _refuse_run_clash(bus, driving, locked.starts_at, locked.ends_at)
    locked.status = FieldTrip.Status.APPROVED
    locked.vehicle = bus
    locked.driver = driving
    locked.decided_by = person(actor)
    locked.decided_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "vehicle", "driver", "decided_by", "decided_at"])
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if constraint == "transport_fieldtrip_driver_not_twice":
            raise Conflict(
                _("The driver is on another field trip at that time."),
                code="driver_double_booked",
            ) from None
        raise Conflict(
            _("The vehicle is on another field trip at that time."),
            code="vehicle_double_booked",
        ) from None
    return locked


# Route plans ------------------------------------------------------------------------------------

PLANNER = SystemActor("transport.route_planner")
ROUTE_PLAN_TASK = "shared_apps.transport.tasks.route_plan_task"
# What one plan may hold: the district's largest school by far.
MAX_PLAN_RIDERS = 2000
MAX_PLAN_STOPS = 300
MAX_PLAN_BUSES = 40


@dataclass(frozen=True)
class PlanInput:
    """What the officer gives the planner: the school's place, its riders' homes and the
    candidate stops (key, latitude, longitude; a stop's key is its id when it is a stop of a
    route already, else its name), the buses, the latest arrival, the longest ride and walk."""

    school_at: tuple[float, float]
    riders: Sequence[tuple[str, float, float]]
    stops: Sequence[tuple[str, float, float]]
    vehicles: Sequence[Vehicle]
    latest_arrival: datetime.datetime
    max_ride_min: float = 60.0
    max_walk_m: float = 1500.0


@service
def route_plan_request(*, school: School, given: PlanInput, actor: Actor) -> RoutePlan:
    """Queue the planner for a school's morning routes (a job: a plan of hundreds of riders
    takes seconds); the plan's page follows it."""
    problems: dict[str, list[str]] = {}
    if not 1 <= len(given.riders) <= MAX_PLAN_RIDERS:
        problems["riders"] = [_("From 1 to %(most)s riders.") % {"most": MAX_PLAN_RIDERS}]
    if not 1 <= len(given.stops) <= MAX_PLAN_STOPS:
        problems["stops"] = [_("From 1 to %(most)s stops.") % {"most": MAX_PLAN_STOPS}]
    if not 1 <= len(given.vehicles) <= MAX_PLAN_BUSES:
        problems["vehicles"] = [_("From 1 to %(most)s buses.") % {"most": MAX_PLAN_BUSES}]
    if timezone.is_naive(given.latest_arrival):
        problems["latest_arrival"] = [_("Times carry their time zone.")]
    if not 10 <= given.max_ride_min <= 180:
        problems["max_ride_min"] = [_("From 10 to 180 minutes.")]
    if not 100 <= given.max_walk_m <= 5000:
        problems["max_walk_m"] = [_("From 100 to 5000 m.")]
    places = [given.school_at, *((lat, lon) for _k, lat, lon in (*given.riders, *given.stops))]
    if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in places):
        problems["riders"] = [_("A latitude is within ±90 and a longitude within ±180.")]
    if problems:
        raise InvalidInput(_("The plan is invalid."), fields=problems)
    plan = RoutePlan.objects.create(
        school=school,
        problem={
            "school": list(given.school_at),
            "riders": [list(rider) for rider in given.riders],
            "stops": [list(stop) for stop in given.stops],
            # A bus seats its rated load less the driver and one escort.
            "buses": [[str(v.pk), v.plate, v.rated_load - 2] for v in given.vehicles],
            "latest_arrival": given.latest_arrival.isoformat(),
            "max_ride_min": given.max_ride_min,
            "max_walk_m": given.max_walk_m,
        },
        created_by=person(actor),
    )
    queue_on_commit(ROUTE_PLAN_TASK, plan.pk)
    return plan


def _problem(stored: dict[str, Any]) -> planning.Problem:
    return planning.Problem(
        school=planning.Place("school", *stored["school"]),
        stops=[planning.Place(key, lat, lon) for key, lat, lon in stored["stops"]],
        riders=[planning.Place(key, lat, lon) for key, lat, lon in stored["riders"]],
        buses=[planning.Bus(key, seats) for key, _plate, seats in stored["buses"]],
        latest_arrival=datetime.datetime.fromisoformat(stored["latest_arrival"]),
        max_ride_min=stored["max_ride_min"],
        max_walk_m=stored["max_walk_m"],
    )


def _figures(made: planning.Plan, plates: dict[str, str]) -> dict[str, Any]:
    return {
        "buses_used": made.buses_used,
        "km": made.km,
        "total_ride_min": made.total_ride_min,
        "longest_ride_min": made.longest_ride_min,
        "over_max_ride": made.over_max_ride,
        "unserved": dict(made.unserved),
        "routes": [
            {
                "bus": route.bus,
                "plate": plates[route.bus],
                "km": route.km,
                "riders": route.riders,
                "legs": [
                    {
                        "stop": leg.stop,
                        "riders": len(leg.riders),
                        "departs_at": leg.departs_at.isoformat(),
                        "ride_min": leg.ride_min,
                    }
                    for leg in route.legs
                ],
            }
            for route in made.routes
        ],
    }


@service
def route_plan_solve(*, plan: RoutePlan, actor: Actor) -> RoutePlan:
    """Run the planner for a queued plan and keep its proposal, with the hand-drawn baseline
    (nearest stop first) beside it; a plan already solved is left as it is (the job may run
    twice)."""
    locked = RoutePlan.objects.across_schools().select_for_update().get(pk=plan.pk)
    if locked.status != RoutePlan.Status.QUEUED:
        return locked
    problem = _problem(locked.problem)
    plates = {key: plate for key, plate, _seats in locked.problem["buses"]}
    locked.proposal = {
        "plan": _figures(planning.plan(problem), plates),
        "baseline": _figures(planning.nearest_neighbour(problem), plates),
    }
    locked.status = RoutePlan.Status.DONE
    locked.finished_at = timezone.now()
    locked.save(update_fields=["proposal", "status", "finished_at"])
    return locked


@service
def route_plan_adopt(
    *,
    plan: RoutePlan,
    code: str,
    versions_of: Mapping[int, Route] | None = None,
    actor: Actor,
) -> list[Route]:
    """Adopt a plan as morning routes of its school, one per bus, with the stops in the planned
    order and times: bus n as a new version of the school's morning route `versions_of[n]`
    (numbered next in that route's family), each other bus as a new route (`<code>-n`). A stop
    already approved on a route stays approved, a new one waits for approval. Each route needs
    its bus licence (校车标牌) approved before any run: a changed route is a new approval
    (decree 617 art. 15), and until then the version before it stays in force."""
    locked = RoutePlan.objects.across_schools().select_for_update().get(pk=plan.pk)
    if locked.status != RoutePlan.Status.DONE or not locked.proposal:
        raise Conflict(_("Only a finished plan, not yet adopted, is adopted."), code="plan_step")
    versions_of = versions_of or {}
    buses = len(locked.proposal["plan"]["routes"])
    _refuse_bad_versions(versions_of, buses, locked.school)
    if len(versions_of) < buses and not code.strip():
        raise InvalidInput(_("The new routes have a code."), fields={"code": [_("Required.")]})
    places = {key: (lat, lon) for key, lat, lon in locked.problem["stops"]}
    approved = set(
        Stop.objects.filter(
            pk__in=[int(key) for key in places if key.isdigit()], approved=True
        ).values_list("pk", flat=True)
    )
    names = dict(Stop.objects.filter(pk__in=approved).values_list("pk", "name"))
    made = []
    for n, route in enumerate(locked.proposal["plan"]["routes"], 1):
        stops = [
            StopInput(
                name=names.get(int(leg["stop"]), leg["stop"])
                if leg["stop"].isdigit()
                else leg["stop"],
                latitude=Decimal(str(places[leg["stop"]][0])).quantize(Decimal("0.000001")),
                longitude=Decimal(str(places[leg["stop"]][1])).quantize(Decimal("0.000001")),
                at=timezone.localtime(datetime.datetime.fromisoformat(leg["departs_at"])).time(),
                approved=leg["stop"].isdigit() and int(leg["stop"]) in approved,
            )
            for leg in route["legs"]
        ]
        if n in versions_of:
            made.append(_route_version_make(route=versions_of[n], stops=stops))
            continue
        made.append(
            route_create(
                code=f"{code.strip()}-{n}",
                name=_("Planned route %(n)s (%(plate)s)") % {"n": n, "plate": route["plate"]},
                period=Route.Period.MORNING,
                schools=[locked.school],
                stops=stops,
                actor=actor,
            )
        )
    locked.status = RoutePlan.Status.ADOPTED
    locked.save(update_fields=["status"])
    locked.routes.set(made)
    return made


def _refuse_bad_versions(versions_of: Mapping[int, Route], buses: int, school: School) -> None:
    """A planned bus becomes a version of one of the school's morning routes, each route taken
    by one bus at most (two buses are two routes)."""
    problems = []
    if any(not 1 <= n <= buses for n in versions_of):
        problems.append(_("The plan has buses 1 to %(buses)s.") % {"buses": buses})
    routes = list(versions_of.values())
    if len({route.family_id for route in routes}) < len(routes):
        problems.append(_("Two buses cannot become versions of one route."))
    ids = [route.pk for route in routes]
    ours = Route.objects.filter(pk__in=ids, schools=school, period=Route.Period.MORNING)
    if ours.count() < len(ids):
        problems.append(_("A bus becomes a version of a morning route of the plan's school."))
    if problems:
        raise InvalidInput(problems[0], fields={"versions_of": problems})


@service
def route_plan_fail(*, plan: RoutePlan, error: str, actor: Actor) -> None:
    """Mark a queued plan failed, with why, so that its page stops waiting."""
    RoutePlan.objects.across_schools().filter(pk=plan.pk, status=RoutePlan.Status.QUEUED).update(
        status=RoutePlan.Status.FAILED, error=error, finished_at=timezone.now()
    )


# Route versions and their runs ------------------------------------------------------------------


@service
def route_version_set(
    *,
    route: Route,
    weekdays: str,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    actor: Actor,
) -> Route:
    """The days a route's version runs: ISO weekdays ("12345" Monday to Friday, "6" Saturday
    alone) and the dates it holds from and until (open when empty). Another timetable for some
    weekdays is another route (a version of its own, with its own licence)."""
    days = "".join(sorted(set(weekdays)))
    if not days or any(day not in "1234567" for day in days):
        raise InvalidInput(
            _("Weekdays are written 1 (Monday) to 7 (Sunday)."), fields={"weekdays": [weekdays]}
        )
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput(
            _("A version holds until a day after it begins."),
            fields={"valid_until": [str(valid_until)]},
        )
    locked = Route.objects.select_for_update().get(pk=route.pk)
    locked.weekdays, locked.valid_from, locked.valid_until = days, valid_from, valid_until
    locked.save(update_fields=["weekdays", "valid_from", "valid_until"])
    return locked


@dataclass(frozen=True)
class VersionStop:
    """A stop of a route kept in a new version of it, at its time there."""

    stop: Stop
    at: datetime.time


@service
def route_version_add(
    *,
    route: Route,
    stops: Sequence[VersionStop],
    weekdays: str,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    actor: Actor,
) -> Route:
    """A new version of `route` (a route of its own, linked to the route's first version and
    numbered next in that family, coded `<first's code>/v<n>`, with the same name, period and
    schools): the route's `stops` in the order given at their new times, an approved stop
    staying approved, running on `weekdays` between the dates. It needs its bus licence approved
    before any run: a changed route, stops or times is a new approval (decree 617 art. 15)."""
    if any(kept.stop.route_id != route.pk for kept in stops):
        message = _("A version keeps the route's own stops.")
        raise InvalidInput(message, fields={"stops": [message]})
    made = _route_version_make(
        route=route,
        stops=[
            StopInput(
                name=kept.stop.name,
                latitude=kept.stop.latitude,
                longitude=kept.stop.longitude,
                at=kept.at,
                approved=kept.stop.approved,
            )
            for kept in stops
        ],
    )
    return route_version_set(
        route=made,
        weekdays=weekdays,
        valid_from=valid_from,
        valid_until=valid_until,
        actor=actor,
    )


def _route_version_make(*, route: Route, stops: Sequence[StopInput]) -> Route:
    """The next version of `route`'s family, with `stops`, the name, period, schools and
    weekdays of `route`. The first version's row is locked, so that two officers adding a
    version at once number them one after the other (the unique constraint is the backstop)."""
    first = Route.objects.select_for_update().get(pk=route.family_id)
    number = selectors.route_version_next(first)
    return _route_make(
        code=f"{first.code}{VERSION_MARK}{number}",
        name=route.name,
        period=route.period,
        schools=list(route.schools.all()),
        stops=stops,
        version_of=first,
        version=number,
        weekdays=route.weekdays,
    )


def _route_days(route: Route, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The days from `start` to `end` the route's version runs on and that are a school day for
    at least one school riding it, by each school's calendar."""
    first = max(start, route.valid_from or start)
    last = min(end, route.valid_until or end)
    days: set[datetime.date] = set()
    for school in route.schools.all():
        with tenant_context(school):
            days.update(canteen.school_days_between(first, last))
    return sorted(day for day in days if str(day.isoweekday()) in route.weekdays)


@service
def runs_generate(
    *,
    licence: Licence,
    start: datetime.date,
    end: datetime.date,
    leaves: datetime.time,
    arrives: datetime.time,
    escorts: int = 1,
    cost: Decimal = Decimal("0.00"),
    actor: Actor,
) -> list[Run]:
    """A run of the licence on each day from `start` to `end` (within the licence's validity)
    that its route's version runs on and that is a school day of a school riding it; a day that
    already has the licence's run at that time is left as it is (the service may run twice).
    Every run checks its rules on its own day: one refused refuses them all, naming the day."""
    if not start <= end or (end - start).days > 184:
        raise InvalidInput(
            _("From a first day to a last day, at most six months apart."),
            fields={"end": [str(end)]},
        )
    if not leaves < arrives:
        raise InvalidInput(_("A run arrives after it leaves."), fields={"arrives": [str(arrives)]})
    route = Route.objects.get(pk=licence.route_id)
    zone = timezone.get_current_timezone()
    days = _route_days(route, max(start, licence.valid_from), min(end, licence.valid_until))
    made = []
    for day in days:
        starts_at = datetime.datetime.combine(day, leaves, zone)
        if Run.objects.filter(
            licence=licence, status=Run.Status.SCHEDULED, period__startswith=starts_at
        ).exists():
            continue
        try:
            made.append(
                run_schedule(
                    licence=licence,
                    starts_at=starts_at,
                    ends_at=datetime.datetime.combine(day, arrives, zone),
                    escorts=escorts,
                    cost=cost,
                    actor=actor,
                )
            )
        except Conflict as refused:
            raise Conflict(
                _("%(day)s: %(reason)s") % {"day": day, "reason": refused.message},
                code=refused.code,
                fields=refused.fields,
            ) from None
    return made
