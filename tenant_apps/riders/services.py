"""Writes about riders: a student seated on a district run through its shared seat ledger, and
the seat given back. The ledger refuses a full run, a run the school does not ride, a cancelled
run and a stop off the route; these refusals reach the caller with their codes.

Then the run as the school's escorts work it: escorts put on a trip (each counted in the run's
ledger), the pre-trip check ticked item by item, the trip started only when every item passed,
each rider boarding and alighting (from a card or face terminal, once per terminal event, or
ticked by the escort; the wrong bus and the wrong stop refused), their guardians told through
the notice outbox, and the trip closed only when as many got off as got on; else an alarm to the
school, the guardians of those still on board told, and the closing refused. An escort swap is an
alarm to the school too: someone not put on the trip as its escort doing an escort's act (the
check, the start, a tick, the close), or the trip's escorts changed after its check found its
escort present.

Boarding terminals are the school's, each with its own key (hashed as the buses' GPS keys are),
registered and revoked by the logistics director.

And safety: incidents reported on a trip (by its escort from the phone, or the logistics
director) or on one of the school's buses, their steps each recorded once at a time between the
incident and now, closed with a summary once every step is done and never changed after (an
incident's report and steps are no escort's act: the director recording them raises no escort
swap); the drills the school holds on its buses; the training of the drivers on its routes and
of its escorts."""

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, SystemActor, service
from houqin.exceptions import Conflict, InvalidInput, ServiceError
from houqin.permissions import roles_of
from houqin.roles import Role
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.transport import services as transport
from shared_apps.transport.models import Driver, Route, Run, Seat, Stop, Vehicle
from shared_apps.transport.selectors import run_list
from tenant_apps.dorms.selectors import guardian_list
from tenant_apps.notices.services import notify
from tenant_apps.people.models import Student
from tenant_apps.riders.models import (
    Alarm,
    CheckItem,
    Drill,
    Escort,
    Incident,
    Passage,
    Rider,
    Terminal,
    Training,
    Trip,
)
from tenant_apps.riders.selectors import (
    incident_steps,
    on_board,
    school_drivers,
    school_escorts,
    school_vehicles,
)
from tenants.selectors import current_school


@service
def rider_assign(*, student: Student, run: Run, stop: Stop | None = None, actor: Actor) -> Rider:
    """Seat `student` (of this school) on `run`, boarding at `stop`: the seat is taken in the
    district's ledger, across every school that rides the run, and recorded here."""
    if student.status != Student.Status.ACTIVE:
        message = _("The student has left the school.")
        raise InvalidInput(message, code="student_left", fields={"student": [message]})
    seat = transport.assign_seat(
        run=run, school=current_school(), student_ref=student.pk, stop=stop, actor=actor
    )
    trip, _made = Trip.objects.get_or_create(run_ref=run.pk)
    return Rider.objects.create(
        trip=trip,
        student=student,
        stop_ref=None if stop is None else stop.pk,
        seat=seat.number,
        seat_ref=seat.pk,
        created_by=person(actor),
    )


@service
def rider_remove(*, rider: Rider, actor: Actor) -> None:
    """Take a student off a run: the seat goes back to the ledger for any school's pupil. Not
    once they boarded or alighted on it: that record stays."""
    locked = Rider.objects.select_for_update().get(pk=rider.pk)
    if locked.passages.exists():
        raise Conflict(
            _("The rider has boarded this run: their record stays."), code="rider_travelled"
        )
    seat = Seat.objects.for_school(current_school()).get(pk=locked.seat_ref)
    locked.delete()
    transport.release_seat(seat=seat, actor=actor)


@service
def escort_assign(*, run: Run, user: User, actor: Actor) -> Escort:
    """Put `user`, a bus escort of this school, on `run`: their seat is counted in the run's
    ledger (past the escorts it was scheduled with, out of a free pupils' seat)."""
    if Role.ESCORT not in roles_of(user):
        message = _("Only a bus escort of the school goes on a run as its escort.")
        raise InvalidInput(message, code="not_an_escort", fields={"user": [message]})
    trip, _made = Trip.objects.get_or_create(run_ref=run.pk)
    locked = Trip.objects.select_for_update().get(pk=trip.pk)
    if locked.escorts.filter(user=user).exists():
        raise Conflict(_("The escort is on this run already."), code="escort_on_trip")
    if locked.status != Trip.Status.PLANNED:
        raise Conflict(_("The run has started: its escorts are set."), code="trip_started")
    transport.assign_escort(run=run, school=current_school(), actor=actor)
    _escorts_changed(locked, user, Alarm.Cause.PUT_ON, actor)
    return Escort.objects.create(trip=locked, user=user, created_by=person(actor))


