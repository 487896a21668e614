"""Monthly statements: figures to the fen against hand-made claims and budgets; district totals
that agree with the rows and with the budgets and claims; a constant number of queries whatever
the number of schools; Excel and PDF files that open and carry the totals; each school host sees
only its own statement; bad months and formats are 400s."""

import io
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from houqin.api.renderers import PDF, XLSX
from houqin.exceptions import InvalidInput
from houqin.roles import Role
from shared_apps.reporting import renderers, selectors
from shared_apps.subsidies.models import Budget, Claim, Programme
from tenants.models import School
from tenants.routing import school_host
from tenants.services import school_create
from tests.conftest import HostClient
from tests.factories import SETUP, make_user, user_with_role
from tests.matrix.subsidies import make_budget, make_programme

R = Role
# A month no other test claims in.
MONTH = date(2024, 3, 1)
MONTH_TEXT = "2024-03"
DISTRICT = "/api/v1/statements/district/"
OWN = "/api/v1/statements/school/"


def claim_for(
    budget: Budget,
    days: dict[date, int],
    *,
    status: str = Claim.Status.APPROVED,
    month: date = MONTH,
    disbursed: Decimal = Decimal("0.00"),
    reason: str = "",
) -> Claim:
    """A claim as claim_compute would make it: student-days per day at the programme's rate;
    an approved (or paid) claim committed against its budget."""
    programme = budget.programme
    student_days = sum(days.values())
    amount = (programme.daily_rate * student_days).quantize(Decimal("0.01"))
    now = timezone.now()
    decided = status in (Claim.Status.APPROVED, Claim.Status.PAID, Claim.Status.REJECTED)
    claim = Claim.objects.create(
        programme=programme,
        school=budget.school,
        budget=budget,
        month=month,
        status=status,
        breakdown={d.isoformat(): n for d, n in days.items()},
        school_days=len(days),
        student_days=student_days,
        daily_rate=programme.daily_rate,
        amount=amount,
        disbursed=disbursed,
        computed_at=now,
        decided_at=now if decided else None,
        decided_by=make_user(display_name="王会计") if decided else None,
        reason=reason,
    )
    if status in (Claim.Status.APPROVED, Claim.Status.PAID):
        Budget.objects.across_schools().filter(pk=budget.pk).update(
            committed=budget.committed + amount
        )
        budget.refresh_from_db()
    return claim


def march_budget(school: School, programme: Programme, allocated: str, **values: Any) -> Budget:
    budget = make_budget(
        school,
        programme,
        start=date(2024, 2, 1),
        end=date(2024, 7, 31),
        allocated=Decimal(allocated),
        year=2024,
    )
    if values:
        Budget.objects.across_schools().filter(pk=budget.pk).update(**values)
        budget.refresh_from_db()
    return budget


@pytest.fixture
def figures(school_a: School, school_b: School) -> dict[str, Any]:
    """School A: an approved claim (with an earlier rejected one) under the nutrition programme
    on a supplemented budget, and a budget without a claim under a second programme. School B:
    a paid claim, part paid."""
    nutrition = make_programme(name="农村义务教育学生营养改善计划", daily_rate=Decimal("4.37"))
    milk = make_programme(name="学生饮用奶", daily_rate=Decimal("1.15"))
    a_budget = march_budget(
        school_a,
        nutrition,
        "12345.67",
        carried_in=Decimal("100.01"),
        supplemented=Decimal("200.00"),
    )
    a_milk = march_budget(school_a, milk, "999.99")
    b_budget = march_budget(school_b, nutrition, "50000.00")
    days = {date(2024, 3, 4): 801, date(2024, 3, 5): 799, date(2024, 3, 6): 803}
    rejected = claim_for(
        a_budget, {date(2024, 3, 4): 1}, status=Claim.Status.REJECTED, reason="重报"
    )
    a_claim = claim_for(a_budget, days)
    b_claim = claim_for(
        b_budget,
        {date(2024, 3, 4): 313, date(2024, 3, 5): 311},
        status=Claim.Status.PAID,
        disbursed=Decimal("1000.03"),
    )
    return {
        "nutrition": nutrition,
        "a_budget": a_budget,
        "a_milk": a_milk,
        "b_budget": b_budget,
        "a_claim": a_claim,
        "b_claim": b_claim,
        "rejected": rejected,
        "days": days,
    }


# Figures --------------------------------------------------------------------------------------


