"""Field trips, reports and route planning in Chromium, over the demo district.

A school's logistics director asks for a field trip on a phone, its principal approves it, and
the transport officer approves it with a licensed carrier's bus and driver; the officer reads
the reports (riders against rated load, what lapses) and compares a route plan with the
school's current routes, then adopts it as new routes that wait for their licences."""

from playwright.sync_api import Page, expect

from shared_apps.transport.models import FieldTrip, Provider, Route, RoutePlan
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot
from tests.matrix.transport import (
    make_driver,
    make_provider,
    make_route_plan,
    make_vehicle,
    school_days_ahead,
)

SCHOOL = "3101010003"


def _decide(page: Page, destination: str) -> None:
    row = page.get_by_role("row").filter(has_text=destination)
    row.get_by_role("link", name="审批").click()


def test_a_field_trip_asked_for_approved_twice_and_booked(sign_in: SignIn, site: Site) -> None:
    day = school_days_ahead(14)
    destination = "县科技馆（研学）"
    director = sign_in(f"logistics_director.{SCHOOL}", SCHOOL, phone=True)
    director.goto(site.url(SCHOOL, "/field-trips/"))
    director.get_by_role("link", name="申请校外活动用车").click()
    director.get_by_label("目的地").fill(destination)
    director.get_by_label("日期").fill(day.isoformat())
    director.get_by_label("出发时间").fill("08:30")
    director.get_by_label("返回时间").fill("15:30")
    director.get_by_label("学生人数").fill("30")
    director.get_by_role("button", name="提交用车申请").click()
    row = director.get_by_role("row").filter(has_text=destination)
    expect(row).to_contain_text("待校长审核")
    check_accessibility(director)

    principal = sign_in(f"principal.{SCHOOL}", SCHOOL)
    principal.goto(site.url(SCHOOL, "/field-trips/"))
    _decide(principal, destination)
    principal.get_by_label("决定").select_option("approve")
    principal.get_by_role("button", name="记录决定").click()
    expect(principal.get_by_role("row").filter(has_text=destination)).to_contain_text(
        "待教育局确认"
    )

    carrier = make_provider(name="黔运客运（研学）", kind=Provider.Kind.CARRIER)
    bus = make_vehicle(carrier, rated_load=45)
    make_driver(carrier, name="研学司机")
    officer = sign_in("district.transport_officer")
    officer.get_by_role("link", name="校外活动用车").first.click()
    _decide(officer, destination)
    officer.get_by_label("决定").select_option("approve")
    officer.get_by_label("车辆").select_option(label=bus.plate)
    officer.get_by_label("驾驶人").select_option(label="研学司机")
    officer.get_by_role("button", name="记录决定").click()
    row = officer.get_by_role("row").filter(has_text=destination)
    expect(row).to_contain_text("已审核通过")
    expect(row).to_contain_text(bus.plate)
    check_accessibility(officer)
    trip = FieldTrip.objects.across_schools().get(destination=destination)
    assert (trip.status, trip.vehicle) == (FieldTrip.Status.APPROVED, bus)


def test_the_officer_reads_the_reports_and_adopts_a_plan(sign_in: SignIn) -> None:
    plan = make_route_plan(School.objects.get(code=SCHOOL))
    officer = sign_in("district.transport_officer")
    officer.get_by_role("link", name="报表").first.click()
    expect(officer.locator("main")).to_contain_text("实载 / 核载")
    expect(officer.get_by_role("link", name="下载 Excel")).to_be_visible()
    check_accessibility(officer)

    officer.get_by_role("link", name="线路规划").first.click()
    officer.get_by_role("row").filter(has_text=plan.school.name).first.get_by_role(
        "link"
    ).first.click()
    main = officer.locator("main")
    expect(main).to_contain_text("规划方案与现行线路对比")
    expect(main).to_contain_text("北村")
    check_accessibility(officer)
    screenshot(officer, "transport-plan")
    officer.get_by_label("新线路编号").fill("YJ-7")
    officer.get_by_role("button", name="采纳为新线路").click()
    expect(officer.locator("main")).to_contain_text("YJ-7-1")
    plan.refresh_from_db()
    assert plan.status == RoutePlan.Status.ADOPTED
    assert Route.objects.filter(code__startswith="YJ-7-").exists()
