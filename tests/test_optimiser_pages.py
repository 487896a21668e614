"""The optimiser's pages, through Django's test client on the district host: a week asked for
through the form and read as a grid with its costs, price sources and targets; a dish changed,
refused (next to what was wrong) and removed; the week published once as a meal plan; the
auditor reads without a button to press; and the week's page costs the same queries however
many dishes it shows."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from houqin.roles import Role
from shared_apps.optimiser import services
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import Rules
from shared_apps.standards.models import MealPlan
from tests.factories import SETUP, user_with_role
from tests.matrix.optimiser import WEEK, kitchen, make_proposal
from tests.web import once_key, queries, signed_in

pytestmark = pytest.mark.django_db
PROPOSALS = "/meal-plans/proposals/"


def _client(district_host: str, role: Role) -> Client:
    return signed_in(district_host, user_with_role(role, None))


@pytest.fixture
def officer(district_host: str) -> Client:
    return _client(district_host, Role.NUTRITION_OFFICER)


def _ask(officer: Client, **changes: Any) -> Any:
    return officer.post(
        f"{PROPOSALS}new/",
        {
            "week_start": WEEK.isoformat(),
            "age_band": "9-11",
            "meals": ["lunch"],
            "days": ["1", "2"],
            # The small kitchen has one dish of each course: they may repeat.
            "repeatable": ["staple", "protein", "vegetable"],
            "max_deep_fried": "1",
            "programme": "",
            "budget_addition": "0.00",
            **changes,
        },
    )


def test_a_week_asked_for_on_the_form_is_shown_with_its_costs_and_targets(
    officer: Client,
) -> None:
    kitchen()
    form = officer.get(f"{PROPOSALS}new/").content.decode()
    # The service's defaults filled in: lunch, Monday to Friday, rice and milk repeat.
    assert re.search(r'value="lunch"[^>]*checked', form)
    assert len(re.findall(r'name="days" value="[1-5]"[^>]*checked', form)) == 5
    assert re.search(r'name="max_deep_fried" value="1"', form)
    asked = _ask(officer)
    assert asked.status_code == 302, asked.content.decode()[:2000]
    proposal = Proposal.objects.across_schools().get()
    assert asked["Location"] == f"{PROPOSALS}{proposal.pk}/"
    assert proposal.inputs["rules"]["days"] == [1, 2]
    page = officer.get(asked["Location"]).content.decode()
    # The grid: both days, each dish with its portion, cost per serving and price source.
    assert "周一" in page and "周二" in page
    rice = proposal.entries.get(weekday=1, recipe__name="测试米饭")
    assert "测试米饭" in page and f"{rice.cost:.2f} 元" in page
    assert "市场参考价" in page
    # Each target with the week's figure, and the misses named with how far they are off.
    assert "能量" in page and 'data-chart="' in page
    misses = len(proposal.report["misses"])
    assert misses > 0
    assert page.count("badge bad") >= len(proposal.report["flags"])
    assert re.search(r"(还差|超出) [0-9.]+", page)
    # Listed among the proposals, filtered by band.
    listed = officer.get(PROPOSALS, {"age_band": "9-11"}).content.decode()
    assert f'href="{PROPOSALS}{proposal.pk}/"' in listed
    assert (
        f'href="{PROPOSALS}{proposal.pk}/"'
        not in officer.get(PROPOSALS, {"age_band": "6-8"}).content.decode()
    )


def test_a_week_starting_on_a_tuesday_is_refused_next_to_the_field(officer: Client) -> None:
    kitchen()
    refused = _ask(officer, week_start="2032-03-02")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert re.search(r'id="id_week_start_error">2000 年至 2100 年之间的某个星期一。', page)
    # What was typed is kept.
    assert 'value="2032-03-02"' in page
    assert not Proposal.objects.across_schools().exists()


def test_a_dish_is_changed_refused_removed_and_added_with_the_week_checked_again(
    officer: Client,
) -> None:
    proposal = make_proposal()
    rice = proposal.entries.get(recipe__name="测试米饭")
    url = f"{PROPOSALS}{proposal.pk}/"
    changed = officer.post(f"{url}entries/{rice.pk}/", {"portion_pct": "80"})
    assert changed.status_code == 302 and changed["Location"] == url
    rice.refresh_from_db()
    assert rice.portion_pct == 80 and rice.cost == Decimal("0.4992")  # 96 g at 5.20 a kilo
    proposal.refresh_from_db()
    assert proposal.report["cost"] == str(proposal.cost)
    # Beyond the recipe's bounds: refused and said on the week's page, nothing changed.
    refused = officer.post(f"{url}entries/{rice.pk}/", {"portion_pct": "200"})
    assert refused.status_code == 400
    assert "测试米饭" in refused.content.decode() and 'role="alert"' in refused.content.decode()
    rice.refresh_from_db()
    assert rice.portion_pct == 80
    removed = officer.post(f"{url}entries/{rice.pk}/remove/")
    assert removed.status_code == 302
    assert not proposal.entries.filter(pk=rice.pk).exists()
    proposal.refresh_from_db()
    assert "cereals_tubers_g" in {m["check"] for m in proposal.report["misses"]}
    added = officer.post(
        f"{url}entries/", {"weekday": "1", "meal": "lunch", "recipe": str(rice.recipe_id)}
    )
    assert added.status_code == 302
    assert proposal.entries.filter(recipe_id=rice.recipe_id).exists()
    # A day the proposal does not serve: refused, said in words.
    refused = officer.post(
        f"{url}entries/", {"weekday": "3", "meal": "lunch", "recipe": str(rice.recipe_id)}
    )
    assert refused.status_code == 400 and "不是本方案的供餐日。" in refused.content.decode()


def test_publishing_makes_the_weeks_meal_plan_once(officer: Client) -> None:
    proposal = make_proposal()
    page = officer.get(f"{PROPOSALS}{proposal.pk}/").content.decode()
    assert "data-confirm=" in page
    sent = {"once": once_key(page), "title": "测试周"}
    published = officer.post(f"{PROPOSALS}{proposal.pk}/publish/", sent)
    plan = MealPlan.objects.get(week_start=WEEK, age_band="9-11")
    assert published.status_code == 302
    assert published["Location"] == f"/standards/plans/{plan.pk}/"
    assert plan.status == MealPlan.Status.PUBLISHED and plan.title == "测试周"
    assert plan.entries.count() == proposal.entries.count()
    # Pressed again: where the first went, and still one plan.
    again = officer.post(f"{PROPOSALS}{proposal.pk}/publish/", sent)
    assert again.status_code == 302 and again["Location"] == published["Location"]
    assert MealPlan.objects.filter(week_start=WEEK, age_band="9-11").count() == 1
    shown = officer.get(f"{PROPOSALS}{proposal.pk}/").content.decode()
    assert f'href="/standards/plans/{plan.pk}/"' in shown and "data-confirm=" not in shown
    # The plans page offers to propose a week.
    assert f'href="{PROPOSALS}new/"' in officer.get("/standards/plans/").content.decode()


def test_the_auditor_reads_the_week_without_changing_it(district_host: str) -> None:
    proposal = make_proposal()
    auditor = _client(district_host, Role.AUDITOR)
    page = auditor.get(f"{PROPOSALS}{proposal.pk}/").content.decode()
    assert "测试米饭" in page
    assert "/publish/" not in page and "/entries/" not in page


def test_the_recipe_costs_name_their_prices_sources(officer: Client) -> None:
    kitchen()
    page = officer.get(f"{PROPOSALS}recipe-costs/", {"age_band": "9-11"}).content.decode()
    assert "测试番茄炒蛋" in page and "市场参考价" in page
    assert "0.62" in page  # 120 g of rice at 5.20 a kilo


def test_the_weeks_page_costs_the_same_for_a_few_dishes_and_many(officer: Client) -> None:
    few = make_proposal()
    counted = queries(officer, f"{PROPOSALS}{few.pk}/")
    kitchen()
    many = services.proposal_request(
        week_start=WEEK,
        age_band="9-11",
        meals=["lunch"],
        rules=Rules(repeatable=("staple", "protein", "vegetable")),
        actor=SETUP,
    )
    assert many.entries.count() > few.entries.count()
    assert queries(officer, f"{PROPOSALS}{many.pk}/") == counted == QUERIES


# The session and user, the proposal, its entries with their recipes, the recipes' quantities
# and their foods, the recipes a dish may be changed for (one meal); the roles the frame reads
# are kept from the first visit.
QUERIES = 6
