"""The nutrition officer's optimiser pages on the district host: ask for the cheapest week that
meets the WS/T 554-2017 targets for an age band, read it as a week grid with its costs against
the budget and every target (the misses named), change its dishes (each change checked again at
once) and publish it as the week's meal plan; the proposals listed, and what each recipe costs
and where its prices come from. Auditors, and everyone else who may read proposals, read them."""

import datetime
import json
from collections import Counter
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.permissions import has_perm, restrict
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from shared_apps.optimiser import selectors, services
from shared_apps.optimiser.filters import ProposalFilter
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.web.forms import (
    DAY_CHOICES,
    EntryAddForm,
    EntryChangeForm,
    ProposalRequestForm,
    PublishForm,
    RecipeCostForm,
)
from shared_apps.procurement.selectors.prices import PriceSource
from shared_apps.standards import selectors as standards
from shared_apps.standards.models import Allergen, Course, Meal

SECTION = gettext_lazy("Meals and nutrition")
# The colours of the chart (app.css's): a target kept, a target missed.
GREEN, RED = "#0f5e4d", "#b42318"
MEAL_ORDER = {meal: index for index, meal in enumerate(Meal.values)}
DAYS = dict(DAY_CHOICES)


def _proposal(request: HttpRequest, pk: int, action: str = "view") -> Proposal:
    """The proposal `pk` among those the caller may `action`, else 404 (as the API answers)."""
    return get_object_or_404(restrict(selectors.proposal_list(), request.user, action), pk=pk)


def _words(nutrient: str) -> tuple[Any, str]:
    """A figure's name in plain words and its unit."""
    return standards.NUTRIENT_WORDS.get(nutrient, (nutrient, ""))


def _gap(check: dict[str, Any]) -> Decimal:
    """How far a figure is from the bound it misses."""
    if check["status"] == "low":
        return Decimal(check["lower"] - check["actual"])
    return Decimal(check["actual"] - check["upper"])


def _miss_text(miss: dict[str, Any], proposal: Proposal) -> str:
    """A miss in plain words: which target (or budget), on which meal and day, by how much."""
    date = None
    if miss["weekday"] is not None:
        date = proposal.week_start + datetime.timedelta(days=miss["weekday"] - 1)
    meal = Meal(miss["meal"]).label
    if miss["kind"] == "budget":
        return _(
            "%(meal)s on %(date)s: costs %(actual)s yuan, above its budget of %(upper)s yuan "
            "(over by %(gap)s yuan)."
        ) % {
            "meal": meal,
            "date": date,
            "actual": miss["actual"],
            "upper": miss["upper"],
            "gap": _gap(miss),
        }
    said = standards.check_text({**miss, "nutrient": miss["check"], "date": date})
    unit = _words(miss["check"])[1]
    if miss["status"] == "low":
        return _("%(check)s Short by %(gap)s %(unit)s.") % {
            "check": said,
            "gap": _gap(miss),
            "unit": unit,
        }
    return _("%(check)s Over by %(gap)s %(unit)s.") % {
        "check": said,
        "gap": _gap(miss),
        "unit": unit,
    }


def _chart(meal: str, checks: list[dict[str, Any]]) -> str:
    """A Chart.js bar chart (app.js draws it) of a meal's figures as a share of their target
    (or of the bound they keep): green where kept, red where missed."""
    labels, shares, colours = [], [], []
    for check in checks:
        reference = check["target"] or check["lower"] or check["upper"]
        if not reference:
            continue
        labels.append(str(_words(check["nutrient"])[0]))
        shares.append(float((check["actual"] / reference * 100).quantize(Decimal("0.1"))))
        colours.append(GREEN if check["status"] == "ok" else RED)
    return json.dumps(
        {
            "type": "bar",
            "data": {
                "labels": labels,
                "datasets": [
                    {
                        "label": _("%(meal)s: %% of the target") % {"meal": Meal(meal).label},
                        "data": shares,
                        "backgroundColor": colours,
                    }
                ],
            },
            "options": {
                "maintainAspectRatio": False,
                "animation": False,
                "plugins": {"legend": {"display": False}},
                "scales": {"y": {"beginAtZero": True}},
            },
        },
        ensure_ascii=False,
    )


