"""The school's people register, through Django's test client: the lists with the API's filters,
national ID numbers masked everywhere, the logged unmasked read for those allowed, and the
register imported from a spreadsheet with a report per row."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.roles import DISTRICT_ROLES, Role
from shared_apps.accounts.models import User
from shared_apps.audit.models import SecurityEvent
from tenant_apps.people.models import ClassTeacher, StaffMember, Student, school_year_of
from tenants.models import School
from tests.factories import user_with_role
from tests.matrix.people import make_student, national_id_for
from tests.web import form_key, once_key, page, signed_in

pytestmark = pytest.mark.django_db
R = Role


def _browser(school: School, role: Role) -> tuple[Client, User]:
    user = user_with_role(role, None if role in DISTRICT_ROLES else school)
    return signed_in(school, user), user


def _reads(school: School) -> int:
    return (
        SecurityEvent.objects.for_school(school)
        .filter(kind=SecurityEvent.Kind.PERSONAL_DATA_READ)
        .count()
    )


def test_the_register_filters_and_shows_every_number_masked(school_a: School) -> None:
    number = national_id_for(901, born="20150301")
    make_student(school_a.schema_name, name="李明", grade=3, national_id=number)
    make_student(school_a.schema_name, name="王芳", grade=5)
    client, _user = _browser(school_a, R.PRINCIPAL)
    page = client.get("/people/students/?grade=3").content.decode()
    assert "李明" in page and "王芳" not in page
    assert number not in page and number[:6] + "********" in page
    # The Excel export of the same rows is the API's.
    assert "/api/v1/students/export/?format=xlsx&amp;grade=3" in page
    # The principal reads the register, never a number unmasked.
    assert "显示完整号码" not in page


def test_the_register_costs_the_same_however_many_students(school_a: School) -> None:
    client, _user = _browser(school_a, R.LOGISTICS_DIRECTOR)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/people/students/").status_code == 200
        return len(queries)

    make_student(school_a.schema_name)
    count()  # the host is resolved once, then cached
    few = count()
    for _ in range(5):
        make_student(school_a.schema_name)
    assert count() == few


def test_the_director_reads_one_number_unmasked_and_the_read_is_recorded(
    school_a: School,
) -> None:
    number = national_id_for(902, born="20150301")
    student = make_student(school_a.schema_name, national_id=number)
    client, director = _browser(school_a, R.LOGISTICS_DIRECTOR)
    page = client.get(f"/people/students/{student.pk}/").content.decode()
    assert number not in page and "显示完整号码" in page and "hx-confirm" in page
    # Asked first (no read yet), then shown in place of the masked form.
    url = f"/people/students/{student.pk}/national-id/"
    before = _reads(school_a)
    assert number not in client.get(url).content.decode()
    assert _reads(school_a) == before
    shown = client.post(url, headers={"HX-Request": "true"})
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert number in shown.content.decode()
    event = (
        SecurityEvent.objects.for_school(school_a)
        .filter(kind=SecurityEvent.Kind.PERSONAL_DATA_READ)
        .latest("id")
    )
    assert event.user_id == director.pk and event.detail["student_id"] == student.pk
    assert _reads(school_a) == before + 1


@pytest.mark.parametrize("role", [R.PRINCIPAL, R.CANTEEN_MANAGER, R.AUDITOR])
def test_others_read_no_number_unmasked(school_a: School, role: Role) -> None:
    number = national_id_for(903, born="20150301")
    student = make_student(school_a.schema_name, national_id=number)
    client, _user = _browser(school_a, role)
    before = _reads(school_a)
    refused = client.post(f"/people/students/{student.pk}/national-id/")
    assert refused.status_code == 404 and number not in refused.content.decode()
    assert _reads(school_a) == before


def _register(*lines: str) -> SimpleUploadedFile:
    content = "\n".join(["学籍号,姓名,性别,年级,班级", *lines]).encode()
    return SimpleUploadedFile("register.csv", content)


def test_a_register_with_a_bad_row_saves_nothing_and_says_which_row(school_a: School) -> None:
    client, _user = _browser(school_a, R.LOGISTICS_DIRECTOR)
    sent = client.post(
        "/people/students/import/",
        {"file": _register("S0000101,赵一,男,3,2班", "S0000102,钱二,未知,3,2班")},
    )
    assert sent.status_code == 400
    page = sent.content.decode()
    assert "1 行有问题" in page
    assert re.search(r'<td data-label="行号" class="num">3</td>', page)
    with schema_context(school_a.schema_name):
        assert not Student.objects.filter(student_number__in=["S0000101", "S0000102"]).exists()


def test_a_correct_register_is_saved_with_a_report_per_row(school_a: School) -> None:
    client, _user = _browser(school_a, R.LOGISTICS_DIRECTOR)
    checked = client.post(
        "/people/students/import/",
        {"file": _register("S0000201,孙三,女,2,1班"), "dry_run": "on"},
    )
    assert checked.status_code == 200 and "仅作检查" in checked.content.decode()
    with schema_context(school_a.schema_name):
        assert not Student.objects.filter(student_number="S0000201").exists()
    saved = client.post("/people/students/import/", {"file": _register("S0000201,孙三,女,2,1班")})
    assert saved.status_code == 200
    page = saved.content.decode()
    assert "学籍名册已保存" in page and "已添加" in page
    with schema_context(school_a.schema_name):
        assert Student.objects.get(student_number="S0000201").name == "孙三"


def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(school_a: School) -> None:
    client, _user = _browser(school_a, R.LOGISTICS_DIRECTOR)
    sent = client.post(
        "/people/students/import/",
        {"file": SimpleUploadedFile("register.pdf", b"%PDF-1.4")},
    )
    assert sent.status_code == 400
    assert 'id="id_file_error"' in sent.content.decode()


def test_the_staff_list_filters_by_position(school_a: School) -> None:
    with schema_context(school_a.schema_name):
        StaffMember.objects.create(name="周厨师", position=StaffMember.Position.COOK)
        StaffMember.objects.create(name="吴司机", position=StaffMember.Position.DRIVER)
    client, _user = _browser(school_a, R.PRINCIPAL)
    page = client.get("/people/staff/?position=cook").content.decode()
    assert "周厨师" in page and "吴司机" not in page


def test_the_director_names_and_ends_a_class_teacher_and_the_principal_reads(
    school_a: School,
) -> None:
    client, _director = _browser(school_a, R.LOGISTICS_DIRECTOR)
    teacher = user_with_role(R.STAFF, school_a, display_name="周老师")
    pupil = user_with_role(R.STUDENT, school_a)
    year = school_year_of(timezone.localdate())
    form = page(client, "/people/class-teachers/assign/")
    # Only the school's staff are offered: never a pupil's account.
    assert "周老师" in form and pupil.username not in form
    fields = {"user": teacher.pk, "school_year": year, "grade": 4, "class_name": "2班"}
    named = client.post("/people/class-teachers/assign/", {**fields, "once": once_key(form)})
    assert named.status_code == 302 and named["Location"] == "/people/class-teachers/"
    with schema_context(school_a.schema_name):
        taught = ClassTeacher.objects.get(user=teacher)
    assert (taught.school_year, taught.grade, taught.class_name) == (year, 4, "2班")
    listed = page(client, "/people/class-teachers/")
    assert "周老师" in listed and f"/people/class-teachers/{taught.pk}/end/" in listed

    # A class has one class teacher a year: said on the form, nothing saved.
    other = user_with_role(R.STAFF, school_a)
    again = client.post(
        "/people/class-teachers/assign/",
        {**fields, "user": other.pk, "once": form_key(client, "/people/class-teachers/assign/")},
    )
    assert again.status_code == 400 and "该班级本学年已有班主任" in again.content.decode()

    principal, _user = _browser(school_a, R.PRINCIPAL)
    read = page(principal, "/people/class-teachers/")
    assert "周老师" in read and "/end/" not in read and "/assign/" not in read
    assert principal.get("/people/class-teachers/assign/").status_code == 404

    end = f"/people/class-teachers/{taught.pk}/end/"
    ended = client.post(end, {"once": form_key(client, end)})
    assert ended.status_code == 302
    with schema_context(school_a.schema_name):
        assert not ClassTeacher.objects.filter(user=teacher).exists()
    assert client.get(end).status_code == 404
