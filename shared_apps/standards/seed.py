"""The seed data in `data/`: the WS/T 554-2017 targets (`ws_t_554_2017.json`) and the common
foods (`foods.csv`), loaded by `manage.py load_standard` and `manage.py load_foods` (through
`food_import`); the migration that seeded them holds its own copy of what they gave then. See
`data/README.md` for where the figures come from and how far to trust them."""

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
STANDARD_FILE = DATA_DIR / "ws_t_554_2017.json"
FOODS_FILE = DATA_DIR / "foods.csv"

MEALS = ("breakfast", "lunch", "dinner")
BANDS = ("6-8", "9-11", "12-14", "15-17")
# Places each target figure is kept to (the model's decimal places).
TARGET_PLACES = {
    "energy_kcal": 1,
    "protein_g": 1,
    "calcium_mg": 1,
    "iron_mg": 2,
    "zinc_mg": 2,
    "vitamin_a_ug": 1,
    "vitamin_b1_mg": 2,
    "vitamin_b2_mg": 2,
    "vitamin_c_mg": 1,
    "fibre_g": 1,
    "salt_g_max": 1,
    "oil_g_max": 1,
}


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _daily_figure(value: Any) -> Decimal:
    """A Table 1 figure; where boys and girls differ, their mean (one pot serves both)."""
    if isinstance(value, dict):
        return (Decimal(value["male"]) + Decimal(value["female"])) / 2
    return Decimal(value)


def _resolved(section: dict[str, Any], meal: str) -> Any:
    value = section.get(meal)
    return section[value] if isinstance(value, str) else value


def standard_targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target row of the standard (4 bands x breakfast, lunch, dinner and the whole day),
    each with its food-group ranges under "groups"."""
    shares = {meal: Decimal(data["meal_shares_pct"][meal]) / 100 for meal in MEALS}
    shares["day"] = Decimal(1)
    fat_min, fat_max = (Decimal(v) for v in data["fat_energy_pct"])
    carb_min, carb_max = (Decimal(v) for v in data["carbohydrate_energy_pct"])
    rows = []
    for band in BANDS:
        daily = {key: _daily_figure(v) for key, v in data["daily"][band].items()}
        day_groups = data["food_groups"]["day"][band]
        day_limits = data["limits"]["day"][band]
        for meal in (*MEALS, "day"):
            share = shares[meal]
            listed_groups = _resolved(data["food_groups"], meal)
            listed_limits = _resolved(data["limits"], meal)
            if listed_groups is None:
                groups = {
                    g: (Decimal(lo) * share, Decimal(hi) * share)
                    for g, (lo, hi) in day_groups.items()
                }
            else:
                groups = {
                    g: (Decimal(lo), Decimal(hi)) for g, (lo, hi) in listed_groups[band].items()
                }
            if listed_limits is None:
                salt, oil = (
                    Decimal(day_limits["salt_g"]) * share,
                    Decimal(day_limits["oil_g"]) * share,
                )
            else:
                salt, oil = (
                    Decimal(listed_limits[band]["salt_g"]),
                    Decimal(listed_limits[band]["oil_g"]),
                )
            figures = {key: value * share for key, value in daily.items()}
            figures["salt_g_max"] = salt
            figures["oil_g_max"] = oil
            row: dict[str, Any] = {
                key: _rounded(value, TARGET_PLACES[key]) for key, value in figures.items()
            }
            row.update(
                age_band=band,
                meal=meal,
                fat_energy_pct_min=fat_min,
                fat_energy_pct_max=fat_max,
                carbohydrate_energy_pct_min=carb_min,
                carbohydrate_energy_pct_max=carb_max,
                note=data.get("daily_notes", {}).get(band, ""),
                groups={g: (_rounded(lo, 1), _rounded(hi, 1)) for g, (lo, hi) in groups.items()},
            )
            rows.append(row)
    return rows


def standard_fields(data: dict[str, Any]) -> dict[str, Any]:
    tolerances = {k: Decimal(v) for k, v in data["tolerances_pct"].items()}
    return {
        "code": data["code"],
        "title": data["title"],
        "version": data["version"],
        "is_published": True,
        "published_on": data["published_on"],
        "source": data["source"],
        "notes": data["notes"] + "\n\n" + data.get("food_group_notes", ""),
        "breakfast_share_pct": Decimal(data["meal_shares_pct"]["breakfast"]),
        "lunch_share_pct": Decimal(data["meal_shares_pct"]["lunch"]),
        "dinner_share_pct": Decimal(data["meal_shares_pct"]["dinner"]),
        "energy_min_pct": tolerances["energy_min"],
        "energy_max_pct": tolerances["energy_max"],
        "protein_min_pct": tolerances["protein_min"],
        "protein_max_pct": tolerances["protein_max"],
        "nutrient_min_pct": tolerances["nutrient_min"],
    }


def load_standard(
    standard_model: Any, target_model: Any, group_model: Any, *, path: Path = STANDARD_FILE
) -> Any:
    """Create the standard version a JSON file describes (by default WS/T 554-2017) unless that
    version is already there. Takes the model classes so that a migration can pass its historical
    ones."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = standard_fields(data)
    existing = standard_model.objects.filter(code=fields["code"], version=fields["version"]).first()
    if existing is not None:
        return existing
    standard = standard_model.objects.create(**fields)
    for row in standard_targets(data):
        groups = row.pop("groups")
        target = target_model.objects.create(standard=standard, **row)
        group_model.objects.bulk_create(
            group_model(target=target, food_group=g, grams_min=lo, grams_max=hi)
            for g, (lo, hi) in groups.items()
        )
    return standard
