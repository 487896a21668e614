"""The transport officer's pages in Chromium, on the district host, over the demo's fleet.

A provider whose insurance lapses in ten days shows among the fleet's warnings; a driver who
turns 61 next year is qualified today and refused on a day next year, with the reason; a
licence public security and transport have answered is approved and leaves the steps waiting;
today's runs show the demo's loads by school."""

import datetime
import re

from playwright.sync_api import expect

from shared_apps.transport import services
from tests.browser.conftest import SignIn, check_accessibility, screenshot
from tests.factories import SETUP
from tests.matrix.transport import make_driver, make_provider, make_vehicle, today
from tests.pages.transport import submitted_licence


def test_the_officer_warns_checks_approves_and_reads_loads(sign_in: SignIn) -> None:
    lapsing = make_provider(
        name="安顺客运（保险将到期）", insurance_expires=today() + datetime.timedelta(days=10)
    )
    make_vehicle(lapsing)
    born = today().replace(year=today().year - 60) + datetime.timedelta(days=30)
    make_driver(lapsing, name="周师傅", born_on=born)
    licence = submitted_licence()
    for step in ("forward", "answer"):
        licence = services.licence_advance(licence=licence, step=step, actor=SETUP)

    page = sign_in("district.transport_officer")
    page.get_by_role("link", name="车辆").first.click()
    warnings = page.locator("ul.warnings")
    expect(warnings).to_contain_text("安顺客运（保险将到期）")
    check_accessibility(page)

    page.get_by_role("link", name="驾驶人").first.click()
    row = page.get_by_role("row").filter(has_text="周师傅")
    expect(row).not_to_contain_text("不合格")
    later = today() + datetime.timedelta(days=400)
    page.get_by_label("日期").fill(later.isoformat())
    page.get_by_role("button", name="按此日核验").click()
    row = page.get_by_role("row").filter(has_text="周师傅")
    expect(row).to_contain_text("不合格")
    expect(row).to_contain_text("班次当日驾驶人 61 岁")
    check_accessibility(page)

    page.get_by_role("link", name="校车标牌").first.click()
    row = page.get_by_role("row").filter(has_text=licence.number)
    row.get_by_role("link", name="办理下一步").click()
    page.get_by_label("步骤").select_option("approve")
    page.get_by_role("button", name="登记此步").click()
    row = page.get_by_role("row").filter(has_text=licence.number)
    expect(row).to_contain_text("已审核通过")
    expect(row.get_by_role("link", name="办理下一步")).to_have_count(0)

    page.get_by_role("link", name="今日车次").first.click()
    expect(page.locator("main")).to_contain_text("XC-01")
    expect(page.locator("main table")).to_contain_text(re.compile(r"\d+ / \d+"))
    check_accessibility(page)
    screenshot(page, "transport-runs")
