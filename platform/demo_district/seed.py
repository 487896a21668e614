"""The demo district: three schools and one user per role, created once, reused after, and the
whole flow of the nutrition improvement programme on top of them (see `seed_flow`).

Every business row is written by the services, inside `context.acting(...)` with the acting
user's id, so the audit trail names who did what. Every step first looks for what it would make
and skips it when it is there: a second run adds nothing. Dates are relative to the day the seed
runs: the previous full month is served and claimed, this week and the next are planned.
"""

import json
import zlib
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone, translation
from django_tenants.utils import schema_context, tenant_context

from demo_district.boarding import seed_boarding
from demo_district.procurement import seed_procurement
from demo_district.recipes import BUDGET_ADDITIONS, seed_library
from demo_district.riders import seed_riders
from demo_district.transport import seed_transport
from demo_district.upkeep import seed_upkeep
from demo_district.users import (
    DEMO_PASSWORD,
    REQUEST_ID,
    SEEDING,
    DemoLogin,
    acting_as,
    demo_account,
    demo_user,
    grant_role,
)
from houqin import context
from houqin.roles import DISTRICT_ROLES, REGISTRY, SCHOOL_ROLES, Role
from shared_apps.accounts.models import User
from shared_apps.optimiser import services as optimiser
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import Rules
from shared_apps.standards import services as standards
from shared_apps.standards.models import MealPlan
from shared_apps.standards.selectors import plan_report
from shared_apps.subsidies import services as subsidies
from shared_apps.subsidies.models import Budget, Claim, Programme
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    ColdStorageReading,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    MenuItem,
    Serving,
)
from tenant_apps.canteen.selectors import school_days_between
from tenant_apps.canteen.services.food_safety import (
    accompanied_meal_record,
    cold_reading_record,
    inspection_record,
    sample_record,
)
from tenant_apps.canteen.services.menus import menu_adopt_plan
from tenant_apps.canteen.services.servings import meal_session_open, servings_record
from tenant_apps.feedback.models import Feedback
from tenant_apps.feedback.services import feedback_submit
from tenant_apps.people import national_id
from tenant_apps.people.models import Student
from tenant_apps.people.register import StudentRow
from tenant_apps.people.services.importing import students_import
from tenants.models import School
from tenants.services import school_create

# Second holders of roles whose acts are separated (houqin.duties), as (role, username; `{code}`
# is a school's code): the officer who awards what the first evaluated, and each school's cashier
# (出纳), who pays the invoices its accountant recorded.
SECOND_DISTRICT_USERS = [(Role.PROCUREMENT_OFFICER, "district.procurement_officer.2")]
SECOND_SCHOOL_USERS = [(Role.ACCOUNTANT, "cashier.{code}")]

DEMO_SCHOOLS = [
    ("3101010001", "城关第一实验小学", School.Kind.PRIMARY, False, "城关镇人民路 1 号"),
    ("3101010002", "红星中学", School.Kind.JUNIOR, True, "红星乡学府路 8 号"),
    ("3101010003", "青山九年一贯制学校", School.Kind.NINE_YEAR, True, "青山镇中心街 12 号"),
]


