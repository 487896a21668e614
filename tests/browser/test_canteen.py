"""The canteen manager's day on a phone (390×844), on the school's own host: next week's district
plan adopted, today's lunch opened, who ate recorded from a class roster (the whole class in one
tap, and ticked), a card number and a card terminal's file, a sample kept, the meal accompanied,
a fridge's temperature, the rest of an order's delivery received with its inbound inspection,
and today's alerts; then a parent reading the school's disclosure on a phone. Every step checked
in the database, every page checked by axe-core."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from houqin.door import SystemActor
from houqin.tables import csv_bytes
from shared_apps.accounts.models import User
from shared_apps.standards import services as standards
from shared_apps.standards.models import MealPlan
from tenant_apps.canteen import selectors as canteen
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    ColdStorageReading,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    Serving,
)
from tenant_apps.canteen.services.calendar import make_up_day_add, school_term_add
from tenant_apps.orders.models import Order
from tenant_apps.people.models import Student
from tenants.models import School
from tests.browser.conftest import PHONE, SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"
MANAGER = f"canteen_manager.{SCHOOL}"
# A band the school serves whose plan for next week no other journey publishes.
BAND = "6-8"
PUBLISHING = SystemActor("tests.browser.canteen")


@pytest.fixture
def school() -> School:
    return School.objects.get(code=SCHOOL)


@pytest.fixture
def school_day(school: School) -> datetime.date:
    """Today, a school day: on a day without school (a weekend) the school works it (调休上班, in a
    term over its school year), so the journey serves today's lunch whatever day it runs."""
    today = timezone.localdate()
    with tenant_context(school):
        if not canteen.is_school_day(today):
            director = User.objects.get(username=f"logistics_director.{SCHOOL}")
            year = today.year if today.month >= 9 else today.year - 1
            if not canteen.term_list().filter(start_date__lte=today, end_date__gte=today):
                school_term_add(
                    school_year=year,
                    name=f"{year}学年",
                    start_date=datetime.date(year, 9, 1),
                    end_date=datetime.date(year + 1, 8, 31),
                    actor=director,
                )
            make_up_day_add(date=today, name="调休上班", actor=director)
    return today


