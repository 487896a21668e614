"""The district's administration in Chromium: the district administrator opens an account for a
school's new principal and grants the role, and the principal signs in with it; the logistics
director imports the student register (a wrong row first, reported, then the corrected file) and
reads one student's national ID number, a read the trail keeps; the auditor reads the trail in
people's names, follows one record's history and records a finding for the school. Every step
checked in the database, every page checked by axe-core."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, expect

from houqin.tables import csv_bytes
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Finding
from tenant_apps.people.models import Student
from tenants.models import School, SchoolImport
from tenants.routing import school_host
from tenants.tasks import schools_import_task
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot

SCHOOL = "3101010001"
NEW_PRINCIPAL = f"new_principal.{SCHOOL}"
NEW_PASSWORD = "Houqin-新校长-2026"


def test_the_district_administrator_opens_an_account_for_a_principal(
    sign_in: SignIn, site: Site, browser: Browser
) -> None:
    school = School.objects.get(code=SCHOOL)
    page = sign_in("district.district_admin")
    page.goto(site.url(None, "/accounts/new/"))
    check_accessibility(page)
    page.get_by_label("用户名").fill(NEW_PRINCIPAL)
    page.get_by_label("姓名").fill("林新校长")
    page.get_by_label("学校").select_option(str(school.pk))
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="开设账户").click()
    expect(page.get_by_text("账户已开设，请为其授予角色。")).to_be_visible()
    account = User.objects.get(username=NEW_PRINCIPAL)
    assert account.school == school and account.display_name == "林新校长"

    grant = page.get_by_role("region", name="授予角色")
    grant.get_by_role("combobox", name="角色").select_option("principal")
    grant.get_by_role("combobox", name="学校").select_option(str(school.pk))
    grant.get_by_role("button", name="授予", exact=True).click()
    expect(page.get_by_role("cell", name=school.name).first).to_be_visible()
    assert (
        Membership.objects.across_schools()
        .filter(user=account, school=school, role="principal")
        .exists()
    )
    check_accessibility(page)
    screenshot(page, "district_admin_account")

    # The new principal signs in at the district's address and is taken to the school.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    principal = context.new_page()
    principal.goto(site.url(None, "/signin/"))
    principal.get_by_label("用户名").fill(NEW_PRINCIPAL)
    principal.get_by_label("密码").fill(NEW_PASSWORD)
    principal.get_by_role("button", name="登录").click()
    principal.wait_for_url(lambda url: urlsplit(url).hostname == school_host(SCHOOL))
    expect(principal.get_by_role("heading", level=1)).to_contain_text("林新校长")
    context.close()


def test_the_district_administrator_onboards_schools_and_suspends_one(
    sign_in: SignIn, site: Site, tmp_path
) -> None:
    """A list of schools uploaded, its progress followed while the worker imports it (the test
    runs the queued task as the worker would), a report per row; then a school suspended with the
    reason and reinstated."""
    listing = tmp_path / "新学年学校名单.csv"
    rows = [["学校代码", "学校名称", "学校类型"], ["3101019001", "城南新区小学", "小学"]]
    listing.write_bytes(csv_bytes([*rows, ["BAD CODE", "坏代码学校", "小学"]]))
    page = sign_in("district.district_admin")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(site.url(None, "/schools/import/"))
    check_accessibility(page)
    page.get_by_label("学校名单（.xlsx 或 .csv）").set_input_files(str(listing))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(lambda url: "/schools/imports/" in url)
    school_import = SchoolImport.objects.latest("pk")
    assert school_import.status == SchoolImport.Status.QUEUED
    with translation.override(settings.LANGUAGE_CODE):  # a worker's language: the default
        schools_import_task.apply(
            args=(school_import.pk,), task_id=school_import.task_id, throw=True
        )
    # The page asks again by itself and shows what became of each row.
    expect(page.get_by_role("cell", name="3101019001")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("cell", name="BAD CODE", exact=True)).to_be_visible()
    expect(page.get_by_text("未创建").first).to_be_visible()
    assert School.objects.filter(code="3101019001", name="城南新区小学").exists()
    check_accessibility(page)
    screenshot(page, "district_admin_import")

    opened = School.objects.get(code="3101019001")
    page.goto(site.url(None, f"/schools/{opened.pk}/"))
    page.get_by_label("停用原因").fill("校舍改造，本学期暂不启用")
    page.get_by_role("button", name="停用", exact=True).click()
    expect(page.get_by_label("恢复原因")).to_be_visible()
    opened.refresh_from_db()
    assert opened.status == School.Status.SUSPENDED
    page.get_by_label("恢复原因").fill("改造完成")
    page.get_by_role("button", name="恢复", exact=True).click()
    expect(page.get_by_label("停用原因")).to_be_visible()
    opened.refresh_from_db()
    assert opened.status == School.Status.ACTIVE
    check_accessibility(page)


def test_the_director_imports_the_register_and_reads_a_number(
    sign_in: SignIn, site: Site, tmp_path
) -> None:
    school = School.objects.get(code=SCHOOL)
    header = ["学籍号", "姓名", "性别", "年级", "班级"]
    wrong = tmp_path / "学籍名册-有误.csv"
    wrong.write_bytes(
        csv_bytes(
            [
                header,
                ["B2026001", "周一", "男", "2", "1班"],
                ["B2026002", "吴二", "未知", "2", "1班"],
            ]
        )
    )
    right = tmp_path / "学籍名册.csv"
    right.write_bytes(
        csv_bytes(
            [header, ["B2026001", "周一", "男", "2", "1班"], ["B2026002", "吴二", "女", "2", "1班"]]
        )
    )

    page = sign_in(f"logistics_director.{SCHOOL}", SCHOOL)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(site.url(SCHOOL, "/people/students/import/"))
    check_accessibility(page)
    page.get_by_label("学籍名册（.xlsx 或 .csv）").set_input_files(str(wrong))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("1 行有问题")
    expect(page.get_by_role("cell", name="B2026002")).to_be_visible()
    check_accessibility(page)
    with tenant_context(school):
        assert not Student.objects.filter(student_number__startswith="B2026").exists()

    page.get_by_label("学籍名册（.xlsx 或 .csv）").set_input_files(str(right))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("学籍名册已保存")
    with tenant_context(school):
        assert Student.objects.filter(student_number__startswith="B2026").count() == 2
        reader = Student.objects.filter(national_id_hash__isnull=False).first()
    screenshot(page, "director_register_import")

    assert reader is not None
    page.goto(site.url(SCHOOL, f"/people/students/{reader.pk}/"))
    masked = page.locator("#national-id .mono").inner_text()
    assert "*" in masked
    page.get_by_role("button", name="显示完整号码").click()
    expect(page.locator("#national-id")).not_to_contain_text("*")
    check_accessibility(page)


def test_the_auditor_reads_the_trail_and_records_a_finding(sign_in: SignIn, site: Site) -> None:
    school = School.objects.get(code=SCHOOL)
    page = sign_in("district.auditor")
    page.goto(site.url(None, "/audit/trail/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    first = page.locator("table.trail tbody tr").first
    # Who did it is a person's name, never a bare number.
    who = first.locator("td").nth(1).inner_text().strip()
    assert who and not who.isdigit()
    check_accessibility(page)
    first.get_by_role("link", name="历史").click()
    expect(page.locator("table.trail tbody tr").first).to_be_visible()
    check_accessibility(page)

    page.goto(site.url(None, "/audit/findings/new/"))
    page.get_by_label("学校").select_option(str(school.pk))
    page.get_by_label("标题").fill("留样记录不全")
    page.get_by_label("发现的问题").fill("十一月有两餐未见留样记录，请核实并整改。")
    page.get_by_label("严重程度").select_option("medium")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("留样记录不全")
    finding = Finding.objects.across_schools().get(title="留样记录不全")
    assert finding.school == school and finding.severity == "medium"
    check_accessibility(page)
    screenshot(page, "auditor_finding")