def test_school_statement_figures_to_the_fen(school_a, figures):
    statement = selectors.school_statement(school=school_a, month=MONTH)
    assert statement.school_code == school_a.code
    assert statement.month == MONTH
    assert len(statement.rows) == 2
    claimed = next(r for r in statement.rows if r.claim_id is not None)
    unclaimed = next(r for r in statement.rows if r.claim_id is None)
    # The live claim, not the rejected one before it.
    assert claimed.claim_id == figures["a_claim"].pk
    assert claimed.status == Claim.Status.APPROVED
    assert claimed.student_days == 2403
    assert claimed.amount == Decimal("10501.11")  # 2403 x 4.37
    assert claimed.approved == Decimal("10501.11")
    # A person as in every answer (docs/api.md): id, username, the name they are shown by.
    decider = figures["a_claim"]
    decider.refresh_from_db()
    assert decider.decided_by is not None
    assert claimed.decided_by == selectors.Shown(
        decider.decided_by.pk, decider.decided_by.username, "王会计"
    )
    assert unclaimed.decided_by is None
    assert claimed.decided_at is not None
    assert [(d.day, d.student_days) for d in claimed.days] == sorted(figures["days"].items())
    assert claimed.allocated == Decimal("12345.67")
    assert claimed.carried_in == Decimal("100.01")
    assert claimed.committed == Decimal("10501.11")
    assert claimed.supplemented == Decimal("200.00")
    assert claimed.remaining == Decimal("2144.57")  # 12345.67 + 200.00 + 100.01 - 10501.11
    assert unclaimed.status == selectors.NO_CLAIM
    assert unclaimed.amount == Decimal("0.00")
    assert unclaimed.allocated == Decimal("999.99")
    assert unclaimed.remaining == Decimal("999.99")
    totals = statement.totals
    assert totals.student_days == 2403
    assert totals.amount == Decimal("10501.11")
    assert totals.allocated == Decimal("13345.66")
    assert totals.supplemented == Decimal("200.00")
    assert totals.remaining == Decimal("3144.56")
    assert totals.remaining == (
        totals.allocated + totals.supplemented + totals.carried_in - totals.committed
    )


def test_district_totals_agree_with_rows_budgets_and_claims(school_a, school_b, figures):
    statement = selectors.district_statement(month=MONTH)
    schools = set(School.objects.filter(status=School.Status.ACTIVE).values_list("code", flat=True))
    assert {r.school_code for r in statement.rows} == schools
    assert statement.school_count == len(schools)
    # Every school without a claim or a budget has one row of zeros.
    for row in statement.rows:
        if row.school_code not in (school_a.code, school_b.code):
            assert (row.status, row.amount, row.allocated) == (
                selectors.NO_CLAIM,
                Decimal("0.00"),
                Decimal("0.00"),
            )
    totals = statement.totals
    rows = statement.rows
    assert totals.student_days == sum(r.student_days for r in rows) == 2403 + 624
    assert totals.amount == sum((r.amount for r in rows), Decimal("0.00"))
    assert totals.amount == Decimal("10501.11") + Decimal("2726.88")  # 624 x 4.37
    assert totals.approved == totals.amount
    assert totals.disbursed == Decimal("1000.03")
    # The live claims of the month, straight from the table.
    live = Claim.objects.across_schools().filter(month=MONTH).exclude(status=Claim.Status.REJECTED)
    assert totals.amount == live.aggregate(s=Sum("amount"))["s"]
    assert totals.student_days == live.aggregate(s=Sum("student_days"))["s"]
    # The budgets covering the month, straight from the table.
    budgets = Budget.objects.across_schools().filter(
        period_start__lte=date(2024, 3, 31), period_end__gte=MONTH
    )
    sums = budgets.aggregate(
        allocated=Sum("allocated"), carried_in=Sum("carried_in"), committed=Sum("committed")
    )
    assert totals.allocated == sums["allocated"] == Decimal("63345.66")
    assert totals.carried_in == sums["carried_in"] == Decimal("100.01")
    assert totals.committed == sums["committed"] == Decimal("13227.99")
    assert totals.supplemented == Decimal("200.00")
    assert totals.remaining == (
        Decimal("63345.66") + Decimal("200.00") + Decimal("100.01") - Decimal("13227.99")
    )
    counts = statement.status_counts
    assert counts[Claim.Status.APPROVED] == 1
    assert counts[Claim.Status.PAID] == 1
    assert counts[Claim.Status.REJECTED] == 0  # replaced by the live claim
    assert sum(counts.values()) == len(rows)


def test_a_rejected_claim_alone_shows_as_rejected_and_not_approved(school_a):
    budget = march_budget(school_a, make_programme(), "100.00")
    claim_for(budget, {date(2024, 3, 4): 4}, status=Claim.Status.REJECTED, reason="数据有误")
    statement = selectors.school_statement(school=school_a, month=MONTH)
    (row,) = statement.rows
    assert row.status == Claim.Status.REJECTED
    assert row.amount == Decimal("20.00")
    assert row.approved == Decimal("0.00")