def seed_demo(*, today: date | None = None) -> list[DemoLogin]:
    """Create what is missing of the demo district and return every demo login."""
    logins: list[DemoLogin] = []
    with context.acting(request_id="seed-demo"), transaction.atomic():
        for role in sorted(DISTRICT_ROLES):
            user = demo_account(f"district.{role.value}", f"区后勤中心{_label(role)}")
            grant_role(user, role, None)
            logins.append(DemoLogin(role.value, None, user.username, DEMO_PASSWORD))
        for role, username in SECOND_DISTRICT_USERS:
            grant_role(demo_account(username, f"区后勤中心{_label(role)}（二）"), role, None)
            logins.append(DemoLogin(role.value, None, username, DEMO_PASSWORD))
        for code, name, kind, boarding, address in DEMO_SCHOOLS:
            school = School.objects.filter(code=code).first() or school_create(
                code=code, name=name, kind=kind, boarding=boarding, address=address, actor=SEEDING
            )
            for role in sorted(SCHOOL_ROLES):
                user = demo_account(f"{role.value}.{code}", f"{name}{_label(role)}", school)
                grant_role(user, role, school)
                logins.append(DemoLogin(role.value, code, user.username, DEMO_PASSWORD))
            for role, username in SECOND_SCHOOL_USERS:
                user = demo_account(
                    username.format(code=code), f"{name}{_label(role)}（出纳）", school
                )
                grant_role(user, role, school)
                logins.append(DemoLogin(role.value, code, user.username, DEMO_PASSWORD))
            with schema_context(school.schema_name):
                if not Feedback.objects.exists():
                    student = User.objects.get(username=f"student.{code}")
                    feedback_submit(
                        actor=student,
                        category=Feedback.Category.SUGGESTION,
                        subject="希望午餐多一些蔬菜",
                        body="最近的午餐肉类偏多，希望增加时令蔬菜。",
                    )
    # The district's prices (its catalogue and contracts) first: the plans are costed at them.
    logins += seed_procurement()
    seed_flow(today=today or timezone.localdate())
    seed_upkeep()
    logins += seed_boarding()
    seed_transport(today=timezone.localdate())
    seed_riders()
    return logins


def _label(role: Role) -> str:
    """The role's name as the district's people read it, whatever language the seed runs in."""
    with translation.override("zh-hans"):
        return str(REGISTRY[role].label)


def write_logins(logins: list[DemoLogin], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([asdict(login) for login in logins], ensure_ascii=False, indent=2) + "\n"
    )


# The flow of the nutrition improvement programme -------------------------------------------------

PROGRAMME = "nutrition_improvement"
CENT = Decimal("0.01")
# The county each school's students are registered in (GB/T 2260: 昆明市富民县, 宜良县, 寻甸县).
REGION_CODES = {"3101010001": "530124", "3101010002": "530125", "3101010003": "530129"}
# How far each school's claim of the month goes: paid, submitted and awaiting the district, or
# computed by the logistics director and waiting for the principal to submit it.
CLAIM_STAGES = {
    "3101010001": Claim.Status.PAID,
    "3101010002": Claim.Status.SUBMITTED,
    "3101010003": Claim.Status.DRAFT,
}
# A school year's budget: what a month of the demo costs, for this many months.
BUDGET_MONTHS = 10
# (grades, classes per grade, students per class) by kind of school.
ROSTERS: dict[str, tuple[range, int, int]] = {
    School.Kind.PRIMARY: (range(1, 7), 2, 10),
    School.Kind.JUNIOR: (range(7, 10), 2, 25),
    School.Kind.NINE_YEAR: (range(1, 10), 2, 10),
}
CLASS_NAMES = "一二三四五六七八九十"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_MALE = "浩宇轩然博文俊杰明志鹏伟强磊洋航晨阳佑嘉豪泽睿子涵铭昊天翔宏斌毅峰凯"
GIVEN_FEMALE = "梓涵欣怡雨萱诗琪思雅晓婷静雪梦瑶佳慧丽芳颖琳敏燕玲娜妍蕾悦彤璐"
# Reasons of eligibility (register's Chinese names) and their weights.
REASONS = (
    ("农村义务教育", 80),
    ("建档立卡", 8),
    ("低保", 6),
    ("特困供养", 2),
    ("孤儿", 2),
    ("残疾", 2),
)
# The age bands of the demo's pupils (grades 1-3, 4-6, 7-9), each with its weekly plan.
PLANNED_BANDS = ("6-8", "9-11", "12-14")
PLANNED_MEALS = ["breakfast", "lunch"]
LEADER_COMMENTS = [
    "饭菜温度适宜，分量足。",
    "菜品口味偏咸，已提醒后厨。",
    "蔬菜新鲜，学生反映良好。",
]
COLD_UNITS = (
    ("冷藏柜1", ColdStorageReading.UnitType.REFRIGERATOR, (20, 60)),
    ("冷冻柜1", ColdStorageReading.UnitType.FREEZER, (-220, -185)),
    ("留样柜", ColdStorageReading.UnitType.SAMPLE_FRIDGE, (15, 50)),
)


