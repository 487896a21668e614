"""The repair desk's pages through Django's test client: a member reports a fault with a photo
(stored without its EXIF), the desk dispatches, the technician completes with materials, the
member confirms and rates; the services' refusals shown next to the field; another member's
request not found; the desk's list costs the same however many requests it shows. The director's
configuration: a dispatch rule added routes the next fault, a scorecard recorded, refused input
next to its field; an asset's repair history; the district's upkeep page."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.reporting.services import repair_figures_record
from tenant_apps.repairs.models import (
    DispatchRule,
    Policy,
    RepairEvent,
    RepairPhoto,
    RepairRequest,
    Scorecard,
)
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.repairs import make_asset, make_request, make_room, make_team
from tests.web import form_key, signed_in

pytestmark = pytest.mark.django_db
R = Role
S = RepairRequest.Status


def _browser(school: School, role: Role) -> tuple[Client, User]:
    user = user_with_role(role, school)
    return signed_in(school, user), user


def _photo_with_location() -> SimpleUploadedFile:
    """A JPEG as a phone takes it: with EXIF naming the camera and where it was taken."""
    image = Image.new("RGB", (800, 600), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 13.0, 0.0)}  # GPS: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("fault.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_member_reports_a_fault_with_a_photo_kept_without_its_exif(school_a: School) -> None:
    room = make_room(school_a)
    client, teacher = _browser(school_a, R.STAFF)
    once = form_key(client, "/repairs/report/")
    typed = {
        "room": room.pk,
        "category": "plumbing.leak",
        "urgency": "general",
        "description": "办公室暖气片漏水",
        "once": once,
    }
    response = client.post("/repairs/report/", {**typed, "image": _photo_with_location()})
    assert response.status_code == 302
    with tenant_context(school_a):
        repair = RepairRequest.objects.get(requester=teacher)
        photo = repair.photos.get()
        assert (repair.room, repair.category, repair.status) == (room, "plumbing.leak", S.SUBMITTED)
        with default_storage.open(str(photo.image.name)) as stored, Image.open(stored) as kept:
            assert dict(kept.getexif()) == {}
            assert kept.format == "JPEG"
    assert response["Location"] == f"/repairs/{repair.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert repair.number in page and "办公室暖气片漏水" in page
    assert f"/api/v1/repairs/photos/{photo.pk}/" in page
    # The same form sent twice reports once.
    again = client.post("/repairs/report/", typed)
    assert again["Location"] == response["Location"]
    with tenant_context(school_a):
        assert RepairRequest.objects.filter(requester=teacher).count() == 1


def test_a_rooms_label_fills_in_the_room(school_a: School) -> None:
    room = make_room(school_a)
    client, _user = _browser(school_a, R.STUDENT)
    page = client.get(f"/repairs/report/?room=HQ:{school_a.code}:R:{room.pk}").content.decode()
    assert f'<option value="{room.pk}" selected>' in page
    other = client.get(f"/repairs/report/?room=HQ:9999999999:R:{room.pk}").content.decode()
    assert f'<option value="{room.pk}" selected>' not in other
    assert "这不是本校房间的标签" in other


def test_the_desk_dispatches_and_the_technician_completes(school_a: School) -> None:
    technician_client, technician = _browser(school_a, R.REPAIR_TECHNICIAN)
    requester = user_with_role(R.STAFF, school_a)
    repair = make_request(school_a, S.SUBMITTED, requester=requester)
    team = make_team(school_a)
    desk, director = _browser(school_a, R.LOGISTICS_DIRECTOR)

    url = f"/repairs/{repair.pk}/dispatch/"
    response = desk.post(url, {"team": team.pk, "note": "", "once": form_key(desk, url)})
    assert response.status_code == 302
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert (repair.status, repair.team) == (S.ASSIGNED, team)

    # The technician's list shows it; they accept, start, photograph and complete it.
    assert repair.number in technician_client.get("/repairs/work/").content.decode()
    technician_client.post(f"/repairs/{repair.pk}/accept/", {"estimated_cost": ""})
    technician_client.post(f"/repairs/{repair.pk}/start/", {})
    url = f"/repairs/{repair.pk}/photo/?kind=completion"
    photo = _photo_with_location()
    assert technician_client.post(url, {"kind": "completion", "image": photo}).status_code == 302
    url = f"/repairs/{repair.pk}/complete/"
    response = technician_client.post(
        url,
        {
            "note": "更换阀门",
            "labour_cost": "50.00",
            "m0_description": "阀门",
            "m0_quantity": "2",
            "m0_unit": "个",
            "m0_unit_cost": "12.50",
            "once": form_key(technician_client, url),
        },
    )
    assert response.status_code == 302
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert repair.status == S.COMPLETED and repair.technician == technician
        assert repair.cost == Decimal("75.00")
        assert [(m.description, m.amount) for m in repair.materials.all()] == [
            ("阀门", Decimal("25.00"))
        ]
        assert RepairEvent.objects.filter(request=repair, kind="completed").exists()
        assert repair.photos.filter(kind=RepairPhoto.Kind.COMPLETION).count() == 1
        dispatched = RepairEvent.objects.get(request=repair, kind="assigned")
        assert dispatched.actor == director


def test_a_half_filled_material_row_is_refused_next_to_its_fields(school_a: School) -> None:
    client, _user = _browser(school_a, R.REPAIR_TECHNICIAN)
    repair = make_request(school_a, S.IN_PROGRESS, requester=user_with_role(R.STAFF, school_a))
    response = client.post(
        f"/repairs/{repair.pk}/complete/", {"labour_cost": "0", "m1_description": "螺丝"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_m1_quantity_error"' in page and 'id="id_m1_unit_cost_error"' in page
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert repair.status == S.IN_PROGRESS and not repair.materials.exists()


def test_completing_without_a_photo_shows_the_services_refusal(school_a: School) -> None:
    client, _user = _browser(school_a, R.REPAIR_TECHNICIAN)
    repair = make_request(school_a, S.ACCEPTED, requester=user_with_role(R.STAFF, school_a))
    response = client.post(f"/repairs/{repair.pk}/complete/", {"labour_cost": "10.00"})
    assert response.status_code == 400
    assert "请先上传完工照片。" in response.content.decode()
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert repair.status == S.ACCEPTED


def test_the_member_confirms_and_rates_or_is_told_what_is_missing(school_a: School) -> None:
    user_with_role(R.REPAIR_TECHNICIAN, school_a)
    client, teacher = _browser(school_a, R.STAFF)
    repair = make_request(school_a, S.COMPLETED, requester=teacher)
    page = client.get(f"/repairs/{repair.pk}/").content.decode()
    assert f"/repairs/{repair.pk}/confirm/" in page and f"/repairs/{repair.pk}/reopen/" in page

    # Reopening needs a reason: the service's words, next to the field.
    response = client.post(f"/repairs/{repair.pk}/reopen/", {"reason": ""})
    assert response.status_code == 400
    assert 'id="id_reason_error">请说明故障如何复发。' in response.content.decode()

    url = f"/repairs/{repair.pk}/confirm/"
    response = client.post(url, {"rating": "4", "comment": "很及时", "once": form_key(client, url)})
    assert response.status_code == 302
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert (repair.status, repair.rating, repair.rating_comment) == (S.CONFIRMED, 4, "很及时")
    # Confirmed: nothing left to confirm; the service's refusal is shown above the form.
    again = client.post(url, {"rating": "5"})
    assert again.status_code == 400 and "该报修单已确认。" in again.content.decode()
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert repair.rating == 4


def test_another_members_request_is_not_found(school_a: School) -> None:
    owner = user_with_role(R.STAFF, school_a)
    repair = make_request(school_a, S.SUBMITTED, requester=owner)
    client, _user = _browser(school_a, R.STAFF)
    assert client.get(f"/repairs/{repair.pk}/").status_code == 404
    assert client.post(f"/repairs/{repair.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert repair.number not in client.get("/repairs/").content.decode()
    with tenant_context(school_a):
        repair.refresh_from_db()
        assert repair.status == S.SUBMITTED


def test_the_desk_list_costs_the_same_however_many_requests(
    school_a: School, django_assert_max_num_queries: object
) -> None:
    user_with_role(R.REPAIR_TECHNICIAN, school_a)
    requester = user_with_role(R.STAFF, school_a)
    client, _user = _browser(school_a, R.LOGISTICS_DIRECTOR)
    for status in (S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED):
        make_request(school_a, status, requester=requester)
    client.get("/repairs/desk/")  # the session's first request reads the roles once
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = client.get("/repairs/desk/?status=&sort=finish_due").content.decode()
    for _ in range(6):
        make_request(school_a, S.ASSIGNED, requester=requester)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        more = client.get("/repairs/desk/?status=&sort=finish_due").content.decode()
    assert page.count("/repairs/") < more.count("/repairs/")


def test_the_home_page_counts_what_waits_for_the_desk_and_the_technicians(
    school_a: School,
) -> None:
    technician_client, _technician = _browser(school_a, R.REPAIR_TECHNICIAN)
    requester = user_with_role(R.STAFF, school_a)
    make_request(school_a, S.SUBMITTED, requester=requester)
    make_request(school_a, S.ASSIGNED, requester=requester)
    make_request(school_a, S.COMPLETED, requester=requester)
    desk, _director = _browser(school_a, R.LOGISTICS_DIRECTOR)
    home = desk.get("/").content.decode()
    waiting = re.search(r'href="/repairs/desk/\?status=submitted"[^>]*>(.*?)</a>', home, re.S)
    assert waiting is not None and "待派单的报修" in waiting.group(1)
    assert re.search(r"\b1\b", waiting.group(1))
    # The technician's: the request with their team not finished (the completed one is, and the
    # one waiting for dispatch is with no team).
    mine = technician_client.get("/").content.decode()
    work = re.search(r'class="tile[^"]*" href="/repairs/work/">(.*?)</a>', mine, re.S)
    assert work is not None and "待办维修" in work.group(1)
    assert re.search(r"\b1\b", work.group(1))
    # A member who is neither sees no repairs panel.
    assert "/repairs/work/" not in _browser(school_a, R.STAFF)[0].get("/").content.decode()


# The director's desk configuration ---------------------------------------------------------------


def test_a_rule_the_director_adds_sends_the_next_fault_to_its_team(school_a: School) -> None:
    user_with_role(R.REPAIR_TECHNICIAN, school_a)
    team = make_team(school_a)
    room = make_room(school_a)
    client, director = _browser(school_a, R.LOGISTICS_DIRECTOR)
    url = "/repairs/rules/add/"
    typed = {"category": "electric", "building": room.building_id, "team": team.pk}
    response = client.post(url, {**typed, "once": form_key(client, url)})
    assert response.status_code == 302 and response["Location"] == "/repairs/rules/"
    listed = client.get("/repairs/rules/").content.decode()
    assert team.name in listed and room.building.name in listed

    # The same fault in the same place again: refused, shown above the form, nothing added.
    again = client.post(url, {**typed, "once": form_key(client, url)})
    assert again.status_code == 400
    assert "已有规则将此处的此类故障派给班组。" in again.content.decode()

    teacher = user_with_role(R.STAFF, school_a)
    repair = make_request(school_a, requester=teacher, room=room)
    with tenant_context(school_a):
        repair.refresh_from_db()
        rule = DispatchRule.objects.get()
        assert (repair.team, repair.status) == (team, S.ASSIGNED)
        assert (rule.category, rule.building_id, rule.created_by) == (
            "electric",
            room.building_id,
            director,
        )
    # Deleted, the rule routes nothing: the next such fault waits for the desk.
    delete = f"/repairs/rules/{rule.pk}/delete/"
    assert client.post(delete, {"once": form_key(client, delete)}).status_code == 302
    later = make_request(school_a, requester=teacher, room=room)
    with tenant_context(school_a):
        later.refresh_from_db()
        assert (later.team, later.status) == (None, S.SUBMITTED)


def test_the_director_records_a_scorecard_shown_with_its_grade(school_a: School) -> None:
    user_with_role(R.REPAIR_TECHNICIAN, school_a)
    team = make_team(school_a)
    client, _director = _browser(school_a, R.LOGISTICS_DIRECTOR)
    url = "/repairs/scorecards/add/"
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    typed = {"team": team.pk, "month": last_month, "department_score": "92", "note": ""}
    response = client.post(url, {**typed, "once": form_key(client, url)})
    assert response.status_code == 302
    with tenant_context(school_a):
        card = Scorecard.objects.get()
        # No ratings that month: the department's score stands for the users' part.
        assert (card.team, card.total, card.grade) == (team, Decimal("92.00"), "excellent")
        assert card.supplier_rating_id is None
    listed = client.get(f"/repairs/scorecards/?month={last_month}&team={team.pk}").content.decode()
    assert team.name in listed and "优秀" in listed
    # A reader sees the list, not the button.
    reader, _principal = _browser(school_a, R.PRINCIPAL)
    read = reader.get("/repairs/scorecards/").content.decode()
    assert team.name in read and "/repairs/scorecards/add/" not in read
    assert reader.post(url, typed).status_code == 404


def test_refused_input_is_shown_next_to_its_field_and_nothing_is_saved(school_a: School) -> None:
    client, _director = _browser(school_a, R.LOGISTICS_DIRECTOR)
    url = "/repairs/policy/edit/"
    typed = {"opens_at": "17:00", "closes_at": "08:00", "major_work_threshold": "5000"}
    response = client.post(url, {**typed, "once": form_key(client, url)})
    assert response.status_code == 400
    assert 'id="id_closes_at_error">下班时间须晚于上班时间。' in response.content.decode()

    team = make_team(school_a)
    scorecard = "/repairs/scorecards/add/"
    this_month = timezone.localdate().strftime("%Y-%m")
    score = {"team": team.pk, "month": this_month, "department_score": "80"}
    response = client.post(scorecard, {**score, "once": form_key(client, scorecard)})
    assert response.status_code == 400
    assert 'id="id_month_error">月份结束后才能考核。' in response.content.decode()
    with tenant_context(school_a):
        assert not Policy.objects.exists() and not Scorecard.objects.exists()

    typed = {"opens_at": "07:30", "closes_at": "17:30", "major_work_threshold": "8000"}
    assert client.post(url, {**typed, "once": form_key(client, url)}).status_code == 302
    page = client.get("/repairs/policy/").content.decode()
    assert "07:30–17:30" in page and "8000" in page


def test_an_assets_page_links_its_repair_history_with_what_it_cost(school_a: School) -> None:
    user_with_role(R.REPAIR_TECHNICIAN, school_a)
    asset = make_asset(school_a)
    teacher = user_with_role(R.STAFF, school_a)
    repaired = make_request(school_a, S.COMPLETED, requester=teacher, asset=asset)
    waiting = make_request(school_a, S.SUBMITTED, requester=teacher, asset=asset)
    other = make_request(school_a, S.SUBMITTED, requester=teacher)
    with tenant_context(school_a):
        RepairRequest.objects.filter(pk=repaired.pk).update(cost=Decimal("350.00"))
    client, _keeper = _browser(school_a, R.ASSET_KEEPER)
    assert f"/repairs/assets/{asset.pk}/" in client.get(f"/assets/{asset.pk}/").content.decode()
    page = client.get(f"/repairs/assets/{asset.pk}/").content.decode()
    assert repaired.number in page and waiting.number in page and other.number not in page
    assert "¥350.00" in page


def test_the_district_upkeep_page_lists_each_schools_figures(
    school_a: School, school_b: School, settings: object
) -> None:
    repair_figures_record(
        school=school_a,
        open_requests=7,
        overdue_requests=3,
        completed_30_days=20,
        mean_hours_to_finish=Decimal("18.5"),
        satisfaction=Decimal("4.60"),
        actor=SETUP,
    )
    officer = user_with_role(R.FINANCE_OFFICER)
    client = signed_in(str(settings.DISTRICT_DOMAIN), officer)  # type: ignore[attr-defined]
    response = client.get("/statements/upkeep/")
    assert response.status_code == 200
    page = response.content.decode()
    row = re.search(rf"<tr>\s*<td[^>]*>{re.escape(school_a.name)}</td>(.*?)</tr>", page, re.S)
    assert row is not None
    assert re.findall(r'class="num">(?:<span class="badge bad">)?([^<]+)<', row.group(1))[:4] == [
        "7",
        "3",
        "18.5",
        "4.60",
    ]
    # A school that has not reported yet is not listed; the workbook is the API's.
    assert school_b.name not in page
    assert "/api/v1/upkeep/schools/?format=xlsx" in page
