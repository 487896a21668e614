"""The student register: national ID numbers checked, encrypted, found by keyed hash, shown
masked and read unmasked only by those allowed, each read logged; imports all-or-nothing with a
per-row report; subsidy eligibility periods that never overlap; the staff list."""

import base64
import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.test.utils import override_settings
from django_tenants.utils import schema_context

from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.audit.models import Change, SecurityEvent
from shared_apps.subsidies.models import ProgrammeCode
from tenant_apps.people import national_id, register, selectors
from tenant_apps.people.models import (
    OVERLAP_CONSTRAINT,
    StaffMember,
    Student,
    SubsidyEligibility,
)
from tenant_apps.people.services.eligibility import subsidy_eligibility_create
from tenants.models import School
from tenants.routing import school_host
from tests.conftest import SCHOOL_A, HostClient
from tests.factories import SETUP, programme_row, user_with_role
from tests.matrix.people import make_student, national_id_for

R = Role
STUDENTS = "/api/v1/students/"
IMPORT = "/api/v1/students/import/"
EXPORT = "/api/v1/students/export/"
ELIGIBILITY = "/api/v1/eligibility/"
NUTRITION = ProgrammeCode.NUTRITION_IMPROVEMENT
BOARDING = ProgrammeCode.BOARDING_LIVING
HEADER = "学籍号,姓名,性别,年级,班级,寄宿,身份证号,补助资格,资格原因,资格起始,资格截止"
# The example of GB 11643-1999 itself, and a number made by the same rule.
KNOWN_VALID = ["11010519491231002X", national_id_for(1)]


def _nothing_in(school: School) -> int:
    with schema_context(school.schema_name):
        return Student.objects.count() + SubsidyEligibility.objects.count()


def _reads() -> int:
    return (
        SecurityEvent.objects.across_schools()
        .filter(kind=SecurityEvent.Kind.PERSONAL_DATA_READ)
        .count()
    )


