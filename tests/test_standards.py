"""The nutrition standard, the food catalogue and its imports, recipes and weekly standard meal
plans: the arithmetic against figures worked out by hand, the flags, publishing and versions, and
bad input refused whole (by the API, and by the database underneath)."""

import csv
import datetime
import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from houqin.exceptions import Conflict
from houqin.roles import Role
from shared_apps.standards import selectors, services
from shared_apps.standards.importing import MAX_FILE_BYTES
from shared_apps.standards.models import (
    FOOD_NUTRIENT_FIELDS,
    Food,
    MealPlan,
    MealPlanEntry,
    NutritionStandard,
    Recipe,
    RecipeItem,
    StandardTarget,
)
from shared_apps.standards.seed import FOODS_FILE
from tests.concurrency import at_once
from tests.conftest import HostClient
from tests.factories import SETUP, user_with_role
from tests.web import queries

D = Decimal
MONDAY = datetime.date(2030, 9, 2)
SOURCE = "测试用成分表"


@pytest.fixture
def officer(client_for: Callable[..., HostClient]) -> HostClient:
    return client_for(None, Role.NUTRITION_OFFICER)


@pytest.fixture
def auditor(client_for: Callable[..., HostClient]) -> HostClient:
    return client_for(None, Role.AUDITOR)


def _food(code: str, **values: Any) -> Food:
    """A food with round figures, for sums worked out by hand."""
    fields: dict[str, Any] = {
        "name": code,
        "food_group": "cereals_tubers",
        "edible_pct": D(100),
        "source": SOURCE,
        **{name: D(0) for name in FOOD_NUTRIENT_FIELDS},
    }
    fields.update(values)
    return Food.objects.create(code=code, **fields)


@pytest.fixture
def foods(db: Any) -> dict[str, Food]:
    return {
        # 150 g as bought at 80 % edible is 120 g eaten: every figure below times 1.2.
        "grain": _food(
            "TGRAIN",
            edible_pct=D(80),
            energy_kcal=D(300),
            protein_g=D(10),
            fat_g=D(5),
            carbohydrate_g=D(50),
            fibre_g=D(2),
            calcium_mg=D(100),
            iron_mg=D("2.5"),
            zinc_mg=D("1.25"),
            vitamin_a_ug=D(40),
            vitamin_b1_mg=D("0.2"),
            vitamin_b2_mg=D("0.1"),
            vitamin_c_mg=D(30),
            sodium_mg=D(200),
        ),
        "oil": _food("TOIL", food_group="oil", energy_kcal=D(899), fat_g=D("99.9")),
        "salt": _food(
            "TSALT",
            food_group="condiments",
            calcium_mg=D(22),
            iron_mg=D(1),
            zinc_mg=D("0.24"),
            sodium_mg=D(39311),
        ),
        "milk": _food(
            "TMILK",
            food_group="dairy",
            energy_kcal=D(65),
            protein_g=D("3.3"),
            fat_g=D("3.6"),
            carbohydrate_g=D("4.9"),
            calcium_mg=D(107),
        ),
    }


def _recipe(name: str, items: list[tuple[Food, str]], band: str = "9-11") -> Recipe:
    return services.recipe_create(
        name=name,
        meal="lunch",
        items=[services.ItemInput(food=f.code, age_band=band, grams=D(g)) for f, g in items],
        actor=SETUP,
    )


def _dish(foods: dict[str, Food]) -> Recipe:
    return _recipe(
        "米饭套餐", [(foods["grain"], "150"), (foods["oil"], "10"), (foods["salt"], "2")]
    )


