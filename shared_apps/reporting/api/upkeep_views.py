"""The schools' upkeep figures on the district host, as JSON or Excel (`?format=xlsx`): each
school's open and overdue repair requests, times, satisfaction, assets and this year's full
stock-take; and each school's assets by category. Read from the district's rollup tables, which
the schools' jobs write: no query visits a school's schema."""

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.renderers import XLSX, FileFormats, XlsxRenderer
from houqin.api.viewsets import RestrictedViewSet
from houqin.tables import xlsx_bytes
from shared_apps.reporting import selectors
from shared_apps.reporting.models import SchoolAssetCategory, SchoolUpkeep

FORMAT = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"])


class UpkeepSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = SchoolUpkeep
        fields = [
            "school",
            "school_name",
            "open_requests",
            "overdue_requests",
            "completed_30_days",
            "mean_hours_to_finish",
            "satisfaction",
            "repairs_updated_at",
            "assets",
            "assets_cost",
            "full_count_closed_at",
            "assets_updated_at",
        ]
        read_only_fields = fields


class AssetCategorySerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)

    class Meta:
        model = SchoolAssetCategory
        fields = ["school", "category", "kind", "count", "cost"]
        read_only_fields = fields


class _Figures(FileFormats, mixins.ListModelMixin, RestrictedViewSet):
    renderer_classes = [JSONRenderer, XlsxRenderer]
    pagination_class = None
    title = ""
    columns: ClassVar[list[str]]

    def rows(self, data: list[dict[str, Any]]) -> list[list[Any]]:
        return [self.columns, *([row[name] for name in self.columns] for row in data)]

    def list(self, request: Request) -> Response:
        data = self.get_serializer(self.filter_queryset(self.get_queryset()), many=True).data
        if request.accepted_renderer.format != "xlsx":
            return Response(data)
        return Response(
            xlsx_bytes(self.title, self.rows(list(data))),
            headers={"Content-Disposition": 'attachment; filename="upkeep.xlsx"'},
        )


def _figures_schema(rows: type[serializers.Serializer]) -> Any:
    """The list's schema: its rows as JSON, or the workbook."""
    return extend_schema_view(
        list=extend_schema(
            parameters=[FORMAT],
            responses={
                (200, "application/json"): rows(many=True),
                (200, XLSX): OpenApiTypes.BINARY,
            },
        )
    )


@_figures_schema(UpkeepSerializer)
class UpkeepViewSet(_Figures):
    """Every school's repair desk and property, one row each."""

    model = SchoolUpkeep
    serializer_class = UpkeepSerializer
    columns = UpkeepSerializer.Meta.fields
    title = _("Upkeep")

    def safely_get_queryset(self) -> QuerySet[SchoolUpkeep]:
        return selectors.upkeep_list()


@_figures_schema(AssetCategorySerializer)
class AssetCategoryViewSet(_Figures):
    """Every school's assets held, by category and kind."""

    model = SchoolAssetCategory
    serializer_class = AssetCategorySerializer
    columns = AssetCategorySerializer.Meta.fields
    title = _("Assets")

    def safely_get_queryset(self) -> QuerySet[SchoolAssetCategory]:
        return selectors.asset_category_list()