@service
def escort_remove(*, escort: Escort, actor: Actor) -> None:
    """Take an escort off a run that has not started."""
    trip = Trip.objects.select_for_update().get(pk=escort.trip_id)
    if trip.status != Trip.Status.PLANNED:
        raise Conflict(_("The run has started: its escorts are set."), code="trip_started")
    _escorts_changed(trip, escort.user, Alarm.Cause.TAKEN_OFF, actor)
    Escort.objects.filter(pk=escort.pk).delete()
    transport.release_escort(run=Run.objects.get(pk=trip.run_ref), actor=actor)


def _open(trip: Trip) -> Trip:
    """The trip locked, refused unless it is under way."""
    locked = Trip.objects.select_for_update().get(pk=trip.pk)
    if locked.status == Trip.Status.PLANNED:
        raise Conflict(_("The run has not started."), code="trip_not_started")
    if locked.status == Trip.Status.CLOSED:
        raise Conflict(_("The run is closed."), code="trip_closed")
    return locked


def _swap_raise(trip: Trip, escort: User, cause: str, actor: Actor) -> Alarm:
    """The trip's escort-swap alarm to the school (one a trip: raised again, it says the latest)."""
    alarm, _made = Alarm.objects.update_or_create(
        trip=trip,
        kind=Alarm.Kind.ESCORT_SWAP,
        defaults={
            "escort": escort,
            "cause": cause,
            "raised_by": person(actor),
            "raised_at": timezone.now(),
        },
    )
    return alarm


def _escort_act(trip: Trip, actor: Actor) -> None:
    """An escort's act (the check, the start, a tick, the close) by someone who is not put on
    the trip as its escort: an escort swap, raised to the school. A job acting for no one is
    not a swap."""
    user = person(actor)
    if user is not None and not trip.escorts.filter(user=user).exists():
        _swap_raise(trip, user, Alarm.Cause.ACTED, actor)


def _escorts_changed(trip: Trip, escort: User, cause: str, actor: Actor) -> None:
    """The trip's escorts changed after its pre-trip check found its escort present: an escort
    swap, raised to the school."""
    if trip.checks.filter(item=CheckItem.Item.ESCORT_PRESENT, passed=True).exists():
        _swap_raise(trip, escort, cause, actor)


@service
def check_tick(
    *,
    trip: Trip,
    item: str,
    passed: bool,
    count: int | None = None,
    note: str = "",
    actor: Actor,
) -> CheckItem:
    """Tick one item of the pre-trip check (again, until the trip starts). What the school can
    verify is verified: the driver is the licence's (or a filed substitution's), an escort is on
    the trip, the head-count is within the seats for pupils."""
    if item not in CheckItem.Item.values:
        raise InvalidInput(_("No such check item."), code="invalid", fields={"item": [item]})
    locked = Trip.objects.select_for_update().get(pk=trip.pk)
    if locked.status != Trip.Status.PLANNED:
        raise Conflict(_("The run has started: its check is done."), code="trip_started")
    _escort_act(locked, actor)
    run = run_list().get(pk=locked.run_ref)
    if item == CheckItem.Item.HEAD_COUNT:
        if count is None:
            message = _("Count the heads on board.")
            raise InvalidInput(message, code="required", fields={"count": [message]})
        if passed and count > run.capacity:
            raise Conflict(
                _("%(count)s on board: the load is %(capacity)s pupils.")
                % {"count": count, "capacity": run.capacity},
                code="head_count_over_load",
            )
    substituted = run.driver_id != run.licence.driver_id and not run.substitution
    if passed and item == CheckItem.Item.DRIVER_LICENSED and substituted:
        raise Conflict(
            _("%(driver)s is not the licence's driver, and no substitution is filed.")
            % {"driver": run.driver.name},
            code="driver_not_licensed",
        )
    if passed and item == CheckItem.Item.ESCORT_PRESENT and not locked.escorts.exists():
        raise Conflict(_("No escort is on this run."), code="no_escort")
    checked, _made = CheckItem.objects.update_or_create(
        trip=locked,
        item=item,
        defaults={
            "passed": passed,
            "count": count,
            "note": note.strip(),
            "checked_by": person(actor),
            "checked_at": timezone.now(),
        },
    )
    return checked


