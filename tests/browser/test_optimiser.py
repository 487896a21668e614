"""The nutrition officer asks the optimiser for the week after the demo's last plan, without
milk, reads what the week misses, and publishes it as the week's meal plan."""

import datetime

from playwright.sync_api import Page, expect

from shared_apps.accounts.models import User
from shared_apps.optimiser.models import Proposal
from shared_apps.standards.models import MealPlan
from tests.browser.conftest import SignIn, check_accessibility, screenshot

BAND = "9-11"


def test_ask_for_a_week_read_its_misses_and_publish_it(sign_in: SignIn) -> None:
    latest = MealPlan.objects.filter(age_band=BAND).order_by("-week_start").first()
    assert latest is not None, "the demo publishes weekly plans"
    week = latest.week_start + datetime.timedelta(days=7)
    page: Page = sign_in("district.nutrition_officer")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="每周带量食谱").click()
    page.get_by_role("link", name="生成达标食谱").click()
    # The service's rules, filled in; the officer asks for lunches without milk.
    expect(page.get_by_label("一周油炸菜品最多")).to_have_value("1")
    page.get_by_label("周起始日（周一）").fill(week.isoformat())
    page.get_by_label("年龄段").select_option(BAND)
    page.get_by_label("乳", exact=True).check()
    check_accessibility(page)
    screenshot(page, "optimiser-request")
    page.get_by_role("button", name="编排本周食谱").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(week.isoformat())

    proposal = Proposal.objects.across_schools().get(week_start=week, age_band=BAND)
    print(f"solved a week of lunches for {BAND} in {proposal.solver['seconds']} s")
    assert proposal.inputs["rules"]["exclude_allergens"] == ["milk"]
    # Without milk the week cannot meet the dairy target: the misses are named, in figures.
    assert not proposal.meets_standard
    misses = page.locator("ul.misses li")
    expect(misses).to_have_count(len(proposal.report["misses"]))
    expect(page.locator("#misses")).to_contain_text("奶及奶制品")
    expect(page.locator("table.week")).to_contain_text("元")
    expect(page.locator("canvas[data-chart]").first).to_be_visible()
    check_accessibility(page)
    screenshot(page, "optimiser-proposal")

    # Published once, it is the week's meal plan.
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".facts")).to_contain_text("已发布")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED and proposal.plan is not None
    assert page.url.endswith(f"/standards/plans/{proposal.plan.pk}/")
    plan = proposal.plan
    assert plan.status == MealPlan.Status.PUBLISHED
    assert plan.published_by == User.objects.get(username="district.nutrition_officer")
    assert plan.entries.count() == proposal.entries.count()
    check_accessibility(page)
    screenshot(page, "optimiser-plan")