def test_district_statement_queries_do_not_grow_with_schools(school_a, school_b, figures):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            statement = selectors.district_statement(month=MONTH)
        # Public tables only: no school's schema is named or put on the search path.
        for query in captured.captured_queries:
            assert '"s_' not in query["sql"] and "search_path" not in query["sql"].lower()
        return len(captured.captured_queries), len({r.school_id for r in statement.rows})

    before, schools_before = queries()
    for n in range(4):
        school = school_create(
            actor=SETUP, code=f"rpt{n}", name=f"报表小学{n}", kind=School.Kind.PRIMARY
        )
        march_budget(school, figures["nutrition"], "10.00")
    after, schools_after = queries()
    assert schools_after == schools_before + 4
    assert before == after == 3


# Files ------------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    """The text of an uncompressed reportlab PDF, each string read through the ToUnicode map of
    the font subset it is set in (one byte a character)."""
    objects = dict(re.findall(rb"(\d+) 0 obj\s*(.*?)\s*endobj", pdf, flags=re.S))
    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        name, to_unicode = re.search(rb"/Name /(\S+)", body), re.search(rb"/ToUnicode (\d+)", body)
        if name and to_unicode:
            pairs = re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", objects[to_unicode.group(1)])
            maps[name.group(1)] = {int(code, 16): chr(int(u, 16)) for code, u in pairs}
    texts, font = [], b""
    for name, raw in re.findall(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", pdf, flags=re.S):
        if name:
            font = name
            continue
        unescaped = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else m.group(1),
            raw,
        )
        texts.append("".join(maps.get(font, {}).get(b, chr(b)) for b in unescaped))
    return "".join(texts)


def test_school_statement_as_excel(school_a, figures):
    statement = selectors.school_statement(school=school_a, month=MONTH)
    book = load_workbook(io.BytesIO(renderers.school_statement_xlsx(statement)))
    sheet = book.worksheets[0]
    assert school_a.name in sheet["A1"].value
    assert sheet.freeze_panes == "A3"
    headings = [c.value for c in sheet[2]]
    claimed = headings.index("Claimed") + 1 if "Claimed" in headings else None
    assert claimed is not None
    total_row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == "Total")
    assert total_row == 3 + len(statement.rows)
    assert Decimal(str(sheet.cell(total_row, claimed).value)) == Decimal("10501.11")
    assert sheet.cell(3, claimed).number_format == "#,##0.00"
    days = book.worksheets[1]
    assert days.cell(days.max_row, 3).value == 2403
    assert days.max_row == 2 + len(figures["days"]) + 1


def test_district_statement_as_excel(school_a, school_b, figures):
    statement = selectors.district_statement(month=MONTH)
    book = load_workbook(io.BytesIO(renderers.district_statement_xlsx(statement)))
    sheet = book.worksheets[0]
    headings = [c.value for c in sheet[2]]
    last = 3 + len(statement.rows)
    assert sheet.cell(last, 1).value == "Total"
    for name, value in (
        ("Claimed", statement.totals.amount),
        ("Allocated", statement.totals.allocated),
        ("Remaining", statement.totals.remaining),
    ):
        column = headings.index(name) + 1
        assert Decimal(str(sheet.cell(last, column).value)).quantize(Decimal("0.01")) == value
        assert sheet.column_dimensions[sheet.cell(2, column).column_letter].width >= 10
    codes = [sheet.cell(r, 1).value for r in range(3, last)]
    assert school_a.code in codes and school_b.code in codes


def test_statements_as_pdf(school_a, figures):
    statement = selectors.school_statement(school=school_a, month=MONTH)
    pdf = renderers.school_statement_pdf(statement, compress=False)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert school_a.name in text
    assert "10,501.11" in text
    assert "2024-03" in text
    assert "Page 1 of 1" in text
    district = renderers.district_statement_pdf(
        selectors.district_statement(month=MONTH), compress=False
    )
    assert district.startswith(b"%PDF")
    assert school_a.name in _pdf_text(district)
    assert renderers.district_statement_pdf(selectors.district_statement(month=MONTH)).startswith(
        b"%PDF"
    )


def test_the_pdf_embeds_its_font_and_has_every_character(school_a, figures):
    """Every character a statement writes is in the font the PDF embeds (no reader falls back
    to a font of its own, nothing shows as an empty box): Chinese text in the translation too,
    and names with rarer characters of GBK."""
    statement = selectors.district_statement(month=MONTH)
    row = statement.rows[0]
    rare = replace(row, school_name="堃喆犇淼镕昇学校", programme_name="寄宿生（初中）")
    statement = replace(statement, rows=[rare, *statement.rows[1:]])
    with translation.override("zh-hans"):
        pdf = renderers.district_statement_pdf(statement, compress=False)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiMicroHei", pdf)
    assert b"/FontFile2" in pdf
    text = _pdf_text(pdf)
    for shown in ("堃喆犇淼镕昇学校", "寄宿生（初中）", "补助月度报表", "合计"):
        assert shown in text
    glyphs = renderers.pdf_font().face.charToGlyph
    assert {c for c in text if not c.isspace() and ord(c) not in glyphs} == set()


# Months -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-3", "2024/03", "March", "2024-13", "2024-00", "0000-01"])
def test_malformed_months_are_refused(value):
    with pytest.raises(InvalidInput):
        selectors.month_parse(value, today=date(2026, 11, 26))


def test_months_default_to_the_previous_and_the_future_is_refused():
    assert selectors.month_parse(None, today=date(2026, 1, 5)) == date(2025, 12, 1)
    assert selectors.month_parse("", today=date(2026, 11, 26)) == date(2026, 10, 1)
    assert selectors.month_parse("2026-11", today=date(2026, 11, 26)) == date(2026, 11, 1)
    with pytest.raises(InvalidInput):
        selectors.month_parse("2026-12", today=date(2026, 11, 26))


# The API ----------------------------------------------------------------------------------------


def test_district_statement_over_the_api(client_for, school_a, figures):
    client = client_for(None, R.FINANCE_OFFICER)
    response = client.get(DISTRICT, {"month": MONTH_TEXT})
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2024-03-01"
    assert body["totals"]["amount"] == "13227.99"
    xlsx = client.get(DISTRICT, {"month": MONTH_TEXT, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == XLSX
    assert xlsx["Content-Disposition"] == 'attachment; filename="statement-2024-03-district.xlsx"'
    load_workbook(io.BytesIO(xlsx.content))
    pdf = client_for(None, R.AUDITOR).get(DISTRICT, {"month": MONTH_TEXT, "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == PDF
    assert pdf.content.startswith(b"%PDF")


def test_any_school_statement_from_the_district(client_for, school_a, figures):
    client = client_for(None, R.AUDITOR)
    url = f"/api/v1/statements/schools/{school_a.code}/"
    response = client.get(url, {"month": MONTH_TEXT, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-2024-03-{school_a.code}.xlsx"'
    )
    missing = client.get("/api/v1/statements/schools/nosuchschool/", {"month": MONTH_TEXT})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_a_school_host_sees_only_its_own_statement(client_for, school_a, school_b, figures):
    response = client_for(school_a, R.PRINCIPAL).get(OWN, {"month": MONTH_TEXT})
    assert response.status_code == 200
    body = response.json()
    assert body["school"] == school_a.code
    assert {r["claim_id"] for r in body["rows"]} == {figures["a_claim"].pk, None}
    assert body["totals"]["amount"] == "10501.11"
    # School B's accountant on B's host: B's figures only.
    other = client_for(school_b, R.ACCOUNTANT).get(OWN, {"month": MONTH_TEXT, "format": "pdf"})
    assert other.status_code == 200
    assert other["Content-Disposition"] == (
        f'attachment; filename="statement-2024-03-{school_b.code}.pdf"'
    )
    # A's principal on B's host holds no role there.
    principal_a = user_with_role(R.PRINCIPAL, school_a)
    denied = HostClient(school_host(school_b.code), principal_a).get(OWN, {"month": MONTH_TEXT})
    assert denied.status_code == 403


def test_the_bare_statement_is_last_months(client_for, school_a):
    response = client_for(school_a, R.ACCOUNTANT).get(OWN)
    assert response.status_code == 200
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    assert response.json()["month"] == last_month.isoformat()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "2024-13"}, "month"),
        ({"month": "not-a-month"}, "month"),
        ({"month": "2999-01"}, "month"),
        ({"month": MONTH_TEXT, "format": "docx"}, "format"),
    ],
)
def test_bad_input_is_a_400_in_the_one_shape(client_for, school_a, query, field):
    for client, path in (
        (client_for(None, R.FINANCE_OFFICER), DISTRICT),
        (client_for(None, R.FINANCE_OFFICER), f"/api/v1/statements/schools/{school_a.code}/"),
        (client_for(school_a, R.PRINCIPAL), OWN),
    ):
        response = client.get(path, query)
        assert response.status_code == 400, (path, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert error["status"] == 400
        assert field in error["fields"]


def test_a_refused_file_request_answers_json(client_for, school_a):
    response = client_for(None, R.NUTRITION_OFFICER).get(DISTRICT, {"format": "xlsx"})
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
