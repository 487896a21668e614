"""The nutrition standard, food catalogue, recipes and meal plans (district host only): the
nutrition officer does everything, auditors read, other roles nothing."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.standards import selectors, services
from shared_apps.standards.models import Food, MealPlan, Recipe
from tests.factories import SETUP
from tests.matrix import Built, Operations, R, Scene

READERS = frozenset({R.NUTRITION_OFFICER, R.AUDITOR})
WRITERS = frozenset({R.NUTRITION_OFFICER})

SCHOOL_OPERATIONS: Operations = {}

DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/standards/"): READERS,
    ("GET", "/api/v1/standards/{id}/"): READERS,
    ("GET", "/api/v1/nutrient-targets/"): READERS,
    ("GET", "/api/v1/foods/"): READERS,
    ("POST", "/api/v1/foods/"): WRITERS,
    ("POST", "/api/v1/foods/import/"): WRITERS,
    ("GET", "/api/v1/foods/{id}/"): READERS,
    ("PATCH", "/api/v1/foods/{id}/"): WRITERS,
    ("GET", "/api/v1/recipes/"): READERS,
    ("POST", "/api/v1/recipes/"): WRITERS,
    ("GET", "/api/v1/recipes/{id}/"): READERS,
    ("PATCH", "/api/v1/recipes/{id}/"): WRITERS,
    ("DELETE", "/api/v1/recipes/{id}/"): WRITERS,
    ("GET", "/api/v1/meal-plans/"): READERS,
    ("POST", "/api/v1/meal-plans/"): WRITERS,
    ("GET", "/api/v1/meal-plans/{id}/"): READERS,
    ("PATCH", "/api/v1/meal-plans/{id}/"): WRITERS,
    ("DELETE", "/api/v1/meal-plans/{id}/"): WRITERS,
    ("POST", "/api/v1/meal-plans/{id}/publish/"): WRITERS,
    ("POST", "/api/v1/meal-plans/{id}/revise/"): WRITERS,
}

RICE, EGG, TOMATO = "CT001", "EG001", "VG022"
# Weeks far from any other test's, one per call.
FIRST_MONDAY = datetime.date(2031, 1, 6)


def make_recipe(n: int) -> Recipe:
    return services.recipe_create(
        name=f"番茄炒蛋盖饭 {n}-{Recipe.objects.count()}",
        meal="lunch",
        items=[
            services.ItemInput(food=RICE, age_band="9-11", grams=Decimal(120)),
            services.ItemInput(food=EGG, age_band="9-11", grams=Decimal(50)),
            services.ItemInput(food=TOMATO, age_band="9-11", grams=Decimal(100)),
        ],
        actor=SETUP,
    )


def make_plan(scene: Scene, n: int, *, published: bool = False) -> MealPlan:
    week = FIRST_MONDAY + datetime.timedelta(weeks=n + MealPlan.objects.count())
    recipe = make_recipe(n)
    plan = services.plan_create(
        week_start=week,
        age_band="9-11",
        entries=[
            services.EntryInput(weekday=day, meal="lunch", recipe=recipe.pk) for day in (1, 2)
        ],
        actor=scene.member(),
    )
    return services.plan_publish(plan=plan, actor=SETUP) if published else plan


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if path.startswith("/api/v1/standards/"):
        if "{id}" in path:
            standard = selectors.standard_current()
            assert standard is not None
            params["id"] = standard.pk
    elif path == "/api/v1/foods/import/":
        header = "食物编码,食物名称,食物类别,可食部,能量(kcal),蛋白质,钙"
        csv = f"{header}\nM{n:05d},测试食物,谷薯类,100,350,8,10\n"
        body = {
            "file": SimpleUploadedFile("foods.csv", csv.encode(), content_type="text/csv"),
            "source": "测试来源",
        }
    elif path.startswith("/api/v1/foods/"):
        if "{id}" in path:
            params["id"] = Food.objects.get(code=RICE).pk
            body = {"note": "复核"} if method == "PATCH" else None
        elif method == "POST":
            body = {
                "code": f"T{n:05d}",
                "name": "测试食物",
                "food_group": "vegetables",
                "edible_pct": "90",
                "energy_kcal": "20",
                "protein_g": "1.5",
                "fat_g": "0.2",
                "carbohydrate_g": "3.0",
                "fibre_g": "1.0",
                "calcium_mg": "50",
                "iron_mg": "1.2",
                "zinc_mg": "0.3",
                "vitamin_a_ug": "100",
                "vitamin_b1_mg": "0.03",
                "vitamin_b2_mg": "0.05",
                "vitamin_c_mg": "20",
                "sodium_mg": "30",
                "source": "测试来源",
            }
    elif path.startswith("/api/v1/recipes/"):
        if "{id}" in path:
            params["id"] = make_recipe(n).pk
            body = {"description": "少油"} if method == "PATCH" else None
        elif method == "POST":
            body = {
                "name": f"清炒油菜 {n}",
                "meal": "lunch",
                "items": [
                    {"food": "VG003", "age_band": "9-11", "grams": "150"},
                    {"food": "OL001", "age_band": "9-11", "grams": "5"},
                ],
            }
    elif path.startswith("/api/v1/meal-plans/"):
        if "{id}" in path:
            published = path.endswith("/revise/")
            params["id"] = make_plan(scene, n, published=published).pk
            body = {"title": "第一周"} if method == "PATCH" else None
        elif method == "POST":
            week = FIRST_MONDAY - datetime.timedelta(weeks=n + 1 + MealPlan.objects.count())
            body = {
                "week_start": week.isoformat(),
                "age_band": "9-11",
                "entries": [{"weekday": 1, "meal": "lunch", "recipe": make_recipe(n).pk}],
            }
    return params, body
