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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
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
from tenant_apps.notices.services import DRAFTS_INSERT, notify
from tenant_apps.notices.tasks import deliver_all_on_commit
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
    return _under_way(Trip.objects.select_for_update().get(pk=trip.pk))


def _under_way(locked: Trip) -> Trip:
    """`locked` (a trip its caller locked), refused unless it is under way."""
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


@dataclass(frozen=True)
class PassageEvent:
    """One boarding or alighting as reported: a terminal's (its device and its own event id) or
    the escort's tick; `stop` the id of the stop it names, if any."""

    student_number: str
    kind: str
    occurred_at: datetime.datetime
    method: str = Passage.Method.ESCORT
    device: str = ""
    device_event_id: str = ""
    stop: int | None = None


@dataclass(frozen=True)
class PassageRow:
    """What became of one reported event: `accepted` (recorded now), `duplicate` (its device
    and event id were recorded already, by an earlier report or earlier in this one), or the
    code of the rule that refused it with its message; `passage` the id recorded (or repeated);
    the event's device and event id (in a terminal's report)."""

    code: str
    passage: int | None = None
    message: str = ""
    device: str = ""
    device_event_id: str = ""


ACCEPTED, DUPLICATE = "accepted", "duplicate"
# A terminal's report holds at most this many events (a bus's morning is a few hundred).
MAX_PASSAGES = 500


# A report's reads in one round trip: the trip locked first, so that the second statement (a
# snapshot of its own) sees what a report holding the lock before committed; then the trip's
# status, its run's route, period and plate, the passages already recorded under the events'
# device and event ids, the students the events name (their rider here and its stop, whether
# they ride another trip, what they recorded here, their guardians) and the stops the events
# or those riders name. Read as SQL, not through the selectors' querysets: building those
# cost more than the round trips they share.
_READ = """
SELECT FROM riders_trip WHERE id = %(trip)s FOR UPDATE;
WITH named AS (
    SELECT s.id, s.student_number, s.name, here.id AS rider, here.stop_ref
    FROM people_student s
    LEFT JOIN riders_rider here ON here.trip_id = %(trip)s AND here.student_id = s.id
    WHERE s.student_number = ANY(%(numbers)s::text[])
)
SELECT
    t.status,
    run.route_id,
    route.period,
    bus.plate,
    (
        SELECT coalesce(json_agg(json_build_array(p.device, p.device_event_id, p.id)), '[]')
        FROM riders_passage p
        JOIN unnest(%(devices)s::text[], %(event_ids)s::text[]) AS k (device, event_id)
            ON p.device = k.device AND p.device_event_id = k.event_id
        WHERE p.device <> ''
    ),
    (
        SELECT coalesce(json_agg(json_build_array(
            n.student_number,
            n.id,
            n.name,
            n.rider,
            n.stop_ref,
            EXISTS (
                SELECT FROM riders_rider other
                WHERE other.student_id = n.id AND other.trip_id <> %(trip)s
            ),
            ARRAY(SELECT p.kind FROM riders_passage p WHERE p.rider_id = n.rider),
            ARRAY(SELECT g.id FROM dorms_guardian g WHERE g.student_id = n.id ORDER BY g.id),
            ARRAY(SELECT g.phone FROM dorms_guardian g WHERE g.student_id = n.id ORDER BY g.id)
        )), '[]')
        FROM named n
    ),
    (
        SELECT coalesce(json_agg(json_build_array(stop.id, stop.route_id, stop.name)), '[]')
        FROM transport_stop stop
        WHERE stop.id = ANY(%(stops)s::bigint[])
            OR stop.id IN (SELECT n.stop_ref FROM named n WHERE n.rider IS NOT NULL)
    )
FROM riders_trip t
JOIN transport_run run ON run.id = t.run_ref
JOIN transport_route route ON route.id = run.route_id
JOIN transport_vehicle bus ON bus.id = run.vehicle_id
WHERE t.id = %(trip)s
"""


