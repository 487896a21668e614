"""The nutrition officer composes next week's plan on the week grid and publishes it."""

import datetime

from playwright.sync_api import Page, expect

from shared_apps.accounts.models import User
from shared_apps.standards.models import MealPlan
from tests.browser.conftest import SignIn, check_accessibility, screenshot

BAND = "9-11"


def _add(page: Page, meal: str, weekday: int, dish: str) -> None:
    cell = page.locator(f"#add-{meal}-{weekday}")
    cell.select_option(label=dish)
    cell.locator("xpath=..").get_by_role("button", name="添加").click()


def test_compose_and_publish_a_week(sign_in: SignIn) -> None:
    latest = MealPlan.objects.filter(age_band=BAND).order_by("-week_start").first()
    assert latest is not None, "the demo publishes weekly plans"
    week = latest.week_start + datetime.timedelta(days=7)
    page = sign_in("district.nutrition_officer")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="每周带量食谱").click()
    page.get_by_role("link", name="新建每周食谱").click()
    page.get_by_label("周起始日（周一）").fill(week.isoformat())
    page.get_by_label("年龄段").select_option(BAND)
    page.get_by_role("button", name="创建草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(week.isoformat())
    check_accessibility(page)

    page.get_by_role("button", name="复制上周").click()
    plan = MealPlan.objects.get(week_start=week, age_band=BAND, status=MealPlan.Status.DRAFT)
    copied = plan.entries.count()
    assert copied == latest.entries.count() > 0

    # A dish more on Monday's breakfast, checked again at once; then taken off again.
    monday_breakfast = page.locator("table.week tbody tr").first.locator("td").first
    dishes = monday_breakfast.locator("ul.dishes")
    expect(dishes).not_to_contain_text("小米粥")
    _add(page, "breakfast", 1, "小米粥")
    expect(dishes).to_contain_text("小米粥")
    assert plan.entries.count() == copied + 1
    monday_breakfast.get_by_role("button", name="移除小米粥").click()
    expect(dishes).not_to_contain_text("小米粥")
    assert plan.entries.count() == copied

    # Publish once, however often the button is pressed.
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".facts")).to_contain_text("已发布")
    plan.refresh_from_db()
    assert plan.status == MealPlan.Status.PUBLISHED
    assert plan.published_by == User.objects.get(username="district.nutrition_officer")
    assert MealPlan.objects.filter(week_start=week, age_band=BAND).count() == 1
    check_accessibility(page)
    screenshot(page, "nutrition_officer")
