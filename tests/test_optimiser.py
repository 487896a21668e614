"""The meal-plan optimiser: for each age band, a week of breakfasts and lunches from the demo's
recipes at the lowest cost, through the plan validator and published as a plan like any other;
the misses named when no week meets every target; recipes costed from contracts in force or the
market reference, with the source; a school's proposals at its own contracts; edits checked at
once; every bad request a 4xx naming what is missing; one publication however many ask at once."""

import datetime
import time
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from demo_district.procurement import seed_catalogue
from demo_district.recipes import BUDGET_ADDITIONS, LIBRARY, seed_library
from houqin.exceptions import Conflict
from houqin.roles import Role
from shared_apps.optimiser import selectors, services, solver
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import COURSES, Rules
from shared_apps.procurement.models import CatalogueItem, ContractPrice
from shared_apps.standards import selectors as standards
from shared_apps.standards import services as plans
from shared_apps.standards.models import MealPlan, Recipe, StandardTarget
from tests.concurrency import at_once
from tests.factories import SETUP, user_with_role
from tests.matrix.optimiser import WEEK, kitchen, make_proposal, priced
from tests.matrix.supply import make_contract
from tests.test_standards import _discard_plans

# A week in March: out of season for summer fruit, in season for spinach.
MARCH = datetime.date(2031, 3, 3)
BANDS = ("6-8", "9-11", "12-14", "15-17")
# The demo's rules: each meal within the subsidy's 5 yuan plus what the district adds.
RULES = Rules(budget_addition=BUDGET_ADDITIONS["9-11"])
FRIED = {spec.name for spec in LIBRARY if spec.deep_fried}
REPEATABLE = set(Rules().repeatable)


@pytest.fixture
def library(db: Any) -> dict[str, Recipe]:
    """The demo's recipes, and its catalogue pricing every food they use."""
    seed_catalogue(user_with_role(Role.PROCUREMENT_OFFICER), timezone.localdate())
    return seed_library(user_with_role(Role.NUTRITION_OFFICER))


def _served(proposal: Proposal) -> list[Any]:
    return list(selectors.proposal_entries(proposal=proposal))


def test_each_band_gets_a_week_that_passes_the_validator_at_the_lowest_cost(
    library: dict[str, Recipe],
) -> None:
    for band in BANDS:
        proposal = services.proposal_request(
            week_start=MARCH,
            age_band=band,
            meals=["breakfast", "lunch"],
            rules=Rules(budget_addition=BUDGET_ADDITIONS[band]),
            actor=SETUP,
        )
        assert proposal.meets_standard, (band, proposal.report["misses"])
        assert proposal.report["misses"] == [], band
        assert not proposal.solver["timed_out"]
        entries = _served(proposal)
        # The rules: the courses of every menu, no dish twice but rice and milk, at most one
        # deep-fried dish, nothing out of season, every menu within its budget.
        for day in Rules().days:
            for meal in ("breakfast", "lunch"):
                courses = Counter(
                    e.recipe.course for e in entries if (e.weekday, e.meal) == (day, meal)
                )
                for course, (least, most) in COURSES[meal].items():
                    assert least <= courses[course] <= most, (band, day, meal, course)
        once = Counter(e.recipe_id for e in entries if e.recipe.course not in REPEATABLE)
        assert max(once.values()) == 1
        assert sum(1 for e in entries if e.recipe.name in FRIED) <= 1
        assert all(not e.recipe.season_months or 3 in e.recipe.season_months for e in entries)
        for menu in proposal.report["menus"]:
            assert Decimal(menu["cost"]) <= Decimal(menu["budget"])
        # Published like any other plan, it passes the validator again, as frozen.
        plan = services.proposal_publish(proposal=proposal, actor=SETUP)
        assert plan.status == MealPlan.Status.PUBLISHED
        frozen = standards.plan_report(plan=plan)
        assert frozen["meets_standard"], band
        assert [(e["recipe"], e["portion_pct"]) for e in frozen["entries"]] == [
            (e.recipe_id, e.portion_pct) for e in entries
        ]

    # The proposal records its inputs: composed again from them, after the catalogue's prices
    # changed, it is the same week.
    CatalogueItem.objects.filter(food__code="CT002").update(reference_price=Decimal("1.00"))
    again = solver.solve(
        selectors.week_problem(
            inputs=proposal.inputs, pool=selectors.recorded_pool(proposal.inputs)
        ),
        time_limit=30,
        gap=proposal.inputs["mip_gap"],
    )
    assert [(c.weekday, c.meal, c.key) for c in again.choices] == [
        (e.weekday, e.meal, e.recipe_id) for e in entries
    ]


