"""Reading a food composition table from a .csv (UTF-8 or GBK) or .xlsx file, and checking each
row, before `services.food_import` saves anything.

Reading refuses the whole file (`InvalidInput`) when it cannot be used: wrong type, too large,
neither UTF-8 nor GBK, not a workbook, no header naming the columns. Checking gives each row its
problems; the import saves nothing unless every row is clean.

The first row names the columns, in English (`code`, `energy_kcal`, ...) or Chinese (`食物编码`,
`能量`, ...), with or without the unit in brackets: `能量(kcal)`, `钙（mg）`. Energy may be given
in kJ instead (`能量(kJ)`); it is converted. The tables print "Tr" for traces and "—" or "…" for
"not determined"; both are read as 0, which undercounts rather than invents. Rows are numbered as
a spreadsheet numbers them: the header is row 1.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO

from django.utils.translation import gettext as _

from houqin.imports import RowResult, listed_twice, other_rows
from houqin.tables import read_table
from shared_apps.standards.models import CODE_REGEX, FOOD_NUTRIENTS, FoodGroup

MAX_FILE_BYTES = 5 * 1024 * 1024
KJ_PER_KCAL = Decimal("4.184")

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "食物编码", "编码", "代码", "食物代码"),
    "name": ("name", "食物名称", "名称", "食物名"),
    "alias": ("alias", "别名", "俗名"),
    "food_group": ("food_group", "group", "食物类别", "类别", "食物分类"),
    "edible_pct": ("edible_pct", "edible", "可食部", "食部"),
    "energy_kcal": ("energy_kcal", "energy", "能量"),
    "energy_kj": ("energy_kj",),
    "protein_g": ("protein_g", "protein", "蛋白质"),
    "fat_g": ("fat_g", "fat", "脂肪"),
    "carbohydrate_g": ("carbohydrate_g", "carbohydrate", "碳水化合物"),
    "fibre_g": ("fibre_g", "fiber_g", "fibre", "fiber", "膳食纤维", "不溶性纤维", "总膳食纤维"),
    "calcium_mg": ("calcium_mg", "calcium", "钙"),
    "iron_mg": ("iron_mg", "iron", "铁"),
    "zinc_mg": ("zinc_mg", "zinc", "锌"),
    "vitamin_a_ug": ("vitamin_a_ug", "vitamin_a", "维生素a", "总维生素a", "视黄醇活性当量"),
    "vitamin_b1_mg": ("vitamin_b1_mg", "vitamin_b1", "维生素b1", "硫胺素"),
    "vitamin_b2_mg": ("vitamin_b2_mg", "vitamin_b2", "维生素b2", "核黄素"),
    "vitamin_c_mg": ("vitamin_c_mg", "vitamin_c", "维生素c", "抗坏血酸"),
    "sodium_mg": ("sodium_mg", "sodium", "钠"),
    "source": ("source", "来源", "数据来源"),
    "note": ("note", "备注", "注"),
}
REQUIRED_COLUMNS = ("code", "name", "food_group", "edible_pct")
NAME_MAX = 100
ALIAS_MAX = 200
SOURCE_MAX = 300

GROUPS: dict[str, str] = {
    **{group.value: group.value for group in FoodGroup},
    "谷薯类": FoodGroup.CEREALS_TUBERS,
    "谷类": FoodGroup.CEREALS_TUBERS,
    "谷类及制品": FoodGroup.CEREALS_TUBERS,
    "薯类": FoodGroup.CEREALS_TUBERS,
    "薯类淀粉及制品": FoodGroup.CEREALS_TUBERS,
    "杂豆类": FoodGroup.CEREALS_TUBERS,
    "蔬菜类": FoodGroup.VEGETABLES,
    "蔬菜类及制品": FoodGroup.VEGETABLES,
    "菌藻类": FoodGroup.VEGETABLES,
    "水果类": FoodGroup.FRUIT,
    "水果类及制品": FoodGroup.FRUIT,
    "畜禽肉类": FoodGroup.MEAT,
    "畜肉类": FoodGroup.MEAT,
    "畜肉类及制品": FoodGroup.MEAT,
    "禽肉类": FoodGroup.MEAT,
    "禽肉类及制品": FoodGroup.MEAT,
    "鱼虾类": FoodGroup.AQUATIC,
    "水产品": FoodGroup.AQUATIC,
    "鱼虾蟹贝类": FoodGroup.AQUATIC,
    "蛋类": FoodGroup.EGGS,
    "蛋类及制品": FoodGroup.EGGS,
    "奶类": FoodGroup.DAIRY,
    "乳类": FoodGroup.DAIRY,
    "乳类及制品": FoodGroup.DAIRY,
    "奶及奶制品": FoodGroup.DAIRY,
    "大豆类": FoodGroup.SOY_NUTS,
    "大豆及制品": FoodGroup.SOY_NUTS,
    "坚果类": FoodGroup.SOY_NUTS,
    "坚果种子类": FoodGroup.SOY_NUTS,
    "大豆类及其制品和坚果": FoodGroup.SOY_NUTS,
    "油脂类": FoodGroup.OIL,
    "烹调油": FoodGroup.OIL,
    "植物油": FoodGroup.OIL,
    "调味品类": FoodGroup.CONDIMENTS,
    "调味品": FoodGroup.CONDIMENTS,
    "盐": FoodGroup.CONDIMENTS,
    "其他": FoodGroup.OTHER,
}
# The tables' "干豆类" mixes soybeans (大豆类) with other pulses (杂豆, counted with cereals):
# the file must say which.
AMBIGUOUS_GROUPS = {"干豆类", "干豆类及制品"}
NOT_DETERMINED = {"", "—", "–", "-", "--", "…", "...", "tr", "trace", "n/a", "na"}


@dataclass(frozen=True)
class FoodRow:
    """One food of a file, as written. `row` is the spreadsheet's row number (header = 1)."""

    row: int
    values: dict[str, str]

    @property
    def code(self) -> str:
        return self.values.get("code", "")