def next_weeks_plan(today: datetime.date) -> MealPlan:
    """The district publishes a new version of next week's plan for the band (this week's dishes
    and portions again), as its nutrition officer would; the school adopted the first one."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    published = MealPlan.objects.filter(age_band=BAND, status=MealPlan.Status.PUBLISHED)
    this_week = published.get(week_start=this_monday)
    draft = standards.plan_create(
        week_start=this_monday + datetime.timedelta(days=7),
        age_band=BAND,
        title="下周带量食谱",
        entries=[
            standards.EntryInput(
                weekday=e.weekday, meal=e.meal, recipe=e.recipe_id, portion_pct=e.portion_pct
            )
            for e in this_week.entries.all()
        ],
        actor=PUBLISHING,
    )
    return standards.plan_publish(plan=draft, actor=PUBLISHING)


def open_menu(page: Page, link: str) -> None:
    """Follow a link of the navigation, folded behind its button on a phone."""
    page.get_by_text("菜单", exact=True).click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=link).click()


def back_to_the_meal(page: Page) -> None:
    page.locator("p.crumbs a").first.click()


def terminal_file(tmp_path: Path, students: list[Student], day: datetime.date) -> Path:
    path = tmp_path / "刷卡机导出.csv"
    rows = [["卡号", "姓名", "刷卡时间"]]
    rows += [
        [s.student_number, s.name, f"{day.isoformat()} 11:4{i}"] for i, s in enumerate(students)
    ]
    path.write_bytes(csv_bytes(rows))
    return path


def test_a_canteen_managers_day_on_a_phone(
    sign_in: SignIn, school: School, school_day: datetime.date, tmp_path: Path
) -> None:
    plan = next_weeks_plan(school_day)
    manager = User.objects.get(username=MANAGER)
    page = sign_in(MANAGER, SCHOOL, phone=True)
    page.on("dialog", lambda dialog: dialog.accept())

    # Home: what waits today, counted, with next week's plans to adopt among it (the demo's own
    # and this one).
    with tenant_context(school):
        waiting = canteen.canteen_day_get(day=school_day).plans_to_adopt
    assert waiting >= 1
    expect(page.get_by_role("heading", name="食堂今日")).to_be_visible()
    expect(page.get_by_role("link", name="下周待采用的食谱")).to_contain_text(str(waiting))
    check_accessibility(page)

    # The district's plans, seen from the school's host; next week's new version adopted once.
    page.get_by_role("link", name="下周待采用的食谱").click()
    offer = page.locator("article.plan", has_text="下周带量食谱")
    expect(offer).to_contain_text("本校采用的是旧版本")
    offer.get_by_text("本周菜品").click()
    expect(offer.locator("ul.week")).to_contain_text("米饭")
    check_accessibility(page)
    offer.get_by_role("button", name="采用此版本").click()
    expect(page.get_by_role("status")).to_contain_text("该食谱已成为该周菜单")
    with tenant_context(school):
        adopted = Menu.objects.get(status=Menu.Status.ACTIVE, plan_id=plan.pk)
    assert adopted.start_date == plan.week_start and adopted.created_by == manager

    # Today's lunch, opened from the menu in force.
    open_menu(page, "今日")
    page.locator("nav.quick").get_by_role("link", name="开餐").click()
    page.get_by_label("餐别").select_option("lunch")
    page.get_by_label("食材成本（元）").fill("1680.00")
    page.get_by_role("button", name="开餐").click()
    expect(page.get_by_role("status")).to_contain_text("已开餐")
    check_accessibility(page)
    with tenant_context(school):
        session = MealSession.objects.get(date=school_day, meal="lunch")
        grade_one = list(
            Student.objects.filter(grade=1, class_name="一班").order_by("student_number")
        )
        grade_two = list(
            Student.objects.filter(grade=2, class_name="一班").order_by("student_number")
        )
        grade_three = list(
            Student.objects.filter(grade=3, class_name="一班").order_by("student_number")
        )
    assert session.menu_id is not None and session.ingredient_cost == Decimal("1680.00")

    # A class roster: the whole of 1年级一班 in one tap, then two of 2年级一班 ticked.
    page.get_by_role("link", name="按班点名").click()
    page.get_by_role("link", name="1年级 一班").click()
    page.get_by_role("button", name="全班就餐").click()
    expect(page.get_by_role("status")).to_contain_text(f"已记录 {len(grade_one)} 名学生")
    page.get_by_role("link", name="2年级 一班").click()
    for student in grade_two[:2]:
        page.get_by_label(student.name, exact=False).first.check()
    page.get_by_role("button", name="记录所勾选的学生").click()
    expect(page.get_by_role("status")).to_contain_text("已记录 2 名学生")
    check_accessibility(page)

    # A card, its number typed (or scanned) into the field and sent with Enter.
    back_to_the_meal(page)
    card = page.get_by_label("卡号或学号")
    card.fill(grade_two[2].student_number)
    card.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"已记录：{grade_two[2].name}")

    # A card terminal's export: every row checked, then recorded, with a report.
    back_to_the_meal(page)
    page.get_by_role("link", name="导入刷卡机文件").click()
    page.get_by_label("刷卡机导出的文件").set_input_files(
        terminal_file(tmp_path, grade_three, school_day)
    )
    page.get_by_role("button", name="检查并导入").click()
    expect(page.get_by_role("heading", name="已导入")).to_be_visible()
    check_accessibility(page)
    with tenant_context(school):
        served = Serving.objects.filter(session=session)
        eaten = served.count()
        assert set(served.values_list("student_id", flat=True)) == {
            s.pk for s in grade_one + grade_two[:3] + grade_three
        }
        assert served.filter(source="class_list").count() == len(grade_one) + 2
        assert served.filter(source="card").count() == 1 + len(grade_three)

    # A sample of the main dish (留样), and the meal accompanied (陪餐).
    page.get_by_role("link", name="返回本餐次").click()
    page.get_by_role("link", name="留样", exact=True).click()
    page.get_by_label("菜品").fill("米饭")
    page.get_by_label("重量（克）").fill("150")
    page.get_by_role("button", name="保存留样记录").click()
    expect(page.get_by_role("status")).to_contain_text("米饭 已留样")
    page.get_by_role("link", name="我已陪餐").click()
    page.get_by_label("陪餐情况").fill("米饭软硬适中，菜量足。")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("您的陪餐已记录")
    check_accessibility(page)
    with tenant_context(school):
        sample = FoodSample.objects.get(session=session)
        assert sample.weight_g == Decimal("150.0") and sample.recorded_by == manager
        assert AccompaniedMeal.objects.get(session=session).leader == manager

    # A fridge too warm: recorded, and flagged at once.
    open_menu(page, "冷链温度")
    page.get_by_role("link", name="记录温度").click()
    page.get_by_label("冷藏冷冻设备").fill("冷藏柜1")
    page.get_by_label("设备类型").select_option("refrigerator")
    page.get_by_label("温度（°C）").fill("9.5")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("超出范围")
    with tenant_context(school):
        reading = ColdStorageReading.objects.filter(recorded_by=manager).latest("measured_at")
    assert reading.out_of_range and reading.temperature_c == Decimal("9.5")

    # The rest of the week's order arrives: received and inspected on arrival (进货查验).
    open_menu(page, "待收货")
    page.locator("table.stack a").first.click()
    page.get_by_label("批次").fill("LY-20L-补送")
    page.get_by_label("营业执照").check()
    page.get_by_label("食品经营许可证").check()
    page.get_by_label("保质期至").fill((school_day + datetime.timedelta(days=365)).isoformat())
    check_accessibility(page)
    page.get_by_role("button", name="保存收货记录").click()
    expect(page.get_by_role("status")).to_contain_text("已收货并完成进货查验")
    expect(page.locator("table.stack")).to_contain_text("LY-20L-补送")
    with tenant_context(school):
        inspection = InboundInspection.objects.get(batch="LY-20L-补送")
        assert inspection.inspected_by == manager and inspection.accepted
        assert not Order.objects.filter(status=Order.Status.PARTLY_DELIVERED).exists()
    check_accessibility(page)

    # Today's alerts: the fridge, named; the day's meal sampled and accompanied.
    open_menu(page, "预警")
    alerts = page.locator("ul.alerts")
    expect(alerts).to_contain_text("冷藏柜1")
    expect(alerts).not_to_contain_text("未留样")
    check_accessibility(page)

    open_menu(page, "今日")
    lunch = page.locator("section.meal", has=page.get_by_role("heading", name="午餐"))
    expect(lunch.locator(".figures")).to_contain_text(str(eaten))
    check_accessibility(page)
    screenshot(page, "canteen_manager")


def test_a_parent_reads_the_schools_disclosure_on_a_phone(
    site: Site, browser: Browser, school: School
) -> None:
    """What parents look for first (today's menu, the cost of a meal, the meals served), then the
    week's menu with its nutrient check in one line: the demo's menus, composed by the optimiser,
    meet the standard (a menu that misses a target folds the misses under that line)."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(site.url(SCHOOL, "/disclosure/"))
    expect(page.locator("main > section").first).to_have_id("glance")
    today = timezone.localdate()
    with tenant_context(school):
        served = Serving.objects.filter(session__date__range=(today.replace(day=1), today)).count()
    glance = page.locator("#glance")
    expect(glance).to_contain_text("今日菜单")
    expect(glance).to_contain_text("本周每生每餐食材成本")
    expect(glance.locator("a[href='#servings'] strong")).to_have_text(str(served))
    check = page.locator("#menu .check").first
    expect(check).to_contain_text("WS/T 554-2017")
    expect(check).to_have_class("check ok")
    expect(page.locator("#menu details.check.flagged")).to_have_count(0)
    screenshot(page, "parent")
    check_accessibility(page)
    context.close()
