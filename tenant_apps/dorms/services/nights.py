"""Writes about the night: door events from the terminals, and the roll call at the school's
time, absent boarders' guardians told through the notice outbox."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import insert_columns_returning
from houqin.door import Actor, service
from houqin.exceptions import InvalidInput
from tenant_apps.dorms.models import (
    DoorEvent,
    Guardian,
    Policy,
    RollCall,
    RollCallEntry,
)
from tenant_apps.dorms.selectors import roll_call_due
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
    """Record the terminals' events, each once: one of a student the register does not know is
    refused; one whose (device, event id) is recorded already, by an earlier report or earlier
    in this one, is a duplicate and changes nothing. One row of the report per event, in order.
    One INSERT of unnested columns for the whole report, skipping what is recorded: what it
    returns is what was new, whatever another report committed meanwhile."""
    if len(events) > MAX_EVENTS:
        raise InvalidInput(_("Too many events in one report."), code="too_many")
    numbers = {event["student_number"] for event in events}
    students = dict(
        Student.objects.filter(student_number__in=numbers).values_list("student_number", "pk")
    )
    known = [e for e in events if e["student_number"] in students]
    new: set[tuple[str, str]] = set()
    if known:
        new = set(
            insert_columns_returning(
                DoorEvent._meta.db_table,
                {
                    "device": ("text[]", [e["device"] for e in known]),
                    "device_event_id": ("text[]", [e["device_event_id"] for e in known]),
                    "student_id": ("bigint[]", [students[e["student_number"]] for e in known]),
                    "direction": ("text[]", [e["direction"] for e in known]),
                    "method": ("text[]", [e["method"] for e in known]),
                    "occurred_at": ("timestamptz[]", [e["occurred_at"] for e in known]),
                },
                ("device", "device_event_id"),
                constant={"received_at": timezone.now()},
                on_conflict_do_nothing=True,
            )
        )
    rows: list[EventRow] = []
    for event in events:
        key = (event["device"], event["device_event_id"])
        if event["student_number"] not in students:
            code = "unknown_student"
        elif key in new:
            code = "accepted"
            new.discard(key)
        else:
            code = "duplicate"
        rows.append(EventRow(key[0], key[1], code))
    return rows


# The roll call in one statement: each boarder in a bed that night (the allocations), on
# approved leave at the time, in (their last pass of the LOOK_BACK before the time was in),
# late (a pass in after it, until the roll call is taken or LATE_UNTIL), else absent. An entry
# of an earlier taking is changed only while absent. Returns the boarders newly absent.
_ROLL_CALL_SQL = """
WITH boarder AS (
    SELECT student_id, bed_id FROM dorms_allocation
    WHERE start_date <= %(night)s AND (end_date IS NULL OR end_date > %(night)s)
), away AS (
    SELECT DISTINCT student_id FROM dorms_leave
    WHERE status = 'approved' AND starts_at <= %(due)s AND ends_at > %(due)s
), last_pass AS (
    SELECT DISTINCT ON (student_id) student_id, direction, occurred_at FROM dorms_doorevent
    WHERE occurred_at >= %(since)s AND occurred_at <= %(due)s
    ORDER BY student_id, occurred_at DESC, id DESC
), late_in AS (
    SELECT student_id, min(occurred_at) AS occurred_at FROM dorms_doorevent
    WHERE direction = 'in' AND occurred_at > %(due)s AND occurred_at <= %(until)s
    GROUP BY student_id
), found AS (
    SELECT b.student_id, b.bed_id,
           CASE WHEN a.student_id IS NOT NULL THEN 'leave'
                WHEN p.direction = 'in' THEN 'in'
                WHEN l.student_id IS NOT NULL THEN 'late'
                ELSE 'absent' END AS status,
           CASE WHEN a.student_id IS NOT NULL THEN NULL
                WHEN p.direction = 'in' THEN p.occurred_at
                ELSE l.occurred_at END AS seen_at
    FROM boarder b
    LEFT JOIN away a ON a.student_id = b.student_id
    LEFT JOIN last_pass p ON p.student_id = b.student_id
    LEFT JOIN late_in l ON l.student_id = b.student_id
)
INSERT INTO dorms_rollcallentry AS e (roll_call_id, student_id, bed_id, status, seen_at)
SELECT %(roll_call)s, student_id, bed_id, status, seen_at FROM found
ON CONFLICT (roll_call_id, student_id) DO UPDATE
    SET status = EXCLUDED.status, seen_at = EXCLUDED.seen_at
    WHERE e.status = 'absent'
RETURNING e.student_id, e.status, e.xmax = 0 AS inserted
"""


@service
def roll_call_take(*, night: date, actor: Actor, now: datetime | None = None) -> RollCall:
    """Take (or take again) the roll call of `night`: each boarder in a bed that night is in
    (their last pass before the time was in), on approved leave, late (in after the time) or
    absent. Taken again, it only moves absent boarders to late. Each newly absent boarder's
    guardians are told once, through the outbox. One statement, however many boarders."""
    now = now or timezone.now()
    due = roll_call_due(night)
    if now < due:
        raise InvalidInput(_("The roll call is not due yet."), code="not_due")
    roll_call, _made = RollCall.objects.select_for_update().get_or_create(
        night=night, defaults={"due_at": due, "taken_at": now}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _ROLL_CALL_SQL,
            {
                "night": night,
                "due": due,
                "since": due - LOOK_BACK,
                "until": min(now, due + LATE_UNTIL),
                "roll_call": roll_call.pk,
            },
        )
        written = cursor.fetchall()
    RollCall.objects.filter(pk=roll_call.pk).update(taken_at=now)
    absent = [
        student_id
        for student_id, status, inserted in written
        if inserted and status == RollCallEntry.Status.ABSENT
    ]
    _tell_guardians(night, absent, actor)
    return roll_call


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
