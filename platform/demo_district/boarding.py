"""The demo's boarding: in each boarding school, the school year's two terms, a dormitory
building with rooms for each sex and stage, the boarders in beds since the term began, two
guardians, last night's door events with one pupil late and one absent (their guardian told
through the outbox, on the console), the absent pupil's class teacher (`class_teacher.C`, who
reads it at /dorms/my-class/), an approved leave and a visitor; this term's boarding fees
charged, one pupil who left the dormitory refunded, and the boarders' living allowance of the
term claimed and paid. A second run finds the building and adds nothing."""

from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.users import (
    DEMO_PASSWORD,
    DemoLogin,
    acting_as,
    demo_account,
    demo_user,
    grant_role,
)
from houqin.roles import Role
from shared_apps.subsidies import services as subsidies
from shared_apps.subsidies.models import Programme, ProgrammeCode
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.canteen.selectors import term_first_days_between
from tenant_apps.canteen.services.calendar import school_term_add
from tenant_apps.dorms.models import Allocation, Bed, Building, FeeCharge, stage_of
from tenant_apps.dorms.selectors import current, roll_call_due
from tenant_apps.dorms.services import allocations, fees, nights, rooms, visitors
from tenant_apps.dorms.services import leave as leaves
from tenant_apps.people.models import Student, SubsidyEligibility, school_year_of
from tenant_apps.people.services.classes import class_teacher_assign
from tenant_apps.people.services.eligibility import subsidy_eligibility_create
from tenants.models import School

BEDS_PER_ROOM = 8
# This term's boarding fee (住宿费) per boarder.
BOARDING_FEE = Decimal("400.00")
# A made-up visitor's ID number (valid check digit; region 530124, 富民县).
VISITOR_ID = "530124198001010013"


def seed_boarding() -> list[DemoLogin]:
    """Seed each boarding school's boarding once; every run returns the class teachers' logins."""
    logins = []
    for school in School.objects.filter(boarding=True).order_by("code"):
        teacher = demo_account(f"class_teacher.{school.code}", f"{school.name}班主任", school)
        grant_role(teacher, Role.STAFF, school)
        logins.append(DemoLogin(Role.STAFF.value, school.code, teacher.username, DEMO_PASSWORD))
        with tenant_context(school):
            if Building.objects.exists():
                continue
            _boarding(school)
    return logins


def _terms(school: School, today: date) -> SchoolTerm:
    """The school year's autumn and spring terms, back to back so that no school day of the
    year changes (the spring term first: before the first term every weekday is a school day);
    returns the latest that has begun."""
    director = demo_user("logistics_director", school.code)
    year = today.year if today.month >= 9 else today.year - 1
    with acting_as(director):
        spring = school_term_add(
            school_year=year,
            name="春季学期",
            start_date=date(year + 1, 2, 1),
            end_date=date(year + 1, 8, 31),
            actor=director,
        )
        autumn = school_term_add(
            school_year=year,
            name="秋季学期",
            start_date=date(year, 9, 1),
            end_date=date(year + 1, 1, 31),
            actor=director,
        )
    return spring if spring.start_date <= today else autumn


def _boarding(school: School) -> None:
    manager = demo_user("dorm_manager", school.code)
    today = timezone.localdate()
    current_term = _terms(school, today)
    term = current_term.start_date
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
    director = demo_user("logistics_director", school.code)
    with acting_as(director):
        class_teacher_assign(
            user=demo_user("class_teacher", school.code),
            school_year=school_year_of(today),
            grade=absent.grade,
            class_name=absent.class_name,
            actor=director,
        )
    with acting_as(manager):
        visitors.visitor_arrive(
            name="赵舅舅",
            national_id_number=VISITOR_ID,
            purpose="送换季衣物",
            student=boarders[-1],
            arrived_at=due - timedelta(hours=5),
            actor=manager,
        )
    _money(school, current_term, boarders)


def _money(school: School, term: SchoolTerm, boarders: list[Student]) -> None:
    """Two of three boarders eligible for the living allowance; every boarder charged this
    term's fee; the fourth boarder out of the dormitory ten days ago (or the term's second day)
    and refunded; then the allowance of the term's first school day claimed, approved and paid.
    The pupil leaves before the claim, so the month it closes is not changed after it."""
    today = timezone.localdate()
    programme = Programme.objects.get(code=ProgrammeCode.BOARDING_LIVING)
    director = demo_user("logistics_director", school.code)
    manager = demo_user("dorm_manager", school.code)
    eligible = [pupil for n, pupil in enumerate(boarders) if n % 3 != 2]
    with acting_as(director):
        for pupil in eligible:
            subsidy_eligibility_create(
                student=pupil,
                programme=programme,
                reason=SubsidyEligibility.Reason.RURAL_COMPULSORY,
                valid_from=term.start_date,
                actor=director,
            )
    with acting_as(manager):
        for pupil in boarders:
            fees.fee_charge(
                student=pupil,
                term=term,
                amount=BOARDING_FEE,
                charged_on=term.start_date,
                actor=manager,
            )
        left_on = max(today - timedelta(days=10), term.start_date + timedelta(days=1))
        if len(boarders) > 4 and left_on <= today:
            stay = Allocation.objects.get(current(left_on), student=boarders[3])
            allocations.allocation_end(allocation=stay, end_date=left_on, actor=manager)
            charge = FeeCharge.objects.get(student=boarders[3], term=term)
            fees.fee_refund_pay(
                charge=charge,
                refunded_on=min(today, left_on + timedelta(days=3)),
                reference=f"TF{term.start_date:%Y%m}-{school.code}",
                actor=manager,
            )
    with tenant_context(school):
        first_days = term_first_days_between(term.start_date, term.end_date)
    if not first_days:
        return
    month = first_days[0].replace(day=1)
    finance = demo_user("finance_officer")
    year_end = date(term.school_year + 1, 8, 31)
    per_term = max(
        r for r in (programme.primary_rate, programme.junior_rate, programme.daily_rate) if r
    )
    allocated = (per_term * len(eligible) * 2 / 1000).to_integral_value(rounding=ROUND_CEILING)
    with acting_as(finance):
        subsidies.budget_allocate(
            programme=programme,
            school=school,
            period_start=date(term.school_year, 9, 1),
            period_end=year_end,
            allocated=allocated * 1000,
            actor=finance,
        )
    with acting_as(director):
        claim = subsidies.claim_compute(
            school=school, programme=programme, month=month, actor=director
        )
    principal = demo_user("principal", school.code)
    with acting_as(principal):
        claim = subsidies.claim_submit(claim=claim, actor=principal)
    with acting_as(finance):
        claim = subsidies.claim_approve(claim=claim, actor=finance)
        subsidies.disbursement_record(
            claim=claim,
            amount=claim.amount,
            paid_on=today,
            reference=f"JS{month:%Y%m}-{school.code}",
            actor=finance,
        )