@dataclass
class _Trip:
    """What the rules read of a trip under way for a report's events, read set-wise: its status,
    its run's route and bus, the passages recorded already under the events' device and event
    ids, the students named, their riders here and elsewhere, the stops named, what each rider
    has recorded already, their guardians."""

    status: str
    route_id: int
    plate: str
    own_end: str
    known: dict[tuple[str, str], int]
    students: dict[str, tuple[int, str]]
    riders: dict[int, tuple[int, int | None]]
    elsewhere: set[int]
    stops: dict[int, tuple[int, str]]
    done: set[tuple[int, str]]
    guardians: dict[int, list[tuple[int, str]]]

    @classmethod
    def read(cls, trip: Trip, events: Sequence[PassageEvent]) -> "_Trip":
        """The trip locked and everything the rules read, in one round trip (`_READ`)."""
        terminal = [e for e in events if e.device]
        with connection.cursor() as cursor:
            cursor.execute(
                _READ,
                {
                    "trip": trip.pk,
                    "numbers": sorted({e.student_number for e in events}),
                    "devices": [e.device for e in terminal],
                    "event_ids": [e.device_event_id for e in terminal],
                    "stops": sorted({e.stop for e in events if e.stop is not None}),
                },
            )
            found = cursor.fetchone()
        if found is None:
            raise Trip.DoesNotExist
        status, route_id, period, plate, known, named, stops = found
        students: dict[str, tuple[int, str]] = {}
        riders: dict[int, tuple[int, int | None]] = {}
        elsewhere: set[int] = set()
        done: set[tuple[int, str]] = set()
        guardians: dict[int, list[tuple[int, str]]] = {}
        for number, pk, name, rider, own_stop, other, kinds, ids, phones in named:
            students[number] = (pk, name)
            guardians[pk] = list(zip(ids, phones, strict=True))
            if rider is not None:
                riders[pk] = (rider, own_stop)
                done.update((rider, kind) for kind in kinds)
            elif other:
                elsewhere.add(pk)
        return cls(
            status=status,
            route_id=route_id,
            plate=plate,
            own_end=(Passage.Kind.BOARD if period == Route.Period.MORNING else Passage.Kind.ALIGHT),
            known={(device, event_id): pk for device, event_id, pk in known},
            students=students,
            riders=riders,
            elsewhere=elsewhere,
            stops={pk: (route, name) for pk, route, name in stops},
            done=done,
            guardians=guardians,
        )

    def refusal(self, event: PassageEvent) -> PassageRow | tuple[int, int | None]:
        """The rule `event` breaks, else its rider and the stop to record (the rider's own when
        a tick at their end of the run names none)."""
        found = self.students.get(event.student_number)
        if found is None:
            return PassageRow("unknown_student", message=_("No student has this number."))
        student_id, name = found
        if student_id not in self.riders:
            if student_id in self.elsewhere:
                return PassageRow(
                    "wrong_bus",
                    message=_("%(name)s rides another bus, not this one.") % {"name": name},
                )
            return PassageRow(
                "not_a_rider", message=_("%(name)s rides no school bus.") % {"name": name}
            )
        rider, own_stop = self.riders[student_id]
        stop = event.stop
        if stop is not None and self.stops.get(stop, (None, ""))[0] != self.route_id:
            return PassageRow("stop_off_route", message=_("The stop is not on the run's route."))
        if stop is not None and event.kind == self.own_end and own_stop not in (None, stop):
            return PassageRow(
                "wrong_stop",
                message=_("%(name)s's stop is not %(stop)s.")
                % {"name": name, "stop": self.stops[stop][1]},
            )
        if (rider, event.kind) in self.done:
            return PassageRow("recorded_already", message=_("This is recorded already."))
        if event.kind == Passage.Kind.ALIGHT and (rider, Passage.Kind.BOARD) not in self.done:
            return PassageRow(
                "not_on_board", message=_("%(name)s has not boarded.") % {"name": name}
            )
        if stop is None and event.kind == self.own_end and own_stop in self.stops:
            stop = own_stop
        return rider, stop