@dataclass(frozen=True)
class DemoDates:
    """The days the demo is about, relative to `today`."""

    today: date
    month_start: date  # the previous full month
    month_end: date
    school_year_start: date
    # Mondays of the planned weeks: the previous month's, this one and the next
    weeks: tuple[date, ...]
    ahead: tuple[date, ...]  # this week's Monday and the next's

    @classmethod
    def of(cls, today: date) -> "DemoDates":
        month_end = today.replace(day=1) - timedelta(days=1)
        month_start = month_end.replace(day=1)
        year = month_start.year if month_start.month >= 9 else month_start.year - 1
        monday = month_start - timedelta(days=month_start.weekday())
        weeks = []
        while monday <= month_end:
            weeks.append(monday)
            monday += timedelta(weeks=1)
        this_week = today - timedelta(days=today.weekday())
        ahead = (this_week, this_week + timedelta(weeks=1))
        weeks += [week for week in ahead if week not in weeks]
        return cls(today, month_start, month_end, date(year, 9, 1), tuple(weeks), ahead)


def _band(grade: int) -> str:
    return "6-8" if grade <= 3 else "9-11" if grade <= 6 else "12-14"


def _stable(*parts: object) -> int:
    """A number that depends only on `parts`: the demo's dice, the same on every run."""
    return zlib.crc32(":".join(map(str, parts)).encode())


# The district's recipes and plans --------------------------------------------------------------


def _published(week: date, band: str) -> MealPlan | None:
    """The plan in force for the week and band, if it meets the standard (an earlier demo's,
    composed by hand, does not)."""
    plan = MealPlan.objects.filter(
        week_start=week, age_band=band, status=MealPlan.Status.PUBLISHED
    ).first()
    return plan if plan is not None and plan_report(plan=plan)["meets_standard"] else None


def _plans(officer: User, dates: DemoDates) -> dict[tuple[date, str], MealPlan]:
    """The published plan of every planned week and band, where there is none that meets the
    standard: this week's and the next's each composed by the optimiser from the demo's recipes;
    the previous month's weeks serve one composed week in turn, as canteens repeat a month's
    menu (and as the optimiser would compose them again: the same recipes, prices and season)."""
    seed_library(officer)
    plans = {}
    repeated: dict[str, Proposal] = {}
    for week in dates.weeks:
        for band in PLANNED_BANDS:
            plan = _published(week, band)
            if plan is None:
                draft = MealPlan.objects.filter(
                    week_start=week, age_band=band, status=MealPlan.Status.DRAFT
                ).first()
                if draft is not None:
                    standards.plan_delete(plan=draft, actor=officer)
                title = f"{week:%Y年%m月%d日}起一周带量食谱（{band}岁）"
                month = repeated.get(band)
                if month is None or week in dates.ahead:
                    proposal = optimiser.proposal_request(
                        week_start=week,
                        age_band=band,
                        meals=PLANNED_MEALS,
                        rules=Rules(budget_addition=BUDGET_ADDITIONS[band]),
                        actor=officer,
                    )
                    plan = optimiser.proposal_publish(proposal=proposal, title=title, actor=officer)
                    if week not in dates.ahead:
                        repeated[band] = proposal
                else:
                    draft = standards.plan_create(
                        week_start=week,
                        age_band=band,
                        entries=[
                            standards.EntryInput(
                                weekday=e.weekday,
                                meal=e.meal,
                                recipe=e.recipe_id,
                                portion_pct=e.portion_pct,
                            )
                            for e in month.entries.order_by("weekday", "meal", "id")
                        ],
                        title=title,
                        actor=officer,
                    )
                    plan = standards.plan_publish(plan=draft, actor=officer)
            plans[(week, band)] = plan
    return plans


# One school ------------------------------------------------------------------------------------


