"""A school-bus escort's run on their phone (390×844), on the demo's primary school: today's
runs, the second run's pre-trip check ticked and the run started, every rider ticked on at
their stop and off at the school (htmx, no page load), the close refused while one is still on
board (the school's alarm shown), then closed. The logistics director reads the day's runs and a
seat chart. Every step checked in the database, every page checked by axe-core."""

import re

from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from shared_apps.transport.models import Run
from tenant_apps.riders.models import Alarm, Passage, Rider, Trip
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"
ESCORT = f"escort.{SCHOOL}"
ITEMS = (
    "制动",
    "转向",
    "灯具",
    "轮胎",
    "车门",
    "座位",
    "安全带",
    "照管人员到岗",
    "驾驶人与校车标牌一致",
    "驾驶人未饮酒",
    "人数未超核载",
)


def _second_trip() -> Trip:
    run = Run.objects.get(route__code="XC-02", period__startswith__date=timezone.localdate())
    with tenant_context(School.objects.get(code=SCHOOL)):
        return Trip.objects.get(run_ref=run.pk)


def test_an_escorts_run_on_a_phone(sign_in: SignIn, site: Site) -> None:
    school = School.objects.get(code=SCHOOL)
    trip = _second_trip()
    with tenant_context(school):
        riders = Rider.objects.filter(trip=trip).count()
    assert riders > 1

    page = sign_in(ESCORT, SCHOOL, phone=True)
    page.goto(site.url(SCHOOL, "/buses/"))
    check_accessibility(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("今日车次")
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    page.get_by_role("link", name=re.compile("XC-02")).click()

    # The pre-trip check: starting with an item open is refused, naming it.
    check_accessibility(page)
    for item in ITEMS[:-2]:
        page.get_by_label(item, exact=True).check()
    page.get_by_label("车上人数").fill("0")
    page.get_by_role("button", name="保存检查结果").click()
    expect(page.get_by_role("status")).to_contain_text("检查结果已保存")
    page.get_by_role("button", name="发车").click()
    expect(page.get_by_role("status")).to_contain_text("出车前检查未完成")
    expect(page.get_by_role("status")).to_contain_text("人数未超核载")
    for item in ITEMS[-2:]:
        page.get_by_label(item, exact=True).check()
    page.get_by_role("button", name="保存检查结果").click()
    page.get_by_role("button", name="发车").click()
    expect(page.get_by_role("status")).to_contain_text("已发车")

    # Every rider on at their stop, each tick answered in place.
    on = page.get_by_role("button", name=re.compile("上车$"))
    for left in range(riders, 0, -1):
        expect(on).to_have_count(left)
        on.first.click()
    expect(on).to_have_count(0)
    expect(page.locator("#riders .badge.warn")).to_have_count(riders)
    check_accessibility(page)

    # All off but one: the close is refused, the alarm raised.
    off = page.get_by_role("button", name=re.compile("下车$"))
    for left in range(riders, 1, -1):
        expect(off).to_have_count(left)
        off.first.click()
    expect(off).to_have_count(1)
    page.get_by_role("button", name="结束本班次").click()
    expect(page.get_by_role("status")).to_contain_text("仍在车上")
    expect(page.get_by_role("alert")).to_contain_text("报警")
    with tenant_context(school):
        assert Alarm.objects.filter(trip=trip).exists()
        assert Trip.objects.get(pk=trip.pk).status == Trip.Status.STARTED

    off.first.click()
    expect(off).to_have_count(0)
    page.get_by_role("button", name="结束本班次").click()
    expect(page.get_by_role("status")).to_contain_text("本班次已结束")
    check_accessibility(page)
    screenshot(page, "buses-escort")
    with tenant_context(school):
        assert Trip.objects.get(pk=trip.pk).status == Trip.Status.CLOSED
        assert Passage.objects.filter(trip=trip).count() == 2 * riders


def test_the_logistics_directors_runs_and_seat_chart(sign_in: SignIn, site: Site) -> None:
    page = sign_in(f"logistics_director.{SCHOOL}", SCHOOL, phone=True)
    page.goto(site.url(SCHOOL, "/buses/"))
    check_accessibility(page)
    expect(page.locator("#runs tbody tr")).to_have_count(2)
    page.get_by_role("link", name="座位表").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("座位表")
    expect(page.locator("#seats tbody tr").first).to_be_visible()
    check_accessibility(page)
    screenshot(page, "buses-seat-chart")
