"""The student register as a file: reading an import (CSV in UTF-8 or GBK, or XLSX), checking
each row on its own, and writing an export (XLSX or CSV) that can be imported again; reading and
writing the files themselves is `houqin.tables`'s.

Reading refuses a whole file that cannot be used (unsupported type, too large, unreadable,
missing columns, too many rows) with `InvalidInput`; problems of single rows are reported per row
by `services.importing.students_import`, which uses `parse_row` here. Rows are numbered as a
spreadsheet numbers them: the header is row 1, the first student is row 2.

A spreadsheet cell comes as text: a date cell as "2025-09-01 00:00:00", a number as "2024001",
an 18-digit ID number typed as a number as "1.10101200001012e+17" (reported as such).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.utils.translation import gettext as _

from houqin.filters import YEARS
from houqin.imports import RowResult
from houqin.tables import csv_bytes, read_table, xlsx_bytes
from shared_apps.subsidies.models import Programme, ProgrammeCode
from tenant_apps.people import national_id
from tenant_apps.people.models import GRADES, Student, SubsidyEligibility

MAX_FILE_BYTES = 5 * 1024 * 1024

# Each column's accepted headers; the last is the name shown in messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "student_number": ("student_number", "学号", "学籍号"),
    "name": ("name", "姓名"),
    "gender": ("gender", "性别"),
    "grade": ("grade", "年级"),
    "class_name": ("class", "class_name", "班级"),
    "boarding": ("boarding", "是否寄宿", "寄宿"),
    "national_id": ("national_id", "身份证件号", "身份证号码", "身份证号"),
    "enrolled_on": ("enrolled_on", "入学日期"),
    "programme": ("programme", "补助资格"),
    "reason": ("reason", "资格原因"),
    "valid_from": ("valid_from", "资格起始"),
    "valid_to": ("valid_to", "资格截止"),
}
REQUIRED_COLUMNS = ("student_number", "name", "gender", "grade")

GENDERS: dict[str, str] = {
    "男": Student.Gender.MALE,
    "女": Student.Gender.FEMALE,
    "male": Student.Gender.MALE,
    "female": Student.Gender.FEMALE,
    "m": Student.Gender.MALE,
    "f": Student.Gender.FEMALE,
    # GB/T 2261.1: 1 male, 2 female (the national register's own coding).
    "1": Student.Gender.MALE,
    "2": Student.Gender.FEMALE,
}
BOOLEANS: dict[str, bool] = {
    "是": True,
    "否": False,
    "住校": True,
    "走读": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "": False,
}
_CHINESE_NUMBERS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
GRADE_NAMES: dict[str, int] = {
    **{f"{name}年级": number for name, number in _CHINESE_NUMBERS.items()},
    **{f"{number}年级": number for number in GRADES},
    **{str(number): number for number in GRADES},
    **{f"初{name}": 6 + number for name, number in _CHINESE_NUMBERS.items() if number <= 3},
    **{f"高{name}": 9 + number for name, number in _CHINESE_NUMBERS.items() if number <= 3},
}
# The names schools use for the programmes the district starts with, besides each programme's
# own code and name (`programme_spellings`).
PROGRAMME_ALIASES: dict[str, str] = {
    "营养改善计划": ProgrammeCode.NUTRITION_IMPROVEMENT,
    "农村义务教育学生营养改善计划": ProgrammeCode.NUTRITION_IMPROVEMENT,
    "寄宿生生活补助": ProgrammeCode.BOARDING_LIVING,
    "家庭经济困难寄宿生生活补助": ProgrammeCode.BOARDING_LIVING,
}
PROGRAMME_NAMES = {
    ProgrammeCode.NUTRITION_IMPROVEMENT: "营养改善计划",
    ProgrammeCode.BOARDING_LIVING: "寄宿生生活补助",
}
REASONS: dict[str, str] = {
    **{value: value for value in SubsidyEligibility.Reason.values},
    "农村义务教育": SubsidyEligibility.Reason.RURAL_COMPULSORY,
    "农村义务教育学生": SubsidyEligibility.Reason.RURAL_COMPULSORY,
    "建档立卡": SubsidyEligibility.Reason.REGISTERED_POOR,
    "建档立卡贫困户": SubsidyEligibility.Reason.REGISTERED_POOR,
    "低保": SubsidyEligibility.Reason.MINIMUM_LIVING,
    "低保家庭": SubsidyEligibility.Reason.MINIMUM_LIVING,
    "特困": SubsidyEligibility.Reason.EXTREME_POVERTY,
    "特困供养": SubsidyEligibility.Reason.EXTREME_POVERTY,
    "孤儿": SubsidyEligibility.Reason.ORPHAN,
    "残疾": SubsidyEligibility.Reason.DISABILITY,
    "残疾学生": SubsidyEligibility.Reason.DISABILITY,
    "其他": SubsidyEligibility.Reason.OTHER,
}
REASON_NAMES = {
    SubsidyEligibility.Reason.RURAL_COMPULSORY: "农村义务教育",
    SubsidyEligibility.Reason.REGISTERED_POOR: "建档立卡",
    SubsidyEligibility.Reason.MINIMUM_LIVING: "低保",
    SubsidyEligibility.Reason.EXTREME_POVERTY: "特困供养",
    SubsidyEligibility.Reason.ORPHAN: "孤儿",
    SubsidyEligibility.Reason.DISABILITY: "残疾",
    SubsidyEligibility.Reason.OTHER: "其他",
}
NAME_MAX = Student._meta.get_field("name").max_length or 50
NUMBER_MAX = Student._meta.get_field("student_number").max_length or 32
CLASS_MAX = Student._meta.get_field("class_name").max_length or 32
_STUDENT_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_]*$")
# The national register's 学籍号 for a student with an ID card is "G" + the ID number.
_EMBEDS_ID = re.compile(r"^[GJLgjl]?(\d{17}[\dXx])$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class StudentRow:
    """One student of a register file, as written. `row` is the spreadsheet's row number."""

    row: int
    student_number: str = ""
    name: str = ""
    gender: str = ""
    grade: str = ""
    class_name: str = ""
    boarding: str = ""
    national_id: str = ""
    enrolled_on: str = ""
    programme: str = ""
    reason: str = ""
    valid_from: str = ""
    valid_to: str = ""


