"""The district's spend views: what the schools ordered in a month (or a period of up to a year),
by school, by category and by supplier; savings against the market reference prices; on-time
delivery; orders outside any framework contract.

Everything is read from the spend lines in the public schema (each school's order lines, written
in the same transaction as the school's own rows), never from a school's schema, in five
GROUP BY queries whatever the number of schools or lines.

- amount: what was ordered, Σ quantity × contract (or agreed) price, to the fen per line;
- savings: Σ (reference price − unit price) × quantity over the lines with a reference price,
  and as a percentage of Σ reference price × quantity;
- on time: a line delivered in full by its due date; late: delivered in full after it, or still
  short once its due date has passed. The rate is on time / (on time + late); lines not yet due
  and not yet complete are not counted either way.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.exceptions import InvalidInput
from houqin.months import month_end
from houqin.tenancy import SchoolScope
from shared_apps.procurement.models import Category, SpendLine
from shared_apps.reporting.selectors import month_parse

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _a_year_after(day: date) -> date:
    """The same day a year later (February 29th's is March 1st)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def spend_period(
    *,
    month: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> tuple[date, date]:
    """The first and last day a view covers: `date_from` to `date_to` (both, at most a year),
    or the month `month` names (YYYY-MM; the previous month when nothing is given)."""
    if date_from is None and date_to is None:
        first = month_parse(month, today=today)
        return first, month_end(first)
    if date_from is None or date_to is None:
        message = _("Give both ends of the period, or a month.")
        raise InvalidInput(
            message, fields={"date_from" if date_from is None else "date_to": [message]}
        )
    if date_to < date_from:
        message = _("The period ends before it starts.")
        raise InvalidInput(message, fields={"date_to": [message]})
    if date_to >= _a_year_after(date_from):
        message = _("A period is at most a year; split it.")
        raise InvalidInput(message, fields={"date_to": [message]})
    return date_from, date_to


@dataclass(frozen=True)
class SpendFigures:
    """The figures of a group of spend lines."""

    orders: int
    lines: int
    amount: Decimal
    invoiced: Decimal
    reference_amount: Decimal
    savings: Decimal
    savings_pct: Decimal | None
    outside_contract_lines: int
    outside_contract_amount: Decimal
    on_time: int
    late: int
    on_time_rate: Decimal | None


@dataclass(frozen=True)
class SpendGroup:
    """One school, category or supplier and its figures."""

    key: str
    name: str
    figures: SpendFigures


@dataclass(frozen=True)
class OutsideOrder:
    """An order placed outside any framework contract, with the school's reason."""

    school_code: str
    school_name: str
    order_number: str
    supplier_name: str
    ordered_on: date
    lines: int
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class SpendSummary:
    """The district's spend over one period."""

    date_from: date
    date_to: date
    generated_at: datetime
    totals: SpendFigures
    by_school: list[SpendGroup]
    by_category: list[SpendGroup]
    by_supplier: list[SpendGroup]
    outside_contract: list[OutsideOrder]


def _money_sum(expression: str | Combinable, *, filter: Q | None = None) -> Coalesce:
    return Coalesce(
        Sum(expression, filter=filter),
        Value(ZERO),
        output_field=DecimalField(max_digits=20, decimal_places=5),
    )


def _aggregates(today: date) -> dict[str, Any]:
    referenced = Q(reference_price__isnull=False)
    late = Q(delivered_on_time=False) | Q(
        delivered_on_time__isnull=True, due_on__lt=today, delivered_quantity__lt=F("quantity")
    )
    exact = DecimalField(max_digits=20, decimal_places=5)
    return {
        "orders": Count(
            Concat(Cast("school_id", CharField()), Value(":"), "order_number"), distinct=True
        ),
        "lines": Count("id"),
        "ordered": _money_sum("amount"),
        "invoiced": _money_sum("invoiced_amount"),
        "reference_amount": _money_sum(
            ExpressionWrapper(F("reference_price") * F("quantity"), output_field=exact),
            filter=referenced,
        ),
        "savings": _money_sum(
            ExpressionWrapper(
                (F("reference_price") - F("unit_price")) * F("quantity"), output_field=exact
            ),
            filter=referenced,
        ),
        "outside_contract_lines": Count("id", filter=Q(contract__isnull=True)),
        "outside_contract_amount": _money_sum("amount", filter=Q(contract__isnull=True)),
        "on_time": Count("id", filter=Q(delivered_on_time=True)),
        "late": Count("id", filter=late),
    }


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return _cents(Decimal(part) * 100 / Decimal(whole))


def _figures(row: dict[str, Any]) -> SpendFigures:
    return SpendFigures(
        orders=row["orders"],
        lines=row["lines"],
        amount=_cents(row["ordered"]),
        invoiced=_cents(row["invoiced"]),
        reference_amount=_cents(row["reference_amount"]),
        savings=_cents(row["savings"]),
        savings_pct=_percent(row["savings"], row["reference_amount"]),
        outside_contract_lines=row["outside_contract_lines"],
        outside_contract_amount=_cents(row["outside_contract_amount"]),
        on_time=row["on_time"],
        late=row["late"],
        on_time_rate=_percent(row["on_time"], row["on_time"] + row["late"]),
    )


def _grouped(lines: QuerySet[SpendLine], fields: list[str], today: date) -> list[dict[str, Any]]:
    return list(lines.values(*fields).annotate(**_aggregates(today)).order_by(*fields))


def spend_summary(
    *, date_from: date, date_to: date, scope: SchoolScope, today: date | None = None
) -> SpendSummary:
    """The spend of the schools of `scope` over the orders placed from `date_from` to
    `date_to`."""
    today = today or timezone.localdate()
    lines = SpendLine.objects.scoped(scope).filter(
        ordered_on__gte=date_from, ordered_on__lte=date_to
    )
    totals = _figures(lines.aggregate(**_aggregates(today)))
    labels = dict(Category.choices)
    by_school = [
        SpendGroup(row["school__code"], row["school__name"], _figures(row))
        for row in _grouped(lines, ["school__code", "school__name"], today)
    ]
    by_category = [
        SpendGroup(
            row["category"], str(labels.get(row["category"], row["category"])), _figures(row)
        )
        for row in _grouped(lines, ["category"], today)
    ]
    by_supplier = [
        SpendGroup(str(row["supplier_id"]), row["supplier__name"], _figures(row))
        for row in _grouped(lines, ["supplier__name", "supplier_id"], today)
    ]
    outside = [
        OutsideOrder(
            school_code=row["school__code"],
            school_name=row["school__name"],
            order_number=row["order_number"],
            supplier_name=row["supplier__name"],
            ordered_on=row["ordered_on"],
            lines=row["lines"],
            amount=_cents(row["amount"]),
            reason=row["outside_contract_reason"],
        )
        for row in lines.filter(contract__isnull=True)
        .values(
            "school__code",
            "school__name",
            "order_number",
            "supplier__name",
            "outside_contract_reason",
        )
        .annotate(ordered_on=Max("ordered_on"), lines=Count("id"), amount=Sum("amount"))
        .order_by("ordered_on", "school__code", "order_number")
    ]
    return SpendSummary(
        date_from=date_from,
        date_to=date_to,
        generated_at=timezone.now(),
        totals=totals,
        by_school=by_school,
        by_category=by_category,
        by_supplier=by_supplier,
        outside_contract=outside,
    )