def test_a_week_that_cannot_meet_every_target_misses_least_and_names_the_misses(
    library: dict[str, Recipe],
) -> None:
    proposal = services.proposal_request(
        week_start=MARCH,
        age_band="9-11",
        meals=["lunch"],
        rules=replace(RULES, exclude_allergens=("milk",)),
        actor=SETUP,
    )
    assert not proposal.meets_standard
    misses = {(m["kind"], m["check"]) for m in proposal.report["misses"]}
    assert ("target", "dairy_g") in misses
    assert not any(e.recipe.allergens and "milk" in e.recipe.allergens for e in _served(proposal))
    assert {e["reason"] for e in proposal.inputs["left_out"]} >= {"allergen", "out_of_season"}


def test_a_recipe_costs_its_foods_at_the_contracts_in_force_else_the_reference(
    db: Any, client_for: Any, school_a: Any
) -> None:
    recipes = kitchen()
    items = priced()
    contract = make_contract(prices=[(items["CT002"], Decimal("4.80"))])
    listed = client_for(None, Role.NUTRITION_OFFICER).get(
        "/api/v1/recipe-costs/", {"age_band": "9-11"}
    )
    assert listed.status_code == 200
    rice = next(r for r in listed.json() if r["recipe"] == recipes["测试米饭"].pk)
    (item,) = rice["items"]
    assert item["price"]["source"] == "contract"
    assert item["price"]["contract"] == contract.number
    assert Decimal(item["price"]["per_kg"]) == Decimal("4.80")
    assert Decimal(rice["cost"]) == Decimal("0.5760")  # 120 g at 4.80 a kilo
    greens = next(r for r in listed.json() if r["recipe"] == recipes["测试炒青菜"].pk)
    oil = next(i for i in greens["items"] if i["food"] == "OL001")
    # 11.80 a litre of 920 g, at the market's reference.
    assert oil["price"]["source"] == "reference"
    assert Decimal(oil["price"]["per_kg"]) == Decimal("12.8261")
    # A school's own contracts are those its requisitions were tendered in: this one is not.
    own = selectors.price_book(on=timezone.localdate(), school_id=school_a.pk)
    assert own["CT002"].source == "reference"
    assert ContractPrice.objects.filter(contract=contract).exists()


