"""A boarding school's night on the dorm manager's phone (390×844), on the demo's boarding
school: the rooms with their beds taken, last night's roll call with the absent pupil marked,
a leave a class teacher asked for approved. Every page checked by axe-core."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from shared_apps.accounts.models import User
from tenant_apps.dorms.models import Leave
from tenant_apps.dorms.services.leave import leave_request
from tenant_apps.people.models import Student
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010002"
MANAGER = f"dorm_manager.{SCHOOL}"
TEACHER = f"staff.{SCHOOL}"


def _asked_for() -> Leave:
    """A leave the class teacher asked for (through the service, as the API does)."""
    with tenant_context(School.objects.get(code=SCHOOL)):
        pupil = Student.objects.filter(boarding=True).order_by("-student_number").first()
        assert pupil is not None
        start = timezone.now() + timedelta(days=3)
        return leave_request(
            student=pupil,
            reason="看牙医",
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            actor=User.objects.get(username=TEACHER),
        )


def test_the_dorm_managers_night_on_a_phone(sign_in: SignIn, site: Site) -> None:
    manager = sign_in(MANAGER, SCHOOL, phone=True)
    manager.goto(site.url(SCHOOL, "/dorms/"))
    check_accessibility(manager)
    expect(manager.get_by_role("heading", level=1)).to_have_text("宿舍与床位")
    expect(manager.get_by_role("cell", name="学生公寓 101")).to_be_visible()
    screenshot(manager, "dorms-rooms")

    manager.goto(site.url(SCHOOL, "/dorms/roll-call/"))
    check_accessibility(manager)
    expect(manager.locator(".badge.bad")).to_have_count(1)
    expect(manager.get_by_text("晚归", exact=True)).to_have_count(1)
    screenshot(manager, "dorms-roll-call")

    leave = _asked_for()
    manager.goto(site.url(SCHOOL, "/dorms/leaves/"))
    check_accessibility(manager)
    manager.get_by_role("link", name="审批").first.click()
    check_accessibility(manager)
    manager.get_by_label("决定").select_option(label="批准")
    manager.get_by_role("button", name="保存").click()
    expect(manager.get_by_role("status")).to_contain_text("请假已处理")
    with tenant_context(School.objects.get(code=SCHOOL)):
        assert Leave.objects.get(pk=leave.pk).status == Leave.Status.APPROVED


def test_the_principals_fees_and_allowance_on_a_phone(sign_in: SignIn, site: Site) -> None:
    principal = sign_in(f"principal.{SCHOOL}", SCHOOL, phone=True)
    principal.goto(site.url(SCHOOL, "/dorms/money/"))
    check_accessibility(principal)
    expect(principal.get_by_role("heading", level=1)).to_have_text("住宿费与补助")
    expect(principal.locator("#terms")).to_be_visible()
    expect(principal.locator("#refunds")).to_be_visible()
    screenshot(principal, "dorms-money")
