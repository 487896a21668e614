"""The browser suite: Houqin served by a live server on the demo district, driven in Debian's
Chromium through Playwright, as its people use it.

It runs in a pytest session of its own (`pytest --browser`; `make pytest` runs it after the other
suites): the district is seeded once by the demo's own seeding (`seed_demo`), committed, and every
journey signs in with a demo login on its own host (`<code>.localhost`; Chromium sends every
`*.localhost` name to this machine). Journeys assert what they did in the database as well as on
the page, check the page with axe-core (vendored), and leave a screenshot of their last page in
docs/screenshots/.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from demo_district.seed import seed_demo
from demo_district.users import DEMO_PASSWORD
from tenants.routing import school_host
from tests.browser.chromium import chromium_path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Site:
    port: int

    def url(self, school: str | None, path: str = "/") -> str:
        host = settings.DISTRICT_DOMAIN if school is None else school_host(school)
        return f"http://{host}:{self.port}{path}"


def _as_is(handler: Any) -> Any:
    return handler


@pytest.fixture(scope="session")
def site(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Site]:
    """The demo district, seeded and committed, served on a free port."""
    with django_db_blocker.unblock():
        seed_demo()
        # Static files come through WhiteNoise, as in production: no extra handler.
        server = LiveServerThread(
            "localhost",
            _as_is,  # type: ignore[arg-type]
            connections_override={},
            port=0,
        )
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield Site(server.port)
        finally:
            server.terminate()
            # The server's request threads may still hold connections: the test database is
            # dropped after the session.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _database(django_db_blocker: Any) -> Iterator[None]:
    """Journeys read the committed database to check what the pages did."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
    )
    yield chromium
    chromium.close()


SignIn = Callable[..., Page]


@pytest.fixture
def sign_in(site: Site, browser: Browser) -> Iterator[SignIn]:
    """sign_in(username, school=None, phone=False) -> a page signed in as that demo login on its
    school's host (the district host for None), on a desktop or a phone screen."""
    contexts: list[Any] = []

    def open_as(username: str, school: str | None = None, *, phone: bool = False) -> Page:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(site.url(school, "/signin/"))
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/signin/" not in url)
        return page

    yield open_as
    for context in contexts:
        context.close()


def check_accessibility(page: Page) -> None:
    """axe-core over the page as it is: no serious or critical violation."""
    # Evaluated through the browser's debugging protocol: the page's policy forbids inline script.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"accessibility on {page.url}: {bad}"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