def test_a_school_asks_for_a_week_priced_at_its_own_contracts(
    db: Any, client_for: Any, school_a: Any
) -> None:
    kitchen()
    make_contract(prices=[(priced()["CT002"], Decimal("1.00"))])
    manager = client_for(school_a, Role.CANTEEN_MANAGER)
    asked = manager.post(
        "/api/v1/meal-plan-proposals/",
        {"week_start": WEEK.isoformat(), "age_band": "9-11", "days": [1]},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["school"] == school_a.pk
    assert body["inputs"]["prices"]["CT002"]["source"] == "reference"
    assert len(body["week"]["days"]) == 1
    # Not published by a school: that is the district's.
    proposal = Proposal.objects.for_school(school_a).get(pk=body["id"])
    with pytest.raises(Conflict) as refused:
        services.proposal_publish(proposal=proposal, actor=SETUP)
    assert refused.value.code == "school_proposal"
    # The district reads it; another school does not.
    assert (
        client_for(None, Role.AUDITOR).get(f"/api/v1/meal-plan-proposals/{body['id']}/").status_code
        == 200
    )


def test_each_change_to_an_entry_is_checked_at_once(db: Any, client_for: Any) -> None:
    proposal = make_proposal()
    officer = client_for(None, Role.NUTRITION_OFFICER)
    url = f"/api/v1/meal-plan-proposals/{proposal.pk}/"
    rice = next(e for e in _served(proposal) if e.recipe.name == "测试米饭")
    changed = officer.patch(f"{url}entries/{rice.pk}/", {"portion_pct": "80"}, format="json")
    assert changed.status_code == 200, changed.content
    dish = next(
        d for d in changed.json()["week"]["days"][0]["meals"][0]["dishes"] if d["id"] == rice.pk
    )
    assert Decimal(dish["portion_pct"]) == 80
    assert Decimal(dish["cost"]) == Decimal("0.4992")  # 96 g at 5.20 a kilo
    dishes = changed.json()["week"]["days"][0]["meals"][0]["dishes"]
    total = sum((Decimal(d["cost"]) for d in dishes), Decimal(0))
    assert Decimal(changed.json()["cost"]) == total.quantize(Decimal("0.01"))
    too_much = officer.patch(f"{url}entries/{rice.pk}/", {"portion_pct": "200"}, format="json")
    assert too_much.status_code == 400 and "portion_pct" in too_much.json()["error"]["fields"]
    assert officer.delete(f"{url}entries/{rice.pk}/").status_code == 204
    fresh = officer.get(url).json()
    assert ("target", "cereals_tubers_g") in {
        (m["kind"], m["check"]) for m in fresh["week"]["misses"]
    }
    # A recipe without quantities for the band, or with a food without a price: named.
    unknown = plans.recipe_create(
        name="无配量菜",
        meal="lunch",
        items=[plans.ItemInput(food="VG022", age_band="6-8", grams=Decimal(80))],
        actor=SETUP,
    )
    unpriced = plans.recipe_create(
        name="无价菜",
        meal="lunch",
        items=[plans.ItemInput(food="VG004", age_band="9-11", grams=Decimal(80))],
        actor=SETUP,
    )
    for recipe, words in ((unknown, "无配量菜"), (unpriced, "VG004")):
        added = officer.post(
            f"{url}entries/", {"weekday": 1, "meal": "lunch", "recipe": recipe.pk}, format="json"
        )
        assert added.status_code == 400
        assert words in added.json()["error"]["fields"]["recipe"][0]
    # Published, the proposal is no longer changed.
    assert (
        officer.post(
            f"{url}entries/",
            {"weekday": 1, "meal": "lunch", "recipe": rice.recipe_id},
            format="json",
        ).status_code
        == 200
    )
    assert officer.post(f"{url}publish/", {}, format="json").status_code == 201
    again = officer.patch(f"{url}entries/{rice.pk}/", {"portion_pct": "90"}, format="json")
    assert again.status_code == 409


def test_bad_requests_name_what_is_missing(db: Any, client_for: Any) -> None:
    officer = client_for(None, Role.NUTRITION_OFFICER)

    def ask(**body: Any) -> Any:
        return officer.post(
            "/api/v1/meal-plan-proposals/",
            {"week_start": WEEK.isoformat(), "age_band": "9-11", "days": [1], **body},
            format="json",
        )

    refused = ask()
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "no_prices"
    kitchen()
    refused = ask(exclude_allergens=["egg"])
    assert refused.json()["error"]["code"] == "rules_exclude_every_recipe"
    assert refused.json()["error"]["fields"] == {"rules": ["没有剩下荤菜。"]}
    assert ask(age_band="3-5").status_code == 400
    assert ask(week_start="2032-03-02").status_code == 400  # a Tuesday
    assert ask(programme="no_such_programme").json()["error"]["code"] == "unknown_programme"
    standard = standards.standard_current()
    StandardTarget.objects.filter(standard=standard, age_band="12-14", meal="lunch").delete()
    refused = ask(age_band="12-14")
    assert refused.json()["error"]["code"] == "no_targets"
    assert "12-14" in refused.json()["error"]["message"]
    assert not Proposal.objects.across_schools().exists()


def test_the_search_stops_at_the_time_limit_and_says_so(library: dict[str, Recipe]) -> None:
    started = time.monotonic()
    with override_settings(OPTIMISER_TIME_LIMIT=0.05):
        try:
            proposal = services.proposal_request(
                week_start=MARCH,
                age_band="9-11",
                meals=["breakfast", "lunch"],
                rules=RULES,
                actor=SETUP,
            )
        except Conflict as refused:
            assert refused.code == "no_plan_in_time"
        else:
            assert proposal.solver["timed_out"]
    assert time.monotonic() - started < 5


def test_concurrent_publications_of_a_proposal_make_one_plan(committed: list[Any]) -> None:
    # Cleaned up in reverse: the proposal, the plan it became, its recipes, their prices.
    # (A catalogue item's cascade would look for order lines in the public schema.)
    committed.append(
        lambda: CatalogueItem.objects.filter(code__startswith="OPT-")._raw_delete(using="default")
    )
    committed.append(lambda: Recipe.objects.filter(name__startswith="测试").delete())
    committed.append(lambda: _discard_plans(WEEK))
    committed.append(lambda: Proposal.objects.across_schools().filter(week_start=WEEK).delete())
    proposal = make_proposal()

    results = at_once(4, lambda _i: services.proposal_publish(proposal=proposal, actor=SETUP))
    published = [r for r in results if isinstance(r, MealPlan)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(published), len(refused)) == (1, 3), results
    assert {r.code for r in refused} == {"proposal_published"}
    assert MealPlan.objects.filter(week_start=WEEK).count() == 1
