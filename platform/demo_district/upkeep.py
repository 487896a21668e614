"""The demo's repair desks and property: in each school, buildings and rooms, a register of
assets with custodians, a repair team with its dispatch rules, requests in every state (one of
them overdue and escalated), a maintenance plan, last month's depreciation, a closed stock-take
with discrepancies, a disposal waiting for the principal, and the district's figures. A second
run finds the buildings and adds nothing."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from demo_district.users import SEEDING, acting_as, demo_user
from houqin.months import previous_month
from tenant_apps.assets.labels import ASSET, Label
from tenant_apps.assets.models import Asset, Building, Room
from tenant_apps.assets.services.depreciation import depreciation_run
from tenant_apps.assets.services.disposals import disposal_request
from tenant_apps.assets.services.figures import asset_figures_publish
from tenant_apps.assets.services.ledger import ledger_balance_record
from tenant_apps.assets.services.register import asset_register, building_create, room_create
from tenant_apps.assets.services.stocktakes import (
    stock_take_close,
    stock_take_scan,
    stock_take_start,
)
from tenant_apps.repairs.models import MaintenancePlan, RepairRequest, Team
from tenant_apps.repairs.services import desk, work
from tenant_apps.repairs.services.figures import repair_figures_publish
from tenant_apps.repairs.services.maintenance import plan_create
from tenant_apps.repairs.services.timers import requests_sweep
from tenants.models import School

ROOMS = [
    (
        "JX",
        "教学楼",
        [
            ("101", "一年级一班", Room.Kind.TEACHING),
            ("102", "一年级二班", Room.Kind.TEACHING),
            ("201", "计算机教室", Room.Kind.TEACHING),
            ("301", "教师办公室", Room.Kind.OFFICE),
        ],
    ),
    ("ST", "食堂", [("1F", "学生餐厅", Room.Kind.PUBLIC), ("CF", "后厨", Room.Kind.PUBLIC)]),
    (
        "SS",
        "宿舍楼",
        [("305", "男生宿舍305", Room.Kind.DORMITORY), ("JG1", "教工周转房1", Room.Kind.PRIVATE)],
    ),
]
# (number, name, category, cost, years ago, room code, custodian's role)
ASSETS = [
    ("ZC0001", "联想台式计算机", "A02010104", "4999.00", 2, "201", "asset_keeper"),
    ("ZC0002", "联想台式计算机", "A02010104", "4999.00", 2, "201", "asset_keeper"),
    ("ZC0003", "爱普生投影仪", "A02091000", "6800.00", 3, "101", "staff"),
    ("ZC0004", "爱普生投影仪", "A02091000", "6800.00", 3, "102", "staff"),
    ("ZC0005", "格力空调", "A02061800", "3600.00", 4, "301", "logistics_director"),
    ("ZC0006", "商用冷藏柜", "A02052300", "12800.00", 5, "CF", "canteen_manager"),
    ("ZC0007", "学生课桌椅（50套）", "A05010000", "15000.00", 6, "101", "staff"),
    ("ZC0008", "物理实验仪器", "A02320000", "2600.00", 1, "201", "staff"),
    ("ZC0009", "激光打印机", "A02021000", "1800.00", 7, "301", "asset_keeper"),
    ("ZD0001", "办公椅", "A05010000", "450.00", 1, "301", "staff"),
]


def _photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def seed_upkeep() -> None:
    for school in School.objects.filter(code__startswith="310101").order_by("code"):
        with tenant_context(school):
            if Building.objects.exists():
                continue
            rooms = _property(school)
            _requests(school, rooms)
            repair_figures_publish(actor=SEEDING)
            asset_figures_publish(actor=SEEDING)


def _property(school: School) -> dict[str, Room]:
    keeper = demo_user("asset_keeper", school.code)
    rooms: dict[str, Room] = {}
    with acting_as(keeper):
        for code, name, spaces in ROOMS:
            building = building_create(code=code, name=name, actor=keeper)
            for room_code, room_name, kind in spaces:
                rooms[room_code] = room_create(
                    building=building, code=room_code, name=room_name, kind=kind, actor=keeper
                )
        today = timezone.localdate()
        for number, name, category, cost, years, room, holder in ASSETS:
            asset_register(
                number=number,
                name=name,
                category=category,
                cost=Decimal(cost),
                acquired_on=today.replace(day=1) - timedelta(days=365 * years),
                funding=Asset.Funding.FISCAL,
                custodian=None if number == "ZC0009" else demo_user(holder, school.code),
                room=rooms[room],
                actor=keeper,
            )
        depreciation_run(month=previous_month(today), actor=keeper)
        # A count of the computer room: one computer found, one missing, the lab kit in place,
        # and a label the register does not know.
        count = stock_take_start(
            name="计算机教室盘点", full=False, rooms=[rooms["201"]], actor=keeper
        )
        for number in ("ZC0001", "ZC0008", "ZC0099"):
            stock_take_scan(
                stock_take=count,
                code=str(Label(school.code, ASSET, number)),
                room=rooms["201"],
                actor=keeper,
            )
        stock_take_close(stock_take=count, actor=keeper)
        disposal_request(
            asset=Asset.objects.get(number="ZC0009"),
            method="scrap",
            reason="使用年限已满，定影组件损坏，维修费用高于残值",
            evidence="维修单位鉴定报告（2 页）",
            actor=keeper,
        )
    accountant = demo_user("accountant", school.code)
    with acting_as(accountant):
        ledger_balance_record(
            category="A02010104", as_of=today, amount=Decimal("9998.00"), actor=accountant
        )
        ledger_balance_record(
            category="A05010000", as_of=today, amount=Decimal("14000.00"), actor=accountant
        )
    return rooms


def _requests(school: School, rooms: dict[str, Room]) -> None:
    director = demo_user("logistics_director", school.code)
    technician = demo_user("repair_technician", school.code)
    staff = demo_user("staff", school.code)
    student = demo_user("student", school.code)
    with acting_as(director):
        team = work.team_create(
            name="后勤维修班", kind=Team.Kind.IN_HOUSE, members=[technician], actor=director
        )
        for group in ("electric", "plumbing", "building", "furniture", "equipment", "hvac"):
            work.rule_create(category=group, team=team, actor=director)
        plan_create(
            name="空调季前保养",
            asset_category="A02061800",
            team=team,
            category="hvac.ac",
            every=6,
            unit=MaintenancePlan.Unit.MONTHS,
            next_due=timezone.localdate() + timedelta(days=20),
            checklist=["清洗过滤网", "检查冷媒压力", "检查排水管"],
            actor=director,
        )

    def report(
        who: object, room: str, category: str, text: str, urgency: str = "general"
    ) -> RepairRequest:
        with acting_as(who):  # type: ignore[arg-type]
            repair = desk.request_submit(
                room=rooms[room],
                category=category,
                description=text,
                urgency=urgency,
                actor=who,  # type: ignore[arg-type]
            )
            desk.request_photo_add(
                request=repair,
                kind="fault",
                upload=_photo("fault.jpg", (180, 60, 40)),
                size=10_000,
                actor=who,  # type: ignore[arg-type]
            )
            return repair

    # Waiting for dispatch, and overdue: reported two days ago, no rule covers networks.
    late = report(staff, "301", "network.wifi", "办公室无线网络连不上")
    ago = timezone.now() - timedelta(days=2)
    RepairRequest.objects.filter(pk=late.pk).update(
        submitted_at=ago,
        classify_due=ago + timedelta(minutes=30),
        respond_due=ago + timedelta(days=1),
        finish_due=ago + timedelta(days=1, hours=12),
    )
    report(student, "305", "furniture.bed", "上铺护栏松动")  # assigned by rule
    with acting_as(technician):
        major = report(staff, "CF", "kitchen.refrigeration", "冷藏柜不制冷", "emergency")
        work.request_dispatch(request=major, team=team, actor=director)
        work.request_accept(request=major, estimated_cost=Decimal("8600.00"), actor=technician)
        accepted = report(staff, "102", "equipment.projector", "投影仪画面偏色")
        work.request_accept(request=accepted, actor=technician)
        working = report(staff, "101", "electric.lighting", "教室后排灯管闪烁")
        work.request_accept(request=working, actor=technician)
        work.request_start(request=working, actor=technician)
        for text, rated in (("卫生间水龙头漏水", None), ("宿舍门锁损坏", 5)):
            room = "1F" if rated is None else "305"
            category = "plumbing.tap" if rated is None else "building.door"
            done = report(student, room, category, text)
            work.request_accept(request=done, actor=technician)
            work.request_start(request=done, actor=technician)
            desk.request_photo_add(
                request=done,
                kind="completion",
                upload=_photo("done.jpg", (60, 160, 80)),
                size=10_000,
                actor=technician,
            )
            work.request_complete(
                request=done,
                note="已更换配件",
                labour_cost=Decimal("30.00"),
                materials=[work.MaterialInput("配件", Decimal("1"), "个", Decimal("25.00"))],
                actor=technician,
            )
            if rated:
                with acting_as(student):
                    desk.request_confirm(
                        request=done, rating=rated, comment="修得很快", actor=student
                    )
    cancelled = report(staff, "JG1", "plumbing.blocked", "下水道堵塞")
    with acting_as(staff):
        desk.request_cancel(request=cancelled, reason="已自行疏通", actor=staff)
    requests_sweep(actor=SEEDING)
