"""The repair desk's operations on a school's host, and the rows the tests of repairs and assets
make.

Grants in houqin/roles.py: every member reports faults and follows, photographs, cancels,
confirms, rates and reopens their own requests (`:own`), and reads the buildings and rooms; the
repair technicians work the requests of their teams; the logistics director runs the desk (and may
record a team's acts); the principal approves major work; `repairs.view_*` for the principal, the
director, the technicians and the asset keeper, `*.view_*` for the auditor.

A request a call acts on is the caller's own: the matrix makes the caller's account just before it
builds the call, so the last account made is the caller's. A team is made of every technician of
the school, the caller among them when they are one."""

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from houqin.roles import Role
from shared_apps.accounts.models import Membership, User
from tenant_apps.assets.models import Asset, Building, Room
from tenant_apps.assets.services.register import asset_register, building_create, room_create
from tenant_apps.repairs.models import MaintenancePlan, RepairRequest, Team
from tenant_apps.repairs.services import desk, maintenance, work
from tenant_apps.repairs.services.scorecards import scorecard_record
from tests.factories import SETUP, make_user
from tests.matrix import AUDITOR, EVERY_SCHOOL_ROLE, Built, Operations, R, Scene

DESK = frozenset({R.LOGISTICS_DIRECTOR})
WORKERS = frozenset({R.REPAIR_TECHNICIAN, R.LOGISTICS_DIRECTOR})
READERS = (
    frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.REPAIR_TECHNICIAN, R.ASSET_KEEPER}) | AUDITOR
)
OWN = EVERY_SCHOOL_ROLE | AUDITOR

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/repairs/requests/"): OWN,
    ("POST", "/api/v1/repairs/requests/"): EVERY_SCHOOL_ROLE,
    ("GET", "/api/v1/repairs/requests/{id}/"): OWN,
    ("POST", "/api/v1/repairs/requests/{id}/photos/"): EVERY_SCHOOL_ROLE,
    ("POST", "/api/v1/repairs/requests/{id}/dispatch/"): DESK,
    ("POST", "/api/v1/repairs/requests/{id}/accept/"): WORKERS,
    ("POST", "/api/v1/repairs/requests/{id}/reject/"): WORKERS,
    ("POST", "/api/v1/repairs/requests/{id}/approve/"): frozenset({R.PRINCIPAL}),
    ("POST", "/api/v1/repairs/requests/{id}/start/"): WORKERS,
    ("POST", "/api/v1/repairs/requests/{id}/complete/"): WORKERS,
    ("POST", "/api/v1/repairs/requests/{id}/extend/"): DESK,
    ("POST", "/api/v1/repairs/requests/{id}/confirm/"): EVERY_SCHOOL_ROLE,
    ("POST", "/api/v1/repairs/requests/{id}/reopen/"): EVERY_SCHOOL_ROLE,
    ("POST", "/api/v1/repairs/requests/{id}/cancel/"): EVERY_SCHOOL_ROLE,
    ("GET", "/api/v1/repairs/photos/{id}/"): OWN,
    ("GET", "/api/v1/repairs/policy/"): READERS,
    ("POST", "/api/v1/repairs/policy/"): DESK,
    ("GET", "/api/v1/repairs/teams/"): READERS,
    ("POST", "/api/v1/repairs/teams/"): DESK,
    ("GET", "/api/v1/repairs/teams/{id}/"): READERS,
    ("PATCH", "/api/v1/repairs/teams/{id}/"): DESK,
    ("GET", "/api/v1/repairs/rules/"): READERS,
    ("POST", "/api/v1/repairs/rules/"): DESK,
    ("GET", "/api/v1/repairs/rules/{id}/"): READERS,
    ("DELETE", "/api/v1/repairs/rules/{id}/"): DESK,
    ("GET", "/api/v1/repairs/scorecards/"): READERS,
    ("POST", "/api/v1/repairs/scorecards/"): DESK,
    ("GET", "/api/v1/repairs/scorecards/{id}/"): READERS,
    ("GET", "/api/v1/repairs/maintenance-plans/"): READERS,
    ("POST", "/api/v1/repairs/maintenance-plans/"): DESK,
    ("GET", "/api/v1/repairs/maintenance-plans/{id}/"): READERS,
    ("POST", "/api/v1/repairs/maintenance-plans/{id}/meter/"): WORKERS,
}

