"""Bulk onboarding: schools created from a CSV or Excel list, each alone, with a per-row report.

Rows are numbered as in a spreadsheet: the header is row 1, the first school is row 2.
"""

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import IntegrityError, connection
from django.utils import translation

from houqin.exceptions import Conflict, InvalidInput
from houqin.imports import ImportReport, RowResult, RowStatus
from houqin.roles import Role
from tenants import provisioning, services
from tenants.management.commands.import_schools import ProgressBar
from tenants.models import Domain, School, schema_name_for
from tenants.onboarding import SchoolRow, read_school_rows, schools_import
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import SETUP

CHINESE_HEADER = "学校代码,学校名称,学校类型,寄宿,地址"
IMPORT_URL = "/api/v1/schools/import/"


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _nothing_of(code: str) -> bool:
    return (
        not School.objects.filter(code=code).exists()
        and not Domain.objects.filter(domain=school_host(code)).exists()
        and not _schema_exists(schema_name_for(code))
    )


def _provisioned(code: str) -> School:
    school = School.objects.get(code=code)
    assert _schema_exists(school.schema_name)
    assert Domain.objects.filter(tenant=school, domain=school_host(code)).exists()
    return school


def _csv(*lines: str, bom: bool = True) -> bytes:
    # Excel's "CSV UTF-8" starts with a byte-order mark.
    return ("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode() + b"\r\n"


def _import(content: bytes, filename: str = "schools.csv", **kwargs: Any) -> ImportReport:
    rows = read_school_rows(io.BytesIO(content), filename)
    return schools_import(rows=rows, actor=SETUP, **kwargs)


def _counts(report: ImportReport) -> tuple[int, int, int]:
    return (report.count(RowStatus.CREATED), report.count(RowStatus.EXISTS), report.errors)


def _by_row(report: ImportReport) -> dict[int, RowResult]:
    return {result.row: result for result in report.rows}


# Reading -----------------------------------------------------------------------------------------


def test_csv_with_chinese_headers_creates_the_schools(db: Any) -> None:
    report = _import(
        _csv(
            CHINESE_HEADER,
            "300001,城东小学,小学,否,城东路1号",
            "300002,城西学校,九年一贯制学校,是,",
        )
    )
    assert [(r.row, r.key, r.status) for r in report.rows] == [
        (2, "300001", RowStatus.CREATED),
        (3, "300002", RowStatus.CREATED),
    ]
    assert _counts(report) == (2, 0, 0)
    east = _provisioned("300001")
    assert (east.name, east.kind, east.boarding, east.address) == (
        "城东小学",
        School.Kind.PRIMARY,
        False,
        "城东路1号",
    )
    west = _provisioned("300002")
    assert (west.kind, west.boarding) == (School.Kind.NINE_YEAR, True)


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_chinese_headers_creates_the_schools(db: Any) -> None:
    content = _xlsx(
        [
            ["学校代码", "学校名称", "学校类型", "寄宿", "地址"],
            [300011, "实验中学", "完全中学", True, "新华路2号"],  # a code typed as a number
            [None, None, None, None, None],  # a blank row is skipped, its number kept
            ["300012", "第二初级中学", "初级中学", "否", None],
        ]
    )
    report = _import(content, "学校名单.xlsx")
    assert [(r.row, r.key, r.status) for r in report.rows] == [
        (2, "300011", RowStatus.CREATED),
        (4, "300012", RowStatus.CREATED),
    ]
    first = _provisioned("300011")
    assert (first.name, first.kind, first.boarding, first.address) == (
        "实验中学",
        School.Kind.COMPLETE,
        True,
        "新华路2号",
    )
    assert _provisioned("300012").kind == School.Kind.JUNIOR


def test_english_headers_and_values_are_read_too(db: Any) -> None:
    rows = read_school_rows(
        io.BytesIO(
            _csv(
                "Code*,Name,KIND,boarding,address,notes",
                "300021,North,nine_year,yes,1 Road,call first",
                "300022,South,senior,0,,",
                bom=False,
            )
        ),
        "list.CSV",
    )
    assert rows == [
        SchoolRow(
            2, code="300021", name="North", kind="nine_year", boarding="yes", address="1 Road"
        ),
        SchoolRow(3, code="300022", name="South", kind="senior", boarding="0", address=""),
    ]
    report = schools_import(rows=rows, actor=SETUP, dry_run=True)
    assert [r.status for r in report.rows] == [RowStatus.READY, RowStatus.READY]
    assert not School.objects.filter(code__in=["300021", "300022"]).exists()


@pytest.mark.parametrize(
    ("filename", "content", "error_code"),
    [
        ("schools.xls", b"\xd0\xcf\x11\xe0", "unsupported_file"),
        ("schools.txt", b"code,name,kind\n", "unsupported_file"),
        ("schools.csv", b"code,name,kind\n300031,\xff\x80,primary\n", "unreadable_file"),
        ("schools.xlsx", b"this is not a workbook", "unreadable_file"),
        ("schools.csv", b"code,name\n300031,x\n", "missing_columns"),
        ("schools.csv", "code,name,kind,学校代码\n".encode(), "duplicate_column"),
        ("schools.csv", b"code,name,kind\n", "no_rows"),
        ("schools.csv", b"", "no_rows"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_whole(
    db: Any, filename: str, content: bytes, error_code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_school_rows(io.BytesIO(content), filename)
    assert refused.value.code == error_code


def test_too_many_rows_are_refused(db: Any) -> None:
    lines = ["code,name,kind", *(f"{400000 + i},学校{i},小学" for i in range(3))]
    assert len(read_school_rows(io.BytesIO(_csv(*lines)), "a.csv", max_rows=3)) == 3
    lines.append("400003,学校3,小学")
    with pytest.raises(InvalidInput) as refused:
        read_school_rows(io.BytesIO(_csv(*lines)), "a.csv", max_rows=3)
    assert refused.value.code == "too_many_rows"


# Importing ---------------------------------------------------------------------------------------


def test_bad_rows_are_reported_and_the_others_created(db: Any) -> None:
    report = _import(
        _csv(
            CHINESE_HEADER,
            "300101,好学校,小学,否,",  # row 2
            "300102,重复一,小学,否,",  # row 3
            "pg_x,下划线,小学,否,",  # row 4
            "a;drop,注入,小学,否,",  # row 5
            "ABC,大写,小学,否,",  # row 6
            "www,保留,小学,否,",  # row 7
            "300103,,小学,否,",  # row 8: no name
            "300104,城堡学校,城堡,否,",  # row 9: unknown kind
            "300102,重复二,初级中学,否,",  # row 10: the code of row 3 again
            "300105,另一好学校,高级中学,也许,",  # row 11: boarding not understood
            "300106,又一好学校,高级中学,是,",  # row 12
        )
    )
    rows = _by_row(report)
    assert {n: r.status for n, r in rows.items()} == {
        2: RowStatus.CREATED,
        3: RowStatus.ERROR,
        4: RowStatus.ERROR,
        5: RowStatus.ERROR,
        6: RowStatus.ERROR,
        7: RowStatus.ERROR,
        8: RowStatus.ERROR,
        9: RowStatus.ERROR,
        10: RowStatus.ERROR,
        11: RowStatus.ERROR,
        12: RowStatus.CREATED,
    }
    assert rows[3].reasons == ["duplicate_in_file"]
    assert "10" in rows[3].messages[0]  # names the other row, in whatever language
    assert rows[10].reasons == ["duplicate_in_file"]
    assert "3" in rows[10].messages[0]
    assert rows[4].reasons == rows[5].reasons == rows[6].reasons == ["invalid_code"]
    assert "a;drop" in rows[5].messages[0]
    assert rows[7].reasons == ["reserved_code"]
    assert rows[8].reasons == ["required_name"]
    assert rows[9].reasons == ["unknown_kind"]
    assert "城堡" in rows[9].messages[0]
    assert rows[11].reasons == ["invalid_boarding"]
    assert all(r.messages for r in report.rows if r.status == RowStatus.ERROR)
    assert _counts(report) == (2, 0, 9)
    _provisioned("300101")
    _provisioned("300106")
    for code in ("300102", "300103", "300104", "300105", "www"):
        assert _nothing_of(code), code
    assert not School.objects.filter(name__in=["下划线", "注入", "大写", "保留"]).exists()


def test_every_problem_of_a_row_is_reported(db: Any) -> None:
    report = _import(_csv("code,name,kind,boarding", ",,,maybe"))
    assert report.rows[0].reasons == [
        "required_code",
        "required_name",
        "required_kind",
        "invalid_boarding",
    ]
    assert len(report.rows[0].messages) == 4


def test_running_the_same_list_again_resumes(db: Any) -> None:
    content = _csv(CHINESE_HEADER, "300201,甲校,小学,否,", "300202,乙校,小学,否,")
    # An earlier run stopped after the first school.
    services.school_create(actor=SETUP, code="300201", name="甲校", kind="primary")
    first = _import(content)
    assert [r.status for r in first.rows] == [RowStatus.EXISTS, RowStatus.CREATED]
    count = School.objects.count()
    second = _import(content)
    assert [r.status for r in second.rows] == [RowStatus.EXISTS, RowStatus.EXISTS]
    assert _counts(second) == (0, 2, 0)
    assert School.objects.count() == count


def _failing_for(code: str, step: str) -> AbstractContextManager[Any]:
    """Make one step of school_create fail for one code only, after the school's row is saved."""
    if step == "domain":
        original_create = Domain.objects.create

        def create_domain(**kwargs: Any) -> Domain:
            if kwargs["domain"] == school_host(code):
                raise RuntimeError("domain step failed")
            return original_create(**kwargs)

        return mock.patch.object(Domain.objects, "create", side_effect=create_domain)
    # The last step: the schema, made from the template (or taken from the warm pool).
    original_schema_create = provisioning.schema_create

    def schema_create(schema_name: str) -> None:
        if schema_name == schema_name_for(code):
            raise RuntimeError("schema step failed")
        original_schema_create(schema_name)

    return mock.patch.object(provisioning, "schema_create", side_effect=schema_create)


@pytest.mark.parametrize("step", ["schema", "domain"])
def test_a_school_that_fails_midway_leaves_nothing_and_the_others_are_created(
    db: Any, step: str
) -> None:
    content = _csv(
        CHINESE_HEADER, "300301,一校,小学,否,", "300302,二校,小学,否,", "300303,三校,小学,否,"
    )
    with _failing_for("300302", step):
        report = _import(content)
    assert [r.status for r in report.rows] == [
        RowStatus.CREATED,
        RowStatus.ERROR,
        RowStatus.CREATED,
    ]
    assert report.rows[1].reasons == ["create_failed"]
    assert _nothing_of("300302")
    _provisioned("300301")
    _provisioned("300303")


@pytest.mark.parametrize("failure", [Conflict("taken", code="duplicate_code"), IntegrityError()])
def test_a_code_taken_meanwhile_by_another_run_is_reported_as_existing(
    db: Any, failure: Exception
) -> None:
    def another_run_got_there_first(**kwargs: Any) -> School:
        services.school_create(**kwargs)
        raise failure

    content = _csv(CHINESE_HEADER, "300351,甲校,小学,否,")
    with mock.patch("tenants.onboarding.school_create", side_effect=another_run_got_there_first):
        report = _import(content)
    assert [r.status for r in report.rows] == [RowStatus.EXISTS]


def test_progress_is_reported_as_rows_are_settled(db: Any) -> None:
    calls: list[tuple[int, int]] = []
    _import(
        _csv(CHINESE_HEADER, "ABC,坏,小学,否,", "300401,好,小学,否,", "300402,好,小学,否,"),
        progress=lambda done, total: calls.append((done, total)),
        dry_run=True,
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


# The command -------------------------------------------------------------------------------------


@pytest.fixture
def school_list(tmp_path: Path) -> Callable[..., Path]:
    def write(*lines: str, name: str = "schools.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(_csv(*lines))
        return path

    return write


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_schools", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_reports_each_row_and_exits_1_when_a_row_failed(
    db: Any, school_list: Callable[..., Path], tmp_path: Path
) -> None:
    path = school_list(CHINESE_HEADER, "300501,好学校,小学,否,", "pg_x,坏学校,小学,否,")
    report_path = tmp_path / "report.csv"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_schools", str(path), "--report", str(report_path), stdout=out, stderr=err
        )
    assert failed.value.returncode == 1
    assert "1 of 2 rows had errors" in str(failed.value)
    assert "1 created, 0 already existed, 1 with errors (2 rows)." in out.getvalue()
    assert "row 3 pg_x:" in out.getvalue()
    assert f"[{'#' * 30}] 2/2 schools" in err.getvalue()
    with open(report_path, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["row", "code", "status", "message"]
    assert lines[1] == ["2", "300501", "created", ""]
    assert lines[2][:3] == ["3", "pg_x", "error"]
    assert lines[2][3]
    _provisioned("300501")


def test_the_command_exits_0_when_no_row_failed_and_resumes(
    db: Any, school_list: Callable[..., Path]
) -> None:
    path = school_list(CHINESE_HEADER, "300601,甲,小学,否,")
    out, _ = _run(str(path))
    assert "1 created, 0 already existed, 0 with errors (1 rows)." in out
    out, _ = _run(str(path))
    assert "0 created, 1 already existed, 0 with errors (1 rows)." in out


def test_the_command_dry_run_creates_nothing(
    school_a: School, school_list: Callable[..., Path]
) -> None:
    path = school_list(
        CHINESE_HEADER, "300701,甲,小学,否,", f"{school_a.code},已有,小学,否,", "300702,乙,小学,否,"
    )
    out, err = _run(str(path), "--dry-run")
    assert "Dry run, nothing created: 2 ready to create, 1 already exist, 0 with errors" in out
    assert "3/3 schools" in err
    assert not School.objects.filter(code__in=["300701", "300702"]).exists()


def test_the_command_refuses_an_unusable_file(db: Any, school_list: Callable[..., Path]) -> None:
    path = school_list("code,name", "300801,x")
    with translation.override("en"), pytest.raises(CommandError, match="missing"):
        _run(str(path))
    with pytest.raises(CommandError, match="no such file"):
        _run(str(path.with_name("absent.csv")))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_redrawn_in_place_on_a_terminal() -> None:
    screen = _Terminal()
    bar = ProgressBar(OutputWrapper(screen))
    for done in (0, 2, 4):
        bar(done, 4)
    assert screen.getvalue() == (
        f"\r[{'.' * 30}] 0/4 schools"
        f"\r[{'#' * 15}{'.' * 15}] 2/4 schools"
        f"\r[{'#' * 30}] 4/4 schools\n"
    )


# The endpoint ------------------------------------------------------------------------------------


def _upload(client: HostClient, name: str, content: bytes) -> Any:
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


@pytest.fixture
def admin(client_for: Callable[..., HostClient]) -> HostClient:
    return client_for(None, Role.DISTRICT_ADMIN)


def test_the_district_admin_uploads_a_list_and_gets_the_report(admin: HostClient) -> None:
    response = _upload(
        admin, "学校名单.csv", _csv(CHINESE_HEADER, "300901,上传学校,小学,是,", "www,保留,小学,否,")
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["exists"], body["errors"]) == (1, 0, 1)
    assert body["rows"][0] == {
        "row": 2,
        "code": "300901",
        "status": "created",
        "messages": [],
        "reasons": [],
    }
    assert body["rows"][1]["status"] == "error"
    assert body["rows"][1]["reasons"] == ["reserved_code"]
    assert body["rows"][1]["messages"]
    assert _provisioned("300901").boarding is True


@pytest.mark.parametrize("role", [Role.NUTRITION_OFFICER, Role.AUDITOR, Role.FINANCE_OFFICER])
def test_other_roles_may_not_import(client_for: Callable[..., HostClient], role: Role) -> None:
    response = _upload(client_for(None, role), "a.csv", _csv(CHINESE_HEADER, "300911,x,小学,否,"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not School.objects.filter(code="300911").exists()


@pytest.mark.parametrize(
    ("name", "content", "error_code"),
    [
        ("schools.xls", b"\xd0\xcf\x11\xe0", "unsupported_file"),
        ("schools.xlsx", b"PK\x03\x04 broken", "unreadable_file"),
        ("schools.csv", b"name,kind\nx,primary\n", "missing_columns"),
    ],
)
def test_an_unusable_upload_is_400(
    admin: HostClient, name: str, content: bytes, error_code: str
) -> None:
    response = _upload(admin, name, content)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, error_code)
    assert error["message"]


def test_an_upload_without_a_file_is_400(admin: HostClient) -> None:
    response = admin.post(IMPORT_URL, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_an_upload_of_more_than_2000_schools_is_400_and_creates_nothing(admin: HostClient) -> None:
    before = School.objects.count()
    lines = [CHINESE_HEADER, *(f"{500000 + i},学校{i},小学,否," for i in range(2001))]
    response = _upload(admin, "big.csv", _csv(*lines))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_rows"
    assert School.objects.count() == before
    # 2000 is still one upload: it is read whole (checked here without creating them).
    rows = read_school_rows(io.BytesIO(_csv(*lines[:-1])), "big.csv")
    assert len(rows) == 2000


def test_a_gbk_csv_from_chinese_excel_is_read(db: Any) -> None:
    content = "学校代码,学校名称,学校类型\n300031,城南小学,小学\n".encode("gbk")
    rows = read_school_rows(io.BytesIO(content), "schools.csv")
    assert [(r.code, r.name, r.kind) for r in rows] == [("300031", "城南小学", "小学")]