def _national_id(rng_value: int, region: str, born: date, male: bool, taken: set[str]) -> str:
    sequence = rng_value % 500
    while True:
        serial = sequence * 2 + (1 if male else 0)  # odd: male, even: female
        first_17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
        number = first_17 + national_id.check_character(first_17)
        if number not in taken:
            taken.add(number)
            return number
        sequence = (sequence + 1) % 500


def roster_rows(school: School, dates: DemoDates) -> list[StudentRow]:
    """The school's students as a register file would list them: deterministic names, classes,
    ID numbers (GB 11643, with the check character) and eligibility."""
    grades, classes, size = ROSTERS[school.kind]
    first_grade = grades[0]
    code = school.code
    region = REGION_CODES.get(code, "530124")
    rate = 70 + _stable(code, "eligible") % 16  # 70 to 85 per cent eligible
    reasons = [name for name, weight in REASONS for _ in range(weight)]
    taken: set[str] = set()
    rows: list[StudentRow] = []
    sy = dates.school_year_start
    for grade in grades:
        entry_year = sy.year - (grade - first_grade)
        age_at_entry = 6 + (first_grade - 1)
        for klass in range(classes):
            for seat in range(size):
                key = (code, grade, klass, seat)
                male = _stable(*key, "gender") % 2 == 0
                given = GIVEN_MALE if male else GIVEN_FEMALE
                name = SURNAMES[_stable(*key, "surname") % len(SURNAMES)]
                name += given[_stable(*key, "given1") % len(given)]
                if _stable(*key, "length") % 4:
                    name += given[_stable(*key, "given2") % len(given)]
                born = date(entry_year - age_at_entry - 1, 9, 1) + timedelta(
                    days=_stable(*key, "born") % 365
                )
                boarding = school.boarding and grade >= 4 and _stable(*key, "boards") % 10 < 8
                eligible = _stable(*key, "eligible") % 100 < rate
                rows.append(
                    StudentRow(
                        row=len(rows) + 2,
                        student_number=f"{code[-4:]}{entry_year}{klass + 1:02d}{seat + 1:02d}",
                        name=name,
                        gender="男" if male else "女",
                        grade=str(grade),
                        class_name=f"{CLASS_NAMES[klass]}班",
                        boarding="是" if boarding else "否",
                        national_id=_national_id(
                            _stable(*key, "sequence"), region, born, male, taken
                        ),
                        enrolled_on=date(entry_year, 9, 1).isoformat(),
                        programme="营养改善计划" if eligible else "",
                        reason=reasons[_stable(*key, "reason") % len(reasons)] if eligible else "",
                        valid_from=sy.isoformat() if eligible else "",
                        valid_to=date(sy.year + 1, 8, 31).isoformat() if eligible else "",
                    )
                )
    return rows


def _seed_roster(school: School, dates: DemoDates) -> None:
    director = demo_user("logistics_director", school.code)
    with acting_as(director):
        if Student.objects.exists():
            return
        report = students_import(rows=roster_rows(school, dates), actor=director, today=dates.today)
        if not report.saved:
            problems = [r for r in report.rows if r.status == "error"][:3]
            raise RuntimeError(f"the demo roster of {school.code} was refused: {problems}")


