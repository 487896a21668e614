"""The nutrition officer's pages: weekly standard meal plans composed on a week grid with the
WS/T 554-2017 check beside it while drafting, published once; recipes and foods with their
composition. Everyone who may read plans reads them here."""

from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.exceptions import Conflict
from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from shared_apps.standards import selectors, services
from shared_apps.standards.filters import FoodFilter, MealPlanFilter, RecipeFilter
from shared_apps.standards.models import (
    FOOD_NUTRIENTS,
    Food,
    Meal,
    MealPlan,
    Recipe,
)
from shared_apps.standards.web.forms import EntryForm, PlanCreateForm, next_monday

MEALS = gettext_lazy("Meals and nutrition")
WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


class PlanListPage(Page):
    permission = "standards.view_mealplan"
    title = gettext_lazy("Weekly meal plans")
    nav = Nav(MEALS, gettext_lazy("Weekly meal plans"), 10)
    template_name = "standards/plan_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        plans = restrict(selectors.plan_brief_list(), self.request.user, "view")
        return super().get_context_data(
            listing=listing(
                self.request,
                plans,
                MealPlanFilter,
                sorts={
                    "week_start": _("Week"),
                    "age_band": _("Age band"),
                    "version": _("Version"),
                    "status": _("Status"),
                },
                default_sort="-week_start",
            ),
            may_create=has_perm(self.request.user, "standards.add_mealplan"),
            **kwargs,
        )


class PlanCreatePage(FormPage):
    permission = "standards.add_mealplan"
    title = gettext_lazy("New weekly meal plan")
    template_name = "standards/plan_create.html"
    form_class = PlanCreateForm

    def act(self, form: Any) -> str | None:
        plan = run(
            form,
            lambda: services.plan_create(
                week_start=form.cleaned_data["week_start"],
                age_band=form.cleaned_data["age_band"],
                title=form.cleaned_data["title"],
                entries=[],
                actor=signed_in(self.request),
            ),
        )
        return None if plan is None else reverse("standards:plan", args=[plan.pk])


def _words(nutrient: str) -> tuple[Any, str]:
    """The figure's name in plain words and its unit."""
    return selectors.NUTRIENT_WORDS.get(nutrient, (nutrient, ""))


def _plan(request: HttpRequest, pk: int, action: str = "view") -> MealPlan:
    return get_object_or_404(restrict(selectors.plan_list(), request.user, action), pk=pk)


def _grid(request: HttpRequest, plan: MealPlan, form: EntryForm | None = None) -> dict[str, Any]:
    """The week as days × meals, each cell with its dishes and its check, and the week's check."""
    report = selectors.plan_report(plan=plan)
    cells: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in report["entries"]:
        cells[(entry["weekday"], entry["meal"])].append(entry)
    menus = {(m["weekday"], m["meal"]): m for m in report["menus"]}
    last_day = max([5, *(day for day, _meal in cells)])
    meals = [meal for meal in Meal if meal != Meal.DINNER or any(m == meal for _d, m in cells)]
    editable = plan.status == MealPlan.Status.DRAFT and has_perm(
        request.user, "standards.change_mealplan"
    )
    options = (
        {
            meal.value: list(selectors.recipes_for(meal=meal.value, age_band=plan.age_band))
            for meal in meals
        }
        if editable
        else {}
    )
    rows = [
        {
            "meal": meal,
            "cells": [
                {
                    "weekday": day,
                    "label": f"{WEEKDAYS[day - 1]} · {meal.label}",
                    "entries": cells.get((day, meal.value), []),
                    "flags": len(menus.get((day, meal.value), {}).get("flags", [])),
                    "options": options.get(meal.value, []),
                }
                for day in range(1, last_day + 1)
            ],
        }
        for meal in meals
    ]
    weekly = [
        {
            "meal": Meal(row["meal"]).label,
            "days": row["days"],
            "checks": [
                {
                    **check,
                    "label": selectors.NUTRIENT_WORDS.get(
                        check["nutrient"], (check["nutrient"], "")
                    ),
                }
                for check in row["checks"]
            ],
        }
        for row in report["weekly"]
    ]
    return {
        "plan": plan,
        "days": WEEKDAYS[:last_day],
        "rows": rows,
        "weekly": weekly,
        "meets": report["meets_standard"],
        "flag_count": len(report["flags"]),
        "editable": editable,
        "entry_form": form,
    }


class PlanPage(Page):
    permission = "standards.view_mealplan"
    template_name = "standards/plan.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = _plan(request, kwargs["pk"])
        context = self.get_context_data(
            title=str(plan), **_grid(request, plan), previous=selectors.plan_previous(plan=plan)
        )
        return self.render_to_response(context)


