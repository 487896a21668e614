"""The demo's boarding: in each boarding school, a dormitory building with rooms for each sex
and stage, the boarders in beds, two guardians, last night's door events with one pupil late
and one absent (their guardian told through the outbox, on the console), an approved leave and a
visitor. A second run finds the building and adds nothing."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.users import acting_as, demo_user
from tenant_apps.dorms.models import Bed, Building, stage_of
from tenant_apps.dorms.selectors import roll_call_due
from tenant_apps.dorms.services import allocations, nights, rooms, visitors
from tenant_apps.dorms.services import leave as leaves
from tenant_apps.people.models import Student
from tenants.models import School

BEDS_PER_ROOM = 8
# A made-up visitor's ID number (valid check digit; region 530124, 富民县).
VISITOR_ID = "530124198001010013"


def seed_boarding() -> None:
    for school in School.objects.filter(boarding=True).order_by("code"):
        with tenant_context(school):
            if Building.objects.exists():
                continue
            _boarding(school)


def _boarding(school: School) -> None:
    manager = demo_user("dorm_manager", school.code)
    today = timezone.localdate()
    term = today - timedelta(days=30)
    night = today - timedelta(days=1)
    with acting_as(manager):
        boarders = list(Student.objects.filter(boarding=True).order_by("grade", "student_number"))
        building = rooms.building_create(code="SS", name="学生公寓", actor=manager)
        floor = rooms.floor_create(building=building, level=1, actor=manager)
        groups: dict[tuple[str, str], list[Student]] = {}
        for pupil in boarders:
            stage = stage_of(pupil.grade)
            if stage is not None:
                groups.setdefault((pupil.gender, stage), []).append(pupil)
        number = 100
        for (sex, stage), pupils in sorted(groups.items()):
            for first in range(0, len(pupils), BEDS_PER_ROOM):
                number += 1
                room = rooms.room_create(
                    floor=floor,
                    number=str(number),
                    sex=sex,
                    stage=stage,
                    area=Decimal("24.00"),
                    capacity=BEDS_PER_ROOM,
                    actor=manager,
                )
                beds = [
                    rooms.bed_create(room=room, number=str(n), bunk=Bed.Bunk.SINGLE, actor=manager)
                    for n in range(1, BEDS_PER_ROOM + 1)
                ]
                for pupil, bed in zip(pupils[first : first + BEDS_PER_ROOM], beds, strict=False):
                    allocations.allocation_create(
                        student=pupil, bed=bed, start_date=term, actor=manager
                    )
        if len(boarders) < 3:
            return
        late, absent, away = boarders[0], boarders[1], boarders[2]
        for pupil, name in ((late, "家长甲"), (absent, "家长乙")):
            nights.guardian_add(student=pupil, name=name, phone="13800138000", actor=manager)
        due = roll_call_due(night)
        leave = leaves.leave_request(
            student=away,
            reason="回家参加婚礼",
            starts_at=due - timedelta(hours=6),
            ends_at=due + timedelta(days=2),
            actor=manager,
        )
        leaves.leave_decide(leave=leave, approve=True, actor=manager)
        events = []
        for n, pupil in enumerate(boarders):
            if pupil == away:
                continue
            direction, at = "in", due - timedelta(hours=2, minutes=n % 50)
            if pupil == late:
                at = due + timedelta(minutes=35)
            elif pupil == absent:
                direction, at = "out", due - timedelta(hours=3)
            events.append(
                {
                    "device": "SS-gate",
                    "device_event_id": f"{night.isoformat()}-{n}",
                    "student_number": pupil.student_number,
                    "direction": direction,
                    "method": "face",
                    "occurred_at": at,
                }
            )
        nights.door_events_record(events=events, actor=manager)
        nights.roll_call_take(night=night, actor=manager)
        visitors.visitor_arrive(
            name="赵舅舅",
            national_id_number=VISITOR_ID,
            purpose="送换季衣物",
            student=boarders[-1],
            arrived_at=due - timedelta(hours=5),
            actor=manager,
        )