@service
def trip_start(*, trip: Trip, actor: Actor) -> Trip:
    """Start the trip: refused (409 `check_open`, naming the items) while an item of the
    pre-trip check is not ticked as passed."""
    locked = Trip.objects.select_for_update().get(pk=trip.pk)
    if locked.status != Trip.Status.PLANNED:
        raise Conflict(_("The run has started already."), code="trip_started")
    if run_list().get(pk=locked.run_ref).status != Run.Status.SCHEDULED:
        raise Conflict(_("The run is cancelled."), code="run_cancelled")
    passed = set(locked.checks.filter(passed=True).values_list("item", flat=True))
    missing = [item for item in CheckItem.Item if item.value not in passed]
    if missing:
        labels = "、".join(str(item.label) for item in missing)
        raise Conflict(
            _("The pre-trip check is open: %(items)s.") % {"items": labels},
            code="check_open",
            fields={"items": [item.value for item in missing]},
        )
    _escort_act(locked, actor)
    locked.status = Trip.Status.STARTED
    locked.started_at = timezone.now()
    locked.save(update_fields=["status", "started_at"])
    return locked


@dataclass(frozen=True)
class Recorded:
    """A boarding or alighting, and whether this report made it (else it repeated one)."""

    passage: Passage
    made: bool


@service
def passage_record(
    *,
    trip: Trip,
    student: Student,
    kind: str,
    occurred_at: datetime.datetime,
    stop: Stop | None = None,
    method: str = Passage.Method.ESCORT,
    device: str = "",
    device_event_id: str = "",
    actor: Actor,
) -> Recorded:
    """A rider boarding or alighting on a trip under way, their guardians told. A terminal's
    event recorded already is answered with the original (`made` False), nothing new. Refused
    (409): a student who rides another bus (`wrong_bus`) or none (`not_a_rider`), their own stop
    other than `stop` (`wrong_stop`: the boarding stop in the morning, the alighting stop in the
    afternoon), alighting before boarding (`not_on_board`), the same twice (`recorded_already`)."""
    terminal = method != Passage.Method.ESCORT
    if terminal != bool(device and device_event_id):
        raise InvalidInput(
            _("A terminal's event names its device and event id; the escort's tick neither."),
            fields={"device": [device]},
        )
    locked = Trip.objects.select_for_update().get(pk=trip.pk)
    if terminal:
        original = Passage.objects.filter(device=device, device_event_id=device_event_id).first()
        if original is not None:
            return Recorded(original, made=False)
    locked = _open(locked)
    if not terminal:
        _escort_act(locked, actor)
    rider = locked.riders.filter(student=student).first()
    if rider is None:
        elsewhere = Rider.objects.filter(student=student).exists()
        message = (
            _("%(name)s rides another bus, not this one.")
            if elsewhere
            else _("%(name)s rides no school bus.")
        )
        raise Conflict(
            message % {"name": student.name},
            code="wrong_bus" if elsewhere else "not_a_rider",
        )
    run = run_list().get(pk=locked.run_ref)
    if stop is not None and stop.route_id != run.route_id:
        raise InvalidInput(_("The stop is not on the run's route."), fields={"stop": [stop.pk]})
    own_end = (
        Passage.Kind.BOARD if run.route.period == Route.Period.MORNING else Passage.Kind.ALIGHT
    )
    if stop is not None and kind == own_end and rider.stop_ref not in (None, stop.pk):
        raise Conflict(
            _("%(name)s's stop is not %(stop)s.") % {"name": student.name, "stop": stop.name},
            code="wrong_stop",
        )
    done = set(rider.passages.values_list("kind", flat=True))
    if kind in done:
        raise Conflict(_("This is recorded already."), code="recorded_already")
    if kind == Passage.Kind.ALIGHT and Passage.Kind.BOARD not in done:
        raise Conflict(_("%(name)s has not boarded.") % {"name": student.name}, code="not_on_board")
    if stop is None and kind == own_end and rider.stop_ref is not None:
        # Ticked without a stop: at the rider's own.
        stop = Stop.objects.filter(pk=rider.stop_ref).first()
    passage = Passage.objects.create(
        trip=locked,
        rider=rider,
        kind=kind,
        method=method,
        stop_ref=None if stop is None else stop.pk,
        device=device,
        device_event_id=device_event_id,
        occurred_at=occurred_at,
        recorded_by=person(actor),
    )
    when = timezone.localtime(occurred_at).strftime("%H:%M")
    where = "" if stop is None else stop.name
    body = (
        _("%(name)s boarded the school bus %(plate)s at %(time)s %(stop)s.")
        if kind == Passage.Kind.BOARD
        else _("%(name)s got off the school bus %(plate)s at %(time)s %(stop)s.")
    ) % {"name": student.name, "plate": run.vehicle.plate, "time": when, "stop": where}
    for guardian in guardian_list().filter(student=student):
        notify(
            channel="sms",
            recipient=guardian.phone,
            subject=_("School bus"),
            body=body.strip(),
            key=f"riders.passage:{passage.pk}:{guardian.pk}",
            actor=actor,
        )
    return Recorded(passage, made=True)