def _week(request: HttpRequest, proposal: Proposal, **extra: Any) -> dict[str, Any]:
    """All the proposal's page shows: the grid (days × meals, each dish with its portion, cost
    and price sources), the totals against the budget per day and per meal, each target with
    the plan's figure, the misses in words, and what the caller may do with it."""
    week = selectors.proposal_week(proposal=proposal)
    editable = proposal.status == Proposal.Status.DRAFT and has_perm(
        request.user, "optimiser.change_proposal"
    )
    options = (
        {
            meal: list(standards.recipes_for(meal=meal, age_band=proposal.age_band))
            for meal in proposal.meals
        }
        if editable
        else {}
    )
    days = []
    meal_totals: dict[str, dict[str, Decimal]] = {
        meal: {"cost": Decimal(0), "budget": Decimal(0)} for meal in proposal.meals
    }
    for day in week["days"]:
        cost = sum((menu["cost"] for menu in day["meals"]), Decimal(0))
        budgets = [menu["budget"] for menu in day["meals"] if menu["budget"] is not None]
        for menu in day["meals"]:
            menu["label"] = f"{DAYS[day['weekday']]} · {Meal(menu['meal']).label}"
            menu["over"] = menu["budget"] is not None and menu["cost"] > menu["budget"]
            menu["options"] = options.get(menu["meal"], [])
            for dish in menu["dishes"]:
                dish["course_label"] = Course(dish["course"]).label
                dish["source_labels"] = [PriceSource(s).label for s in dish["sources"]]
            meal_totals[menu["meal"]]["cost"] += menu["cost"]
            meal_totals[menu["meal"]]["budget"] += menu["budget"] or Decimal(0)
        budget = sum(budgets, Decimal(0)) if budgets else None
        days.append(
            {
                **day,
                "name": DAYS[day["weekday"]],
                "cost": cost,
                "budget": budget,
                "over": budget is not None and cost > budget,
            }
        )
    has_budget = proposal.inputs["budget_per_meal"] is not None
    weekly = [
        {
            "meal": Meal(row["meal"]).label,
            "days": row["days"],
            "cost": meal_totals.get(row["meal"], {}).get("cost"),
            "budget": meal_totals.get(row["meal"], {}).get("budget") if has_budget else None,
            "chart": _chart(row["meal"], row["checks"]),
            "checks": [
                {
                    **check,
                    "label": _words(check["nutrient"]),
                    "gap": None if check["status"] == "ok" else _gap(check),
                }
                for check in row["checks"]
            ],
        }
        for row in week["weekly"]
    ]
    left_out = Counter(
        str(selectors.LeftOut(entry["reason"]).label) for entry in proposal.inputs["left_out"]
    )
    return {
        "proposal": proposal,
        "days": days,
        "meals": [Meal(meal) for meal in sorted(proposal.meals, key=MEAL_ORDER.__getitem__)],
        "weekly": weekly,
        "misses": [_miss_text(miss, proposal) for miss in week["misses"]],
        "solver": week["solver"],
        "budget_per_meal": proposal.inputs["budget_per_meal"],
        "rules": proposal.inputs["rules"],
        "excluded": [Allergen(a).label for a in proposal.inputs["rules"]["exclude_allergens"]],
        "left_out": sorted(left_out.items()),
        "editable": editable,
        "may_publish": editable
        and proposal.school_id is None
        and has_perm(request.user, "optimiser.publish_proposal"),
        "publish_form": PublishForm(),
        **extra,
    }


class ProposalListPage(Page):
    permission = "optimiser.view_proposal"
    title = gettext_lazy("Meal plan proposals")
    nav = Nav(SECTION, gettext_lazy("Optimised proposals"), 15)
    template_name = "optimiser/proposal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        proposals = restrict(selectors.proposal_list(), self.request.user, "view")
        return super().get_context_data(
            listing=listing(
                self.request,
                proposals,
                ProposalFilter,
                sorts={
                    "week_start": _("Week"),
                    "age_band": _("Age band"),
                    "cost": _("Cost of the week"),
                    "created_at": _("Asked for"),
                },
                default_sort="-created_at",
            ),
            may_request=has_perm(self.request.user, "optimiser.add_proposal"),
            **kwargs,
        )