# National ID numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_published_examples_are_valid(number: str) -> None:
    assert national_id.validate(number) == number
    assert national_id.check_character(number[:17]) == number[17]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105194912310021", "bad_check_digit"),  # the example with its X changed
        ("440524188001010014", "bad_birth_date"),  # a valid check digit, but born in 1880
        ("11010519491231002", "wrong_length"),
        ("11010519491231002XX", "wrong_length"),
        ("1101051949123100AX", "bad_characters"),
        ("110105194902300020", "bad_birth_date"),  # 30 February
        ("110105209912310028", "bad_birth_date"),  # not born yet
        ("000105194912310021", "unknown_region"),
        ("1.10105194912E+17", "stored_as_number"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(national_id.InvalidNationalId) as refused:
        national_id.validate(raw, today=date(2026, 6, 1))
    assert refused.value.code == code
    assert refused.value.message


def test_a_birth_date_is_checked_against_the_schools_day_not_the_servers() -> None:
    """At 23:30 UTC it is already 07:30 the next morning in Asia/Shanghai: a child born that
    morning has a valid number, one born the day after has not (whatever the server's clock and
    time zone, and far from today, so that no real date can stand in)."""
    utc_evening = datetime(2090, 6, 1, 23, 30, tzinfo=UTC)
    born_this_morning = national_id_for(7, born="20900602")
    with mock.patch("django.utils.timezone.now", return_value=utc_evening):
        assert national_id.validate(born_this_morning) == born_this_morning
        assert national_id.is_valid(born_this_morning)
        with pytest.raises(national_id.InvalidNationalId) as refused:
            national_id.validate(national_id_for(7, born="20900603"))
    assert refused.value.code == "bad_birth_date"


def test_numbers_are_normalized_before_checking() -> None:
    assert national_id.validate(" 11010519491231002x ") == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert national_id.validate(full_width) == "11010519491231002X"
    assert national_id.mask("11010519491231002X") == "110105********002X"


def test_ciphertext_never_holds_the_number_and_opens_again() -> None:
    number = KNOWN_VALID[0]
    first, second = national_id.encrypt(number), national_id.encrypt(number)
    assert first != second  # a fresh nonce each time: equal numbers do not look equal
    for blob in (first, second):
        assert number.encode() not in blob
        assert number[:17].encode() not in blob
        assert number.encode() not in base64.b64encode(blob)
        assert national_id.decrypt(blob) == number
    tampered = first[:-1] + bytes([first[-1] ^ 1])
    with pytest.raises(ValueError):
        national_id.decrypt(tampered)


def test_keys_come_from_student_id_key_and_differ_by_use() -> None:
    number = KNOWN_VALID[1]
    first_hash, first_blob = national_id.lookup_hash(number), national_id.encrypt(number)
    assert len(first_hash) == 64 and number not in first_hash
    assert national_id.lookup_hash(number) == first_hash  # deterministic: a look-up key
    key = base64.b64encode(bytes(range(32))).decode()
    with override_settings(STUDENT_ID_KEY=key):
        assert national_id.lookup_hash(number) != first_hash
        with pytest.raises(ValueError):
            national_id.decrypt(first_blob)  # another key does not open it
        assert national_id.decrypt(national_id.encrypt(number)) == number
    with override_settings(STUDENT_ID_KEY="not base64!"), pytest.raises(ImproperlyConfigured):
        national_id.check_keys()
    short = base64.b64encode(b"short").decode()
    with override_settings(STUDENT_ID_KEY=short), pytest.raises(ImproperlyConfigured):
        national_id.check_keys()
    # No key, no fallback, whatever the settings module: nothing is derived from SECRET_KEY.
    with override_settings(STUDENT_ID_KEY=""), pytest.raises(ImproperlyConfigured):
        national_id.check_keys()


def test_stored_row_and_audit_trail_hold_no_clear_number(school_a, client_for) -> None:
    number = national_id_for(101)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    created = director.post(
        STUDENTS,
        {
            "student_number": "S0001",
            "name": "张小明",
            "gender": "male",
            "grade": 3,
            "national_id": number,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["national_id_masked"] == national_id.mask(number)
    assert number not in created.content.decode()
    with schema_context(school_a.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id_ciphertext, national_id_hash, national_id_masked, "
            "row_to_json(s)::text FROM people_student s WHERE student_number = 'S0001'"
        )
        ciphertext, hash_, masked, whole_row = cursor.fetchone()
    assert number.encode() not in bytes(ciphertext)
    assert number not in hash_ and number not in whole_row
    assert masked == national_id.mask(number)
    trail = (
        Change.objects.across_schools()
        .filter(schema_name=school_a.schema_name, table_name="people_student")
        .latest("id")
    )
    assert trail.after is not None
    assert "national_id_ciphertext" not in trail.after
    assert "national_id_hash" not in trail.after
    assert trail.after["national_id_masked"] == national_id.mask(number)
    assert number not in json.dumps(trail.after)


# Finding by number -------------------------------------------------------------------------------


def test_look_up_by_national_id_uses_the_keyed_hash(school_a, in_school) -> None:
    # Who may look up, through which operation, and how it is logged and limited:
    # tests/test_national_id_oracle.py.
    number = national_id_for(7)
    student = make_student(school_a.schema_name, national_id=number)
    make_student(school_a.schema_name)
    with in_school(school_a):
        assert selectors.student_get_by_national_id(number) == student
        assert selectors.student_get_by_national_id(national_id_for(8)) is None
        assert selectors.student_get_by_national_id("not a number") is None


# Masked for those who don't need the number ------------------------------------------------------


@pytest.mark.parametrize("role", [R.PRINCIPAL, R.CANTEEN_MANAGER, R.AUDITOR])
def test_list_detail_and_export_are_masked(role, school_a, client_for) -> None:
    number = national_id_for(21)
    student = make_student(school_a.schema_name, national_id=number)
    client = client_for(school_a, role)
    reads = _reads()
    listed = client.get(STUDENTS)
    detail = client.get(f"{STUDENTS}{student.pk}/")
    exported = client.get(EXPORT)
    as_csv = client.get(EXPORT, {"format": "csv"})
    as_xlsx = client.get(EXPORT, {"format": "xlsx"})
    for response in (listed, detail, exported, as_csv, as_xlsx):
        assert response.status_code == 200, response.content[:300]
        assert number.encode() not in response.content
    assert detail.json()["national_id_masked"] == national_id.mask(number)
    row = next(r for r in exported.json()["results"] if r["id"] == student.pk)
    assert row["national_id"] is None and row["national_id_masked"] == national_id.mask(number)
    assert as_csv["Content-Type"].startswith("text/csv")
    assert national_id.mask(number) in as_csv.content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0]
    cells = [str(c) for line in sheet.iter_rows(values_only=True) for c in line]
    assert national_id.mask(number) in cells and number not in cells
    # Asking for the clear numbers without the permission is refused, and nothing is logged.
    refused = client.get(EXPORT, {"format": "csv", "unmasked": "true"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["error"]["status"] == 403
    assert _reads() == reads


def test_an_export_in_an_unknown_format_is_bad_input(school_a, client_for) -> None:
    response = client_for(school_a, R.PRINCIPAL).get(EXPORT, {"format": "pdf"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "csv" in response.json()["error"]["fields"]["format"][0]


# Unmasked for the logistics director, every read logged ------------------------------------------


def test_unmasking_is_for_the_director_and_each_read_is_logged(school_a, client_for) -> None:
    number = national_id_for(33)
    student = make_student(school_a.schema_name, national_id=number)
    url = f"{STUDENTS}{student.pk}/national-id/"
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    before = _reads()
    for _attempt in range(2):
        response = director.get(url)
        assert response.status_code == 200, response.content
        assert response.json() == {
            "student_id": student.pk,
            "student_number": student.student_number,
            "national_id": number,
        }
        assert response["Cache-Control"] == "no-store"
    events = list(
        SecurityEvent.objects.across_schools()
        .filter(kind=SecurityEvent.Kind.PERSONAL_DATA_READ)
        .order_by("id")
    )[before:]
    assert len(events) == 2
    for event in events:
        assert event.user_id == director.user.pk
        assert event.schema_name == school_a.schema_name
        assert event.detail["student_id"] == student.pk
        assert event.detail["school"] == school_a.code
        assert number not in json.dumps(event.detail)
    # No number on record: nothing to read, nothing logged.
    blank = make_student(school_a.schema_name, national_id="")
    response = director.get(f"{STUDENTS}{blank.pk}/national-id/")
    assert response.status_code == 200 and response.json()["national_id"] is None
    assert _reads() == before + 2


@pytest.mark.parametrize(
    "who", [R.PRINCIPAL, R.CANTEEN_MANAGER, R.ACCOUNTANT, R.AUDITOR, "outsider", "anonymous"]
)
def test_nobody_else_unmasks_and_a_refusal_logs_nothing(who, school_a, school_b, client_for):
    student = make_student(school_a.schema_name)
    if who == "outsider":
        client = client_for(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_b))
    elif who == "anonymous":
        client = client_for(school_a, None)
    else:
        client = client_for(school_a, who)
    before = _reads()
    response = client.get(f"{STUDENTS}{student.pk}/national-id/")
    assert response.status_code == (401 if who == "anonymous" else 404)
    assert _reads() == before


def test_director_export_with_clear_numbers_is_logged_once_with_the_count(school_a, client_for):
    numbers = [national_id_for(40 + i) for i in range(3)]
    for number in numbers:
        make_student(school_a.schema_name, national_id=number)
    make_student(school_a.schema_name, national_id="")  # none on record: not counted
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    masked = director.get(EXPORT, {"format": "csv"})
    assert all(number.encode() not in masked.content for number in numbers)
    before = _reads()
    response = director.get(EXPORT, {"format": "xlsx", "unmasked": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == tuple(register.EXPORT_HEADERS)
    ids = {line[6] for line in lines[1:]}
    assert set(numbers) <= ids
    events = SecurityEvent.objects.across_schools().filter(
        kind=SecurityEvent.Kind.PERSONAL_DATA_READ
    )
    assert events.count() == before + 1
    event = events.latest("id")
    assert event.detail["count"] == 3 and event.detail["via"] == "export"
    assert event.detail["school"] == school_a.code


def test_admin_never_shows_the_clear_number(school_a) -> None:
    number = national_id_for(55)
    student = make_student(school_a.schema_name, national_id=number)
    user = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    client = Client(HTTP_HOST=school_host(school_a.code))
    client.force_login(user)
    for url in ("/admin/people/student/", f"/admin/people/student/{student.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert number not in response.content.decode()
        assert national_id.mask(number) in response.content.decode()


# Importing the register --------------------------------------------------------------------------


def _upload(client: HostClient, content: bytes, name: str = "students.csv", **extra: Any) -> Any:
    return client.post(
        IMPORT, {"file": SimpleUploadedFile(name, content), **extra}, format="multipart"
    )


def _csv(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def director(school_a: School, client_for: Callable[..., HostClient]) -> HostClient:
    return client_for(school_a, R.LOGISTICS_DIRECTOR)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_import_in_utf8_or_gbk(encoding, director, school_a, in_school) -> None:
    content = _csv(
        HEADER,
        f"S1001,张小明,男,三年级,3班,是,{national_id_for(1)},营养改善计划,低保,2025-09-01,",
        "S1002,李小红,女,初一,1班,否,,,,,",
        encoding=encoding,
    )
    response = _upload(director, content)
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["saved"], report["created"], report["errors"]) == (True, 2, 0)
    assert [(r["row"], r["student_number"], r["status"]) for r in report["rows"]] == [
        (2, "S1001", "created"),
        (3, "S1002", "created"),
    ]
    with in_school(school_a):
        first = Student.objects.get(student_number="S1001")
        second = Student.objects.get(student_number="S1002")
        assert (first.name, first.gender, first.grade, first.class_name, first.boarding) == (
            "张小明",
            "male",
            3,
            "3班",
            True,
        )
        assert first.national_id_masked == national_id.mask(national_id_for(1))
        assert (second.name, second.grade, second.national_id_masked) == ("李小红", 7, "")
        period = first.eligibilities.get()
        assert (period.programme.code, period.reason, period.valid_from, period.valid_to) == (
            NUTRITION,
            "minimum_living",
            date(2025, 9, 1),
            None,
        )


def test_xlsx_import_with_english_headers(director, school_a, in_school) -> None:
    content = _xlsx(
        [
            ["student_number", "name", "gender", "grade", "class", "national_id", "notes"],
            [2024001, "王小刚", "男", 6, "6(2)班", national_id_for(2), "ignored"],
            [None, None, None, None, None, None, None],
            ["2024002", "赵小丽", "F", "高三", "", None, None],
        ]
    )
    response = _upload(director, content, "register.xlsx")
    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert [(r["row"], r["student_number"], r["status"]) for r in rows] == [
        (2, "2024001", "created"),
        (4, "2024002", "created"),
    ]
    with in_school(school_a):
        assert Student.objects.get(student_number="2024002").grade == 12


def test_xlsx_cells_as_excel_types_them(director, school_a, in_school) -> None:
    header = HEADER.split(",")
    dated = ["S8001", "张三", "男", 3, "1班", True, None, "营养改善计划", "低保"]
    # A spreadsheet's date cell holds no time zone.
    enrolled = datetime(2025, 9, 1)  # noqa: DTZ001
    response = _upload(director, _xlsx([header, [*dated, enrolled, None]]), "r.xlsx")
    assert response.status_code == 200, response.content
    with in_school(school_a):
        period = Student.objects.get(student_number="S8001").eligibilities.get()
        assert period.valid_from == date(2025, 9, 1)
    # An ID number typed as a number has lost its last digits by the time Excel saves it.
    as_number = ["S8002", "李四", "女", 3, "1班", "否", float(national_id_for(11))]
    refused = _upload(director, _xlsx([header[:7], as_number]), "r.xlsx")
    assert refused.status_code == 400
    rows = refused.json()["error"]["fields"]["rows"]
    assert rows[0]["reasons"] == ["national_id_stored_as_number"]


def test_any_row_error_saves_nothing_and_each_row_says_why(director, school_a) -> None:
    before, trail = _nothing_in(school_a), Change.objects.across_schools().count()
    bad_check = national_id_for(3)[:-1] + ("0" if national_id_for(3)[-1] != "0" else "1")
    content = _csv(
        HEADER,
        f"S2001,好学生,男,3,1班,否,{national_id_for(4)},,,,",  # fine on its own
        "S2002,重复甲,男,3,1班,否,,,,,",
        "S2002,重复乙,女,3,1班,否,,,,,",
        f"S2003,校验错,女,3,1班,否,{bad_check},,,,",
        "S2004,年级错,男,十三年级,1班,否,,,,,",
        "S2005,日期错,女,3,1班,否,,营养改善计划,低保,2025-02-30,",
        "S2006,倒序,男,3,1班,否,,营养改善计划,低保,2025-09-01,2025-08-31",
        "S2007,未知资格,男,3,1班,否,,午餐补助,低保,2025-09-01,",
        "S2008,性别错,X,3,1班,否,,,,,",
    )
    response = _upload(director, content)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert any(words in error["message"] for words in ("nothing was saved", "未保存", "没有保存"))
    by_row = {r["row"]: r for r in error["fields"]["rows"]}
    assert 2 not in by_row  # the good row is not an error: it is just not saved
    assert by_row[3]["reasons"] == ["duplicate_in_file"] == by_row[4]["reasons"]
    assert by_row[5]["reasons"] == ["national_id_bad_check_digit"]
    assert by_row[6]["reasons"] == ["unknown_grade"]
    assert by_row[7]["reasons"] == ["invalid_valid_from"]
    assert by_row[8]["reasons"] == ["valid_to_before_valid_from"]
    assert by_row[9]["reasons"] == ["unknown_programme"]
    assert by_row[10]["reasons"] == ["unknown_gender"]
    assert all(r["status"] == "error" and r["messages"] for r in by_row.values())
    assert _nothing_in(school_a) == before
    assert Change.objects.across_schools().count() == trail


def test_reimport_upserts_by_student_number(director, school_a, in_school) -> None:
    number = national_id_for(5)
    first = _csv(
        HEADER,
        f"S3001,张三,男,3,1班,否,{number},营养改善计划,农村义务教育,2025-09-01,",
        "S3002,李四,女,3,1班,否,,,,,",
    )
    assert _upload(director, first).status_code == 200
    # The export, edited and imported again: the masked number and the same period change
    # nothing; an empty number keeps the one on record.
    exported = director.get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    assert national_id.mask(number) in exported
    again = _csv(
        HEADER,
        f"S3001,张三,男,3,1班,否,{national_id.mask(number)},营养改善计划,农村义务教育,2025-09-01,",
        "S3002,李四,女,4,2班,否,,,,,",
        "S3003,王五,男,1,1班,否,,,,,",
    )
    response = _upload(director, again)
    assert response.status_code == 200, response.content
    statuses = [(r["student_number"], r["status"]) for r in response.json()["rows"]]
    assert statuses == [("S3001", "unchanged"), ("S3002", "updated"), ("S3003", "created")]
    with in_school(school_a):
        assert Student.objects.get(student_number="S3002").grade == 4
        kept = Student.objects.get(student_number="S3001")
        assert kept.national_id_hash == national_id.lookup_hash(number)
        assert kept.eligibilities.count() == 1


def test_import_refuses_what_the_register_contradicts(director, school_a, in_school) -> None:
    number = national_id_for(6)
    make_student(school_a.schema_name, student_number="S4000", national_id=number)
    held = make_student(school_a.schema_name, student_number="S4001", grade=11)
    with in_school(school_a):
        SubsidyEligibility.objects.create(
            student=held,
            programme=programme_row(BOARDING),
            reason="orphan",
            valid_from=date(2025, 9, 1),
        )
    before = _nothing_in(school_a)
    content = _csv(
        HEADER,
        f"S4002,冒用,男,3,1班,否,{number},,,,",  # the number of student S4000
        f"G{national_id_for(9)},学籍号含身份证,女,3,1班,否,,,,,",
        "S4001,已有资格,男,11,1班,是,,寄宿生生活补助,孤儿,2026-01-01,",  # overlaps
        "S4003,高中生,女,10,1班,否,,营养改善计划,低保,2025-09-01,",  # not compulsory
        "S4004,走读生,男,5,1班,否,,寄宿生生活补助,低保,2025-09-01,",  # not boarding
        f"S4005,掩码,女,3,1班,否,{national_id.mask(number)},,,,",  # a mask, not on record
    )
    response = _upload(director, content)
    assert response.status_code == 400
    reasons = {
        r["student_number"]: r["reasons"] for r in response.json()["error"]["fields"]["rows"]
    }
    assert reasons == {
        "S4002": ["duplicate_national_id"],
        f"G{national_id_for(9)}": ["student_number_contains_national_id"],
        "S4001": ["eligibility_overlap"],
        "S4003": ["ineligible_grade"],
        "S4004": ["ineligible_not_boarding"],
        "S4005": ["national_id_masked"],
    }
    assert _nothing_in(school_a) == before


def test_a_dry_run_reports_and_saves_nothing(director, school_a) -> None:
    before = _nothing_in(school_a)
    response = _upload(director, _csv(HEADER, "S5001,张三,男,3,1班,否,,,,,"), dry_run="true")
    assert response.status_code == 200
    assert response.json()["saved"] is False and response.json()["created"] == 1
    assert _nothing_in(school_a) == before


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("students.xls", b"\xd0\xcf\x11\xe0", "unsupported_file"),
        ("students.csv", b"\xff\xfe\xff" * 10, "unreadable_file"),
        ("students.csv", _xlsx([["学籍号"]]), "unreadable_file"),  # a workbook named .csv
        ("students.xlsx", b"PK\x03\x04 not really a zip", "unreadable_file"),
        ("students.csv", _csv("姓名,性别", "张三,男"), "missing_columns"),
        ("students.csv", _csv("学籍号,学籍号,姓名,性别,年级"), "duplicate_column"),
        ("students.csv", _csv("学籍号,姓名,性别,年级"), "no_rows"),
        ("students.csv", b"", "invalid"),  # refused before reading: the upload is empty
    ],
    # Named, not shown: a workbook carries the second it was made, and every worker of a
    # parallel run must collect the same tests.
    ids=[
        "xls",
        "csv-not-text",
        "xlsx-named-csv",
        "xlsx-not-zip",
        "missing-columns",
        "duplicate-column",
        "no-rows",
        "empty",
    ],
)
def test_unusable_files_are_refused_whole(name, content, code, director, school_a) -> None:
    before = _nothing_in(school_a)
    response = _upload(director, content, name)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert _nothing_in(school_a) == before


def test_oversized_files_and_too_many_rows_are_refused(director, monkeypatch) -> None:
    monkeypatch.setattr(register, "MAX_FILE_BYTES", 100)
    big = _csv(HEADER, *[f"S{i},张三,男,3,1班,否,,,,," for i in range(10)])
    assert _upload(director, big).json()["error"]["code"] == "file_too_large"
    monkeypatch.setattr(register, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    rows = register.read_student_rows(io.BytesIO(big), "s.csv", max_rows=10)
    assert len(rows) == 10
    with pytest.raises(InvalidInput) as refused:
        register.read_student_rows(io.BytesIO(big), "s.csv", max_rows=9)
    assert refused.value.code == "too_many_rows"


def test_only_the_director_imports(school_a, client_for) -> None:
    content = _csv(HEADER, "S6001,张三,男,3,1班,否,,,,,")
    for role in (R.PRINCIPAL, R.CANTEEN_MANAGER, R.AUDITOR):
        assert _upload(client_for(school_a, role), content).status_code == 403


# Subsidy eligibility -----------------------------------------------------------------------------


def _period(client: HostClient, student: Student, **values: Any) -> Any:
    body = {"student": student.pk, "programme": NUTRITION, "reason": "minimum_living", **values}
    return client.post(ELIGIBILITY, body, format="json")


def test_overlapping_periods_are_refused(director, school_a) -> None:
    student = make_student(school_a.schema_name, grade=4, boarding=True)
    first = _period(director, student, valid_from="2025-09-01", valid_to="2026-01-31")
    assert first.status_code == 201, first.content
    for start, end in [("2026-01-31", None), ("2025-06-01", "2025-09-01"), ("2025-10-01", None)]:
        clash = _period(director, student, valid_from=start, valid_to=end)
        assert clash.status_code == 409, (start, end, clash.content)
        assert clash.json()["error"]["code"] == "eligibility_overlap"
    # The day after, or another programme, is fine.
    assert _period(director, student, valid_from="2026-02-01").status_code == 201
    other = _period(director, student, programme=BOARDING, valid_from="2025-09-01")
    assert other.status_code == 201
    # Ending the open period; ending the first one later than the next starts is refused.
    first_id = first.json()["id"]
    ended = director.patch(f"{ELIGIBILITY}{other.json()['id']}/", {"valid_to": "2026-06-30"})
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2026-06-30"
    stretched = director.patch(f"{ELIGIBILITY}{first_id}/", {"valid_to": "2026-03-01"})
    assert stretched.status_code == 409
    before_start = director.patch(f"{ELIGIBILITY}{first_id}/", {"valid_to": "2025-08-01"})
    assert before_start.status_code == 400


def test_the_database_refuses_overlaps_whatever_the_path(school_a, in_school) -> None:
    student = make_student(school_a.schema_name)
    names = {c.name for c in SubsidyEligibility._meta.constraints}
    assert OVERLAP_CONSTRAINT in names
    with in_school(school_a):
        SubsidyEligibility.objects.create(
            student=student,
            programme=programme_row(NUTRITION),
            reason="other",
            valid_from=date(2025, 9, 1),
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            SubsidyEligibility.objects.create(
                student=student,
                programme=programme_row(NUTRITION),
                reason="other",
                valid_from=date(2024, 1, 1),
                valid_to=date(2025, 9, 1),
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            SubsidyEligibility.objects.create(
                student=student,
                programme=programme_row(BOARDING),
                reason="other",
                valid_from=date(2025, 9, 2),
                valid_to=date(2025, 9, 1),
            )


@pytest.mark.parametrize(
    ("values", "grade", "boarding", "code"),
    [
        ({"valid_from": "2025-09-01"}, 10, False, "ineligible_grade"),
        ({"programme": BOARDING, "valid_from": "2025-09-01"}, 5, False, "ineligible_not_boarding"),
        (
            {"valid_from": "2025-09-01", "valid_to": "2025-08-01"},
            5,
            False,
            "valid_to_before_valid_from",
        ),
        ({"valid_from": "2020-09-01"}, 5, False, "before_enrolment"),
    ],
)
def test_ineligible_students_are_refused(values, grade, boarding, code, director, school_a):
    student = make_student(
        school_a.schema_name, grade=grade, boarding=boarding, enrolled_on=date(2021, 9, 1)
    )
    response = _period(director, student, **values)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code


def test_unknown_students_are_refused(director, school_b) -> None:
    in_b = make_student(school_b.schema_name)
    response = director.post(
        ELIGIBILITY,
        {"student": in_b.pk, "programme": NUTRITION, "reason": "other", "valid_from": "2025-09-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_student"


def test_a_student_who_leaves_has_eligibility_ended(director, school_a, in_school) -> None:
    student = make_student(school_a.schema_name)
    assert _period(director, student, valid_from="2025-09-01").status_code == 201
    response = director.patch(f"{STUDENTS}{student.pk}/", {"left_on": "2026-01-15"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["left_on"]) == ("left", "2026-01-15")
    with in_school(school_a):
        assert student.eligibilities.get().valid_to == date(2026, 1, 15)
        assert not selectors.students_eligible_on(date(2026, 1, 16)).filter(pk=student.pk)
        assert selectors.students_eligible_on(date(2026, 1, 15)).filter(pk=student.pk)
    again = _period(director, student, valid_from="2026-02-01")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "after_leaving"
    back = director.patch(f"{STUDENTS}{student.pk}/", {"left_on": None}, format="json")
    assert (back.json()["status"], back.json()["left_on"]) == ("active", None)
    assert _period(director, student, valid_from="2026-02-01").status_code == 201


def test_students_eligible_on_a_date(school_a, in_school, client_for) -> None:
    day = date(2026, 3, 2)
    schema = school_a.schema_name
    eligible, ended, left, boarding_only, never = (
        make_student(schema, boarding=True),
        make_student(schema),
        make_student(schema, status="left", left_on=date(2026, 2, 27)),
        make_student(schema, boarding=True),
        make_student(schema),
    )
    with in_school(school_a):
        make = SubsidyEligibility.objects.create
        make(
            student=eligible,
            programme=programme_row(NUTRITION),
            reason="other",
            valid_from=date(2025, 9, 1),
        )
        make(
            student=ended,
            programme=programme_row(NUTRITION),
            reason="other",
            valid_from=date(2025, 9, 1),
            valid_to=date(2026, 3, 1),
        )
        make(
            student=left,
            programme=programme_row(NUTRITION),
            reason="other",
            valid_from=date(2025, 9, 1),
            valid_to=date(2026, 2, 27),
        )
        make(
            student=boarding_only, programme=programme_row(BOARDING), reason="other", valid_from=day
        )
        assert set(selectors.students_eligible_on(day)) == {eligible, boarding_only}
        assert set(selectors.students_eligible_on(day, NUTRITION)) == {eligible}
        assert set(selectors.students_eligible_on(date(2026, 3, 1), NUTRITION)) == {
            eligible,
            ended,
        }
        assert selectors.eligibility_on(eligible, day, NUTRITION).get().valid_from == date(
            2025, 9, 1
        )
        assert not selectors.eligibility_on(never, day).exists()
    listed = client_for(school_a, R.PRINCIPAL).get(
        STUDENTS, {"eligible_on": day.isoformat(), "programme": NUTRITION}
    )
    assert [row["id"] for row in listed.json()["results"]] == [eligible.pk]


def _in_threads(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable on its own thread and database connection; their results or errors."""
    results: list[Any] = [None] * len(work)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread raised
            results[index] = exc
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def committed_student(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Student]:
    """A student committed in school A, for work on other connections; removed afterwards."""
    with django_db_blocker.unblock():
        school = School.objects.get(code=SCHOOL_A)
        student = make_student(school.schema_name, grade=5)
        try:
            yield student
        finally:
            with schema_context(school.schema_name):
                SubsidyEligibility.objects.filter(student=student).delete()
                Student.objects.filter(pk=student.pk).delete()


def test_concurrent_overlapping_periods_only_one_wins(committed_student) -> None:
    schema = f"s_{SCHOOL_A}"
    start = threading.Barrier(2)

    def create(valid_from: date) -> SubsidyEligibility:
        with schema_context(schema):
            start.wait(timeout=10)
            return subsidy_eligibility_create(
                student=committed_student,
                programme=programme_row(NUTRITION),
                reason="other",
                valid_from=valid_from,
                actor=SETUP,
            )

    results = _in_threads(lambda: create(date(2025, 9, 1)), lambda: create(date(2025, 10, 1)))
    assert sum(isinstance(r, SubsidyEligibility) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    with schema_context(schema):
        assert SubsidyEligibility.objects.filter(student=committed_student).count() == 1


def test_concurrent_inserts_bypassing_the_lock_meet_the_constraint(committed_student) -> None:
    schema = f"s_{SCHOOL_A}"
    inserted = threading.Barrier(2)

    def first() -> str:
        with schema_context(schema), transaction.atomic():
            SubsidyEligibility.objects.create(
                student=committed_student,
                programme=programme_row(NUTRITION),
                reason="other",
                valid_from=date(2025, 9, 1),
            )
            inserted.wait(timeout=10)  # still uncommitted when the second inserts
        return "committed"

    def second() -> str:
        inserted.wait(timeout=10)
        with schema_context(schema), transaction.atomic():
            SubsidyEligibility.objects.create(
                student=committed_student,
                programme=programme_row(NUTRITION),
                reason="other",
                valid_from=date(2026, 1, 1),
            )
        return "committed"

    results = _in_threads(first, second)
    assert results[0] == "committed"
    assert isinstance(results[1], IntegrityError), results
    assert OVERLAP_CONSTRAINT in str(results[1])


# Students and staff through the API --------------------------------------------------------------


def test_create_refuses_bad_and_duplicate_input(director, school_a) -> None:
    number = national_id_for(77)
    body = {"student_number": "S7001", "name": "张三", "gender": "male", "grade": 3}
    assert (
        director.post(STUDENTS, {**body, "national_id": number}, format="json").status_code == 201
    )
    again = director.post(STUDENTS, body, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_student_number"
    same_id = director.post(
        STUDENTS, {**body, "student_number": "S7002", "national_id": number}, format="json"
    )
    assert same_id.status_code == 409
    assert same_id.json()["error"]["code"] == "duplicate_national_id"
    bad_id = director.post(
        STUDENTS, {**body, "student_number": "S7003", "national_id": number[:-1]}, format="json"
    )
    assert bad_id.status_code == 400
    assert "national_id" in bad_id.json()["error"]["fields"]
    for grade in (0, 13):
        wrong = director.post(STUDENTS, {**body, "student_number": "S7004", "grade": grade})
        assert wrong.status_code == 400


def test_filters_and_search(school_a, client_for) -> None:
    schema = school_a.schema_name
    a = make_student(schema, name="陈一", grade=2, class_name="1班", boarding=True)
    make_student(schema, name="陈二", grade=3, class_name="1班")
    reader = client_for(school_a, R.CANTEEN_MANAGER)

    def ids(**params: Any) -> set[int]:
        response = reader.get(STUDENTS, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(grade=2, boarding="true") == {a.pk}
    assert ids(search="陈") >= {a.pk}
    assert ids(search=a.student_number) == {a.pk}
    assert reader.get(STUDENTS, {"grade": 13}).status_code == 400
    assert reader.get(STUDENTS, {"eligible_on": "20260101"}).status_code == 400


def test_staff_list(school_a, school_b, client_for) -> None:
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    cook = user_with_role(R.CANTEEN_MANAGER, school_a)
    created = director.post(
        "/api/v1/staff/",
        {"name": "刘师傅", "position": "cook", "phone": "13800138000", "username": cook.username},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["username"] == cook.username
    twice = director.post(
        "/api/v1/staff/", {"name": "又一个", "position": "cook", "username": cook.username}
    )
    assert twice.status_code == 409
    outsider = user_with_role(R.STAFF, school_b)
    refused = director.post(
        "/api/v1/staff/", {"name": "外校", "position": "cook", "username": outsider.username}
    )
    assert refused.status_code == 400
    # Only the school's own staff: not a student, a district officer or a supplier's account.
    for role, school in ((R.STUDENT, school_a), (R.FINANCE_OFFICER, None), (R.SUPPLIER, None)):
        account = user_with_role(role, school)
        refused = director.post(
            "/api/v1/staff/",
            {"name": "非本校职工", "position": "cook", "username": account.username},
        )
        assert refused.status_code == 400, role
    left = director.patch(f"/api/v1/staff/{created.json()['id']}/", {"active": False})
    assert left.status_code == 200 and left.json()["left_on"] is not None
    listed = client_for(school_a, R.PRINCIPAL).get("/api/v1/staff/").json()["results"]
    assert [row["name"] for row in listed] == ["刘师傅"]
    assert client_for(school_a, R.CANTEEN_MANAGER).get("/api/v1/staff/").status_code == 403
    with schema_context(school_b.schema_name):
        assert not StaffMember.objects.exists()


def test_export_csv_is_formula_safe(director, school_a) -> None:
    make_student(school_a.schema_name, class_name="=HYPERLINK(1)")
    content = director.get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(content)) for cell in line]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells


def test_school_b_students_stay_on_b(school_a, school_b, client_for) -> None:
    number = national_id_for(88)
    in_b = make_student(school_b.schema_name, national_id=number)
    a_director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    assert a_director.get(f"{STUDENTS}{in_b.pk}/").status_code == 404
    assert a_director.get(f"{STUDENTS}{in_b.pk}/national-id/").status_code == 404
    found = a_director.post(f"{STUDENTS}lookup/", {"national_id": number}, format="json")
    assert found.json() == {"count": 0, "results": []}
    exported = a_director.get(EXPORT, {"unmasked": "true"}).json()["results"]
    assert in_b.pk not in {row["id"] for row in exported}
