"""The nutrition standard and its targets are loaded (`manage.py load_standard FILE`) and a
recipe is written with its items through the API: here they are read. Foods, and a meal plan's
draft (its week, band and title; its entries through the API), are written here through the
services, which check them as they check the API's."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from houqin.admin import ReadOnlyInline, ScopedModelAdmin, ServiceCall, site
from shared_apps.standards import services
from shared_apps.standards.models import (
    Food,
    MealPlan,
    MealPlanEntry,
    NutritionStandard,
    Recipe,
    RecipeItem,
    StandardFoodGroupTarget,
    StandardTarget,
)


class StandardTargetInline(ReadOnlyInline):
    model = StandardTarget
    fields = ["age_band", "meal", "energy_kcal", "protein_g", "calcium_mg", "iron_mg"]
    show_change_link = True


@admin.register(NutritionStandard, site=site)
class NutritionStandardAdmin(ScopedModelAdmin):
    list_display = ["code", "version", "title", "is_published", "published_on"]
    list_filter = ["code", "is_published"]
    inlines = [StandardTargetInline]


class FoodGroupTargetInline(ReadOnlyInline):
    model = StandardFoodGroupTarget


@admin.register(StandardTarget, site=site)
class StandardTargetAdmin(ScopedModelAdmin):
    list_display = ["standard", "age_band", "meal", "energy_kcal", "protein_g", "calcium_mg"]
    list_filter = ["standard", "age_band", "meal"]
    inlines = [FoodGroupTargetInline]


@admin.register(Food, site=site)
class FoodAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "food_group", "edible_pct", "energy_kcal", "protein_g"]
    list_filter = ["food_group"]
    search_fields = ["code", "name", "alias"]
    readonly_fields = ["created_at", "updated_at"]
    add_through = ServiceCall(services.food_create, fields=("code", *services.FOOD_FIELDS))
    change_through = ServiceCall(services.food_update, fields=services.FOOD_FIELDS, row="food")


class RecipeItemInline(ReadOnlyInline):
    model = RecipeItem


@admin.register(Recipe, site=site)
class RecipeAdmin(ScopedModelAdmin):
    list_display = ["name", "meal", "updated_at"]
    list_filter = ["meal"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [RecipeItemInline]


class MealPlanEntryInline(ReadOnlyInline):
    model = MealPlanEntry


@admin.register(MealPlan, site=site)
class MealPlanAdmin(ScopedModelAdmin):
    """Publishing (which freezes a plan and computes its report) is the API's publish action.
    Published and superseded plans are read-only, as the database keeps them."""

    list_display = ["week_start", "age_band", "version", "status", "title", "published_at"]
    list_filter = ["status", "age_band"]
    date_hierarchy = "week_start"
    inlines = [MealPlanEntryInline]
    readonly_fields = [
        "status",
        "version",
        "created_by",
        "created_at",
        "published_at",
        "published_by",
        "superseded_at",
        "superseded_by",
        "published_report",
    ]
    add_through = ServiceCall(
        services.plan_create, fields=("week_start", "age_band", "title"), fixed={"entries": ()}
    )
    change_through = ServiceCall(services.plan_update, fields=("title",), row="plan")
    delete_through = ServiceCall(services.plan_delete, row="plan")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj) and super().has_delete_permission(request, obj)


def _draft(plan: MealPlan | None) -> bool:
    return plan is None or plan.status == MealPlan.Status.DRAFT
