"""The district's spend views, read from the spend lines only: a crafted month's figures to the
fen (by school, category and supplier; savings against reference prices; on-time delivery;
orders outside contracts), in a fixed number of queries; the same figures as JSON and as an
Excel workbook; periods of at most a year; a supplier's view of the orders placed with it; and a
school's real order reaching the district's figures."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from houqin.exceptions import InvalidInput
from houqin.roles import Role
from houqin.tenancy import SchoolScope
from shared_apps.procurement.api.supply_renderers import figure_columns
from shared_apps.procurement.models import Category, Supplier
from shared_apps.procurement.selectors.spend import SpendFigures, spend_period, spend_summary
from shared_apps.procurement.services import suppliers
from tenants.models import School
from tests.factories import SETUP
from tests.matrix.orders import make_order
from tests.matrix.supply import make_contract, make_spend_line, make_supplier

R = Role
D = Decimal
SUMMARY = "/api/v1/procurement/spend/summary/"
MARCH = (date(2025, 3, 1), date(2025, 3, 31))
# The day the crafted month is read on: April 15th.
READ_ON = date(2025, 4, 15)


def line(school: School, supplier: Supplier, order: str, **values: Any) -> Any:
    fields: dict[str, Any] = {
        "order_number": order,
        "ordered_on": date(2025, 3, 10),
        "due_on": date(2025, 3, 12),
        "outside_contract_reason": "",
        **values,
    }
    return make_spend_line(school, supplier, **fields)


@pytest.fixture
def month(school_a: School, school_b: School) -> dict[str, Any]:
    """March 2025 across two schools, two suppliers, three categories."""
    s1, s2 = make_supplier(name="甲粮油公司"), make_supplier(name="乙日杂公司")
    contract = make_contract(s1, prices=[], category=Category.FOOD)
    under = {"contract": contract}
    line(  # on time, invoiced
        school_a, s1, "PO-A1", **under, category=Category.FOOD, description="大米",
        quantity=D("100.000"), unit_price=D("4.60"), amount=D("460.00"),
        reference_price=D("5.00"), delivered_quantity=D("100"), delivered_on_time=True,
        invoiced_amount=D("460.00"),
    )  # fmt: skip
    line(  # delivered in full, late
        school_a, s1, "PO-A1", **under, category=Category.KITCHEN, description="汤锅",
        quantity=D("2.000"), unit_price=D("75.00"), amount=D("150.00"),
        reference_price=D("80.00"), delivered_quantity=D("2"), delivered_on_time=False,
    )  # fmt: skip
    line(  # outside contracts, short past its due date: late
        school_a, s2, "PO-A2", category=Category.CLEANING, description="消毒液",
        quantity=D("4.000"), unit_price=D("18.50"), amount=D("74.00"), reference_price=None,
        delivered_quantity=D("1"), due_on=date(2025, 3, 20), outside_contract_reason="急用",
    )  # fmt: skip
    line(  # not due yet on April 15th: neither on time nor late
        school_b, s1, "PO-B1", **under, category=Category.FOOD, description="大米",
        quantity=D("33.333"), unit_price=D("4.60"), amount=D("153.33"),
        reference_price=D("5.00"), due_on=date(2025, 4, 30),
    )  # fmt: skip
    line(  # outside contracts, dearer than the reference
        school_b, s2, "PO-B2", category=Category.FOOD, description="食用油",
        quantity=D("10.000"), unit_price=D("13.00"), amount=D("130.00"),
        reference_price=D("12.00"), delivered_quantity=D("10"), delivered_on_time=True,
        outside_contract_reason="合同外急需",
    )  # fmt: skip
    line(  # February: outside the month
        school_a, s1, "PO-A0", **under, category=Category.FOOD, description="面粉",
        ordered_on=date(2025, 2, 27), due_on=date(2025, 2, 28), quantity=D("1.000"),
        unit_price=D("999.99"), amount=D("999.99"), reference_price=D("1.00"),
    )  # fmt: skip
    return {"s1": s1, "s2": s2, "contract": contract}


def figures(**values: Any) -> SpendFigures:
    defaults: dict[str, Any] = {
        "invoiced": D("0.00"),
        "reference_amount": D("0.00"),
        "savings": D("0.00"),
        "savings_pct": None,
        "outside_contract_lines": 0,
        "outside_contract_amount": D("0.00"),
        "on_time": 0,
        "late": 0,
        "on_time_rate": None,
    }
    return SpendFigures(**{**defaults, **values})


def test_a_crafted_month_to_the_fen(
    school_a: School, school_b: School, month: dict[str, Any]
) -> None:
    summary = spend_summary(
        date_from=MARCH[0], date_to=MARCH[1], today=READ_ON, scope=SchoolScope.every()
    )
    # Savings: (5 − 4.60) × 100 + (80 − 75) × 2 + (5 − 4.60) × 33.333 + (12 − 13) × 10
    # = 53.3332 on a reference of 946.665.
    assert summary.totals == figures(
        orders=4,
        lines=5,
        amount=D("967.33"),
        invoiced=D("460.00"),
        reference_amount=D("946.67"),
        savings=D("53.33"),
        savings_pct=D("5.63"),
        outside_contract_lines=2,
        outside_contract_amount=D("204.00"),
        on_time=2,
        late=2,
        on_time_rate=D("50.00"),
    )
    assert {g.key: g.figures for g in summary.by_school} == {
        school_a.code: figures(
            orders=2,
            lines=3,
            amount=D("684.00"),
            invoiced=D("460.00"),
            reference_amount=D("660.00"),
            savings=D("50.00"),
            savings_pct=D("7.58"),
            outside_contract_lines=1,
            outside_contract_amount=D("74.00"),
            on_time=1,
            late=2,
            on_time_rate=D("33.33"),
        ),
        school_b.code: figures(
            orders=2,
            lines=2,
            amount=D("283.33"),
            reference_amount=D("286.67"),
            savings=D("3.33"),
            savings_pct=D("1.16"),
            outside_contract_lines=1,
            outside_contract_amount=D("130.00"),
            on_time=1,
            on_time_rate=D("100.00"),
        ),
    }
    assert [g.name for g in summary.by_school] == [school_a.name, school_b.name]
    assert {g.key: g.figures for g in summary.by_category} == {
        "cleaning": figures(
            orders=1,
            lines=1,
            amount=D("74.00"),
            outside_contract_lines=1,
            outside_contract_amount=D("74.00"),
            late=1,
            on_time_rate=D("0.00"),
        ),
        "food": figures(
            orders=3,
            lines=3,
            amount=D("743.33"),
            invoiced=D("460.00"),
            reference_amount=D("786.67"),
            savings=D("43.33"),
            savings_pct=D("5.51"),
            outside_contract_lines=1,
            outside_contract_amount=D("130.00"),
            on_time=2,
            on_time_rate=D("100.00"),
        ),
        "kitchen": figures(
            orders=1,
            lines=1,
            amount=D("150.00"),
            reference_amount=D("160.00"),
            savings=D("10.00"),
            savings_pct=D("6.25"),
            late=1,
            on_time_rate=D("0.00"),
        ),
    }
    by_supplier = {g.name: g.figures for g in summary.by_supplier}
    assert (by_supplier["甲粮油公司"].amount, by_supplier["乙日杂公司"].amount) == (
        D("763.33"),
        D("204.00"),
    )
    assert (by_supplier["甲粮油公司"].on_time, by_supplier["甲粮油公司"].late) == (1, 1)
    assert [
        (o.school_code, o.order_number, o.supplier_name, o.lines, o.amount, o.reason)
        for o in summary.outside_contract
    ] == [
        (school_a.code, "PO-A2", "乙日杂公司", 1, D("74.00"), "急用"),
        (school_b.code, "PO-B2", "乙日杂公司", 1, D("130.00"), "合同外急需"),
    ]
    # Over February and March, February's line counts too.
    both = spend_summary(
        date_from=date(2025, 2, 1), date_to=MARCH[1], today=READ_ON, scope=SchoolScope.every()
    )
    assert both.totals.amount == D("1967.32")


def test_the_figures_take_five_queries_whatever_the_number_of_lines(
    school_a: School, school_b: School, month: dict[str, Any]
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            spend_summary(
                date_from=MARCH[0], date_to=MARCH[1], today=READ_ON, scope=SchoolScope.every()
            )
        return len(captured.captured_queries)

    before = queries()
    for n in range(30):
        line(
            school_b if n % 2 else school_a,
            make_supplier(),
            f"PO-X{n}",
            description="扫帚",
            category=Category.CLEANING,
            outside_contract_reason="零星采购",
        )
    assert queries() == before == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "2025-13"}, "month"),
        ({"month": "March"}, "month"),
        ({"month": "2099-01"}, "month"),
        ({"date_from": date(2025, 1, 1)}, "date_to"),
        ({"date_to": date(2025, 1, 1)}, "date_from"),
        ({"date_from": date(2025, 3, 1), "date_to": date(2025, 2, 1)}, "date_to"),
        ({"date_from": date(2024, 3, 1), "date_to": date(2025, 3, 1)}, "date_to"),
    ],
)
def test_a_period_is_a_month_or_at_most_a_year(query: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        spend_period(**query)
    assert field in refused.value.fields


def test_periods_default_to_last_month_and_may_span_a_year() -> None:
    assert spend_period(today=date(2025, 4, 15)) == MARCH
    assert spend_period(month="2025-03") == MARCH
    assert spend_period(date_from=date(2024, 3, 1), date_to=date(2025, 2, 28)) == (
        date(2024, 3, 1),
        date(2025, 2, 28),
    )
    leap = spend_period(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    assert leap == (date(2024, 1, 1), date(2024, 12, 31))


def _json_figures(row: dict[str, Any]) -> list[Any]:
    """A JSON figures object as the Excel sheet's cells hold it."""
    return [
        None if row[k] is None else (D(row[k]) if isinstance(row[k], str) else row[k])
        for k in (
            "orders",
            "lines",
            "amount",
            "invoiced",
            "reference_amount",
            "savings",
            "savings_pct",
            "outside_contract_lines",
            "outside_contract_amount",
            "on_time",
            "late",
            "on_time_rate",
        )
    ]


