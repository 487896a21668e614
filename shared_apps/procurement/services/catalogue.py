"""Writes about the catalogue of what schools buy: items with their unit, specification and the
market reference price the district tracks (as of a date), one by one or imported from a .csv or
.xlsx file, all rows or none, with a report per row (like the food table's import).

An order line keeps the reference price in force when it was placed, so a later price change
does not rewrite what savings were.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.imports import (
    ImportReport,
    RowResult,
    RowStatus,
    listed_twice,
    other_rows,
    save_all_or_nothing,
)
from houqin.tables import Row
from shared_apps.procurement.catalogue_files import REQUIRED
from shared_apps.procurement.models import CatalogueItem, Category
from shared_apps.standards.models import Food

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_PRICE = Decimal("999999999999.99")
ITEM_FIELDS = (
    "name",
    "category",
    "unit",
    "specification",
    "reference_price",
    "reference_date",
    "food",
    "grams_per_unit",
)
MAX_GRAMS = Decimal("99999999.9")
# Categories as people write them: the code or the Chinese word.
CATEGORIES: dict[str, str] = {
    **{c.value: c.value for c in Category},
    "食品": Category.FOOD,
    "食材": Category.FOOD,
    "厨房用品": Category.KITCHEN,
    "炊具": Category.KITCHEN,
    "清洁用品": Category.CLEANING,
    "家具": Category.FURNITURE,
    "教学用品": Category.TEACHING,
    "设备": Category.EQUIPMENT,
    "燃料": Category.FUEL,
    "其他": Category.OTHER,
}


def _text(checked: RowResult, values: Mapping[str, Any], column: str, limit: int) -> str:
    text = str(values.get(column) or "").strip()
    if column in REQUIRED and not text:
        checked.problem(column, f"{column}_required", _("This field is required."))
    elif len(text) > limit:
        checked.problem(
            column,
            f"{column}_too_long",
            _("At most {max} characters.").format(max=limit),
        )
    return text


def _price(checked: RowResult, value: object) -> Decimal | None:
    try:
        price = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite() or price <= 0 or price > MAX_PRICE:
        checked.problem(
            "reference_price",
            "reference_price_invalid",
            _("A price above 0 in CNY, e.g. 5.20."),
        )
        return None
    if price != price.quantize(Decimal("0.01")):
        checked.problem(
            "reference_price", "reference_price_invalid", _("At most two decimals (fen).")
        )
        return None
    return price.quantize(Decimal("0.01"))


def _grams(checked: RowResult, value: object) -> Decimal | None:
    """Grams per unit: optional, above 0, to 0.1 g."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        grams = Decimal(text)
    except InvalidOperation:
        grams = None
    if grams is None or not grams.is_finite() or not 0 < grams <= MAX_GRAMS:
        checked.problem(
            "grams_per_unit",
            "grams_per_unit_invalid",
            _("The grams one unit holds, above 0, e.g. 258 for a 250 mL box of milk."),
        )
        return None
    return grams.quantize(Decimal("0.1"))


def _date(checked: RowResult, value: object, today: date) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = str(value or "").strip()
        try:
            # A date typed in Excel arrives as "2025-03-01 00:00:00".
            value = date.fromisoformat(text[:10])
        except ValueError:
            checked.problem(
                "reference_date", "reference_date_invalid", _("A date, written YYYY-MM-DD.")
            )
            return None
    if value > today or value.year < 2000:
        checked.problem(
            "reference_date",
            "reference_date_out_of_range",
            _("The price's date is in the future or before 2000."),
        )
        return None
    return value