@dataclass(frozen=True)
class EligibilityInput:
    programme: Programme
    reason: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class ParsedRow:
    """A row whose every value was understood; the checks against the register come later."""

    row: int
    student_number: str
    name: str
    gender: str
    grade: int
    class_name: str
    boarding: bool
    # The normalized number; "" when the cell was empty or showed the stored masked form.
    national_id: str
    # The masked form written in the cell (an export imported again), else "".
    national_id_masked: str
    enrolled_on: date | None
    eligibility: EligibilityInput | None


# Reading a file ----------------------------------------------------------------------------------


def read_student_rows(
    source: IO[bytes], filename: str, *, max_rows: int | None = None
) -> list[StudentRow]:
    """The rows of a .csv (UTF-8 with or without BOM, or GBK) or .xlsx register whose first row
    names the columns, in Chinese or English. Blank rows are skipped (their numbers kept), other
    columns ignored; `max_rows` rows at most (the upload limit when None). Raises `InvalidInput`
    when the whole file cannot be used."""
    rows = read_table(
        source,
        filename,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        max_rows=max_rows,
        max_bytes=MAX_FILE_BYTES,
    )
    return [StudentRow(row=number, **values) for number, values in rows]


# Understanding one row ---------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """A date written as 2024-09-01, 2024/9/1, 2024.9.1, 2024年9月1日 or 20240901; None when it
    is none of these or not a real date within the years PostgreSQL and people use."""
    text = text.strip()
    if " " in text and re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$", text):
        text = text.split(" ", 1)[0]  # a date-time cell written by a spreadsheet
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if year not in YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_grade(text: str) -> int | None:
    return GRADE_NAMES.get(text.strip().replace(" ", ""))


def student_number_problem(number: str) -> tuple[str, str] | None:
    """(reason, message) when `number` cannot be a student number here, else None."""
    if not number:
        return "required_student_number", _("The student number (学籍号) is missing.")
    if len(number) > NUMBER_MAX:
        return "student_number_too_long", _(
            "The student number is longer than {max} characters."
        ).format(max=NUMBER_MAX)
    if not _STUDENT_NUMBER.match(number):
        return "invalid_student_number", _(
            "The student number may hold only letters, digits, - and _."
        )
    embedded = _EMBEDS_ID.match(number)
    if embedded and national_id.is_valid(embedded.group(1)):
        # Everyone who sees the register sees the student number: one that is the ID number
        # (the national register writes G + ID number) would show it unmasked to all of them.
        return "student_number_contains_national_id", _(
            "The student number contains a national ID number, which must not be shown "
            "unmasked; put the ID number in 身份证号 and the school's own student number here."
        )
    return None


def programme_spellings(programmes: Iterable[Programme]) -> dict[str, Programme]:
    """How a register may name each programme: its code, its name, and the usual names of the
    programmes the district starts with."""
    spellings: dict[str, Programme] = {}
    for programme in programmes:
        spellings[programme.code.lower()] = programme
        spellings[programme.name] = programme
        spellings.update(
            {
                alias: programme
                for alias, code in PROGRAMME_ALIASES.items()
                if code == programme.code
            }
        )
    return spellings


def parse_row(
    row: StudentRow, *, today: date, programmes: Mapping[str, Programme]
) -> tuple[RowResult, ParsedRow | None]:
    """Check one row on its own (the register and the other rows are checked by the import).
    `programmes` is how the register may name each programme (`programme_spellings`). Returns
    its result (an error with every problem found, or pending) and the parsed row when every
    value was understood."""
    result = RowResult(row.row, row.student_number)
    problem = student_number_problem(row.student_number)
    if problem:
        result.problem("student_number", *problem)
    if not row.name:
        result.problem("name", "required_name", _("The name is missing."))
    elif len(row.name) > NAME_MAX:
        result.problem(
            "name",
            "name_too_long",
            _("The name is longer than {max} characters.").format(max=NAME_MAX),
        )
    gender = GENDERS.get(row.gender.strip().lower())
    if gender is None:
        result.problem(
            "gender",
            "unknown_gender" if row.gender else "required_gender",
            _("Gender “{value}” is not understood; write 男 or 女.").format(value=row.gender),
        )
    grade = parse_grade(row.grade)
    if grade is None:
        result.problem(
            "grade",
            "unknown_grade" if row.grade else "required_grade",
            _("Unknown grade “{value}”; write 1 to 12, 一年级 to 九年级, 初一 to 高三.").format(
                value=row.grade
            ),
        )
    if len(row.class_name) > CLASS_MAX:
        result.problem(
            "class_name",
            "class_too_long",
            _("The class is longer than {max} characters.").format(max=CLASS_MAX),
        )
    boarding = BOOLEANS.get(row.boarding.strip().lower())
    if boarding is None:
        result.problem(
            "boarding",
            "invalid_boarding",
            _("Boarding “{value}” is not understood; write 是 or 否.").format(value=row.boarding),
        )
    number, masked = "", ""
    if row.national_id:
        if "*" in row.national_id:
            masked = row.national_id.strip()  # checked against the register by the import
        else:
            try:
                number = national_id.validate(row.national_id, today=today)
            except national_id.InvalidNationalId as exc:
                result.problem("national_id", f"national_id_{exc.code}", exc.message)
    enrolled_on = None
    if row.enrolled_on:
        enrolled_on = parse_date(row.enrolled_on)
        if enrolled_on is None:
            result.problem(
                "enrolled_on",
                "invalid_enrolled_on",
                _date_message(_("Enrolled on"), row.enrolled_on),
            )
    eligibility = _parse_eligibility(row, result, programmes)
    if result.failed:
        return result, None
    assert gender is not None and grade is not None and boarding is not None
    return result, ParsedRow(
        row=row.row,
        student_number=row.student_number,
        name=row.name,
        gender=gender,
        grade=grade,
        class_name=row.class_name,
        boarding=boarding,
        national_id=number,
        national_id_masked=masked,
        enrolled_on=enrolled_on,
        eligibility=eligibility,
    )


def _date_message(label: str, value: str) -> str:
    return _("{label} “{value}” is not a date; write it as 2025-09-01.").format(
        label=label, value=value
    )


def _parse_eligibility(
    row: StudentRow, result: RowResult, programmes: Mapping[str, Programme]
) -> EligibilityInput | None:
    if not (row.programme or row.reason or row.valid_from or row.valid_to):
        return None
    if not row.programme:
        result.problem(
            "programme",
            "required_programme",
            _("A reason or dates of eligibility are given, but no programme (补助资格)."),
        )
        return None
    given = row.programme.strip()
    programme = programmes.get(given) or programmes.get(given.lower())
    if programme is None:
        known = sorted({p.name for p in programmes.values()})
        result.problem(
            "programme",
            "unknown_programme",
            _("Unknown programme “{value}”; use one of: {known}.").format(
                value=row.programme, known=", ".join(known)
            ),
        )
    reason = REASONS.get(row.reason.strip()) or REASONS.get(row.reason.lower())
    if reason is None:
        result.problem(
            "reason",
            "unknown_reason" if row.reason else "required_reason",
            _("Unknown reason of eligibility “{value}”; use one of: {known}.").format(
                value=row.reason, known=", ".join(REASON_NAMES.values())
            ),
        )
    valid_from = parse_date(row.valid_from) if row.valid_from else None
    if valid_from is None:
        result.problem(
            "valid_from",
            "invalid_valid_from" if row.valid_from else "required_valid_from",
            _date_message(_("Eligible from"), row.valid_from),
        )
    valid_to = None
    if row.valid_to:
        valid_to = parse_date(row.valid_to)
        if valid_to is None:
            result.problem(
                "valid_to", "invalid_valid_to", _date_message(_("Eligible to"), row.valid_to)
            )
    if valid_from and valid_to and valid_to < valid_from:
        result.problem(
            "valid_to",
            "valid_to_before_valid_from",
            _("Eligibility ends before it starts (资格截止)."),
        )
    if programme is None or reason is None or valid_from is None:
        return None
    if row.valid_to and valid_to is None:
        return None
    return EligibilityInput(programme, reason, valid_from, valid_to)


# Writing an export -------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "学籍号",
    "姓名",
    "性别",
    "年级",
    "班级",
    "寄宿",
    "身份证号",
    "入学日期",
    "状态",
    "离校日期",
    # Not an import column: the import ignores it, so an export can be imported again.
    "当前补助",
]


def export_table(
    students: Sequence[Student], ids: dict[int, str], current: dict[int, list[str]]
) -> list[list[Any]]:
    """Rows for an export: `ids` holds the clear numbers of the students whose ID is shown
    unmasked (none unless the caller may and asked), the masked form is shown otherwise;
    `current` the programme names each student is eligible for on the day of the export."""
    genders = {Student.Gender.MALE: "男", Student.Gender.FEMALE: "女"}
    statuses = {Student.Status.ACTIVE: "在校", Student.Status.LEFT: "离校"}
    return [
        [
            student.student_number,
            student.name,
            genders.get(student.gender, student.gender),  # type: ignore[call-overload]
            student.grade,
            student.class_name,
            "是" if student.boarding else "否",
            ids.get(student.pk, student.national_id_masked),
            student.enrolled_on,
            statuses.get(student.status, student.status),  # type: ignore[call-overload]
            student.left_on,
            "、".join(current.get(student.pk, [])),
        ]
        for student in students
    ]


def to_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    return csv_bytes([EXPORT_HEADERS, *rows])


def to_xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    return xlsx_bytes("学生名册", [EXPORT_HEADERS, *rows])