DISTRICT_OPERATIONS: Operations = {}

S = RepairRequest.Status


def photo_upload(name: str = "fault.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    """A small PNG, as a phone would send it."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def make_room(school: Any, kind: str = Room.Kind.TEACHING) -> Room:
    """A room in a new building of `school`."""
    with tenant_context(school):
        serial = Building.objects.count() + 1
        building = building_create(code=f"B{serial}", name=f"{serial}号楼", actor=SETUP)
        return room_create(building=building, code="101", kind=kind, actor=SETUP)


def make_asset(
    school: Any, *, cost: Decimal = Decimal("4800.00"), room: Room | None = None
) -> Asset:
    room = room or make_room(school)
    with tenant_context(school):
        serial = Asset.objects.count() + 1
        return asset_register(
            number=f"ZC{serial:05d}",
            name="投影仪",
            category="A02091000",
            cost=cost,
            acquired_on=timezone.localdate() - timedelta(days=400),
            funding=Asset.Funding.FISCAL,
            room=room,
            actor=SETUP,
        )


def technicians(school: Any) -> list[User]:
    """Every account holding the repair technician's role in `school`."""
    return list(
        User.objects.filter(
            pk__in=Membership.objects.for_school(school)
            .filter(role=Role.REPAIR_TECHNICIAN)
            .values("user")
        )
    )


def make_team(school: Any, **kwargs: Any) -> Team:
    with tenant_context(school):
        serial = Team.objects.count() + 1
        return work.team_create(
            name=f"维修班{serial}",
            kind=Team.Kind.IN_HOUSE,
            members=technicians(school),
            actor=SETUP,
            **kwargs,
        )


def make_request(
    school: Any, status: str = S.SUBMITTED, *, requester: User | None = None, **kwargs: Any
) -> RepairRequest:
    """A request in `status`, reported by `requester` (the last account made when not given:
    the caller's, in the matrix), walked there through the services."""
    requester = requester or User.objects.order_by("-pk").first() or make_user()
    room = kwargs.pop("room", None) or make_room(school)
    team = make_team(school) if status != S.SUBMITTED else None
    with tenant_context(school):
        repair = desk.request_submit(
            room=room,
            category="electric.lighting",
            description="教室灯管不亮",
            urgency=RepairRequest.Urgency.GENERAL,
            actor=requester,
            **kwargs,
        )
        if team is None:
            return repair
        repair = work.request_dispatch(request=repair, team=team, actor=SETUP)
        if status == S.ASSIGNED:
            return repair
        major = Decimal("99999.00") if status == S.AWAITING_APPROVAL else None
        repair = work.request_accept(request=repair, estimated_cost=major, actor=SETUP)
        if status in (S.AWAITING_APPROVAL, S.ACCEPTED):
            return repair
        repair = work.request_start(request=repair, actor=SETUP)
        desk.request_photo_add(
            request=repair, kind="completion", upload=photo_upload(), size=100, actor=SETUP
        )
        if status == S.IN_PROGRESS:
            return repair
        return work.request_complete(request=repair, note="更换灯管", actor=SETUP)


def make_plan(school: Any, unit: str = MaintenancePlan.Unit.METER) -> MaintenancePlan:
    asset = make_asset(school)
    team = make_team(school)
    with tenant_context(school):
        return maintenance.plan_create(
            name="投影仪保养",
            asset=asset,
            team=team,
            category="equipment.projector",
            every=500,
            unit=unit,
            next_meter=Decimal("500") if unit == MaintenancePlan.Unit.METER else None,
            next_due=timezone.localdate() if unit != MaintenancePlan.Unit.METER else None,
            checklist=["清洁滤网", "检查灯泡"],
            actor=SETUP,
        )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    assert scene.school is not None
    school = scene.school
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    action = path.rstrip("/").rsplit("/", 1)[-1]
    if path == "/api/v1/repairs/requests/" and method == "POST":
        body = {
            "room": make_room(school).pk,
            "category": "plumbing.leak",
            "description": "水龙头漏水",
            "urgency": "general",
        }
    elif path.startswith("/api/v1/repairs/requests/{id}/"):
        status = {
            "accept": S.ASSIGNED,
            "reject": S.ASSIGNED,
            "approve": S.AWAITING_APPROVAL,
            "start": S.ACCEPTED,
            "complete": S.IN_PROGRESS,
            "confirm": S.COMPLETED,
            "reopen": S.COMPLETED,
        }.get(action, S.SUBMITTED)
        params["id"] = make_request(school, status).pk
        body = {
            "photos": {"image": photo_upload()},
            "dispatch": {"team": make_team(school).pk} if action == "dispatch" else None,
            "reject": {"reason": "不属本班组"},
            "approve": {"approval": "同意维修，经费从公用经费列支"},
            "complete": {
                "note": "更换灯管",
                "labour_cost": "50.00",
                "materials": [
                    {"description": "LED灯管", "quantity": "2", "unit": "根", "unit_cost": "35.00"}
                ],
            },
            "extend": {
                "finish_due": (timezone.now() + timedelta(days=10)).isoformat(),
                "reason": "等待配件",
            },
            "confirm": {"rating": 5, "comment": "很快"},
            "reopen": {"reason": "又不亮了"},
            "cancel": {"reason": "已自行解决"},
        }.get(action)
    elif path == "/api/v1/repairs/photos/{id}/":
        repair = make_request(school)
        with tenant_context(school):
            photo = desk.request_photo_add(
                request=repair, kind="fault", upload=photo_upload(), size=100, actor=SETUP
            )
        params["id"] = photo.pk
    elif path == "/api/v1/repairs/policy/" and method == "POST":
        body = {"opens_at": "08:00", "closes_at": "17:30", "major_work_threshold": "8000.00"}
    elif path.startswith("/api/v1/repairs/teams/"):
        if "{id}" in path:
            params["id"] = make_team(school).pk
            body = {"active": False} if method == "PATCH" else None
        elif method == "POST":
            body = {"name": f"水电班{n}", "kind": "in_house"}
    elif path.startswith("/api/v1/repairs/rules/"):
        team = make_team(school)
        if "{id}" in path:
            with tenant_context(school):
                params["id"] = work.rule_create(
                    category="hvac", team=team, building=make_room(school).building, actor=SETUP
                ).pk
        elif method == "POST":
            body = {"category": "electric", "team": team.pk}
    elif path.startswith("/api/v1/repairs/scorecards/"):
        team = make_team(school)
        month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
        if "{id}" in path:
            with tenant_context(school):
                params["id"] = scorecard_record(
                    team=team, month=month, department_score=Decimal(90), actor=SETUP
                ).pk
        elif method == "POST":
            body = {"team": team.pk, "month": f"{month:%Y-%m}", "department_score": "92.5"}
    elif path.startswith("/api/v1/repairs/maintenance-plans/"):
        if "{id}" in path:
            params["id"] = make_plan(school).pk
            body = {"reading": "120.0"} if action == "meter" else None
        elif method == "POST":
            body = {
                "name": "空调季前检修",
                "asset": make_asset(school).pk,
                "team": make_team(school).pk,
                "category": "hvac.ac",
                "every": 6,
                "unit": "months",
                "next_due": (timezone.localdate() + timedelta(days=30)).isoformat(),
                "checklist": ["清洗过滤网", "检查冷媒"],
            }
    return params, body