def _check_item(values: Mapping[str, Any], *, row: int = 0, today: date | None = None) -> RowResult:
    """The problems of one item's values (as typed or as written in a file), or the values ready
    to save."""
    today = today or timezone.localdate()
    code = str(values.get("code") or "").strip()
    checked = RowResult(row=row, key=code)
    if not CODE.match(code):
        checked.problem(
            "code",
            "code_invalid",
            _("A code is 1 to 32 letters, digits, dots, dashes or underscores."),
        )
    name = _text(checked, values, "name", 200)
    written = str(values.get("category") or "").strip()
    category = CATEGORIES.get(written) or CATEGORIES.get(written.lower())
    if category is None:
        checked.problem(
            "category",
            "category_unknown",
            _("Unknown category; use one of: {categories}.").format(
                categories=", ".join(Category.values)
            ),
        )
    unit = _text(checked, values, "unit", 16)
    specification = _text(checked, values, "specification", 300)
    price = _price(checked, values.get("reference_price"))
    on = _date(checked, values.get("reference_date"), today)
    grams = _grams(checked, values.get("grams_per_unit"))
    food = None
    food_code = str(values.get("food") or "").strip()
    if food_code:
        food = Food.objects.filter(code=food_code).first()
        if food is None:
            checked.problem("food", "food_unknown", _("No food with this code."))
    if not checked.failed:
        checked.cleaned = {
            "code": code,
            "name": name,
            "category": category,
            "unit": unit,
            "specification": specification,
            "reference_price": price,
            "reference_date": on,
            "food": food,
            "grams_per_unit": grams,
        }
    return checked


def _refused(checked: RowResult) -> InvalidInput:
    message = next(iter(checked.fields.values()))[0]
    return InvalidInput(message, fields=checked.fields)


@service
def catalogue_item_create(*, actor: Actor, **values: object) -> CatalogueItem:
    checked = _check_item(values)
    if checked.failed:
        raise _refused(checked)
    try:
        with transaction.atomic():
            return CatalogueItem.objects.create(**checked.cleaned)
    except IntegrityError:
        raise Conflict(
            _("An item with the code {code} is in the catalogue.").format(code=checked.key),
            code="duplicate_code",
            fields={"code": [_("Already in the catalogue.")]},
        ) from None


@service
def catalogue_item_update(*, item: CatalogueItem, actor: Actor, **changes: object) -> CatalogueItem:
    """Correct an item or give it a new reference price. Order lines already placed keep the
    reference price they were placed with."""
    locked = CatalogueItem.objects.select_for_update().get(pk=item.pk)
    values: dict[str, Any] = {"code": locked.code, **{f: getattr(locked, f) for f in ITEM_FIELDS}}
    values["food"] = locked.food.code if locked.food else ""
    values.update({k: v for k, v in changes.items() if k in ITEM_FIELDS})
    checked = _check_item(values)
    if checked.failed:
        raise _refused(checked)
    for name in ITEM_FIELDS:
        setattr(locked, name, checked.cleaned[name])
    locked.save()
    return locked


# Importing ---------------------------------------------------------------------------------------


@service
def catalogue_import(*, rows: Sequence[Row], actor: Actor, dry_run: bool = False) -> ImportReport:
    """Create or update the items of a file, by code: all of them or, if any row has a problem,
    none (see `houqin.imports`)."""
    checked = [_check_item(values, row=number) for number, values in rows]
    twice = listed_twice((item.key, item.row) for item in checked)
    for item in checked:
        if item.key in twice:
            item.problem(
                "code",
                "duplicate_in_file",
                _("The code {code} is also listed in row(s) {rows}.").format(
                    code=item.key, rows=other_rows(twice[item.key], item.row)
                ),
            )
    report = ImportReport(rows=checked, dry_run=dry_run)
    ready = [item for item in checked if not item.failed]
    existing = {
        i.code: i
        for i in CatalogueItem.objects.select_for_update().filter(
            code__in=[item.key for item in ready]
        )
    }
    to_create, to_update = [], []
    for item in ready:
        current = existing.get(item.key)
        if current is None:
            to_create.append(CatalogueItem(**item.cleaned))
            item.status = RowStatus.CREATED
            continue
        changed = [f for f in ITEM_FIELDS if getattr(current, f) != item.cleaned[f]]
        for name in changed:
            setattr(current, name, item.cleaned[name])
        if changed:
            to_update.append(current)
        item.status = RowStatus.UPDATED if changed else RowStatus.UNCHANGED

    def write() -> None:
        CatalogueItem.objects.bulk_create(to_create, batch_size=500)
        CatalogueItem.objects.bulk_update(to_update, list(ITEM_FIELDS), batch_size=500)

    conflict = Conflict(
        _("Another import saved some of these items at the same time; try again."),
        code="concurrent_import",
    )
    save_all_or_nothing(report, write, conflict=conflict)
    return report
