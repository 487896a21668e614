"""The front door in Chromium: every demo role signs in on its own host and lands on a home in
Chinese; a school's member who signs in at the district host is taken to their school."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from demo_district.users import DEMO_PASSWORD
from tenants.routing import school_host
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"


def test_a_principal_signs_in_at_the_district_and_lands_at_school(site: Site, browser) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(site.url(None, "/"))
    expect(page).to_have_url(site.url(None, "/signin/?next=/"))
    check_accessibility(page)
    page.get_by_label("用户名").fill(f"principal.{SCHOOL}")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: urlsplit(url).hostname == school_host(SCHOOL))
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    check_accessibility(page)
    context.close()


def test_a_wrong_password_says_so_and_keeps_the_username(site: Site, browser) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(site.url(SCHOOL, "/signin/"))
    page.get_by_label("用户名").fill(f"canteen_manager.{SCHOOL}")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("无法")
    expect(page.get_by_label("用户名")).to_have_value(f"canteen_manager.{SCHOOL}")
    context.close()


def test_the_finance_officer_home(sign_in: SignIn) -> None:
    page = sign_in("district.finance_officer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    check_accessibility(page)
    screenshot(page, "finance_officer_home")