def _by_nutrient(checks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {check["nutrient"]: check for check in checks}


# The seed ----------------------------------------------------------------------------------------


def test_seed_holds_the_standard_and_at_least_150_cited_foods(db: Any) -> None:
    standard = selectors.standard_current()
    assert standard is not None
    assert (standard.code, standard.version, standard.is_published) == ("WS/T 554-2017", 1, True)
    # 4 bands x (breakfast, lunch, dinner, day), each with the 8 food groups of the standard.
    targets = StandardTarget.objects.filter(standard=standard)
    assert targets.count() == 16
    assert all(t.groups.count() == 8 for t in targets)
    with open(FOODS_FILE, encoding="utf-8") as f:
        seeded = list(csv.DictReader(f))
    assert len(seeded) >= 150
    saved = Food.objects.filter(code__in=[row["code"] for row in seeded])
    assert saved.count() == len(seeded)
    assert all("中国食物成分表" in food.source for food in saved)
    rice = saved.get(code="CT001")
    assert (rice.name, rice.protein_g, rice.calcium_mg) == ("稻米(代表值)", D("7.9"), D(8))


def test_seed_targets_follow_the_standards_tables(db: Any) -> None:
    standard = selectors.standard_current()
    assert standard is not None

    def target(band: str, meal: str) -> StandardTarget:
        found = selectors.target_get(standard=standard, age_band=band, meal=meal)
        assert found is not None
        return found

    # Table 1, 9-11: 2100 kcal for boys and 1900 for girls, one pot for both: 2000 a day, and
    # lunch 40 %, breakfast and dinner 30 % of it.
    assert target("9-11", "day").energy_kcal == D(2000)
    assert target("9-11", "lunch").energy_kcal == D(800)
    assert target("9-11", "breakfast").energy_kcal == D(600)
    assert target("12-14", "day").protein_g == D("62.5")
    assert target("9-11", "lunch").calcium_mg == D(340)
    assert target("15-17", "lunch").zinc_mg == D("4.00")
    # Table 4 for lunch and dinner; breakfast is 30 % of Table 2.
    lunch = {g.food_group: (g.grams_min, g.grams_max) for g in target("9-11", "lunch").groups.all()}
    assert lunch["cereals_tubers"] == (D(120), D(140))
    assert lunch["dairy"] == (D(80), D(80))
    breakfast = {g.food_group: g for g in target("9-11", "breakfast").groups.all()}
    assert (breakfast["cereals_tubers"].grams_min, breakfast["cereals_tubers"].grams_max) == (
        D(90),
        D(105),
    )
    assert (target("15-17", "lunch").salt_g_max, target("15-17", "lunch").oil_g_max) == (
        D("2.5"),
        D(15),
    )
    assert target("6-8", "day").salt_g_max == D(5)


# Arithmetic --------------------------------------------------------------------------------------


def test_recipe_nutrients_match_the_hand_calculation(foods: dict[str, Food]) -> None:
    dish = _dish(foods)
    nutrients = selectors.recipe_nutrients(recipe=dish, age_band="9-11")
    values = nutrients.values()
    # grain 150 g x 80 % = 120 g eaten; oil 10 g; salt 2 g.
    assert values["energy_kcal"] == D("449.90")  # 300 x 1.2 + 899 x 0.1
    assert values["protein_g"] == D("12.00")
    assert values["fat_g"] == D("15.99")  # 5 x 1.2 + 99.9 x 0.1
    assert values["carbohydrate_g"] == D("60.00")
    assert values["calcium_mg"] == D("120.44")  # 100 x 1.2 + 22 x 0.02
    assert values["iron_mg"] == D("3.02")
    assert values["zinc_mg"] == D("1.50")  # 1.5 + 0.0048
    assert values["vitamin_a_ug"] == D("48.00")
    assert values["vitamin_b1_mg"] == D("0.24")
    assert values["vitamin_c_mg"] == D("36.00")
    assert values["sodium_mg"] == D("1026.22")  # 240 + 39311 x 0.02
    assert values["salt_g"] == D("2.00")  # 786.22 mg x 2.54 / 1000 = 1.997
    assert values["oil_g"] == D("10.00")
    assert values["fat_energy_pct"] == D("31.99")  # 15.99 x 9 / 449.9
    assert values["carbohydrate_energy_pct"] == D("53.35")  # 60 x 4 / 449.9
    assert nutrients.food_groups()["cereals_tubers"] == D("120.00")
    # No quantities for another band: nothing.
    other = selectors.recipe_nutrients(recipe=dish, age_band="6-8")
    assert other.values()["energy_kcal"] == D("0.00")


def test_checks_flag_what_misses_the_bands_targets(foods: dict[str, Food]) -> None:
    standard = selectors.standard_current()
    assert standard is not None
    target = selectors.target_get(standard=standard, age_band="9-11", meal="lunch")
    assert target is not None
    nutrients = selectors.recipe_nutrients(recipe=_dish(foods), age_band="9-11")
    checks = _by_nutrient(
        [
            c.as_dict()
            for c in selectors.nutrients_against_targets(nutrients=nutrients, target=target)
        ]
    )
    energy = checks["energy_kcal"]
    assert (energy["status"], energy["target"], energy["lower"], energy["upper"]) == (
        "low",
        D(800),
        D(720),
        D(880),
    )
    assert energy["percent_of_target"] == D("56.2")
    assert checks["fat_energy_pct"]["status"] == "high"  # 31.99 > 30
    assert checks["carbohydrate_energy_pct"]["status"] == "ok"
    assert checks["calcium_mg"]["status"] == "low"  # 120.44 < 80 % of 340
    assert checks["calcium_mg"]["lower"] == D("272.00")
    assert checks["salt_g"]["status"] == "ok"  # exactly the 2 g limit is not over it
    assert checks["oil_g"]["status"] == "ok"
    assert checks["cereals_tubers_g"]["status"] == "ok"  # 120 within 120-140
    assert checks["dairy_g"]["status"] == "low"

    # A little more salt is over the limit; the bounds themselves are kept.
    salty = nutrients + selectors.item_nutrients(food=foods["salt"], grams=D("0.1"))
    salt = _by_nutrient(
        [c.as_dict() for c in selectors.nutrients_against_targets(nutrients=salty, target=target)]
    )["salt_g"]
    assert (salt["status"], salt["actual"], salt["upper"]) == ("high", D("2.10"), D("2.00"))


def test_energy_exactly_at_the_tolerance_is_ok(foods: dict[str, Food]) -> None:
    standard = selectors.standard_current()
    assert standard is not None
    target = selectors.target_get(standard=standard, age_band="9-11", meal="lunch")
    assert target is not None
    # 720 kcal (90 % of 800) of the oil: 720 / 899 x 100 g.
    for kcal, status in (("720", "ok"), ("880", "ok"), ("719.9", "low"), ("880.1", "high")):
        grams = D(kcal) / D(899) * 100
        nutrients = selectors.item_nutrients(food=foods["oil"], grams=grams)
        check = selectors.nutrients_against_targets(nutrients=nutrients, target=target)[0]
        assert (check.nutrient, check.status) == ("energy_kcal", status), kcal


def test_recipe_detail_shows_each_bands_nutrients_and_flags(
    officer: HostClient, foods: dict[str, Food]
) -> None:
    created = officer.post(
        "/api/v1/recipes/",
        {
            "name": "牛奶",
            "meal": "breakfast",
            "items": [
                {"food": "TMILK", "age_band": "6-8", "grams": "200"},
                {"food": "TMILK", "age_band": "15-17", "grams": "250"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["age_bands"] == ["6-8", "15-17"]
    by_band = {entry["age_band"]: entry for entry in body["nutrition"]}
    assert by_band["6-8"]["nutrients"]["calcium_mg"] == "214.00"
    assert by_band["15-17"]["nutrients"]["energy_kcal"] == "162.50"
    assert by_band["15-17"]["food_groups"]["dairy"] == "250.00"
    flagged = {flag["nutrient"] for flag in by_band["6-8"]["flags"]}
    assert "energy_kcal" in flagged and "cereals_tubers_g" in flagged
    # 200 g of milk is over the breakfast's 60 g (30 % of Table 2's 200 g): high, not missing.
    assert _by_nutrient(by_band["6-8"]["flags"])["dairy_g"]["status"] == "high"
    assert _by_nutrient(by_band["6-8"]["checks"])["vitamin_a_ug"]["status"] == "low"
    detail = officer.get(f"/api/v1/recipes/{body['id']}/").json()
    assert detail["nutrition"] == body["nutrition"]


# Plans -------------------------------------------------------------------------------------------


def _plan_body(recipes: dict[int, Recipe], week: datetime.date = MONDAY) -> dict[str, Any]:
    return {
        "week_start": week.isoformat(),
        "age_band": "9-11",
        "title": "秋季第一周",
        "entries": [
            {"weekday": day, "meal": "lunch", "recipe": recipe.pk}
            for day, recipe in recipes.items()
        ],
    }


def test_a_plans_menus_and_weekly_average_against_the_targets(
    officer: HostClient, foods: dict[str, Food]
) -> None:
    dish = _dish(foods)
    milk = _recipe("午餐奶", [(foods["milk"], "200")])
    created = officer.post("/api/v1/meal-plans/", _plan_body({1: dish, 2: milk}), format="json")
    assert created.status_code == 201, created.content
    plan = created.json()
    assert (plan["status"], plan["version"]) == ("draft", 1)
    nutrition = plan["nutrition"]
    menus = {(m["weekday"], m["meal"]): m for m in nutrition["menus"]}
    assert menus[(1, "lunch")]["nutrients"]["energy_kcal"] == "449.90"
    assert menus[(2, "lunch")]["nutrients"]["energy_kcal"] == "130.00"
    (lunch,) = nutrition["weekly"]
    # The lunches' mean: (449.9 + 130) / 2.
    assert (lunch["meal"], lunch["days"]) == ("lunch", 2)
    assert lunch["nutrients"]["energy_kcal"] == "289.95"
    assert lunch["nutrients"]["calcium_mg"] == "167.22"  # (120.44 + 214) / 2
    assert lunch["food_groups"]["dairy"] == "100.00"
    flags = {(f["meal"], f["nutrient"]): f for f in nutrition["flags"]}
    assert flags[("lunch", "energy_kcal")]["status"] == "low"
    assert flags[("lunch", "dairy_g")]["status"] == "high"  # 100 g over the 80 g of Table 4
    assert nutrition["meets_standard"] is False
    assert [e["recipe_name"] for e in plan["entries"]] == ["米饭套餐", "午餐奶"]
    assert plan["entries"][1]["items"] == [
        {"food": "TMILK", "food_name": "TMILK", "grams": "200.0"}
    ]


def _draft(recipes: dict[int, Recipe], week: datetime.date = MONDAY) -> MealPlan:
    return services.plan_create(
        week_start=week,
        age_band="9-11",
        entries=[
            services.EntryInput(weekday=d, meal="lunch", recipe=r.pk) for d, r in recipes.items()
        ],
        actor=SETUP,
    )


def test_publishing_freezes_a_version_and_a_revision_supersedes_it(
    officer: HostClient, auditor: HostClient, foods: dict[str, Food]
) -> None:
    dish = _dish(foods)
    first = officer.post("/api/v1/meal-plans/", _plan_body({1: dish}), format="json").json()
    published = officer.post(f"/api/v1/meal-plans/{first['id']}/publish/")
    assert published.status_code == 200, published.content
    v1 = published.json()
    assert v1["status"] == "published" and v1["published_at"]
    # Published with its flags: missing targets does not block publishing.
    assert v1["meets_standard"] is False and v1["nutrition"]["flags"]
    assert auditor.get(f"/api/v1/meal-plans/{first['id']}/").json()["nutrition"] == v1["nutrition"]

    # Never edited, deleted or published again.
    for response in (
        officer.patch(f"/api/v1/meal-plans/{first['id']}/", {"title": "改"}, format="json"),
        officer.delete(f"/api/v1/meal-plans/{first['id']}/"),
        officer.post(f"/api/v1/meal-plans/{first['id']}/publish/"),
    ):
        assert response.status_code == 409, response.content
        assert response.json()["error"]["code"] == "plan_not_draft"

    # A correction to the catalogue reaches drafts, not what was published.
    services.food_update(food=foods["grain"], actor=SETUP, energy_kcal=D(350))
    again = officer.get(f"/api/v1/meal-plans/{first['id']}/").json()
    assert again["nutrition"]["menus"] == v1["nutrition"]["menus"]
    assert again["entries"] == v1["entries"]

    revised = officer.post(f"/api/v1/meal-plans/{first['id']}/revise/")
    assert revised.status_code == 201, revised.content
    v2 = revised.json()
    assert (v2["version"], v2["status"]) == (2, "draft")
    assert [e["recipe"] for e in v2["entries"]] == [dish.pk]
    assert v2["nutrition"]["menus"][0]["nutrients"]["energy_kcal"] == "509.90"  # 350 x 1.2 + 89.9
    assert officer.post(f"/api/v1/meal-plans/{first['id']}/revise/").status_code == 409

    assert officer.post(f"/api/v1/meal-plans/{v2['id']}/publish/").status_code == 200
    old = MealPlan.objects.get(pk=first["id"])
    assert (old.status, old.superseded_by_id) == ("superseded", v2["id"])
    in_force = selectors.plan_get_published(week_start=MONDAY, age_band="9-11")
    assert in_force is not None and in_force.pk == v2["id"]
    listed = officer.get("/api/v1/meal-plans/", {"week_start": MONDAY.isoformat()}).json()
    assert [(p["version"], p["status"]) for p in listed["results"]] == [
        (2, "published"),
        (1, "superseded"),
    ]


def test_the_database_keeps_published_plans_as_they_were(foods: dict[str, Food]) -> None:
    plan = services.plan_publish(plan=_draft({1: _dish(foods)}), actor=SETUP)
    other = _recipe("另一道菜", [(foods["milk"], "100")])
    attempts: list[Callable[[], Any]] = [
        lambda: MealPlan.objects.filter(pk=plan.pk).update(title="改过"),
        lambda: MealPlan.objects.filter(pk=plan.pk).update(published_report={}),
        lambda: MealPlan.objects.filter(pk=plan.pk).delete(),
        lambda: MealPlanEntry.objects.create(plan=plan, weekday=2, meal="lunch", recipe=other),
        lambda: MealPlanEntry.objects.filter(plan=plan).update(weekday=3),
        lambda: MealPlanEntry.objects.filter(plan=plan).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    plan.refresh_from_db()
    assert plan.status == "published" and plan.title == ""
    assert MealPlanEntry.objects.filter(plan=plan).count() == 1


def test_one_draft_at_a_time_and_weeks_start_on_monday(
    officer: HostClient, foods: dict[str, Food]
) -> None:
    dish = _dish(foods)
    assert (
        officer.post("/api/v1/meal-plans/", _plan_body({1: dish}), format="json").status_code == 201
    )
    second = officer.post("/api/v1/meal-plans/", _plan_body({2: dish}), format="json")
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "draft_exists"
    tuesday = officer.post(
        "/api/v1/meal-plans/",
        _plan_body({1: dish}, MONDAY + datetime.timedelta(days=1)),
        format="json",
    )
    assert tuesday.status_code == 400
    assert "week_start" in tuesday.json()["error"]["fields"]
    standard = selectors.standard_current()
    assert standard is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        MealPlan.objects.create(
            standard=standard,
            week_start=MONDAY + datetime.timedelta(days=1),
            age_band="9-11",
            version=1,
        )


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"weekday": 8, "meal": "lunch"}, "weekday"),
        ({"weekday": 0, "meal": "lunch"}, "weekday"),
        ({"weekday": 1, "meal": "supper"}, "meal"),
        ({"weekday": 1, "meal": "lunch", "recipe": 10**15}, "recipe"),
        ({"weekday": 1, "meal": "lunch"}, "non_field_errors"),
    ],
)
def test_absurd_plan_entries_are_refused_and_nothing_is_saved(
    officer: HostClient, foods: dict[str, Food], entry: dict[str, Any], field: str
) -> None:
    dish = _dish(foods)
    body = _plan_body({1: dish})
    body["entries"].append({"recipe": dish.pk, **entry})
    before = MealPlan.objects.count()
    response = officer.post("/api/v1/meal-plans/", body, format="json")
    assert response.status_code == 400, response.content
    problems = response.json()["error"]["fields"]["entries"]
    # By the faulty entry's index, as DRF reports a malformed one.
    assert list(problems) == ["1"]
    assert field in problems["1"]
    assert MealPlan.objects.count() == before


def test_a_plan_with_a_recipe_lacking_the_bands_quantities_is_refused(
    officer: HostClient, foods: dict[str, Food]
) -> None:
    for_little_ones = _recipe("小份米饭", [(foods["grain"], "80")], band="6-8")
    response = officer.post("/api/v1/meal-plans/", _plan_body({1: for_little_ones}), format="json")
    assert response.status_code == 400
    problems = response.json()["error"]["fields"]["entries"]
    assert "9-11" in problems["0"]["recipe"][0]
    # And at publishing, if the quantities were removed meanwhile.
    dish = _recipe("米饭", [(foods["grain"], "150")])
    plan = _draft({1: dish})
    services.recipe_update(
        recipe=dish,
        actor=SETUP,
        items=[services.ItemInput(food="TGRAIN", age_band="12-14", grams=D(180))],
    )
    published = officer.post(f"/api/v1/meal-plans/{plan.pk}/publish/")
    assert published.status_code == 400
    assert published.json()["error"]["code"] == "recipe_without_quantities"
    assert MealPlan.objects.get(pk=plan.pk).status == "draft"


def test_an_empty_plan_is_not_published(officer: HostClient) -> None:
    created = officer.post(
        "/api/v1/meal-plans/", {"week_start": MONDAY.isoformat(), "age_band": "6-8"}, format="json"
    )
    assert created.status_code == 201
    response = officer.post(f"/api/v1/meal-plans/{created.json()['id']}/publish/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_plan"


def test_recipes_in_plans_are_not_deleted(officer: HostClient, foods: dict[str, Food]) -> None:
    dish = _dish(foods)
    _draft({1: dish})
    response = officer.delete(f"/api/v1/recipes/{dish.pk}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "recipe_in_use"
    unused = _recipe("没用上的菜", [(foods["milk"], "100")])
    assert officer.delete(f"/api/v1/recipes/{unused.pk}/").status_code == 204
    assert not RecipeItem.objects.filter(recipe_id=unused.pk).exists()


# Quantities: refused by the API, and by the database -----------------------------------------


@pytest.mark.parametrize("grams", ["-5", "0", "2000.1", "1e9", "abc", "NaN", "12.34"])
def test_absurd_grams_are_refused(officer: HostClient, foods: dict[str, Food], grams: str) -> None:
    before = Recipe.objects.count()
    response = officer.post(
        "/api/v1/recipes/",
        {
            "name": "坏菜",
            "meal": "lunch",
            "items": [{"food": "TGRAIN", "age_band": "9-11", "grams": grams}],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "items" in response.json()["error"]["fields"]
    assert Recipe.objects.count() == before


def test_a_recipe_update_with_a_bad_item_keeps_the_old_quantities(
    officer: HostClient, foods: dict[str, Food]
) -> None:
    dish = _dish(foods)
    response = officer.patch(
        f"/api/v1/recipes/{dish.pk}/",
        {
            "name": "改名",
            "items": [
                {"food": "TGRAIN", "age_band": "9-11", "grams": "100"},
                {"food": "NOSUCHFOOD", "age_band": "9-11", "grams": "100"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]["items"]) == ["1"]
    assert "food" in response.json()["error"]["fields"]["items"]["1"]
    dish.refresh_from_db()
    assert dish.name == "米饭套餐"
    assert RecipeItem.objects.filter(recipe=dish).count() == 3


@pytest.mark.parametrize("grams", [D(-1), D(0), D("2000.1")])
def test_the_database_refuses_absurd_grams(foods: dict[str, Food], grams: Decimal) -> None:
    recipe = Recipe.objects.create(name="直接写库", meal="lunch")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecipeItem.objects.create(recipe=recipe, food=foods["grain"], age_band="9-11", grams=grams)


@pytest.mark.parametrize(
    "values",
    [
        {"calcium_mg": D(-1)},
        {"edible_pct": D(0)},
        {"energy_kcal": D(901)},
        {"protein_g": D(60), "fat_g": D(30), "carbohydrate_g": D(20)},
        {"source": ""},
    ],
)
def test_the_database_refuses_impossible_foods(db: Any, values: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _food("TBAD", **values)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"calcium_mg": "-3"}, "calcium_mg"),
        ({"edible_pct": "0"}, "edible_pct"),
        ({"protein_g": "60", "fat_g": "30", "carbohydrate_g": "20"}, "protein_g"),
        ({"food_group": "sweets"}, "food_group"),
        ({"source": ""}, "source"),
    ],
)
def test_food_changes_are_checked(
    officer: HostClient, foods: dict[str, Food], change: dict[str, str], field: str
) -> None:
    response = officer.patch(f"/api/v1/foods/{foods['grain'].pk}/", change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    foods["grain"].refresh_from_db()
    assert foods["grain"].calcium_mg == D(100)


def test_a_food_code_is_created_once(officer: HostClient, foods: dict[str, Food]) -> None:
    body = {
        "code": "TGRAIN",
        "name": "重复",
        "food_group": "fruit",
        "edible_pct": "90",
        "energy_kcal": "50",
        **{name: "0" for name in FOOD_NUTRIENT_FIELDS if name != "energy_kcal"},
        "source": SOURCE,
    }
    response = officer.post("/api/v1/foods/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_code"


# Imports -----------------------------------------------------------------------------------------

HEADER = [
    "食物编码",
    "食物名称",
    "食物类别",
    "可食部(%)",
    "能量(kcal)",
    "蛋白质(g)",
    "钙(mg)",
    "来源",
]


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig", header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client: HostClient, content: bytes, name: str = "foods.csv", **fields: Any) -> Any:
    return client.post(
        "/api/v1/foods/import/",
        {"file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


GOOD = [
    ["TI001", "荞麦面", "谷薯类", "100", "340", "10.2", "20", "中国食物成分表 标准版 第6版 第一册"],
    ["TI002", "芥菜", "蔬菜类", "85", "Tr", "2.0", "—", ""],
]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (_csv(GOOD), "foods.csv"),
        (_csv(GOOD, encoding="gbk"), "foods.csv"),
        (_csv(GOOD, encoding="utf-8"), "FOODS.CSV"),
        (_xlsx(GOOD), "foods.xlsx"),
    ],
    ids=["utf-8 with BOM", "gbk", "utf-8", "xlsx"],
)
def test_a_table_is_imported_in_utf8_gbk_or_excel(
    officer: HostClient, content: bytes, name: str
) -> None:
    response = _upload(officer, content, name, source="区营养办整理")
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["created"], report["updated"], report["dry_run"]) == (2, 0, False)
    assert (report["saved"], report["errors"]) == (True, 0)
    assert [(r["row"], r["status"]) for r in report["rows"]] == [(2, "created"), (3, "created")]
    buckwheat = Food.objects.get(code="TI001")
    assert (buckwheat.name, buckwheat.food_group, buckwheat.protein_g) == (
        "荞麦面",
        "cereals_tubers",
        D("10.2"),
    )
    assert buckwheat.source == "中国食物成分表 标准版 第6版 第一册"
    mustard = Food.objects.get(code="TI002")
    # "Tr" and "—" are read as 0; the row without a source cites the upload's.
    assert (mustard.energy_kcal, mustard.calcium_mg, mustard.source) == (D(0), D(0), "区营养办整理")


def test_importing_again_updates_by_code(officer: HostClient) -> None:
    assert _upload(officer, _csv(GOOD), source="x").status_code == 200
    changed = [[*GOOD[0][:6], "25", GOOD[0][7]], GOOD[1]]
    report = _upload(officer, _csv(changed), source="x").json()
    assert [r["status"] for r in report["rows"]] == ["updated", "unchanged"]
    assert Food.objects.get(code="TI001").calcium_mg == D(25)


def test_a_faulty_row_saves_nothing_and_every_fault_is_reported(officer: HostClient) -> None:
    rows = [
        GOOD[0],
        ["TI003", "坏数", "蔬菜类", "85", "abc", "-2", "10", "x"],
        ["TI004", "怪类", "零食", "100", "500", "5", "10", "x"],
        ["TI005", "", "水果类", "0", "50", "1", "10", "x"],
        ["TI001", "重复", "水果类", "90", "50", "1", "10", "x"],
        ["TI006", "干豆", "干豆类", "100", "350", "20", "10", "x"],
        ["TI007", "太多", "谷薯类", "100", "350", "60", "10", "x"],
    ]
    header = [*HEADER, "脂肪", "碳水化合物"]
    content = _csv(
        [row + (["30", "20"] if row[0] == "TI007" else ["", ""]) for row in rows], header=header
    )
    response = _upload(officer, content)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    faulty = {row["row"]: row for row in error["fields"]["rows"]}
    assert sorted(faulty) == [2, 3, 4, 5, 6, 7, 8]
    assert set(faulty[3]["reasons"]) == {"energy_kcal_not_a_number", "protein_g_out_of_range"}
    assert faulty[4]["reasons"] == ["food_group_unknown"]
    assert set(faulty[5]["reasons"]) == {"name_required", "edible_pct_invalid"}
    assert faulty[2]["reasons"] == faulty[6]["reasons"] == ["duplicate_in_file"]
    assert faulty[7]["reasons"] == ["food_group_ambiguous"]
    assert faulty[8]["reasons"] == ["macronutrients_over_100g"]
    assert all(row["messages"] for row in faulty.values())
    assert not Food.objects.filter(code__startswith="TI").exists()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"x" * (MAX_FILE_BYTES + 1), "foods.csv", "file_too_large"),
        (b"\xff\xfe\xff" * 10, "foods.csv", "unreadable_file"),
        (b"PK\x03\x04 not really a workbook", "foods.xlsx", "unreadable_file"),
        (b"code,name\n", "foods.txt", "unsupported_file"),
        ("名称,能量\n米,340\n".encode(), "foods.csv", "missing_columns"),
        (b"", "foods.csv", "invalid"),
        (_csv([]), "foods.csv", "no_rows"),
    ],
    ids=[
        "oversized",
        "not utf-8 or gbk",
        "broken xlsx",
        "not csv",
        "no columns",
        "empty",
        "no rows",
    ],
)
def test_unusable_files_are_refused_whole(
    officer: HostClient, content: bytes, name: str, code: str
) -> None:
    before = Food.objects.count()
    response = _upload(officer, content, name)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert Food.objects.count() == before


def test_energy_in_kilojoules_is_converted_and_a_dry_run_saves_nothing(officer: HostClient) -> None:
    header = ["code", "name", "food_group", "edible_pct", "能量(kJ)", "source"]
    content = _csv([["TKJ01", "玉米糁", "cereals_tubers", "100", "1464", "x"]], header=header)
    dry = _upload(officer, content, dry_run="true").json()
    assert (dry["dry_run"], dry["created"], dry["saved"]) == (True, 1, False)
    assert not Food.objects.filter(code="TKJ01").exists()
    assert _upload(officer, content).status_code == 200
    assert Food.objects.get(code="TKJ01").energy_kcal == D("349.9")  # 1464 / 4.184


def test_load_foods_command_all_or_nothing(db: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(GOOD, encoding="gbk"))
    out = io.StringIO()
    call_command("load_foods", str(good), "--source", "x", stdout=out)
    assert "2 created" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        _xlsx(
            [
                ["TI010", "好", "水果类", "90", "50", "1", "5", "x"],
                ["TI011", "坏", "水果类", "90", "-1", "1", "5", "x"],
            ]
        )
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_foods", str(bad), stdout=out)
    assert "row 3 TI011" in out.getvalue()
    assert not Food.objects.filter(code__in=["TI010", "TI011"]).exists()
    # The seed table again: every food already there, none changed.
    out = io.StringIO()
    call_command("load_foods", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_a_new_version_of_the_standard_checks_plans_published_from_then_on(
    foods: dict[str, Food], tmp_path: Path
) -> None:
    import json

    from shared_apps.standards.seed import STANDARD_FILE

    published_before = services.plan_publish(plan=_draft({1: _dish(foods)}), actor=SETUP)
    draft = _draft({1: _recipe("米饭", [(foods["grain"], "150")])}, MONDAY + datetime.timedelta(7))
    data = json.loads(STANDARD_FILE.read_text(encoding="utf-8"))
    data["version"] = 2
    data["daily"]["9-11"]["energy_kcal"] = {"male": "2300", "female": "1900"}
    new_version = tmp_path / "v2.json"
    new_version.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_standard", str(new_version), stdout=io.StringIO())
    call_command("load_standard", str(new_version), stdout=io.StringIO())  # loaded once
    current = selectors.standard_current()
    assert current is not None and current.version == 2
    assert NutritionStandard.objects.filter(code="WS/T 554-2017").count() == 2

    def energy_target(plan: MealPlan) -> Any:
        report = selectors.plan_report(plan=plan)
        return report["standard"]["version"], _by_nutrient(report["weekly"][0]["checks"])[
            "energy_kcal"
        ]["target"]

    assert energy_target(services.plan_publish(plan=draft, actor=SETUP)) == (2, D(840))
    published_before.refresh_from_db()
    assert energy_target(published_before) == (1, D(800))
    broken = tmp_path / "broken.json"
    broken.write_text('{"code": "X", "version": 1}', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_standard", str(broken), stdout=io.StringIO())
    assert not NutritionStandard.objects.filter(code="X").exists()


# Reads for other apps and for auditors -----------------------------------------------------------


def test_other_apps_read_the_published_plan_through_selectors(foods: dict[str, Food]) -> None:
    assert selectors.plan_get_published(week_start=MONDAY, age_band="9-11") is None
    draft = _draft({1: _dish(foods), 3: _recipe("午餐奶", [(foods["milk"], "200")])})
    assert selectors.plan_get_published(week_start=MONDAY, age_band="9-11") is None
    services.plan_publish(plan=draft, actor=SETUP)
    plan = selectors.plan_get_published(week_start=MONDAY, age_band="9-11")
    assert plan is not None
    report = selectors.plan_report(plan=plan)
    # Decimals, whether the report is computed or read back from what was published.
    assert report["entries"][0]["items"][0] == {
        "food": "TGRAIN",
        "food_name": "TGRAIN",
        "grams": D("150.0"),
    }
    assert report["weekly"][0]["nutrients"]["energy_kcal"] == D("289.95")
    assert (
        report["flags"][0]["actual"]
        == selectors.plan_compute_report(plan=plan)["flags"][0]["actual"]
    )


def test_auditors_read_but_do_not_write(auditor: HostClient, foods: dict[str, Food]) -> None:
    assert auditor.get("/api/v1/foods/", {"search": "稻米"}).json()["count"] >= 1
    assert (
        auditor.get("/api/v1/nutrient-targets/", {"age_band": "9-11", "meal": "lunch"}).json()[
            "count"
        ]
        == 1
    )
    plan = _draft({1: _dish(foods)})
    assert auditor.post(f"/api/v1/meal-plans/{plan.pk}/publish/").status_code == 404
    assert MealPlan.objects.get(pk=plan.pk).status == "draft"


def test_food_list_filters(officer: HostClient, foods: dict[str, Food]) -> None:
    dairy = officer.get("/api/v1/foods/", {"food_group": "dairy", "page_size": "500"}).json()
    assert {f["food_group"] for f in dairy["results"]} == {"dairy"}
    assert "TMILK" in {f["code"] for f in dairy["results"]}
    by_alias = officer.get("/api/v1/foods/", {"search": "西红柿"}).json()["results"]
    assert [f["name"] for f in by_alias] == ["番茄"]
    assert officer.get("/api/v1/foods/", {"food_group": "sweets"}).status_code == 400


def test_nutrition_standard_is_listed(auditor: HostClient) -> None:
    listed = auditor.get("/api/v1/standards/").json()["results"]
    assert [s["code"] for s in listed] == ["WS/T 554-2017"]
    standard = NutritionStandard.objects.get(code="WS/T 554-2017")
    detail = auditor.get(f"/api/v1/standards/{standard.pk}/").json()
    assert (detail["lunch_share_pct"], detail["energy_min_pct"]) == ("40.0", "90.0")


# What xgettext takes for a Python format directive: `%`, a mapping key, flags (a space is one),
# width, precision, length and a conversion, so that "(% of target)" reads as "% o".
PYTHON_FORMAT = re.compile(r"%(\([^)]*\))?[-+ #0]*(\*|\d+)?(\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def test_field_labels_do_not_look_like_format_strings() -> None:
    """A label gettext's extraction takes for a python-format string would be marked so in the
    catalogue, and a translation without the same directive would then be refused."""
    labels = {
        f"{model.__name__}.{field.name}": str(field.verbose_name)
        for model in apps.get_app_config("standards").get_models()
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
    }
    assert labels["NutritionStandard.energy_min_pct"] == "energy: at least, percent of target"
    assert labels["StandardTarget.fat_energy_pct_max"] == "fat, at most, percent of energy"
    assert {name: label for name, label in labels.items() if PYTHON_FORMAT.search(label)} == {}


# Lists, pinned; the admin ------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_rows(officer: HostClient, foods: dict[str, Food]) -> None:
    def some(n: int, start: int) -> None:
        for i in range(start, start + n):
            recipe = _recipe(f"菜{i}", [(foods["grain"], "100"), (foods["milk"], "50")])
            plan = _draft({1: recipe}, MONDAY + datetime.timedelta(weeks=i))
            if i % 2:
                services.plan_publish(plan=plan, actor=SETUP)

    some(2, 0)
    few = {
        p: queries(officer, p, page_size="500") for p in ("/api/v1/recipes/", "/api/v1/meal-plans/")
    }
    some(6, 2)
    assert {p: queries(officer, p, page_size="500") for p in few} == few
    listed = officer.get("/api/v1/meal-plans/", {"page_size": "500"}).json()["results"]
    assert {p["status"]: p["meets_standard"] for p in listed} == {
        "draft": None,
        "published": False,
    }


def test_the_nutrition_officer_keeps_drafts_in_the_admin_and_published_plans_are_read_only(
    foods: dict[str, Food], district_host: str
) -> None:
    from django.test import Client

    browser = Client(HTTP_HOST=district_host)
    browser.force_login(user_with_role(Role.NUTRITION_OFFICER))
    dish = _dish(foods)
    draft = _draft({1: dish})
    published = services.plan_publish(
        plan=_draft({2: dish}, MONDAY + datetime.timedelta(weeks=1)), actor=SETUP
    )
    for model, obj in (
        ("nutritionstandard", selectors.standard_current()),
        ("standardtarget", StandardTarget.objects.first()),
        ("food", foods["grain"]),
        ("recipe", dish),
        ("mealplan", draft),
        ("mealplan", published),
    ):
        assert obj is not None
        base = f"/admin/standards/{model}/"
        for url in (base, f"{base}{obj.pk}/change/"):
            assert browser.get(url).status_code == 200, url
        # Standards are loaded and recipes written with their items through the API: no
        # service takes them from an admin form.
        added_here = model in ("food", "mealplan")
        assert browser.get(f"{base}add/").status_code == (200 if added_here else 403), model
    page = browser.get(f"/admin/standards/mealplan/{published.pk}/change/")
    assert b'name="title"' not in page.content  # read-only
    assert browser.get(f"/admin/standards/mealplan/{published.pk}/delete/").status_code == 403
    added = browser.post(
        "/admin/standards/mealplan/add/",
        {
            "week_start": (MONDAY + datetime.timedelta(weeks=5)).isoformat(),
            "age_band": "6-8",
            "title": "后台新建",
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content[:2000]
    made = MealPlan.objects.get(title="后台新建")
    assert (made.version, made.status, made.standard) == (1, "draft", selectors.standard_current())


# Concurrency -------------------------------------------------------------------------------------

RACE_WEEK = datetime.date(2035, 1, 1)  # a Monday no other test uses


def _discard_plans(week: datetime.date) -> None:
    """Remove a committed test's plans, published ones included: the guard triggers are switched
    off for this one transaction (DDL is transactional: no other session sees them off)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE standards_mealplan DISABLE TRIGGER standards_plan_frozen")
        cursor.execute(
            "ALTER TABLE standards_mealplanentry DISABLE TRIGGER standards_plan_entry_frozen"
        )
        plans = MealPlan.objects.filter(week_start=week)
        MealPlanEntry.objects.filter(plan__in=plans).delete()
        plans.update(superseded_by=None)
        plans.delete()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events when re-enabling
        cursor.execute("ALTER TABLE standards_mealplan ENABLE TRIGGER standards_plan_frozen")
        cursor.execute(
            "ALTER TABLE standards_mealplanentry ENABLE TRIGGER standards_plan_entry_frozen"
        )


def _race_recipe(committed: list[Any]) -> Recipe:
    recipe = services.recipe_create(
        name="并发测试菜",
        meal="lunch",
        items=[services.ItemInput(food="CT001", age_band="9-11", grams=D(100))],
        actor=SETUP,
    )
    committed.append(lambda: Recipe.objects.filter(pk=recipe.pk).delete())
    committed.append(lambda: _discard_plans(RACE_WEEK))
    return recipe


def test_concurrent_creations_of_one_weeks_plan_make_one_draft(committed: list[Any]) -> None:
    recipe = _race_recipe(committed)

    def create(_i: int) -> MealPlan:
        return services.plan_create(
            week_start=RACE_WEEK,
            age_band="9-11",
            entries=[services.EntryInput(weekday=1, meal="lunch", recipe=recipe.pk)],
            actor=SETUP,
        )

    results = at_once(4, create)
    made = [r for r in results if isinstance(r, MealPlan)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(made), len(refused)) == (1, 3), results
    assert {r.code for r in refused} == {"draft_exists"}
    assert MealPlan.objects.filter(week_start=RACE_WEEK).count() == 1


def test_concurrent_publications_publish_once_and_revisions_make_one_draft(
    committed: list[Any],
) -> None:
    recipe = _race_recipe(committed)
    draft = services.plan_create(
        week_start=RACE_WEEK,
        age_band="9-11",
        entries=[services.EntryInput(weekday=1, meal="lunch", recipe=recipe.pk)],
        actor=SETUP,
    )

    results = at_once(4, lambda _i: services.plan_publish(plan=draft, actor=SETUP))
    published = [r for r in results if isinstance(r, MealPlan)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(published), len(refused)) == (1, 3), results
    assert {r.code for r in refused} == {"plan_not_draft"}

    results = at_once(4, lambda _i: services.plan_revise(plan=draft, actor=SETUP))
    revised = [r for r in results if isinstance(r, MealPlan)]
    assert len(revised) == 1, results
    assert {r.code for r in results if isinstance(r, Conflict)} == {"draft_exists"}, results
    series = MealPlan.objects.filter(week_start=RACE_WEEK).order_by("version")
    assert [(p.version, p.status) for p in series] == [(1, "published"), (2, "draft")]


# Fuzzing as the nutrition officer ----------------------------------------------------------------


@pytest.mark.slow
def test_standards_api_fuzzed_as_the_nutrition_officer(db: Any, foods: dict[str, Food]) -> None:
    """tests/test_fuzz.py calls the district's operations as roles that may only read these;
    here every operation of this app is fuzzed as the role that may write."""
    import contextlib

    import schemathesis
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    from tests.factories import token_for
    from tests.test_fuzz import CHECKS, EXAMPLES

    _dish(foods)
    officer = user_with_role(Role.NUTRITION_OFFICER)
    headers = {"Host": "localhost", "Authorization": f"Token {token_for(officer)}"}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    sent = 0
    try:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", WSGIHandler(), headers={"Host": "localhost"}
        ).include(path_regex=r"^/api/v1/(standards|nutrient-targets|foods|recipes|meal-plans)/")
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case: Any) -> None:
                    nonlocal sent
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                    sent += 1

                with contextlib.suppress(Unsatisfiable):
                    run()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert sent > 20