@dataclass(frozen=True)
class Closing:
    """A trip closed, or (riders still on board) its alarm raised and the closing refused."""

    trip: Trip
    alarm: Alarm | None
    refusal: ServiceError | None


@service
def trip_close(*, trip: Trip, actor: Actor) -> Closing:
    """Close the trip when as many got off as got on. Else the closing is refused (`refusal`,
    409 `still_on_board` naming them), and what it raised is kept: the alarm to the school and
    the notices to the guardians of those still on board (the caller answers the refusal after
    this commits)."""
    locked = _open(trip)
    _escort_act(locked, actor)
    left = list(on_board(locked))
    if not left:
        locked.status = Trip.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        return Closing(locked, None, None)
    alarm, _made = Alarm.objects.update_or_create(
        trip=locked,
        kind=Alarm.Kind.LEFT_ON_BOARD,
        defaults={"on_board": len(left), "raised_by": person(actor), "raised_at": timezone.now()},
    )
    names = {rider.student_id: rider.student.name for rider in left}
    plate = run_list().get(pk=locked.run_ref).vehicle.plate
    for guardian in guardian_list().filter(student_id__in=names):
        notify(
            channel="sms",
            recipient=guardian.phone,
            subject=_("School bus"),
            body=_(
                "%(name)s was not recorded getting off the school bus %(plate)s; the school "
                "is looking into it."
            )
            % {"name": names[guardian.student_id], "plate": plate},
            key=f"riders.on_board:{locked.pk}:{guardian.pk}",
            actor=actor,
        )
    refusal = Conflict(
        _("Still on board: %(names)s. The school is alerted.")
        % {"names": "、".join(names.values())},
        code="still_on_board",
        fields={"riders": [rider.pk for rider in left]},
    )
    return Closing(locked, alarm, refusal)


# A boarding terminal reporting with its own key: the trail names no person for its events.
TERMINALS = SystemActor("riders.terminal")


@service
def terminal_register(*, device: str, actor: Actor) -> tuple[Terminal, str]:
    """Register a boarding terminal of the school as `device`, with a new key: the key is
    answered once, only its hash kept (as for the buses' GPS devices)."""
    device = device.strip()
    if not device:
        message = _("Name the terminal's device.")
        raise InvalidInput(message, code="required", fields={"device": [message]})
    if Terminal.objects.filter(device=device).exists():
        raise Conflict(
            _("A terminal is registered as %(device)s.") % {"device": device},
            code="terminal_exists",
        )
    key = secrets.token_urlsafe(32)
    terminal = Terminal.objects.create(
        device=device, key_hash=Vehicle.key_hash(key), created_by=person(actor)
    )
    return terminal, key


@service
def terminal_revoke(*, terminal: Terminal, actor: Actor) -> Terminal:
    """Revoke a terminal's key: from now on it opens nothing (what it reported stays)."""
    locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("The terminal is revoked already."), code="terminal_revoked")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return locked


def _invalid(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [message]})


def _not_after(field: str, moment: datetime.datetime | datetime.date) -> None:
    """Refuses (400 `in_the_future`) a time or day after now."""
    now = timezone.now() if isinstance(moment, datetime.datetime) else timezone.localdate()
    if moment > now:
        raise _invalid(field, _("This is in the future."), "in_the_future")


def _required(field: str, text: str) -> str:
    if not text.strip():
        raise _invalid(field, _("Required."), "required")
    return text.strip()


def _school_bus(vehicle: Vehicle) -> int:
    """The id of `vehicle`, refused (400 `not_our_bus`) unless licensed on the school's
    routes."""
    if not school_vehicles().filter(pk=vehicle.pk).exists():
        raise _invalid("vehicle", _("This bus serves none of the school's routes."), "not_our_bus")
    return vehicle.pk


