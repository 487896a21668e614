"""The meal-plan optimiser: on the district host the nutrition officer asks for, edits and
publishes proposals, auditors read them and recipes' costs; on a school's host its logistics
director and canteen manager ask for and edit the school's own (district roles hold there too).

Also the small kitchen the optimiser's tests compose from: three lunch recipes and the
catalogue items that price their foods."""

import datetime
from decimal import Decimal
from typing import Any

from shared_apps.optimiser import services
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import Rules
from shared_apps.procurement.models import CatalogueItem, Category
from shared_apps.standards import services as standards
from shared_apps.standards.models import Course, Food, Recipe
from tenants.models import School
from tests.factories import SETUP
from tests.matrix import Built, Operations, R, Scene

READERS = frozenset({R.NUTRITION_OFFICER, R.AUDITOR})
WRITERS = frozenset({R.NUTRITION_OFFICER})
SCHOOL_WRITERS = frozenset({R.NUTRITION_OFFICER, R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER})
SCHOOL_READERS = SCHOOL_WRITERS | {R.AUDITOR}

PROPOSALS = "/api/v1/meal-plan-proposals/"
DISTRICT_OPERATIONS: Operations = {
    ("GET", PROPOSALS): READERS,
    ("POST", PROPOSALS): WRITERS,
    ("GET", PROPOSALS + "{id}/"): READERS,
    ("POST", PROPOSALS + "{id}/entries/"): WRITERS,
    ("PATCH", PROPOSALS + "{id}/entries/{entry_id}/"): WRITERS,
    ("DELETE", PROPOSALS + "{id}/entries/{entry_id}/"): WRITERS,
    ("POST", PROPOSALS + "{id}/publish/"): WRITERS,
    ("GET", "/api/v1/recipe-costs/"): READERS,
}
SCHOOL_OPERATIONS: Operations = {
    ("GET", PROPOSALS): SCHOOL_READERS,
    ("POST", PROPOSALS): SCHOOL_WRITERS,
    ("GET", PROPOSALS + "{id}/"): SCHOOL_READERS,
    ("POST", PROPOSALS + "{id}/entries/"): SCHOOL_WRITERS,
    ("PATCH", PROPOSALS + "{id}/entries/{entry_id}/"): SCHOOL_WRITERS,
    ("DELETE", PROPOSALS + "{id}/entries/{entry_id}/"): SCHOOL_WRITERS,
}

# A week far from any other test's.
WEEK = datetime.date(2032, 3, 1)
ONE_DAY = Rules(days=(1,))
# name -> course, [(food, grams at every band)], portion bounds (%), allergens
KITCHEN: dict[str, tuple[str, list[tuple[str, str]], tuple[str, str], tuple[str, ...]]] = {
    "测试米饭": (Course.STAPLE, [("CT002", "120")], ("80", "130"), ()),
    "测试番茄炒蛋": (Course.PROTEIN, [("VG022", "80"), ("EG001", "50")], ("50", "150"), ("egg",)),
    "测试炒青菜": (Course.VEGETABLE, [("VG002", "150"), ("OL001", "5")], ("50", "150"), ()),
}
# food -> catalogue code, unit, market reference price, grams per unit
PRICES: dict[str, tuple[str, str, str, str]] = {
    "CT002": ("OPT-RICE", "kg", "5.20", ""),
    "VG022": ("OPT-TOMATO", "kg", "5.50", ""),
    "EG001": ("OPT-EGG", "斤", "5.20", ""),
    "VG002": ("OPT-GREENS", "kg", "4.00", ""),
    "OL001": ("OPT-OIL", "L", "11.80", "920"),
}


def priced(foods: list[str] | None = None) -> dict[str, CatalogueItem]:
    """A catalogue item with a market reference price for each of `foods` (all of PRICES)."""
    items = {}
    for food in foods or list(PRICES):
        code, unit, price, grams = PRICES[food]
        items[food] = CatalogueItem.objects.filter(
            code=code
        ).first() or CatalogueItem.objects.create(
            code=code,
            name=f"测试{food}",
            category=Category.FOOD,
            unit=unit,
            reference_price=Decimal(price),
            reference_date=datetime.date(2025, 1, 1),
            food=Food.objects.get(code=food),
            grams_per_unit=Decimal(grams) if grams else None,
        )
    return items


def kitchen(bands: tuple[str, ...] = ("6-8", "9-11", "12-14", "15-17")) -> dict[str, Recipe]:
    """The three lunch recipes, with quantities for `bands`, and their foods priced."""
    priced()
    recipes = {}
    for name, (course, items, (least, most), allergens) in KITCHEN.items():
        recipes[name] = Recipe.objects.filter(name=name).first() or standards.recipe_create(
            name=name,
            meal="lunch",
            items=[
                standards.ItemInput(food=food, age_band=band, grams=Decimal(grams))
                for food, grams in items
                for band in bands
            ],
            traits=standards.Traits(
                course=course,
                allergens=allergens,
                portion_min_pct=Decimal(least),
                portion_max_pct=Decimal(most),
            ),
            actor=SETUP,
        )
    return recipes


def make_proposal(school: School | None = None, **rules: Any) -> Proposal:
    """A one-day lunch proposal for ages 9-11, the district's (or `school`'s)."""
    kitchen()
    return services.proposal_request(
        week_start=WEEK,
        age_band="9-11",
        meals=["lunch"],
        rules=Rules(**{"days": (1,), **rules}),
        school=school,
        actor=SETUP,
    )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if path == PROPOSALS and method == "POST":
        kitchen()
        body = {"week_start": WEEK.isoformat(), "age_band": "9-11", "days": [1]}
    elif "{id}" in path:
        proposal = make_proposal(scene.school)
        params["id"] = proposal.pk
        entry = proposal.entries.order_by("id").first()
        assert entry is not None
        params["entry_id"] = entry.pk
        if path.endswith("/entries/"):
            extra = standards.recipe_create(
                name=f"测试加菜 {n}-{Recipe.objects.count()}",
                meal="lunch",
                items=[standards.ItemInput(food="VG022", age_band="9-11", grams=Decimal(60))],
                actor=SETUP,
            )
            body = {"weekday": 1, "meal": "lunch", "recipe": extra.pk}
        elif method == "PATCH":
            body = {"portion_pct": str(entry.recipe.portion_max_pct)}
        elif path.endswith("/publish/"):
            body = {"title": f"测试周 {n}"}
    elif path.startswith("/api/v1/recipe-costs/"):
        body = {"age_band": "9-11"}
    return params, body