def _seed_menus(
    school: School, dates: DemoDates, plans: dict[tuple[date, str], MealPlan]
) -> dict[tuple[date, str], Menu]:
    """Adopt the district's plans for the bands the school has; its menus by (week, band)."""
    manager = demo_user("canteen_manager", school.code)
    bands = sorted({_band(g) for g in ROSTERS[school.kind][0]}, key=PLANNED_BANDS.index)
    menus = {}
    with acting_as(manager):
        adopted = {m.plan_id: m for m in Menu.objects.filter(status=Menu.Status.ACTIVE)}
        for week in dates.weeks:
            for band in bands:
                plan = plans[(week, band)]
                menu = adopted.get(plan.pk) or menu_adopt_plan(plan_id=plan.pk, actor=manager)
                menus[(week, band)] = menu
    return menus


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _seed_month(school: School, dates: DemoDates, menus: dict[tuple[date, str], Menu]) -> None:
    """Every school day of the previous month: sessions, servings, samples, leaders' meals, cold
    readings and deliveries."""
    code = school.code
    manager = demo_user("canteen_manager", code)
    leaders = [demo_user("principal", code), demo_user("logistics_director", code)]
    main_band = min(menus, key=lambda k: PLANNED_BANDS.index(k[1]))[1]
    meals = ["breakfast", "lunch"] if school.boarding else ["lunch"]
    students = list(
        Student.objects.order_by("student_number").values_list("pk", "student_number", "boarding")
    )
    days = school_days_between(dates.month_start, dates.month_end)
    sessions = {(s.date, s.meal): s for s in MealSession.objects.filter(date__in=days)}
    served = set(
        Serving.objects.filter(session__date__in=days).values_list("session_id", flat=True)
    )
    sampled = set(
        FoodSample.objects.filter(session__date__in=days).values_list("session_id", flat=True)
    )
    accompanied = set(
        AccompaniedMeal.objects.filter(session__date__in=days).values_list(
            "session_id", "leader_id"
        )
    )
    readings = set(ColdStorageReading.objects.values_list("unit", "measured_at"))
    batches = set(InboundInspection.objects.values_list("batch", flat=True))
    for day in days:
        week = day - timedelta(days=day.weekday())
        menu = menus.get((week, main_band))
        dishes: dict[str, list[str]] = {}
        if menu is not None:
            for meal, name in MenuItem.objects.filter(menu=menu, date=day).values_list(
                "meal", "recipe_name"
            ):
                dishes.setdefault(meal, []).append(name)
        with acting_as(manager):
            for meal in meals:
                eaters = [
                    pk
                    for pk, number, boarding in students
                    if (meal == "lunch" or boarding) and _stable(code, day, number) % 100 >= 4
                ]
                session = sessions.get((day, meal))
                if session is None:
                    per_student = Decimal(450 + _stable(code, day, meal, "cost") % 201) / 100
                    session = meal_session_open(
                        date=day,
                        meal=meal,
                        actor=manager,
                        menu=menu,
                        ingredient_cost=(per_student * len(eaters)).quantize(CENT),
                        teachers_shared=meal == "lunch",
                    )
                if session.pk not in served and eaters:
                    servings_record(
                        session=session, source="card", student_ids=eaters, actor=manager
                    )
                if session.pk not in sampled:
                    at = time(7, 10) if meal == "breakfast" else time(11, 20)
                    for dish in dishes.get(meal) or [f"{session.get_meal_display()}"]:
                        sample_record(
                            session=session,
                            dish=dish,
                            actor=manager,
                            weight_g=Decimal("150"),
                            taken_at=_aware(day, at),
                        )
                if meal == "lunch" and day.isoweekday() in (1, 3, 4):
                    leader = leaders[0] if day.isoweekday() != 3 else leaders[1]
                    if (session.pk, leader.pk) not in accompanied:
                        with context.acting(request_id=REQUEST_ID, actor_id=leader.pk):
                            accompanied_meal_record(
                                session=session,
                                actor=leader,
                                comments=LEADER_COMMENTS[_stable(code, day) % 3],
                            )
            for index, (unit, unit_type, (low, high)) in enumerate(COLD_UNITS):
                measured_at = _aware(day, time(7, 30))
                if (unit, measured_at) in readings:
                    continue
                tenths = low + _stable(code, day, unit) % (high - low + 1)
                if index == 0 and day == days[-2]:
                    tenths = 95  # the compressor failed one morning: an alert to look into
                cold_reading_record(
                    unit=unit,
                    unit_type=unit_type,
                    temperature_c=Decimal(tenths) / 10,
                    actor=manager,
                    measured_at=measured_at,
                )
            _deliveries(code, day, manager, batches)