def _passages(trip: Trip, events: Sequence[PassageEvent], actor: Actor) -> list[PassageRow]:
    """The boarding and alighting rules (see `passage_record`) over a report's events, in the
    order they occurred, each against the trip and the events before it; one row per event in
    the order given. What they read is read in one round trip (the trip locked, then one
    query), what they record written in one statement with the guardians' notices. An escort's
    tick by someone not put on the trip as its escort raises the escort swap; a terminal's event
    does not."""
    keys = [(e.device, e.device_event_id) for e in events]
    state = _Trip.read(trip, events)
    rows: list[PassageRow | None] = [
        PassageRow(DUPLICATE, state.known[key]) if key in state.known else None for key in keys
    ]
    if all(rows):
        return [row for row in rows if row]
    locked = _under_way(Trip(pk=trip.pk, status=state.status))
    if any(e.method == Passage.Method.ESCORT for e in events):
        _escort_act(locked, actor)
    first: dict[tuple[str, str], int] = {}
    new: dict[int, tuple[int, int | None]] = {}
    for i in sorted(range(len(events)), key=lambda i: events[i].occurred_at):
        event, key = events[i], keys[i]
        if rows[i] is not None or (key[0] and key in first):
            continue
        if key[0]:
            first[key] = i
        verdict = state.refusal(event)
        if isinstance(verdict, PassageRow):
            rows[i] = verdict
            continue
        new[i] = verdict
        state.done.add((verdict[0], event.kind))
    ids = _insert(state, locked, events, new, actor)
    for i, passage in ids.items():
        rows[i] = PassageRow(ACCEPTED, passage)
    for i in new.keys() - ids.keys():
        # Recorded meanwhile by a report on another trip (the lock holds this trip only).
        found = Passage.objects.filter(device=keys[i][0], device_event_id=keys[i][1])
        rows[i] = PassageRow(DUPLICATE, found.values_list("pk", flat=True).get())
    for i, key in enumerate(keys):
        if rows[i] is None:
            earlier = rows[first[key]]
            assert earlier is not None
            rows[i] = (
                PassageRow(DUPLICATE, earlier.passage) if earlier.code == ACCEPTED else earlier
            )
    return [row for row in rows if row]


# The new passages in one INSERT of unnested columns (one whose device and event id another
# report recorded meanwhile skipped), and their guardians' notices, written in the same
# statement from what it inserted (each notice's key names its passage).
_INSERT = (
    """
WITH made AS (
    INSERT INTO riders_passage (
        rider_id, kind, method, stop_ref, device, device_event_id, occurred_at,
        trip_id, recorded_by_id, recorded_at
    )
    SELECT e.*, %(trip)s, %(by)s, %(at)s
    FROM unnest(
        %(riders)s::bigint[], %(kinds)s::text[], %(methods)s::text[], %(stops)s::bigint[],
        %(devices)s::text[], %(event_ids)s::text[], %(times)s::timestamptz[]
    ) AS e
    ON CONFLICT DO NOTHING
    RETURNING id, rider_id, kind
),
told AS ("""  # noqa: S608 - constants
    + DRAFTS_INSERT.format(
        drafts="""
        SELECT 'sms', n.phone, %(subject)s, n.body,
            'riders.passage:' || made.id || ':' || n.guardian
        FROM made
        JOIN unnest(
            %(told_riders)s::bigint[], %(told_kinds)s::text[], %(guardians)s::bigint[],
            %(phones)s::text[], %(bodies)s::text[]
        ) AS n (rider, kind, guardian, phone, body)
            ON n.rider = made.rider_id AND n.kind = made.kind"""
    )
    + """
)
SELECT id, rider_id, kind FROM made
UNION ALL
SELECT id, NULL, NULL FROM told
"""
)


