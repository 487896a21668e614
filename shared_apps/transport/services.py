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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import add_months
from shared_apps.accounts.actors import person
from shared_apps.transport import rules
from shared_apps.transport.models import (
    MAX_KINDERGARTEN_LOAD,
    MAX_RATED_LOAD,
    SIX_MONTHS,
    Driver,
    HazardSegment,
    Inspection,
    Licence,
    Offence,
    Provider,
    Route,
    Run,
    Seat,
    Stop,
    Vehicle,
)
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
    route = Route.objects.create(code=code.strip(), name=name, period=period)
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
    `school_not_on_route`; 400 for a stop of another route."""
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
    return Seat.objects.create(
        run=locked, school=school, student_ref=student_ref, number=number, stop=stop
    )


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