def test_the_excel_download_opens_and_matches_the_json(
    client_for: Any, school_a: School, school_b: School, month: dict[str, Any]
) -> None:
    client = client_for(None, R.AUDITOR)
    body = client.get(SUMMARY, {"month": "2025-03"})
    assert body.status_code == 200, body.content
    data = body.json()
    assert (data["date_from"], data["date_to"]) == ("2025-03-01", "2025-03-31")
    assert data["totals"]["amount"] == "967.33"
    assert data["totals"]["savings"] == "53.33"
    assert data["totals"]["savings_pct"] == "5.63"
    # Read today, PO-B1's line is past its due date too: three late of five decided.
    assert (data["totals"]["on_time"], data["totals"]["late"]) == (2, 3)
    assert data["totals"]["on_time_rate"] == "40.00"
    xlsx = client.get(SUMMARY, {"month": "2025-03", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="spend-20250301-20250331.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    summary, schools, categories, by_supplier, outside = book.worksheets
    cells = [row[1] for row in summary.iter_rows(min_row=4, values_only=True)]
    assert [None if c is None else D(str(c)) for c in cells] == [
        None if v is None else D(str(v)) for v in _json_figures(data["totals"])
    ]
    for sheet, groups in (
        (schools, data["by_school"]),
        (categories, data["by_category"]),
        (by_supplier, data["by_supplier"]),
    ):
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(groups) + 1  # and the totals row
        for cells_row, group in zip(rows, groups, strict=False):
            assert (str(cells_row[0]), cells_row[1]) == (group["key"], group["name"])
            assert [None if c is None else D(str(c)) for c in cells_row[2:]] == [
                None if v is None else D(str(v)) for v in _json_figures(group["figures"])
            ]
        assert [None if c is None else D(str(c)) for c in rows[-1][2:]] == [
            None if v is None else D(str(v)) for v in _json_figures(data["totals"])
        ]
    assert len(list(figure_columns())) == len(_json_figures(data["totals"]))
    outside_rows = list(outside.iter_rows(min_row=2, values_only=True))
    assert [(r[2], D(str(r[6])), r[7]) for r in outside_rows] == [
        (o["order_number"], D(o["amount"]), o["reason"]) for o in data["outside_contract"]
    ]
    # An error stays JSON whatever file was asked for.
    refused = client.get(SUMMARY, {"month": "2025-13", "format": "xlsx"})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["month"]
    assert client.get(SUMMARY, {"format": "pdf"}).status_code == 400


def test_a_supplier_sees_the_orders_placed_with_it(
    client_for: Any, school_a: School, school_b: School, month: dict[str, Any]
) -> None:
    account, _password = suppliers.supplier_account_create(
        supplier=month["s1"], username="jia-liangyou", actor=SETUP
    )
    client = client_for(None, account.user)
    orders = client.get(f"/api/v1/procurement/suppliers/{month['s1'].pk}/orders/")
    assert orders.status_code == 200, orders.content
    rows = orders.json()["results"]
    # Newest first: March's three orders (two schools), then February's.
    assert [(r["school_name"], r["order_number"]) for r in rows] == [
        (school_a.name, "PO-A1"),
        (school_b.name, "PO-B1"),
        (school_a.name, "PO-A0"),
    ]
    first = rows[0]
    assert (first["ordered_on"], first["due_on"], first["amount"]) == (
        "2025-03-10",
        "2025-03-12",
        "610.00",
    )
    assert [
        (li["description"], li["quantity"], li["delivered_quantity"], li["delivered_on_time"])
        for li in first["lines"]
    ] == [("大米", "100.000", "100.000", True), ("汤锅", "2.000", "2.000", False)]
    assert client.get(f"/api/v1/procurement/suppliers/{month['s2'].pk}/orders/").status_code == 404


def test_a_schools_real_order_reaches_the_district_figures(school_a: School) -> None:
    today = timezone.localdate()
    contract = make_contract()
    order = make_order(school_a, contract, quantity=D("10"), delivered=D("10"), invoiced=True)
    summary = spend_summary(
        date_from=today.replace(day=1), date_to=today, scope=SchoolScope.every()
    )
    assert summary.totals.amount == order.amount == D("95.00")
    assert summary.totals.invoiced == D("95.00")
    assert (summary.totals.on_time, summary.totals.late) == (1, 0)
    # The reference was 10.00, the contract's price 9.50: 0.50 saved on each of ten.
    assert (summary.totals.savings, summary.totals.savings_pct) == (D("5.00"), D("5.00"))
    assert [g.key for g in summary.by_school] == [school_a.code]