class PlanEntryPage(Page):
    """Adds a dish to a cell of the grid or takes one off, and answers with the grid again
    (htmx), or back to the plan's page without script."""

    permission = "standards.change_mealplan"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = _plan(request, kwargs["pk"], "change")
        form = EntryForm(request.POST)
        if form.is_valid():
            chosen = services.EntryInput(
                weekday=form.cleaned_data["weekday"],
                meal=form.cleaned_data["meal"],
                recipe=form.cleaned_data["recipe"],
            )
            entries = [
                services.EntryInput(weekday=e.weekday, meal=e.meal, recipe=e.recipe_id)
                for e in selectors.plan_entries(plan=plan)
            ]
            entries = (
                [e for e in entries if e != chosen]
                if form.cleaned_data["remove"]
                else [*entries, chosen]
            )
            run(
                form,
                lambda: services.plan_update(plan=plan, entries=entries, actor=signed_in(request)),
            )
        if not request.htmx:  # type: ignore[attr-defined]
            return HttpResponseRedirect(reverse("standards:plan", args=[plan.pk]))
        plan.refresh_from_db()
        return render(request, "standards/includes/grid.html", _grid(request, plan, form))


class PlanCopyPage(Page):
    """This draft takes the dishes of the week before (same band)."""

    permission = "standards.change_mealplan"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = _plan(request, kwargs["pk"], "change")
        previous = selectors.plan_previous(plan=plan)
        if previous is None:
            raise Conflict(_("There is no plan for the week before to copy."), code="no_plan")
        entries = [
            services.EntryInput(weekday=e.weekday, meal=e.meal, recipe=e.recipe_id)
            for e in selectors.plan_entries(plan=previous)
        ]
        services.plan_update(plan=plan, entries=entries, actor=signed_in(request))
        return HttpResponseRedirect(reverse("standards:plan", args=[plan.pk]))


class PlanPublishPage(Page):
    permission = "standards.change_mealplan"
    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = _plan(request, kwargs["pk"], "change")
        services.plan_publish(plan=plan, actor=signed_in(request))
        return HttpResponseRedirect(reverse("standards:plan", args=[plan.pk]))


class PlanRevisePage(Page):
    permission = "standards.change_mealplan"
    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = _plan(request, kwargs["pk"], "change")
        draft = services.plan_revise(plan=plan, actor=signed_in(request))
        return HttpResponseRedirect(reverse("standards:plan", args=[draft.pk]))


class RecipeListPage(Page):
    permission = "standards.view_recipe"
    title = gettext_lazy("Recipes")
    nav = Nav(MEALS, gettext_lazy("Recipes"), 20)
    template_name = "standards/recipe_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        recipes = restrict(selectors.recipe_list(), self.request.user, "view")
        return super().get_context_data(
            listing=listing(
                self.request,
                recipes,
                RecipeFilter,
                sorts={"name": _("Name"), "meal": _("Meal")},
                default_sort="name",
            ),
            **kwargs,
        )


class RecipePage(Page):
    permission = "standards.view_recipe"
    template_name = "standards/recipe.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        recipe: Recipe = get_object_or_404(
            restrict(selectors.recipe_list(), request.user, "view"), pk=kwargs["pk"]
        )
        bands = []
        for band in selectors.recipe_report(recipe=recipe):
            items = [i for i in recipe.items.all() if i.age_band == band["age_band"]]
            bands.append(
                {
                    **band,
                    "items": items,
                    "nutrients": [
                        (_words(key), value)
                        for key, value in band["nutrients"].items()
                        if key in selectors.NUTRIENT_WORDS
                    ],
                }
            )
        return self.render_to_response(
            self.get_context_data(title=recipe.name, recipe=recipe, bands=bands)
        )


class FoodListPage(Page):
    permission = "standards.view_food"
    title = gettext_lazy("Foods and their composition")
    nav = Nav(MEALS, gettext_lazy("Foods"), 30)
    template_name = "standards/food_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        foods = restrict(selectors.food_list(), self.request.user, "view")
        names = [spec[0] for spec in FOOD_NUTRIENTS[:6]]
        shown = listing(
            self.request,
            foods,
            FoodFilter,
            sorts={"code": _("Code"), "name": _("Name"), "energy_kcal": _("Energy")},
            default_sort="code",
        )
        return super().get_context_data(
            listing=shown,
            columns=[Food._meta.get_field(name).verbose_name for name in names],  # type: ignore[union-attr]
            rows=[(food, [getattr(food, name) for name in names]) for food in shown.page],
            **kwargs,
        )


def home_panel(request: HttpRequest) -> Panel | None:
    """For whoever composes plans: drafts waiting, and next week's bands with no plan in force."""
    if not has_perm(request.user, "standards.change_mealplan"):
        return None
    week = next_monday()
    plans = reverse("standards:plans")
    return Panel(
        _("Meal plans"),
        [
            Waiting(
                _("Drafts not yet published"),
                selectors.plan_list().filter(status=MealPlan.Status.DRAFT).count(),
                f"{plans}?status=draft",
            ),
            Waiting(
                _("Age bands without a published plan next week"),
                len(selectors.bands_without_plan(week_start=week)),
                f"{plans}?week_start={week.isoformat()}",
                warn=True,
            ),
        ],
    )
