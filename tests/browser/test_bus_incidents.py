"""An incident on a school bus, on the demo's primary school: the escort reports it from their
second run's page on a phone (390×844) and records its four steps one by one (htmx, each
answered in place with the minutes since the incident); the logistics director finds it in the
incidents list, closes it with a summary, and records the semester's drill. Every step checked
in the database, every page checked by axe-core."""

import re

from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tenant_apps.riders.models import Drill, Incident
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"
ESCORT = f"escort.{SCHOOL}"
DIRECTOR = f"logistics_director.{SCHOOL}"
STEPS = ("已报警", "学生已疏散", "已通知监护人", "已上报教育局")


def test_an_incident_reported_on_a_phone_closed_by_the_director(
    sign_in: SignIn, site: Site
) -> None:
    school = School.objects.get(code=SCHOOL)
    with tenant_context(school):
        drills = Drill.objects.count()

    escort = sign_in(ESCORT, SCHOOL, phone=True)
    escort.goto(site.url(SCHOOL, "/buses/"))
    escort.get_by_role("link", name=re.compile("XC-02")).click()
    escort.get_by_role("link", name="报告突发事件").click()
    check_accessibility(escort)
    escort.get_by_label("类型").select_option(label="突发疾病")
    escort.get_by_label("事件经过").fill("一名学生晕车呕吐，已停车照看")
    escort.get_by_role("button", name="保存").click()
    expect(escort.get_by_role("status")).to_contain_text("事件已报告")
    check_accessibility(escort)
    with tenant_context(school):
        incident = Incident.objects.get(kind=Incident.Kind.MEDICAL)
        assert incident.trip is not None

    for done, step in enumerate(STEPS, start=1):
        escort.get_by_role("button", name=f"登记：{step}").click()
        expect(escort.locator("#steps .badge.ok")).to_have_count(done)
        expect(escort.get_by_role("button", name=f"登记：{step}")).to_have_count(0)
    expect(escort.locator("#steps")).to_contain_text("事发后")
    check_accessibility(escort)
    screenshot(escort, "bus-incident-escort")
    with tenant_context(school):
        incident.refresh_from_db()
        assert incident.district_told_at is not None
        assert incident.closed_at is None

    director = sign_in(DIRECTOR, SCHOOL)
    director.goto(site.url(SCHOOL, "/buses/incidents/"))
    check_accessibility(director)
    director.get_by_role("link", name="突发疾病").click()
    director.get_by_label("处置总结").fill("学生休息后好转，已由家长接回")
    director.get_by_role("button", name="结案").click()
    expect(director.get_by_role("status")).to_contain_text("事件已结案")
    expect(director.locator("#summary")).to_contain_text("已由家长接回")
    check_accessibility(director)
    with tenant_context(school):
        incident.refresh_from_db()
        assert incident.closed_at is not None

    director.goto(site.url(SCHOOL, "/buses/drills/"))
    director.get_by_role("link", name="登记演练").click()
    check_accessibility(director)
    director.get_by_label("类型").select_option(label="消防")
    director.get_by_label("参加人数").fill("36")
    director.get_by_role("button", name="保存").click()
    expect(director.get_by_role("status")).to_contain_text("演练已登记")
    expect(director.locator("#drills tbody tr").first).to_contain_text("消防")
    expect(director.locator("#drill-due")).to_have_count(0)
    check_accessibility(director)
    screenshot(director, "bus-drills")
    with tenant_context(school):
        assert Drill.objects.count() == drills + 1
        assert Drill.objects.filter(day=timezone.localdate(), kind=Drill.Kind.FIRE).exists()
