"""Writes about the night: door events from the terminals, and the roll call at the school's
time, absent boarders' guardians told through the notice outbox."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import insert_columns
from houqin.door import Actor, service
from houqin.exceptions import InvalidInput
from tenant_apps.dorms.models import (
    Allocation,
    DoorEvent,
    Guardian,
    Leave,
    Policy,
    RollCall,
    RollCallEntry,
)
from tenant_apps.dorms.selectors import current, roll_call_due
from tenant_apps.notices.services import notify
from tenant_apps.people.models import Student

# How far back a pass still says where a boarder is at the roll call, and how long after it a
# pass in makes them late rather than absent.
LOOK_BACK = timedelta(hours=18)
LATE_UNTIL = timedelta(hours=8)
MAX_EVENTS = 20000


@dataclass(frozen=True)
class EventRow:
    """What became of one reported event: accepted, a duplicate, or refused."""

    device: str
    device_event_id: str
    code: str


@service
def door_events_record(*, events: list[dict[str, Any]], actor: Actor) -> list[EventRow]:
    """Record the terminals' events, each once: an event whose (device, event id) is recorded
    already is a duplicate and changes nothing; one of a student the register does not know is
    refused. One row of the report per event, in order."""
    if len(events) > MAX_EVENTS:
        raise InvalidInput(_("Too many events in one report."), code="too_many")
    numbers = {event["student_number"] for event in events}
    students = dict(
        Student.objects.filter(student_number__in=numbers).values_list("student_number", "pk")
    )
    keys = [(e["device"], e["device_event_id"]) for e in events]
    known = _recorded(keys)
    rows: list[EventRow] = []
    new: list[dict[str, Any]] = []
    for event in events:
        key = (event["device"], event["device_event_id"])
        student_id = students.get(event["student_number"])
        if key in known:
            code = "duplicate"
        elif student_id is None:
            code = "unknown_student"
        else:
            code = "accepted"
            known.add(key)
            new.append({**event, "student_id": student_id})
        rows.append(EventRow(key[0], key[1], code))
    if new:
        # One statement of unnested columns, not a model instance per event. Another report of
        # the same events committed meanwhile: the database keeps one of each.
        insert_columns(
            DoorEvent._meta.db_table,
            {
                "device": ("text[]", [e["device"] for e in new]),
                "device_event_id": ("text[]", [e["device_event_id"] for e in new]),
                "student_id": ("bigint[]", [e["student_id"] for e in new]),
                "direction": ("text[]", [e["direction"] for e in new]),
                "method": ("text[]", [e["method"] for e in new]),
                "occurred_at": ("timestamptz[]", [e["occurred_at"] for e in new]),
            },
            constant={"received_at": timezone.now()},
            on_conflict_do_nothing=True,
        )
    return rows


def _recorded(keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    if not keys:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.device, e.device_event_id FROM dorms_doorevent e "
            "JOIN unnest(%s::text[], %s::text[]) AS k(device, id) "
            "ON e.device = k.device AND e.device_event_id = k.id",
            [[k[0] for k in keys], [k[1] for k in keys]],
        )
        return set(cursor.fetchall())


@service
def roll_call_take(*, night: date, actor: Actor, now: datetime | None = None) -> RollCall:
    """Take (or take again) the roll call of `night`: each boarder in a bed that night is in
    (their last pass before the time was in), on approved leave, late (in after the time) or
    absent. Taken again, it only moves absent boarders to late. Each newly absent boarder's
    guardians are told once, through the outbox."""
    now = now or timezone.now()
    due = roll_call_due(night)
    if now < due:
        raise InvalidInput(_("The roll call is not due yet."), code="not_due")
    roll_call, _made = RollCall.objects.select_for_update().get_or_create(
        night=night, defaults={"due_at": due, "taken_at": now}
    )
    boarders = dict(Allocation.objects.filter(current(night)).values_list("student_id", "bed_id"))
    on_leave = set(
        Leave.objects.filter(
            status=Leave.Status.APPROVED,
            starts_at__lte=due,
            ends_at__gt=due,
            student_id__in=boarders,
        ).values_list("student_id", flat=True)
    )
    last_before = _last_pass(boarders, due - LOOK_BACK, due)
    first_in_after = _first_in(boarders, due, min(now, due + LATE_UNTIL))
    before = dict(roll_call.entries.values_list("student_id", "status"))
    entries: list[RollCallEntry] = []
    for student_id, bed_id in boarders.items():
        seen_at = None
        if student_id in on_leave:
            status = RollCallEntry.Status.LEAVE
        elif student_id in last_before and last_before[student_id][0] == DoorEvent.Direction.IN:
            status, seen_at = RollCallEntry.Status.IN, last_before[student_id][1]
        elif student_id in first_in_after:
            status, seen_at = RollCallEntry.Status.LATE, first_in_after[student_id]
        else:
            status = RollCallEntry.Status.ABSENT
        if before.get(student_id) not in (None, RollCallEntry.Status.ABSENT):
            continue
        entries.append(
            RollCallEntry(
                roll_call=roll_call,
                student_id=student_id,
                bed_id=bed_id,
                status=status,
                seen_at=seen_at,
            )
        )
    RollCallEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["roll_call", "student"],
        update_fields=["status", "seen_at"],
        batch_size=5000,
    )
    RollCall.objects.filter(pk=roll_call.pk).update(taken_at=now)
    absent = [
        e.student_id
        for e in entries
        if e.status == RollCallEntry.Status.ABSENT and e.student_id not in before
    ]
    _tell_guardians(night, absent, actor)
    return roll_call


def _last_pass(
    students: dict[int, int], since: datetime, until: datetime
) -> dict[int, tuple[str, datetime]]:
    rows = (
        DoorEvent.objects.filter(occurred_at__gte=since, occurred_at__lte=until)
        .order_by("student_id", "-occurred_at", "-id")
        .distinct("student_id")
        .values_list("student_id", "direction", "occurred_at")
    )
    return {s: (d, at) for s, d, at in rows if s in students}


def _first_in(students: dict[int, int], since: datetime, until: datetime) -> dict[int, datetime]:
    rows = (
        DoorEvent.objects.filter(
            direction=DoorEvent.Direction.IN, occurred_at__gt=since, occurred_at__lte=until
        )
        .order_by("student_id", "occurred_at")
        .distinct("student_id")
        .values_list("student_id", "occurred_at")
    )
    return {s: at for s, at in rows if s in students}


def _tell_guardians(night: date, student_ids: list[int], actor: Actor) -> None:
    names = dict(Student.objects.filter(pk__in=student_ids).values_list("pk", "name"))
    for guardian in Guardian.objects.filter(student_id__in=student_ids):
        notify(
            channel="sms",
            recipient=guardian.phone,
            subject=_("Not back in the dormitory"),
            body=_("%(name)s was not in the dormitory at the roll call of %(night)s.")
            % {"name": names[guardian.student_id], "night": night.isoformat()},
            key=f"dorms.absent:{night.isoformat()}:{guardian.pk}",
            actor=actor,
        )


@service
def guardian_add(*, student: Student, name: str, phone: str, actor: Actor) -> Guardian:
    if not name.strip():
        raise InvalidInput(
            _("A guardian needs a name."), code="required", fields={"name": [_("Required.")]}
        )
    return Guardian.objects.create(student=student, name=name.strip(), phone=phone.strip())


@service
def policy_set(*, roll_call_at: time, actor: Actor) -> Policy:
    policy, _made = Policy.objects.update_or_create(pk=1, defaults={"roll_call_at": roll_call_at})
    return policy
