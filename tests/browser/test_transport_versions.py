"""A route's new version in Chromium, on the district host, over the demo's routes: the transport
officer opens a route, makes a new version of it with a stop left out and the times changed from
next month, and finds it listed after the licensed first version as a version awaiting its
licence's approval (any change of stops or times is a new approval)."""

import datetime

from playwright.sync_api import expect

from houqin.months import add_months
from shared_apps.transport.models import Route
from tests.browser.conftest import SignIn, check_accessibility, screenshot
from tests.matrix.transport import today


def test_the_officer_makes_a_new_version_that_awaits_its_licence(sign_in: SignIn) -> None:
    first = Route.objects.get(code="XC-02")
    page = sign_in("district.transport_officer")
    page.get_by_role("link", name="线路", exact=True).first.click()
    page.get_by_role("link", name="XC-02 红星—城关（早）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("红星—城关（早）")
    page.get_by_role("link", name="以此版本新建版本").first.click()

    starts = add_months(today().replace(day=1), 1)
    page.get_by_label("起始日期").fill(starts.isoformat())
    page.get_by_label("红星乡政府：时间").fill("06:40")
    page.get_by_label("学府路：顺序").fill("")
    page.get_by_label("学府路：时间").fill("")
    page.get_by_label("青山九年一贯制学校：顺序").fill("2")
    page.get_by_label("青山九年一贯制学校：时间").fill("07:02")
    page.get_by_label("城关第一实验小学：顺序").fill("3")
    page.get_by_label("城关第一实验小学：时间").fill("07:22")
    check_accessibility(page)
    page.get_by_role("button", name="新建版本").click()

    made = Route.objects.get(version_of=first, version=2)
    page.wait_for_url(f"**/transport/routes/{made.pk}/")
    expect(page.locator(".messages")).to_contain_text(made.code)
    licensed = page.locator(f"#version-{first.pk}")
    expect(licensed).to_contain_text("第 1 版")
    expect(licensed).to_contain_text("标牌已审核通过")
    waiting = page.locator(f"#version-{made.pk}")
    expect(waiting).to_contain_text("第 2 版")
    expect(waiting).to_contain_text("待审核")
    expect(waiting).to_contain_text(f"{starts:%Y-%m-%d} – …")
    expect(waiting.locator("ol.stops li")).to_have_text(
        ["06:40 红星乡政府", "07:02 青山九年一贯制学校", "07:22 城关第一实验小学"]
    )
    check_accessibility(page)
    screenshot(page, "transport-route-versions")
    assert [stop.at for stop in made.stops.all()][:1] == [datetime.time(6, 40)]
    assert not made.licences.exists()
