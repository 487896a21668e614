"""The repair desk end to end over the API: a fault reported with a photo (cleaned of its
metadata), routed by rule, accepted, approved as major work, attended, completed with materials
(counted on the asset), confirmed and rated, reopened; its timers on the school's calendar,
escalated once by the sweep; scorecards feeding a district supplier's rating; maintenance plans;
bad input refused whole; two technicians accepting at once."""

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from functools import partial
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from houqin.roles import Role as R
from shared_apps.procurement.models import SupplierRating
from shared_apps.reporting.models import SchoolUpkeep
from tenant_apps.assets.labels import ROOM, Label
from tenant_apps.assets.models import Building, Room
from tenant_apps.canteen.selectors import Calendar
from tenant_apps.repairs.models import RepairEvent, RepairPhoto, RepairRequest, Team
from tenant_apps.repairs.service_levels import WorkingTime, deadlines
from tenant_apps.repairs.services import work
from tenant_apps.repairs.services.maintenance import plan_meter_record
from tenant_apps.repairs.services.scorecards import scorecard_record
from tenant_apps.repairs.tasks import repairs_sweep_task
from tenants.models import School
from tenants.routing import school_host
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, discard_user, png_claiming, user_with_role
from tests.matrix.repairs import make_asset, make_plan, make_request, make_room, make_team
from tests.matrix.supply import make_supplier

S = RepairRequest.Status
TZ = timezone.get_default_timezone()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


# Timers on the school's calendar (no database) ----------------------------------------------------

# A Thursday 1 May holiday, Sunday 4 May worked instead (调休上班).
WORK = WorkingTime(
    calendar=Calendar(
        terms=((date(2025, 2, 17), date(2025, 7, 4)),),
        holidays=frozenset({date(2025, 5, 1), date(2025, 5, 2)}),
        make_up_days=frozenset({date(2025, 4, 27)}),
    ),
    opens=time(8),
    closes=time(17, 30),
)


@pytest.mark.parametrize(
    ("reported", "dispatch", "respond", "finish"),
    [
        # A Monday morning: within the hours, the next working day, three working days on
        # (past the holidays and the weekend).
        (
            _at(date(2025, 4, 28), 9),
            _at(date(2025, 4, 28), 9, 30),
            _at(date(2025, 4, 29), 9),
            _at(date(2025, 5, 5), 9),
        ),
        # Wednesday at 17:15: 15 minutes today and 15 on Monday, past the holidays.
        (
            _at(date(2025, 4, 30), 17, 15),
            _at(date(2025, 5, 5), 8, 15),
            _at(date(2025, 5, 5), 17, 15),
            _at(date(2025, 5, 7), 17, 15),
        ),
        # Saturday 26 April, before the make-up Sunday: counted from Sunday's opening.
        (
            _at(date(2025, 4, 26), 10),
            _at(date(2025, 4, 27), 8, 30),
            _at(date(2025, 4, 28), 8),
            _at(date(2025, 4, 30), 8),
        ),
    ],
)
def test_general_timers_run_in_working_time(reported, dispatch, respond, finish):
    due = deadlines(reported, RepairRequest.Urgency.GENERAL, WORK)
    assert (due.dispatch, due.respond, due.finish) == (dispatch, respond, finish)


def test_emergency_timers_run_on_the_clock():
    reported = _at(date(2025, 5, 1), 22)  # a holiday, at night
    due = deadlines(reported, RepairRequest.Urgency.EMERGENCY, WORK)
    assert due.respond - reported == timedelta(hours=2)
    assert due.finish - reported == timedelta(hours=24)


# The desk end to end ------------------------------------------------------------------------------


