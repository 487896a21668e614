"""The district's nutrition work: the standard and its targets (read), the food catalogue, recipes
and weekly standard meal plans. The nutrition officer writes; auditors read."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from shared_apps.accounts.actors import signed_in
from shared_apps.standards import selectors, services
from shared_apps.standards.api import serializers as s
from shared_apps.standards.filters import (
    FoodFilter,
    MealPlanFilter,
    RecipeFilter,
    StandardTargetFilter,
)
from shared_apps.standards.importing import read_food_rows
from shared_apps.standards.models import Food, MealPlan, NutritionStandard, Recipe, StandardTarget

ID = "[0-9]{1,18}"


class NutritionStandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Versions of the nutrition standard (WS/T 554-2017), with the tolerances checks use."""

    model = NutritionStandard
    serializer_class = s.NutritionStandardSerializer
    lookup_value_regex = ID
    ordering_fields = ["id", "version"]

    def safely_get_queryset(self) -> Any:
        return selectors.standard_list()


class StandardTargetViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The standard's targets per age band and meal (or whole day), with food-group ranges."""

    model = StandardTarget
    serializer_class = s.StandardTargetSerializer
    filterset_class = StandardTargetFilter
    ordering_fields = ["id", "age_band", "meal"]

    def safely_get_queryset(self) -> Any:
        return selectors.target_list()


class FoodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The food catalogue: composition per 100 g edible part, each food with its source."""

    model = Food
    serializer_class = s.FoodSerializer
    filterset_class = FoodFilter
    lookup_value_regex = ID
    ordering_fields = ["code", "name", "food_group"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"import_foods": "add"}

    def safely_get_queryset(self) -> Any:
        return selectors.food_list()

    @extend_schema(
        request=s.FoodCreateSerializer,
        responses={201: s.FoodSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.FoodCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        food = services.food_create(actor=signed_in(request), **data.validated_data)
        return Response(s.FoodSerializer(food).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FoodChangeSerializer, responses=s.FoodSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        food = self.get_object()
        data = s.FoodChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        food = services.food_update(food=food, actor=signed_in(request), **data.validated_data)
        return Response(s.FoodSerializer(food).data)

    @extend_schema(
        request={"multipart/form-data": s.FoodImportSerializer},
        responses=s.FoodImportReportSerializer,
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_foods(self, request: Request) -> Response:
        """Create or update the foods of a table, by code: all rows or none. 200 with a per-row
        report; 400 `invalid_rows` (each faulty row in `fields.rows`) when any row has a
        problem, and 400 for a file that cannot be used. Repeating an import changes nothing, so
        it takes no Idempotency-Key."""
        data = s.FoodImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        rows = read_food_rows(upload, upload.name)
        report = services.food_import(
            rows=rows,
            actor=signed_in(request),
            default_source=data.validated_data["source"],
            dry_run=data.validated_data["dry_run"],
        )
        return Response(report.as_dict())


class RecipeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    RestrictedViewSet,
):
    """Recipes with quantities per serving per age band; the detail shows each band's nutrients
    against its targets."""

    model = Recipe
    filterset_class = RecipeFilter
    lookup_value_regex = ID
    ordering_fields = ["id", "name", "meal"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def safely_get_queryset(self) -> Any:
        return selectors.recipe_list()

    def get_serializer_class(self) -> Any:
        return s.RecipeSerializer if self.action == "list" else s.RecipeDetailSerializer

    def _items(self, items: list[dict[str, Any]]) -> list[services.ItemInput]:
        return [services.ItemInput(**item) for item in items]

    @extend_schema(
        request=s.RecipeWriteSerializer,
        responses={201: s.RecipeDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.RecipeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        recipe = services.recipe_create(
            name=values["name"],
            meal=values["meal"],
            description=values.get("description", ""),
            items=self._items(values["items"]),
            traits=services.Traits(**{k: values[k] for k in services.TRAITS if k in values}),
            actor=signed_in(request),
        )
        return Response(self._detail(recipe.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RecipeWriteSerializer, responses=s.RecipeDetailSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        recipe = self.get_object()
        data = s.RecipeWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "items" in values:
            values["items"] = self._items(values["items"])
        traits = {k: values.pop(k) for k in services.TRAITS if k in values}
        services.recipe_update(recipe=recipe, actor=signed_in(request), traits=traits, **values)
        return Response(self._detail(recipe.pk))

    def perform_destroy(self, instance: Recipe) -> None:
        services.recipe_delete(recipe=instance, actor=signed_in(self.request))

    def _detail(self, pk: int) -> Any:
        return s.RecipeDetailSerializer(selectors.recipe_list().get(pk=pk)).data


class MealPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    RestrictedViewSet,
):
    """Weekly standard meal plans per age band, versioned: drafts are edited, publishing freezes
    a version (with its nutrient report and flags) and supersedes the one before; a published
    plan is revised into a new draft version."""

    model = MealPlan
    filterset_class = MealPlanFilter
    lookup_value_regex = ID
    ordering_fields = ["id", "week_start", "version", "published_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_verbs = {"publish": "publish", "revise": "add"}

    def safely_get_queryset(self) -> Any:
        return selectors.plan_brief_list() if self.action == "list" else selectors.plan_list()

    def get_serializer_class(self) -> Any:
        return s.PlanSerializer if self.action == "list" else s.PlanDetailSerializer

    def _entries(self, entries: list[dict[str, Any]]) -> list[services.EntryInput]:
        return [services.EntryInput(**entry) for entry in entries]

    def _detail(self, plan: MealPlan) -> Any:
        return s.PlanDetailSerializer(selectors.plan_list().get(pk=plan.pk)).data

    @extend_schema(
        request=s.PlanCreateSerializer,
        responses={201: s.PlanDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = services.plan_create(
            week_start=values["week_start"],
            age_band=values["age_band"],
            title=values["title"],
            entries=self._entries(values["entries"]),
            actor=signed_in(request),
        )
        return Response(self._detail(plan), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanUpdateSerializer, responses=s.PlanDetailSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = s.PlanUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "entries" in values:
            values["entries"] = self._entries(values["entries"])
        plan = services.plan_update(plan=plan, actor=signed_in(request), **values)
        return Response(self._detail(plan))

    def perform_destroy(self, instance: MealPlan) -> None:
        services.plan_delete(plan=instance, actor=signed_in(self.request))

    @extend_schema(request=None, responses=s.PlanDetailSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a draft, with its flags (missing targets does not block publishing)."""
        plan = services.plan_publish(plan=self.get_object(), actor=signed_in(request))
        return Response(self._detail(plan))

    @extend_schema(
        request=None, responses={201: s.PlanDetailSerializer}, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def revise(self, request: Request, pk: str | None = None) -> Response:
        """A new draft version of a published plan, with the same entries."""
        plan = services.plan_revise(plan=self.get_object(), actor=signed_in(request))
        return Response(self._detail(plan), status=status.HTTP_201_CREATED)