@service
def incident_report(
    *,
    kind: str,
    occurred_at: datetime.datetime,
    description: str,
    trip: Trip | None = None,
    vehicle: Vehicle | None = None,
    actor: Actor,
) -> Incident:
    """Report an incident on `trip` (its run's bus), or, without one, on `vehicle`, a bus of the
    school's routes: not in the future, saying what happened."""
    if kind not in Incident.Kind.values:
        raise _invalid("kind", _("No such kind of incident."))
    _not_after("occurred_at", occurred_at)
    if trip is not None and vehicle is None:
        vehicle_ref = run_list().get(pk=trip.run_ref).vehicle_id
    elif vehicle is not None and trip is None:
        vehicle_ref = _school_bus(vehicle)
    else:
        raise _invalid("trip", _("Name the trip, or the bus when there is no trip."), "required")
    return Incident.objects.create(
        trip=trip,
        vehicle_ref=vehicle_ref,
        kind=kind,
        occurred_at=occurred_at,
        description=_required("description", description),
        reported_by=person(actor),
    )


def _open_incident(incident: Incident) -> Incident:
    """The incident locked, refused once it is closed."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.closed_at is not None:
        raise Conflict(_("The incident is closed: it is not changed."), code="incident_closed")
    return locked


@service
def incident_step(
    *, incident: Incident, step: str, at: datetime.datetime, actor: Actor
) -> Incident:
    """Record one step of an open incident as done at `at`: once, not before the incident and
    not in the future."""
    if step not in Incident.Step.values:
        raise _invalid("step", _("No such step."))
    locked = _open_incident(incident)
    if getattr(locked, f"{step}_at") is not None:
        raise Conflict(
            _("%(step)s is recorded already.") % {"step": Incident.Step(step).label},
            code="step_recorded",
        )
    _not_after("at", at)
    if at < locked.occurred_at:
        raise _invalid("at", _("This is before the incident."), "before_incident")
    setattr(locked, f"{step}_at", at)
    setattr(locked, f"{step}_by", person(actor))
    locked.save(update_fields=[f"{step}_at", f"{step}_by"])
    return locked


@service
def incident_close(*, incident: Incident, summary: str, actor: Actor) -> Incident:
    """Close an incident with its summary: refused (409 `steps_open`, naming them) while a step
    is not recorded."""
    locked = _open_incident(incident)
    missing = [done for done in incident_steps(locked) if done.at is None]
    if missing:
        raise Conflict(
            _("Steps still to record: %(steps)s.")
            % {"steps": "、".join(done.label for done in missing)},
            code="steps_open",
            fields={"steps": [done.step for done in missing]},
        )
    locked.summary = _required("summary", summary)
    locked.closed_at = timezone.now()
    locked.closed_by = person(actor)
    locked.save(update_fields=["summary", "closed_at", "closed_by"])
    return locked


@service
def drill_record(
    *,
    day: datetime.date,
    kind: str,
    participants: int,
    notes: str = "",
    vehicle: Vehicle | None = None,
    actor: Actor,
) -> Drill:
    """Record an emergency drill held on `day` (not in the future), on `vehicle` (a bus of the
    school's routes) if it was held on one."""
    if kind not in Drill.Kind.values:
        raise _invalid("kind", _("No such kind of drill."))
    _not_after("day", day)
    if participants < 1:
        raise _invalid("participants", _("Someone took part."))
    return Drill.objects.create(
        day=day,
        kind=kind,
        vehicle_ref=None if vehicle is None else _school_bus(vehicle),
        participants=participants,
        notes=notes.strip(),
        recorded_by=person(actor),
    )


@service
def training_record(
    *,
    day: datetime.date,
    topic: str,
    hours: Decimal,
    trainer: str,
    driver: Driver | None = None,
    user: User | None = None,
    actor: Actor,
) -> Training:
    """Record the training of one person on `day` (not in the future): a driver licensed on the
    school's routes, or a bus escort of the school."""
    if (driver is None) == (user is None):
        raise _invalid("driver", _("Name the driver or the escort trained."), "required")
    _not_after("day", day)
    if not Decimal(0) < hours <= Decimal(24):
        raise _invalid("hours", _("Between 0.1 and 24 hours."))
    if driver is not None and not school_drivers().filter(pk=driver.pk).exists():
        message = _("This driver drives none of the school's routes.")
        raise _invalid("driver", message, "not_our_driver")
    if user is not None and not school_escorts().filter(pk=user.pk).exists():
        message = _("Only the school's bus escorts are trained here, with the drivers.")
        raise _invalid("user", message, "not_an_escort")
    return Training.objects.create(
        day=day,
        driver_ref=None if driver is None else driver.pk,
        user=user,
        topic=_required("topic", topic),
        hours=hours,
        trainer=_required("trainer", trainer),
        recorded_by=person(actor),
    )