def _insert(
    state: _Trip,
    trip: Trip,
    events: Sequence[PassageEvent],
    new: dict[int, tuple[int, int | None]],
    actor: Actor,
) -> dict[int, int]:
    """The new passages and their guardians' notices in one statement (`_INSERT`), the notices
    queued for delivery; each event's index to its passage's id. One whose device and event id
    another report recorded meanwhile is skipped, and nobody told of it."""
    if not new:
        return {}
    order = list(new)
    by = person(actor)
    told = [
        (new[i][0], events[i].kind, guardian, phone, _notice(state, events[i], new[i][1]))
        for i in order
        for guardian, phone in state.guardians[state.students[events[i].student_number][0]]
    ]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            {
                "riders": [new[i][0] for i in order],
                "kinds": [events[i].kind for i in order],
                "methods": [events[i].method for i in order],
                "stops": [new[i][1] for i in order],
                "devices": [events[i].device for i in order],
                "event_ids": [events[i].device_event_id for i in order],
                "times": [events[i].occurred_at for i in order],
                "trip": trip.pk,
                "by": None if by is None else by.pk,
                "at": now,
                "subject": _("School bus"),
                "told_riders": [t[0] for t in told],
                "told_kinds": [t[1] for t in told],
                "guardians": [t[2] for t in told],
                "phones": [t[3] for t in told],
                "bodies": [t[4] for t in told],
                "notices_at": now,
            },
        )
        made = cursor.fetchall()
    deliver_all_on_commit([pk for pk, rider, _kind in made if rider is None])
    index = {(new[i][0], events[i].kind): i for i in order}
    return {index[(rider, kind)]: pk for pk, rider, kind in made if rider is not None}


def _notice(state: _Trip, event: PassageEvent, stop: int | None) -> str:
    """What a rider's guardians are told of `event`, recorded at `stop`."""
    body = (
        _("%(name)s boarded the school bus %(plate)s at %(time)s %(stop)s.")
        if event.kind == Passage.Kind.BOARD
        else _("%(name)s got off the school bus %(plate)s at %(time)s %(stop)s.")
    ) % {
        "name": state.students[event.student_number][1],
        "plate": state.plate,
        "time": timezone.localtime(event.occurred_at).strftime("%H:%M"),
        "stop": "" if stop is None else state.stops[stop][1],
    }
    return body.strip()


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
    event = PassageEvent(
        student.student_number,
        kind,
        occurred_at,
        method,
        device,
        device_event_id,
        None if stop is None else stop.pk,
    )
    [row] = _passages(trip, [event], actor)
    if row.code == "stop_off_route":
        raise InvalidInput(row.message, fields={"stop": [event.stop]})
    if row.code not in (ACCEPTED, DUPLICATE):
        raise Conflict(row.message, code=row.code)
    assert row.passage is not None  # accepted or a duplicate: a passage
    return Recorded(Passage.objects.get(pk=row.passage), made=row.code == ACCEPTED)


@service
def passages_record(
    *, trip: Trip, events: Sequence[PassageEvent], actor: Actor
) -> list[PassageRow]:
    """A terminal's report of boardings and alightings on a trip under way, each event under
    `passage_record`'s rules in the order they occurred: one row per event, in the order given
    (accepted, a duplicate answered with the original, or the rule that refused it, which saves
    nothing of that event and leaves the others be). Refused as a whole (nothing saved): a
    report of no events or more than MAX_PASSAGES, an event that names no device and event id
    (400), a trip not under way (409)."""
    if not 1 <= len(events) <= MAX_PASSAGES:
        message = _("A report holds 1 to %(most)s events.") % {"most": MAX_PASSAGES}
        raise InvalidInput(message, fields={"events": [message]})
    bad = {
        str(i): [_("A terminal's event names its device and event id.")]
        for i, e in enumerate(events)
        if e.method == Passage.Method.ESCORT or not (e.device and e.device_event_id)
    }
    if bad:
        raise InvalidInput(_("Some events are invalid."), fields=bad)
    rows = _passages(trip, events, actor)
    return [
        replace(row, device=e.device, device_event_id=e.device_event_id)
        for row, e in zip(rows, events, strict=True)
    ]


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
