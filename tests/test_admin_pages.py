"""The district administrator's pages, through Django's test client: schools onboarded from a
list (the task's progress, then the per-row report), suspended and reinstated with the reason;
accounts opened, roles granted and taken away within the role registry's rules (the services'
refusals next to the field), and a new password for someone who lost theirs."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from houqin.roles import Role
from shared_apps.accounts.models import Membership, User
from tenants.models import School, SchoolImport
from tenants.routing import school_host
from tenants.services import school_create
from tenants.tasks import schools_import_task
from tests.conftest import tasks_queued
from tests.factories import PASSWORD, SETUP, make_user, user_with_role
from tests.web import once_key, signed_in

pytestmark = pytest.mark.django_db
R = Role


def _member(role: Role, school: School) -> User:
    """An account opened for `school` holding `role` there."""
    user = make_user(school=school)
    Membership.objects.create(user=user, role=role.value, school=school)
    return user


@pytest.fixture
def admin(district_host: str) -> Client:
    return signed_in(district_host, user_with_role(R.DISTRICT_ADMIN))


def _errors(page: str) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]+)</p>', page)


# Schools -----------------------------------------------------------------------------------------


def test_suspend_and_reinstate_with_the_reason(admin: Client, school_b: School) -> None:
    page = admin.get(f"/schools/{school_b.pk}/").content.decode()
    assert "停用学校" in page and 'data-confirm="' in page
    # No reason: refused next to the field, the school as it was.
    refused = admin.post(f"/schools/{school_b.pk}/suspend/", {"reason": " ", "once": "k" * 24})
    assert refused.status_code == 400
    assert _errors(refused.content.decode())
    school_b.refresh_from_db()
    assert school_b.status == School.Status.ACTIVE
    # With the reason, once however often it is sent.
    form = {"reason": "食品安全整改", "once": once_key(page)}
    done = admin.post(f"/schools/{school_b.pk}/suspend/", form)
    assert done.status_code == 302 and done["Location"] == f"/schools/{school_b.pk}/"
    again = admin.post(f"/schools/{school_b.pk}/suspend/", form)
    assert again.status_code == 302
    school_b.refresh_from_db()
    assert (school_b.status, school_b.status_reason) == (School.Status.SUSPENDED, "食品安全整改")
    page = admin.get(f"/schools/{school_b.pk}/").content.decode()
    assert "食品安全整改" in page and "恢复学校" in page and "停用学校" not in page
    reinstated = admin.post(
        f"/schools/{school_b.pk}/reinstate/", {"reason": "整改完成", "once": once_key(page)}
    )
    assert reinstated.status_code == 302
    school_b.refresh_from_db()
    assert (school_b.status, school_b.status_reason) == (School.Status.ACTIVE, "整改完成")


def test_the_school_list_costs_the_same_however_many_schools(
    admin: Client, district_host: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get("/schools/").status_code == 200
        return len(queries)

    count()  # the roles' first read, then kept
    few = count()
    for n in range(3):
        School.objects.create(
            code=f"77{n:04d}", schema_name=f"s_77{n:04d}", name=f"学校{n}", kind="primary"
        )
    assert count() == few


def _upload(admin: Client, content: bytes, name: str = "schools.csv") -> Any:
    return admin.post("/schools/import/", {"file": SimpleUploadedFile(name, content)})


def test_a_list_of_schools_is_imported_in_the_background_with_its_progress(
    admin: Client, school_a: School
) -> None:
    rows = "\n".join(
        [
            "学校代码,学校名称,学校类型",
            "880001,新建小学,小学",
            f"{school_a.code},{school_a.name},小学",
            "BAD CODE,坏代码学校,小学",
        ]
    )
    with tasks_queued() as queued:
        sent = _upload(admin, rows.encode())
    assert sent.status_code == 302
    school_import = SchoolImport.objects.get()
    assert sent["Location"] == f"/schools/imports/{school_import.pk}/"
    assert queued == ["tenants.tasks.schools_import_task"]
    assert (school_import.total, school_import.status) == (3, SchoolImport.Status.QUEUED)
    # Before a worker takes it: waiting, and the page asks again by itself.
    page = admin.get(sent["Location"]).content.decode()
    assert "等待导入开始" in page and 'hx-trigger="every 2s"' in page
    # While the task runs, htmx is answered with the progress alone.
    schools_import_task.backend.store_result(
        school_import.task_id, {"done": 1, "total": 3}, "PROGRESS"
    )
    partial = admin.get(sent["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith("<section") and 'value="1" max="3"' in partial
    schools_import_task.apply(args=(school_import.pk,), task_id=school_import.task_id, throw=True)
    school_import.refresh_from_db()
    assert school_import.status == SchoolImport.Status.DONE
    assert School.objects.filter(code="880001").exists()
    # Done: what became of each row, and the page stops asking.
    page = admin.get(sent["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in page
    assert "880001" in page and "已创建" in page and "已存在" in page
    assert "BAD CODE" in page and "未创建" in page
    # The task run again leaves the finished import as it is.
    schools_import_task.apply(args=(school_import.pk,), task_id=school_import.task_id, throw=True)
    assert School.objects.filter(code="880001").count() == 1


def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(admin: Client) -> None:
    with tasks_queued() as queued:
        refused = _upload(admin, "名称\n某校\n".encode())
    assert refused.status_code == 400
    page = refused.content.decode()
    assert re.search(r'<p class="error" id="id_file_error">', page)
    assert queued == [] and not SchoolImport.objects.exists()


def test_the_home_page_shows_the_schools_still_onboarding(
    admin: Client, district_host: str
) -> None:
    school_create(code="880002", name="新建小学", kind="primary", actor=SETUP)
    page = admin.get("/").content.decode()
    assert "学校上线" in page and "尚无后勤主任的学校" in page
    listed = admin.get("/schools/?lacking=logistics_director").content.decode()
    assert "880002" in listed


# Accounts and roles -------------------------------------------------------------------------------


def test_the_centre_opens_a_schools_account_and_appoints_its_principal(
    admin: Client, school_a: School
) -> None:
    opened = admin.post(
        "/accounts/new/",
        {
            "username": "zhang.principal",
            "display_name": "张校长",
            "school": school_a.pk,
            "password": "Strong-pass-2026",
            "again": "Strong-pass-2026",
        },
    )
    assert opened.status_code == 302
    user = User.objects.get(username="zhang.principal")
    assert user.school == school_a
    # A school's role without its school: refused next to the role.
    refused = admin.post(f"/accounts/{user.pk}/roles/", {"role": R.PRINCIPAL.value})
    assert refused.status_code == 400
    assert re.search(r'id="id_role_error"', refused.content.decode())
    granted = admin.post(
        f"/accounts/{user.pk}/roles/", {"role": R.PRINCIPAL.value, "school": school_a.pk}
    )
    assert granted.status_code == 302
    assert Membership.objects.for_school(school_a).filter(user=user, role="principal").exists()
    assert "校长" in admin.get(f"/accounts/{user.pk}/").content.decode()


def test_a_director_delegates_what_they_hold_and_is_refused_next_to_the_role(
    school_a: School,
) -> None:
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    client = signed_in(school_host(school_a.code), director)
    cook = make_user(school=school_a)
    refused = client.post(f"/accounts/{cook.pk}/roles/", {"role": R.PRINCIPAL.value})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert re.search(r'<p class="error" id="id_role_error">[^<]*校长', page)
    assert not Membership.objects.for_school(school_a).filter(user=cook).exists()
    assert client.post(
        f"/accounts/{cook.pk}/roles/", {"role": R.CANTEEN_MANAGER.value}
    ).status_code == (302)
    membership = Membership.objects.for_school(school_a).get(user=cook)
    # The user's page takes it away again, asking first.
    page = client.get(f"/accounts/{cook.pk}/").content.decode()
    assert f'action="/accounts/roles/{membership.pk}/revoke/"' in page
    taken = client.post(f"/accounts/roles/{membership.pk}/revoke/", {"once": once_key(page)})
    assert taken.status_code == 302
    assert not Membership.objects.for_school(school_a).filter(user=cook).exists()


def test_a_director_cannot_take_the_principals_role_away(school_a: School) -> None:
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    principal = _member(R.PRINCIPAL, school_a)
    membership = Membership.objects.for_school(school_a).get(user=principal)
    client = signed_in(school_host(school_a.code), director)
    refused = client.post(f"/accounts/roles/{membership.pk}/revoke/", {"once": "r" * 24})
    assert refused.status_code == 400
    assert "校长" in refused.content.decode()
    assert Membership.objects.for_school(school_a).filter(pk=membership.pk).exists()


@pytest.mark.parametrize(("role", "allowed"), [(R.CANTEEN_MANAGER, True), (R.PRINCIPAL, False)])
def test_a_director_sets_a_new_password_for_whom_they_appoint(
    school_a: School, role: Role, allowed: bool
) -> None:
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    user = _member(role, school_a)
    client = signed_in(school_host(school_a.code), director)
    assert "设置新密码" in client.get(f"/accounts/{user.pk}/").content.decode()
    sent = client.post(
        f"/accounts/{user.pk}/password/",
        {"password": "Lost-and-found-2026", "again": "Lost-and-found-2026"},
    )
    user.refresh_from_db()
    if allowed:
        assert sent.status_code == 302
        assert user.check_password("Lost-and-found-2026")
    else:
        assert sent.status_code == 400
        assert "区中心" in sent.content.decode()
        assert user.check_password(PASSWORD)


def test_nobody_sets_their_own_password_on_the_account_page(
    admin: Client, district_host: str
) -> None:
    me = User.objects.get(pk=admin.session["_auth_user_id"])
    page = admin.get(f"/accounts/{me.pk}/").content.decode()
    assert f"/accounts/{me.pk}/password/" not in page
    refused = admin.post(
        f"/accounts/{me.pk}/password/", {"password": "Mine-alone-2026", "again": "Mine-alone-2026"}
    )
    assert refused.status_code == 400
    me.refresh_from_db()
    assert me.check_password(PASSWORD)


def test_the_accounts_list_costs_the_same_however_many_accounts(
    admin: Client, school_a: School
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get("/accounts/").status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        _member(R.STAFF, school_a)
    assert count() == few
