"""The people app's operations: the student register, subsidy eligibility, the staff list, the
class teachers."""

import itertools
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context, tenant_context

from shared_apps.subsidies.models import ProgrammeCode
from tenant_apps.people import national_id
from tenant_apps.people.models import StaffMember, Student, SubsidyEligibility
from tenant_apps.people.services.classes import class_teacher_assign
from tests.factories import SETUP, programme_row, user_with_role
from tests.matrix import AUDITOR, Built, Operations, R, Scene

# Grants in houqin/roles.py: people.view_student for these; people.view_* for the principal;
# people.* (unmasking, and so finding a student by national ID number, included) for the
# logistics director; *.view_* for the auditor.
STUDENT_READERS = (
    frozenset(
        {
            R.PRINCIPAL,
            R.LOGISTICS_DIRECTOR,
            R.CANTEEN_MANAGER,
            R.DORM_MANAGER,
            R.ACCOUNTANT,
        }
    )
    | AUDITOR
)
PEOPLE_READERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR}) | AUDITOR
DIRECTOR = frozenset({R.LOGISTICS_DIRECTOR})

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/students/"): STUDENT_READERS,
    ("POST", "/api/v1/students/"): DIRECTOR,
    ("GET", "/api/v1/students/{id}/"): STUDENT_READERS,
    ("PATCH", "/api/v1/students/{id}/"): DIRECTOR,
    ("GET", "/api/v1/students/{id}/national-id/"): DIRECTOR,
    ("POST", "/api/v1/students/lookup/"): DIRECTOR,
    ("POST", "/api/v1/students/import/"): DIRECTOR,
    ("GET", "/api/v1/students/export/"): STUDENT_READERS,
    ("GET", "/api/v1/eligibility/"): PEOPLE_READERS,
    ("POST", "/api/v1/eligibility/"): DIRECTOR,
    ("GET", "/api/v1/eligibility/{id}/"): PEOPLE_READERS,
    ("PATCH", "/api/v1/eligibility/{id}/"): DIRECTOR,
    ("GET", "/api/v1/staff/"): PEOPLE_READERS,
    ("POST", "/api/v1/staff/"): DIRECTOR,
    ("GET", "/api/v1/staff/{id}/"): PEOPLE_READERS,
    ("PATCH", "/api/v1/staff/{id}/"): DIRECTOR,
    ("GET", "/api/v1/class-teachers/"): PEOPLE_READERS,
    ("POST", "/api/v1/class-teachers/"): DIRECTOR,
    ("GET", "/api/v1/class-teachers/{id}/"): PEOPLE_READERS,
    ("DELETE", "/api/v1/class-teachers/{id}/"): DIRECTOR,
}

DISTRICT_OPERATIONS: Operations = {}

# Numbers unique across every scene of a run (several scenes may build in one school and test).
_serial = itertools.count(1)


def national_id_for(n: int, *, born: str = "20150301") -> str:
    """A valid national ID number (GB 11643-1999) for test person `n`: region 110101 (Beijing,
    Dongcheng), the given birth date, sequence n."""
    first_17 = f"110101{born}{n % 1000:03d}"
    return first_17 + national_id.check_character(first_17)


def make_student(school_schema: str, **values: Any) -> Student:
    """A student with a national ID number, in that school's schema."""
    n = next(_serial)
    number = values.pop("national_id", national_id_for(n, born=f"2015{1 + n // 1000 % 12:02d}01"))
    fields: dict[str, Any] = {
        "student_number": f"T{n:07d}",
        "name": "张三",
        "gender": Student.Gender.MALE,
        "grade": 3,
        "class_name": "3班",
        **values,
    }
    if number:
        fields |= {
            "national_id_ciphertext": national_id.encrypt(number),
            "national_id_hash": national_id.lookup_hash(number),
            "national_id_masked": national_id.mask(number),
        }
    with schema_context(school_schema):
        return Student.objects.create(**fields)


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    assert scene.school is not None
    schema = scene.school.schema_name
    serial = next(_serial)
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if path.startswith("/api/v1/students/import/"):
        csv = f"学籍号,姓名,性别,年级,班级\nI{serial:07d},李四,女,2,2班\n".encode()
        body = {"file": SimpleUploadedFile("students.csv", csv, content_type="text/csv")}
    elif path == "/api/v1/students/lookup/":
        number = national_id_for(serial, born="20160901")
        make_student(schema, national_id=number)
        body = {"national_id": number}
    elif path.startswith("/api/v1/students/"):
        if "{id}" in path:
            params["id"] = make_student(schema).pk
            body = {"class_name": "4班"} if method == "PATCH" else None
        elif method == "POST":
            body = {
                "student_number": f"N{serial:07d}",
                "name": "王五",
                "gender": "female",
                "grade": 1,
                "national_id": national_id_for(serial, born="20180601"),
            }
    elif path.startswith("/api/v1/eligibility/"):
        if "{id}" in path:
            student = make_student(schema)
            with schema_context(schema):
                eligibility = SubsidyEligibility.objects.create(
                    student=student,
                    programme=programme_row(ProgrammeCode.NUTRITION_IMPROVEMENT),
                    reason=SubsidyEligibility.Reason.RURAL_COMPULSORY,
                    valid_from=date(2025, 9, 1),
                )
            params["id"] = eligibility.pk
            body = {"valid_to": "2026-01-31"} if method == "PATCH" else None
        elif method == "POST":
            body = {
                "student": make_student(schema).pk,
                "programme": "nutrition_improvement",
                "reason": "minimum_living",
                "valid_from": "2025-09-01",
            }
    elif path.startswith("/api/v1/staff/"):
        if "{id}" in path:
            with schema_context(schema):
                staff = StaffMember.objects.create(name="赵六", position="cook")
            params["id"] = staff.pk
            body = {"phone": "13800138000"} if method == "PATCH" else None
        elif method == "POST":
            body = {"name": "钱七", "position": "dorm_keeper", "phone": "13900139000"}
    elif path.startswith("/api/v1/class-teachers/"):
        teacher = user_with_role(R.STAFF, scene.school)
        with tenant_context(scene.school):
            taught = class_teacher_assign(
                user=teacher, school_year=2026, grade=5, class_name=f"C{serial}", actor=SETUP
            )
        params["id"] = taught.pk
        if method == "POST":
            body = {
                "username": teacher.username,
                "school_year": 2026,
                "grade": 5,
                "class_name": f"D{serial}",
            }
    return params, body
