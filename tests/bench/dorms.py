"""The boarding benchmarks' data and naive baselines: a 3,000-boarder school's rooms and pupils,
a night's door events, and the naive bulk allocation (one service call per pupil) and naive night
(one insert per event, one query per boarder) each figure is measured against (bench-only: the
app has the set-wise ones).

Imported by `tests.bench.steps` once Django is set up."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from houqin.door import Actor
from tenant_apps.dorms.models import Allocation, Bed, Building, DoorEvent, Floor, Leave, Room
from tenant_apps.dorms.selectors import current
from tenant_apps.dorms.services.allocations import allocation_create
from tenant_apps.people.models import Student

BEDS_PER_ROOM = 8
GRADES = range(1, 7)


def school(boarders: int) -> None:
    """Rooms of eight single beds for `boarders` primary pupils, half of each sex, and the
    pupils, in grades 1-6 and classes of 50."""
    building = Building.objects.create(code="S1", name="学生公寓")
    floors = [Floor.objects.create(building=building, level=n) for n in range(1, 7)]
    rooms: list[Room] = []
    # A room of each sex in turn, enough of them for either sex's half.
    for n in range(2 * -(-boarders // (2 * BEDS_PER_ROOM))):
        rooms.append(
            Room(
                floor=floors[n % len(floors)],
                number=f"{n:04d}",
                sex="male" if n % 2 == 0 else "female",
                stage="primary",
                area=Decimal(16),
                capacity=BEDS_PER_ROOM,
            )
        )
    Room.objects.bulk_create(rooms)
    Bed.objects.bulk_create(
        Bed(room=room, number=str(b)) for room in rooms for b in range(1, BEDS_PER_ROOM + 1)
    )
    Student.objects.bulk_create(
        Student(
            student_number=f"D{i:06d}",
            name=f"学生{i}",
            gender="male" if i % 2 == 0 else "female",
            grade=GRADES[i * len(GRADES) // boarders],
            class_name=f"{i // 50 % 10 + 1}班",
        )
        for i in range(boarders)
    )


def naive_bulk(start: date, actor: Actor) -> int:
    """Every pupil without a bed given the first free bed of their sex, one service call (with
    its locks and checks) per pupil, the beds looked for pupil by pupil."""
    made = 0
    for pupil in Student.objects.order_by("grade", "class_name", "gender", "student_number"):
        taken = Allocation.objects.filter(current(start)).values("bed_id")
        bed = (
            Bed.objects.filter(in_service=True, room__sex=pupil.gender)
            .exclude(pk__in=taken)
            .order_by("room__floor__building__code", "room__floor__level", "room__number", "number")
            .first()
        )
        if bed is not None:
            allocation_create(student=pupil, bed=bed, start_date=start, actor=actor)
            made += 1
    return made


def night_events(count: int, due: datetime) -> list[dict[str, Any]]:
    """`count` passes of the school's boarders through the day before roll call `due`: outs and
    ins in turn, most back in before the time, one in fifty late, one in a hundred not back."""
    numbers = list(Student.objects.order_by("pk").values_list("student_number", flat=True))
    events: list[dict[str, Any]] = []
    per_pupil = max(2, count // len(numbers))
    for p, number in enumerate(numbers):
        for k in range(per_pupil):
            last = k == per_pupil - 1
            at = due - timedelta(hours=per_pupil - k, minutes=p % 50)
            if last and p % 50 == 7:
                at = due + timedelta(minutes=20)
            direction = "in" if k % 2 == 1 or last else "out"
            if last and p % 100 == 3:
                direction = "out"
            events.append(
                {
                    "device": f"gate-{p % 4}",
                    "device_event_id": f"{p}-{k}",
                    "student_number": number,
                    "direction": direction,
                    "method": "face" if k % 2 else "card",
                    "occurred_at": at,
                }
            )
            if len(events) == count:
                return events
    return events


def naive_night(events: list[dict[str, Any]], night: date, due: datetime) -> dict[int, str]:
    """The events recorded one get_or_create each, then each boarder's status found with its
    own queries."""
    with transaction.atomic():
        for event in events:
            student = Student.objects.get(student_number=event["student_number"])
            DoorEvent.objects.get_or_create(
                device=event["device"],
                device_event_id=event["device_event_id"],
                defaults={
                    "student": student,
                    "direction": event["direction"],
                    "method": event["method"],
                    "occurred_at": event["occurred_at"],
                },
            )
    statuses: dict[int, str] = {}
    for allocation in Allocation.objects.filter(current(night)):
        student_id = allocation.student_id
        if Leave.objects.filter(
            student_id=student_id, status="approved", starts_at__lte=due, ends_at__gt=due
        ).exists():
            statuses[student_id] = "leave"
            continue
        last = (
            DoorEvent.objects.filter(
                student_id=student_id,
                occurred_at__lte=due,
                occurred_at__gte=due - timedelta(hours=18),
            )
            .order_by("-occurred_at", "-id")
            .first()
        )
        if last is not None and last.direction == "in":
            statuses[student_id] = "in"
        elif DoorEvent.objects.filter(
            student_id=student_id,
            direction="in",
            occurred_at__gt=due,
            occurred_at__lte=due + timedelta(hours=8),
        ).exists():
            statuses[student_id] = "late"
        else:
            statuses[student_id] = "absent"
    return statuses
