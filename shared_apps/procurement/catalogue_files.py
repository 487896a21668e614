"""Catalogue files (.csv or .xlsx, see `houqin.tables`): the columns they may name, as people
write them, and the rows they hold, for `services.catalogue.catalogue_import` to check and save."""

from typing import IO

from houqin.tables import Row, read_table

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "编码", "代码", "品目编码"),
    "name": ("name", "名称", "品名"),
    "category": ("category", "类别", "品类"),
    "unit": ("unit", "单位", "计量单位"),
    "specification": ("specification", "spec", "规格", "规格型号"),
    "reference_price": ("reference_price", "price", "市场参考价", "参考价"),
    "reference_date": ("reference_date", "price_date", "参考价日期", "价格日期"),
    "food": ("food", "food_code", "食物编码"),
    "grams_per_unit": ("grams_per_unit", "每单位克数", "单位克重"),
}
REQUIRED = ("code", "name", "category", "unit", "reference_price", "reference_date")


def read_catalogue_rows(file: IO[bytes], filename: str) -> list[Row]:
    """The rows of a .csv or .xlsx catalogue (see `houqin.tables`)."""
    return read_table(file, filename, columns=COLUMNS, required=REQUIRED)
