from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from houqin.admin import ScopedModelAdmin, site
from shared_apps.accounts.actors import signed_in
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


def _published(standard: NutritionStandard | None) -> bool:
    return standard is not None and standard.is_published


class StandardTargetInline(admin.TabularInline):
    model = StandardTarget
    extra = 0
    fields = ["age_band", "meal", "energy_kcal", "protein_g", "calcium_mg", "iron_mg"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)


@admin.register(NutritionStandard, site=site)
class NutritionStandardAdmin(ScopedModelAdmin):
    """A published version is not edited: a correction is a new version (`manage.py
    load_standard FILE`, or a copy made here), which plans published afterwards are checked
    against."""

    list_display = ["code", "version", "title", "is_published", "published_on"]
    list_filter = ["code", "is_published"]
    inlines = [StandardTargetInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)


class FoodGroupTargetInline(admin.TabularInline):
    model = StandardFoodGroupTarget
    extra = 0

    def _frozen(self, obj: Any) -> bool:
        return obj is not None and _published(obj.standard)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(StandardTarget, site=site)
class StandardTargetAdmin(ScopedModelAdmin):
    list_display = ["standard", "age_band", "meal", "energy_kcal", "protein_g", "calcium_mg"]
    list_filter = ["standard", "age_band", "meal"]
    inlines = [FoodGroupTargetInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        frozen = obj is not None and _published(obj.standard)
        return not frozen and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        frozen = obj is not None and _published(obj.standard)
        return not frozen and super().has_delete_permission(request, obj)


@admin.register(Food, site=site)
class FoodAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "food_group", "edible_pct", "energy_kcal", "protein_g"]
    list_filter = ["food_group"]
    search_fields = ["code", "name", "alias"]


class RecipeItemInline(admin.TabularInline):
    model = RecipeItem
    extra = 0
    autocomplete_fields = ["food"]


@admin.register(Recipe, site=site)
class RecipeAdmin(ScopedModelAdmin):
    list_display = ["name", "meal", "updated_at"]
    list_filter = ["meal"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [RecipeItemInline]


class MealPlanEntryInline(admin.TabularInline):
    model = MealPlanEntry
    extra = 0
    autocomplete_fields = ["recipe"]

    def _draft(self, obj: Any) -> bool:
        return obj is None or obj.status == MealPlan.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(MealPlan, site=site)
class MealPlanAdmin(ScopedModelAdmin):
    """Drafts are edited here; publishing (which freezes a plan and computes its report) is the
    API's publish action. Published and superseded plans are read-only, as the database keeps
    them."""

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

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["week_start", "age_band", "title"]  # the rest comes from plan_create
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        if obj.status != MealPlan.Status.DRAFT:
            return [f.name for f in self.model._meta.fields]
        return [*self.readonly_fields, "standard", "week_start", "age_band"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != MealPlan.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: MealPlan, form: Any, change: bool) -> None:
        if not change:
            from shared_apps.standards.services import plan_create

            created = plan_create(
                week_start=obj.week_start,
                age_band=obj.age_band,
                title=obj.title,
                entries=[],
                actor=signed_in(request),
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)
