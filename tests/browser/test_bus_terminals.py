"""A school's boarding terminals in Chromium, on a phone (390×844), on the demo's primary school:
the logistics director registers a card terminal, reads its key once (it opens the terminals'
endpoint; the page never shows it again, only its hash is kept), and revokes it (from then on the
key opens nothing)."""

from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from shared_apps.transport.models import Vehicle
from tenant_apps.riders.models import Terminal
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"
DEVICE = "黔A·X0101 前门读卡器"


def test_the_director_registers_a_terminal_reads_its_key_once_and_revokes_it(
    sign_in: SignIn, site: Site
) -> None:
    page = sign_in(f"logistics_director.{SCHOOL}", SCHOOL, phone=True)
    page.goto(site.url(SCHOOL, "/buses/terminals/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("乘车刷卡终端")
    check_accessibility(page)
    page.get_by_role("link", name="登记终端").click()
    page.get_by_label("设备").fill(DEVICE)
    page.get_by_role("button", name="保存").click()

    # The key, once: it opens the terminal's rows by its hash, and the list never shows it.
    key = page.locator("#terminal-key").inner_text().strip()
    assert len(key) >= 40
    check_accessibility(page)
    screenshot(page, "bus-terminal-key")
    school = School.objects.get(code=SCHOOL)
    with tenant_context(school):
        terminal = Terminal.objects.get(device=DEVICE)
    assert terminal.key_hash == Vehicle.key_hash(key) and terminal.revoked_at is None
    page.get_by_role("link", name="返回终端列表").click()
    row = page.get_by_role("row").filter(has_text=DEVICE)
    expect(row).to_contain_text("在用")
    assert key not in page.content()

    row.get_by_role("button", name=f"撤销 {DEVICE} 的密钥").click()
    expect(page.locator(".messages")).to_contain_text(DEVICE)
    row = page.get_by_role("row").filter(has_text=DEVICE)
    expect(row).to_contain_text("已撤销")
    expect(row.get_by_role("button")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "bus-terminals-phone")
    with tenant_context(school):
        terminal.refresh_from_db()
    assert terminal.revoked_at is not None