def _deliveries(code: str, day: date, manager: User, batches: set[str]) -> None:
    deliveries = {
        1: (
            "县粮油购销公司",
            180,
            [("大米", "100", "kg"), ("大豆油", "20", "L"), ("面粉", "50", "kg")],
        ),
        3: ("城关肉联厂", 3, [("猪肉", "30", "kg"), ("鸡腿", "20", "kg"), ("鸡蛋", "30", "kg")]),
    }
    if day.isoweekday() not in deliveries:
        return
    supplier, shelf_days, lines = deliveries[day.isoweekday()]
    batch = f"{code[-4:]}-{day:%Y%m%d}-{day.isoweekday()}"
    if batch in batches:
        return
    inspection_record(
        supplier_name=supplier,
        batch=batch,
        received_on=day,
        shelf_life_until=day + timedelta(days=shelf_days),
        certificates=["营业执照", "食品经营许可证", "检验检疫合格证明"],
        lines=[{"item": i, "quantity": q, "unit": u} for i, q, u in lines],
        actor=manager,
    )


def _seed_school(school: School, dates: DemoDates, plans: dict[tuple[date, str], MealPlan]) -> None:
    with tenant_context(school):
        _seed_roster(school, dates)
        menus = _seed_menus(school, dates, plans)
        _seed_month(school, dates, menus)


# The district's money --------------------------------------------------------------------------


def _school_year_end(dates: DemoDates) -> date:
    start = dates.school_year_start
    return start.replace(year=start.year + 1) - timedelta(days=1)


def _seed_money(school: School, dates: DemoDates, programme: Programme) -> Claim:
    """A budget for the school year, then the month's claim as far as the demo takes it."""
    finance = demo_user("finance_officer")
    budget = (
        Budget.objects.for_school(school)
        .filter(
            programme=programme,
            period_start__lte=dates.month_start,
            period_end__gte=dates.month_end,
        )
        .first()
    )
    if budget is None:
        with tenant_context(school):
            students = Student.objects.count()
            days = len(school_days_between(dates.month_start, dates.month_end))
        needed = programme.daily_rate * students * days * BUDGET_MONTHS
        allocated = (needed / 1000).to_integral_value(rounding=ROUND_CEILING) * 1000
        with acting_as(finance):
            budget = subsidies.budget_allocate(
                programme=programme,
                school=school,
                period_start=dates.school_year_start,
                period_end=_school_year_end(dates),
                allocated=Decimal(allocated),
                actor=finance,
            )
    stage = CLAIM_STAGES[school.code]
    claims = Claim.objects.for_school(school).filter(programme=programme, month=dates.month_start)
    claim = claims.exclude(status=Claim.Status.REJECTED).first()
    if claim is None:
        director = demo_user("logistics_director", school.code)
        with acting_as(director):
            claim = subsidies.claim_compute(
                school=school, programme=programme, month=dates.month_start, actor=director
            )
    if claim.status == Claim.Status.DRAFT and stage != Claim.Status.DRAFT:
        principal = demo_user("principal", school.code)
        with acting_as(principal):
            claim = subsidies.claim_submit(claim=claim, actor=principal)
    if stage != Claim.Status.PAID:
        return claim
    if claim.status == Claim.Status.SUBMITTED:
        with acting_as(finance):
            claim = subsidies.claim_approve(claim=claim, actor=finance)
    if claim.status == Claim.Status.APPROVED:
        with acting_as(finance):
            subsidies.disbursement_record(
                claim=claim,
                amount=claim.amount - claim.disbursed,
                paid_on=dates.today,
                reference=f"GK{dates.month_start:%Y%m}-{school.code}",
                actor=finance,
            )
        claim.refresh_from_db()
    return claim


def seed_flow(*, today: date) -> None:
    """The programme's month in the demo district, from the district's recipes to the money paid:
    whatever of it is missing."""
    dates = DemoDates.of(today)
    officer = demo_user("nutrition_officer")
    with acting_as(officer):
        plans = _plans(officer, dates)
    programme = Programme.objects.get(code=PROGRAMME)
    for code, *_rest in DEMO_SCHOOLS:
        school = School.objects.get(code=code)
        _seed_school(school, dates, plans)
        _seed_money(school, dates, programme)