def _photo(fmt: str = "JPEG", size: tuple[int, int] = (3000, 2000)) -> io.BytesIO:
    """A photo as a phone sends it: large, with EXIF naming where it was taken."""
    image = Image.new("RGB", size, (90, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    out.seek(0)
    out.name = "fault.jpg"
    return out


def test_a_fault_goes_from_report_to_rating(client_for, school_a, in_school):
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    technician = user_with_role(R.REPAIR_TECHNICIAN, school_a)
    principal = client_for(school_a, R.PRINCIPAL)
    staff = client_for(school_a, R.STAFF)
    tech = HostClient(school_host(school_a.code), technician)
    asset = make_asset(school_a)
    team = make_team(school_a)
    assert (
        director.post(
            "/api/v1/repairs/rules/", {"category": "equipment", "team": team.pk}
        ).status_code
        == 201
    )
    label = str(Label(school_a.code, ROOM, str(asset.room_id)))
    made = staff.post(
        "/api/v1/repairs/requests/",
        {
            "room_label": label,
            "asset": asset.pk,
            "category": "equipment.projector",
            "description": "投影仪无信号",
            "urgency": "general",
        },
    )
    assert made.status_code == 201, made.content
    repair = made.json()
    assert (repair["status"], repair["team"], repair["charged"]) == ("assigned", team.pk, False)
    photo = staff.post(
        f"/api/v1/repairs/requests/{repair['id']}/photos/", {"image": _photo()}, format="multipart"
    )
    assert photo.status_code == 201, photo.content
    assert max(photo.json()["width"], photo.json()["height"]) == 1600
    stored = staff.get(f"/api/v1/repairs/photos/{photo.json()['id']}/")
    assert stored.status_code == 200
    kept = Image.open(io.BytesIO(b"".join(stored.streaming_content)))
    assert not kept.getexif(), "the stored photo keeps no EXIF"
    # Another member does not see it; the technician's queue does.
    assert (
        client_for(school_a, R.STUDENT).get(f"/api/v1/repairs/requests/{repair['id']}/").status_code
        == 404
    )
    queue = tech.get("/api/v1/repairs/requests/?mine=true&open=true").json()["results"]
    assert [r["id"] for r in queue] == [repair["id"]]
    url = f"/api/v1/repairs/requests/{repair['id']}"
    accepted = tech.post(f"{url}/accept/", {"estimated_cost": "9000.00"})
    assert accepted.json()["status"] == "awaiting_approval"
    assert tech.post(f"{url}/start/").status_code == 409
    assert (
        principal.post(f"{url}/approve/", {"approval": "同意，更换主板"}).json()["status"]
        == "accepted"
    )
    assert tech.post(f"{url}/start/").json()["status"] == "in_progress"
    complete = {
        "note": "更换主板",
        "labour_cost": "100.00",
        "materials": [
            {"description": "主板", "quantity": "1", "unit": "块", "unit_cost": "850.00"}
        ],
    }
    refused = tech.post(f"{url}/complete/", complete)
    assert refused.json()["error"]["code"] == "completion_photo_required"
    tech.post(f"{url}/photos/", {"image": _photo(), "kind": "completion"}, format="multipart")
    done = tech.post(f"{url}/complete/", complete).json()
    assert (done["status"], done["cost"]) == ("completed", "950.00")
    with in_school(school_a):
        asset.refresh_from_db()
        assert (asset.repair_count, asset.repair_cost) == (1, D("950.00"))
    assert staff.post(f"{url}/confirm/", {"rating": 4, "comment": "好"}).json()["rating"] == 4
    reopened = staff.post(f"{url}/reopen/", {"reason": "又没信号了"}).json()
    assert (reopened["status"], reopened["reopened"], reopened["rating"]) == ("assigned", 1, None)
    kinds = [e["kind"] for e in staff.get(f"{url}/").json()["events"]]
    assert kinds == [
        "submitted",
        "assigned",
        "accepted",
        "approved",
        "started",
        "completed",
        "confirmed",
        "reopened",
    ]


def test_bad_input_is_refused_whole(client_for, school_a, school_b, in_school):
    staff = client_for(school_a, R.STAFF)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    room_b = make_room(school_b)
    with in_school(school_a):
        before = RepairRequest.objects.count()
    body = {"category": "plumbing.leak", "description": "漏水", "urgency": "general"}
    for place, field in (
        (room_b.pk, "room"),
        (str(Label(school_b.code, ROOM, str(room_b.pk))), "room_label"),
    ):
        response = staff.post("/api/v1/repairs/requests/", {**body, field: place})
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["fields"]
    with in_school(school_a):
        assert RepairRequest.objects.count() == before
    member = user_with_role(R.STAFF, school_a)
    repair = make_request(school_a, requester=member)
    url = f"/api/v1/repairs/requests/{repair.pk}"
    mine = client_for(school_a, member)
    not_image = io.BytesIO(b"%PDF-1.4 not a photo")
    not_image.name = "x.jpg"
    answer = mine.post(f"{url}/photos/", {"image": not_image}, format="multipart")
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "not_an_image")
    assert director.post(f"{url}/dispatch/", {"team": 999_999}).status_code == 400
    with in_school(school_a):
        assert not RepairPhoto.objects.filter(request=repair).exists()
        assert RepairRequest.objects.get(pk=repair.pk).status == S.SUBMITTED


def test_too_large_a_photo_is_refused(client_for, school_a, settings):
    settings.REPAIRS_PHOTO_MAX_BYTES = 1000
    member = user_with_role(R.STAFF, school_a)
    repair = make_request(school_a, requester=member)
    client = client_for(school_a, member)
    answer = client.post(
        f"/api/v1/repairs/requests/{repair.pk}/photos/", {"image": _photo()}, format="multipart"
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "photo_too_large")


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(client_for, school_a):
    member = user_with_role(R.STAFF, school_a)
    repair = make_request(school_a, requester=member)
    client = client_for(school_a, member)
    bomb = SimpleUploadedFile("bomb.png", png_claiming(40_000, 40_000), content_type="image/png")
    answer = client.post(
        f"/api/v1/repairs/requests/{repair.pk}/photos/", {"image": bomb}, format="multipart"
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "photo_too_large")
    with tenant_context(school_a):
        assert not RepairPhoto.objects.filter(request=repair).exists()


def test_the_sweep_escalates_once_confirms_late_work_and_feeds_the_district(school_a, in_school):
    late = make_request(school_a)
    done = make_request(school_a, S.COMPLETED)
    with in_school(school_a):
        past = timezone.now() - timedelta(days=8)
        RepairRequest.objects.filter(pk=late.pk).update(classify_due=past, respond_due=past)
        RepairRequest.objects.filter(pk=done.pk).update(completed_at=past)
    for _run in range(2):
        repairs_sweep_task.apply(headers={"_schema_name": school_a.schema_name}, throw=True)
    with in_school(school_a):
        stages = sorted(
            RepairEvent.objects.filter(request=late, kind="escalated").values_list(
                "stage", flat=True
            )
        )
        assert stages == ["dispatch", "respond"]
        assert RepairRequest.objects.get(pk=done.pk).status == S.CONFIRMED
    figures = SchoolUpkeep.objects.for_school(school_a).get()
    assert figures.overdue_requests >= 1 and figures.repairs_updated_at is not None


def test_a_providers_scorecard_is_its_suppliers_rating(school_a, in_school):
    supplier = make_supplier()
    with in_school(school_a):
        team = work.team_create(
            name="物业公司", kind=Team.Kind.PROVIDER, supplier=supplier, actor=SETUP
        )
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    with in_school(school_a):
        card = scorecard_record(team=team, month=month, department_score=D("85"), actor=SETUP)
    assert (card.total, card.grade) == (D("85.00"), "good")
    rating = SupplierRating.objects.for_school(school_a).get(supplier=supplier, month=month)
    assert (rating.quality, rating.service, card.supplier_rating_id) == (85, 85, rating.pk)


def test_a_meter_raises_work_orders_and_a_failed_item_opens_a_request(
    client_for, school_a, in_school
):
    plan = make_plan(school_a)
    with in_school(school_a):
        plan_meter_record(plan=plan, reading=D("480"), actor=SETUP)
        assert not RepairRequest.objects.filter(plan=plan).exists()
        plan = plan_meter_record(plan=plan, reading=D("1020"), actor=SETUP)
        assert plan.next_meter == D("1500")
        order = RepairRequest.objects.get(plan=plan)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    url = f"/api/v1/repairs/requests/{order.pk}"
    assert director.post(f"{url}/accept/").status_code == 200
    checklist = [
        {"item": "清洁滤网", "passed": True},
        {"item": "检查灯泡", "passed": False, "note": "灯泡发黑"},
    ]
    done = director.post(f"{url}/complete/", {"checklist": checklist})
    assert done.json()["status"] == "confirmed", done.content
    with in_school(school_a):
        opened = RepairRequest.objects.get(inspection=order)
        assert opened.kind == RepairRequest.Kind.FAULT and "灯泡发黑" in opened.description


def test_two_technicians_accepting_at_once_take_it_once(committed: list[Callable[[], Any]]) -> None:
    school = School.objects.get(code=SCHOOL_A)
    techs = [user_with_role(R.REPAIR_TECHNICIAN, school) for _ in range(2)]
    committed.extend(partial(discard_user, user) for user in techs)
    repair = make_request(school, S.ASSIGNED, requester=techs[0])

    def cleanup() -> None:
        with tenant_context(school):
            RepairEvent.objects.filter(request=repair).delete()
            RepairRequest.objects.filter(pk=repair.pk).delete()
            Team.objects.all().delete()
            Room.objects.all().delete()
            Building.objects.all().delete()

    committed.append(cleanup)
    clients = [HostClient(school_host(school.code), t) for t in techs]
    responses = at_once(
        2,
        lambda i: clients[i].post(
            f"/api/v1/repairs/requests/{repair.pk}/accept/", {}, format="json"
        ),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]  # type: ignore[union-attr]
    with tenant_context(school):
        assert RepairEvent.objects.filter(request=repair, kind="accepted").count() == 1