# Reading -----------------------------------------------------------------------------------------


def read_food_rows(file: IO[bytes], filename: str, *, max_rows: int | None = None) -> list[FoodRow]:
    """The rows of a .csv or .xlsx food table (see `houqin.tables`). Raises `InvalidInput` when
    the file as a whole cannot be used; problems of single rows are left to `check_rows`."""
    return [
        FoodRow(row=number, values=values)
        for number, values in read_table(
            file,
            filename,
            columns=COLUMNS,
            required=[*REQUIRED_COLUMNS, ("energy_kcal", "energy_kj")],
            max_rows=max_rows,
            max_bytes=MAX_FILE_BYTES,
            column_of=_column_of,
        )
    ]


_UNIT = re.compile(r"^(?P<name>.*?)\s*[(（\[［](?P<unit>[^)）\]］]*)[)）\]］]\s*$")


def _column_of(title: str) -> str | None:
    text = title.strip().lstrip("\ufeff").rstrip("*＊").strip().lower()
    unit = ""
    match = _UNIT.match(text)
    if match:
        text, unit = match["name"].strip(), match["unit"].strip().lower()
    text = text.replace(" ", "").replace("\u3000", "")
    for column, aliases in COLUMNS.items():
        if text in aliases:
            if column == "energy_kcal" and unit in ("kj", "千焦"):
                return "energy_kj"
            return column
    return None


# Checking ----------------------------------------------------------------------------------------