class ProposalRequestPage(FormPage):
    """Asks the optimiser for a week: it is composed at once (within the time limit in
    settings), and its page shows it."""

    permission = "optimiser.add_proposal"
    title = gettext_lazy("Propose a week that meets the standard")
    template_name = "optimiser/proposal_request.html"
    form_class = ProposalRequestForm

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, ProposalRequestForm)
        values = form.cleaned_data
        proposal = run(
            form,
            lambda: services.proposal_request(
                week_start=values["week_start"],
                age_band=values["age_band"],
                meals=values["meals"],
                rules=form.rules(),
                actor=signed_in(self.request),
            ),
        )
        return None if proposal is None else reverse("optimiser:proposal", args=[proposal.pk])


class ProposalPage(Page):
    permission = "optimiser.view_proposal"
    template_name = "optimiser/proposal.html"
    shows = Proposal

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        proposal = _proposal(request, kwargs["pk"])
        return self.render_to_response(
            self.get_context_data(title=_title(proposal), **_week(request, proposal))
        )


def _title(proposal: Proposal) -> str:
    return _("Proposed week of %(week)s, ages %(band)s") % {
        "week": proposal.week_start.isoformat(),
        "band": proposal.get_age_band_display(),
    }


class _EntryAct(Page):
    """A change to one dish of a draft (POST only): done, back to the week checked again; refused,
    the week shown again (400) with what was refused above the grid."""

    permission = "optimiser.change_proposal"
    http_method_names = ["post"]
    template_name = "optimiser/proposal.html"
    form_class: type[forms.Form]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        proposal = _proposal(request, kwargs["pk"], "change")
        form = self.form_class(request.POST)
        if form.is_valid() and run(form, lambda: self.act(proposal, form)) is not None:
            return HttpResponseRedirect(reverse("optimiser:proposal", args=[proposal.pk]))
        proposal.refresh_from_db()
        context = self.get_context_data(
            title=_title(proposal), **_week(request, proposal, entry_form=form)
        )
        return self.render_to_response(context, status=400)

    def act(self, proposal: Proposal, form: forms.Form) -> Proposal:
        raise NotImplementedError


class EntryAddPage(_EntryAct):
    form_class = EntryAddForm

    def act(self, proposal: Proposal, form: forms.Form) -> Proposal:
        values = form.cleaned_data
        return services.proposal_entry_add(
            proposal=proposal,
            weekday=values["weekday"],
            meal=values["meal"],
            recipe_id=values["recipe"],
            portion_pct=values["portion_pct"] or Decimal(100),
            actor=signed_in(self.request),
        )


class EntryChangePage(_EntryAct):
    form_class = EntryChangeForm

    def act(self, proposal: Proposal, form: forms.Form) -> Proposal:
        return services.proposal_entry_change(
            proposal=proposal,
            entry_id=self.kwargs["entry_id"],
            recipe_id=form.cleaned_data["recipe"],
            portion_pct=form.cleaned_data["portion_pct"],
            actor=signed_in(self.request),
        )


class EntryRemovePage(_EntryAct):
    form_class = forms.Form

    def act(self, proposal: Proposal, _form: forms.Form) -> Proposal:
        return services.proposal_entry_remove(
            proposal=proposal, entry_id=self.kwargs["entry_id"], actor=signed_in(self.request)
        )


class PublishPage(Page):
    """Publishes the draft as the week's meal plan (once, however often it is pressed), and goes
    to the plan's page."""

    permission = "optimiser.publish_proposal"
    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        proposal = _proposal(request, kwargs["pk"], "publish")
        form = PublishForm(request.POST)
        title = form.cleaned_data["title"] if form.is_valid() else ""
        plan = services.proposal_publish(proposal=proposal, title=title, actor=signed_in(request))
        return HttpResponseRedirect(reverse("standards:plan", args=[plan.pk]))


class RecipeCostPage(Page):
    """What a serving of each recipe costs an age band on a day: its foods priced from the
    framework contracts in force, else the market reference, with the source of each price."""

    permission = "standards.view_recipe"
    title = gettext_lazy("Recipe costs")
    nav = Nav(SECTION, gettext_lazy("Recipe costs"), 25)
    template_name = "optimiser/recipe_costs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = RecipeCostForm(self.request.GET if "age_band" in self.request.GET else None)
        costs = []
        if form.is_valid():
            on = form.cleaned_data["on"] or timezone.localdate()
            costs = sorted(
                selectors.recipe_cost_list(age_band=form.cleaned_data["age_band"], on=on),
                key=lambda c: (MEAL_ORDER[c.recipe.meal], c.recipe.course, c.recipe.name),
            )
        return super().get_context_data(form=form, costs=costs, **kwargs)
