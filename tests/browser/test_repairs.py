"""A fault reported and repaired on phones (390×844), on the school's own host: a teacher reports
a fault no dispatch rule covers, with a photo; the logistics director dispatches it to the
school's repair team; the team's technician accepts, starts, photographs the finished work and
completes it with the materials used; the teacher confirms and rates it. Every step checked in
the database, every page checked by axe-core."""

import io
from pathlib import Path

from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import Page, expect

from tenant_apps.repairs.models import RepairRequest
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"
TEACHER = f"staff.{SCHOOL}"
DIRECTOR = f"logistics_director.{SCHOOL}"
TECHNICIAN = f"repair_technician.{SCHOOL}"
DESCRIPTION = "教师办公室电话没有拨号音"


def _photo(path: Path, colour: tuple[int, int, int]) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def _accepting(page: Page) -> Page:
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def _status(number: str) -> str:
    """The status of the request numbered `number` (BXyyyymm-<id>)."""
    with tenant_context(School.objects.get(code=SCHOOL)):
        return RepairRequest.objects.get(pk=int(number.rsplit("-", 1)[1])).status


def test_a_fault_reported_dispatched_repaired_and_rated_on_phones(
    sign_in: SignIn, site: Site, tmp_path: Path
) -> None:
    # The teacher reports a fault in the staff office, with a photo.
    teacher = _accepting(sign_in(TEACHER, SCHOOL, phone=True))
    teacher.goto(site.url(SCHOOL, "/repairs/report/"))
    check_accessibility(teacher)
    teacher.get_by_label("房间").select_option(label="301 教师办公室")
    teacher.get_by_label("故障", exact=True).select_option("network.phone")
    teacher.get_by_label("故障描述").fill(DESCRIPTION)
    teacher.get_by_label("照片（可选）").set_input_files(
        _photo(tmp_path / "fault.jpg", (200, 60, 40))
    )
    screenshot(teacher, "repairs-report")
    teacher.get_by_role("button", name="提交报修").click()
    expect(teacher.get_by_role("status")).to_contain_text("报修已提交")
    number = teacher.get_by_role("heading", level=1).inner_text().split()[0]
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("待派单")
    expect(teacher.locator("ul.photos img")).to_have_count(1)
    check_accessibility(teacher)
    assert _status(number) == RepairRequest.Status.SUBMITTED

    # The director finds it waiting on the home page and dispatches it to the team.
    director = _accepting(sign_in(DIRECTOR, SCHOOL, phone=True))
    director.get_by_role("link", name="待派单的报修").click()
    expect(director.get_by_role("heading", name="报修调度台")).to_be_visible()
    check_accessibility(director)
    screenshot(director, "repairs-desk")
    director.get_by_role("link", name=number).click()
    director.get_by_role("link", name="派单").click()
    director.get_by_label("班组").select_option(label="后勤维修班")
    director.get_by_role("button", name="派单").click()
    expect(director.get_by_role("status")).to_contain_text("报修单已派给班组")
    assert _status(number) == RepairRequest.Status.ASSIGNED

    # The technician accepts, starts, photographs the finished work and completes it.
    technician = _accepting(sign_in(TECHNICIAN, SCHOOL, phone=True))
    technician.get_by_role("link", name="待办维修").click()
    expect(technician.get_by_role("heading", name="我的维修任务")).to_be_visible()
    check_accessibility(technician)
    technician.get_by_role("link", name=number).click()
    technician.get_by_role("link", name="接单").click()
    technician.get_by_role("button", name="接单").click()
    expect(technician.get_by_role("status")).to_contain_text("已接单")
    technician.get_by_role("button", name="已到现场").click()
    expect(technician.get_by_role("status")).to_contain_text("维修已开始")
    technician.get_by_role("link", name="上传照片").click()
    technician.get_by_label("照片").set_input_files(_photo(tmp_path / "done.jpg", (60, 160, 80)))
    technician.get_by_role("button", name="上传照片").click()
    expect(technician.get_by_role("status")).to_contain_text("照片已上传")
    technician.get_by_role("link", name="完工", exact=True).click()
    technician.get_by_label("维修内容").fill("更换电话线水晶头")
    technician.get_by_label("人工费（元）").fill("40.00")
    technician.get_by_label("材料 1").fill("水晶头")
    technician.locator("#id_m0_quantity").fill("1")
    technician.locator("#id_m0_unit").fill("个")
    technician.locator("#id_m0_unit_cost").fill("2.50")
    check_accessibility(technician)
    screenshot(technician, "repairs-complete")
    technician.get_by_role("button", name="完工", exact=True).click()
    expect(technician.get_by_role("status")).to_contain_text("维修已完工")
    assert _status(number) == RepairRequest.Status.COMPLETED

    # The teacher confirms the repair and rates it.
    teacher.reload()
    teacher.get_by_role("link", name="确认并评价").click()
    teacher.get_by_label("★★★★★", exact=True).check()
    teacher.get_by_label("意见").fill("修得很快，谢谢")
    teacher.get_by_role("button", name="确认已修好").click()
    expect(teacher.get_by_role("status")).to_contain_text("维修已确认")
    expect(teacher.locator("ol.timeline")).to_contain_text("已确认")
    check_accessibility(teacher)
    screenshot(teacher, "repairs-request")
    assert _status(number) == RepairRequest.Status.CONFIRMED