def _number(text: str) -> Decimal | None:
    """The number written, 0 for the tables' marks of trace or not determined, None if neither."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    if cleaned.lower() in NOT_DETERMINED:
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _checked_amount(
    checked: RowResult, column: str, label: str, text: str, places: int, high: Decimal
) -> Decimal | None:
    value = _number(text)
    if value is None:
        checked.problem(
            column,
            f"{column}_not_a_number",
            _("{label}: “{text}” is not a number.").format(label=label, text=text[:40]),
        )
        return None
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value < 0 or value > high:
        checked.problem(
            column,
            f"{column}_out_of_range",
            _("{label}: {value} is outside 0 to {high}.").format(
                label=label, value=value, high=high
            ),
        )
        return None
    return value


def check_food(values: dict[str, str], *, row: int = 0, default_source: str = "") -> RowResult:
    """The problems of one food's values (as written), or the values ready to save."""
    code = values.get("code", "").strip()
    checked = RowResult(row=row, key=code)
    if not code:
        checked.problem("code", "code_required", _("The food code is missing."))
    elif not re.match(CODE_REGEX, code):
        checked.problem(
            "code",
            "code_invalid",
            _("Food code “{code}”: 1 to 32 letters, digits, dots, dashes or underscores.").format(
                code=code[:40]
            ),
        )
    name = values.get("name", "").strip()
    if not name:
        checked.problem("name", "name_required", _("The food name is missing."))
    elif len(name) > NAME_MAX:
        checked.problem(
            "name",
            "name_too_long",
            _("The name is longer than {max} characters.").format(max=NAME_MAX),
        )
    alias = values.get("alias", "").strip()
    if len(alias) > ALIAS_MAX:
        checked.problem(
            "alias",
            "alias_too_long",
            _("The alias is longer than {max} characters.").format(max=ALIAS_MAX),
        )
    written_group = values.get("food_group", "").strip()
    group = GROUPS.get(written_group) or GROUPS.get(written_group.lower())
    if not written_group:
        checked.problem("food_group", "food_group_required", _("The food group is missing."))
    elif written_group in AMBIGUOUS_GROUPS:
        checked.problem(
            "food_group",
            "food_group_ambiguous",
            _("“{group}” mixes soybeans and other pulses: write 大豆类 or 杂豆类.").format(
                group=written_group
            ),
        )
    elif group is None:
        checked.problem(
            "food_group",
            "food_group_unknown",
            _("Unknown food group “{group}”; use one of: {groups}.").format(
                group=written_group[:40],
                groups="谷薯类, 蔬菜类, 水果类, 畜禽肉类, 鱼虾类, 蛋类, 奶类, 大豆类, 坚果类, "
                "油脂类, 调味品类, 其他",
            ),
        )
    source = values.get("source", "").strip() or default_source.strip()
    if not source:
        checked.problem(
            "source",
            "source_required",
            _("The source is missing: cite the table the figures come from."),
        )
    elif len(source) > SOURCE_MAX:
        checked.problem(
            "source",
            "source_too_long",
            _("The source is longer than {max} characters.").format(max=SOURCE_MAX),
        )
    edible_text = values.get("edible_pct", "").strip()
    edible = _number(edible_text) if edible_text else None
    if edible is None or not Decimal(0) < edible <= 100:
        checked.problem(
            "edible_pct",
            "edible_pct_invalid",
            _("Edible part: “{text}” is not a percentage above 0 and at most 100.").format(
                text=edible_text[:40]
            ),
        )
    else:
        edible = edible.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    amounts: dict[str, Decimal | None] = {}
    for column, label, _digits, places, high in FOOD_NUTRIENTS:
        text = values.get(column, "")
        if column == "energy_kcal" and not text.strip() and values.get("energy_kj", "").strip():
            kilojoules = _number(values["energy_kj"])
            text = "x" if kilojoules is None else str(kilojoules / KJ_PER_KCAL)
        if column == "energy_kcal" and not text.strip():
            checked.problem("energy_kcal", "energy_kcal_required", _("The energy is missing."))
            amounts[column] = None
            continue
        amounts[column] = _checked_amount(checked, column, label, text, places, Decimal(high))
    macro = [amounts.get(k) for k in ("protein_g", "fat_g", "carbohydrate_g")]
    if all(v is not None for v in macro) and sum(v for v in macro if v is not None) > 101:
        checked.problem(
            "protein_g",
            "macronutrients_over_100g",
            _("Protein, fat and carbohydrate add up to more than 100 g per 100 g."),
        )
    if not checked.messages:
        checked.cleaned = {
            "code": code,
            "name": name,
            "alias": alias,
            "food_group": group,
            "edible_pct": edible,
            "source": source,
            "note": values.get("note", "").strip(),
            **amounts,
        }
    return checked


def check_rows(rows: list[FoodRow], *, default_source: str = "") -> list[RowResult]:
    """Every row checked; a code listed twice is a problem on each row that lists it."""
    twice = listed_twice((row.code.strip(), row.row) for row in rows)
    checked = []
    for row in rows:
        result = check_food(row.values, row=row.row, default_source=default_source)
        code = row.code.strip()
        if code in twice:
            result.problem(
                "code",
                "duplicate_in_file",
                _("Food code “{code}” is also listed in row(s) {rows}.").format(
                    code=code, rows=other_rows(twice[code], row.row)
                ),
            )
            result.cleaned = {}
        checked.append(result)
    return checked
