"""District endpoints to list, create (one by one or from a list), suspend, reactivate and archive
schools."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from tenants import onboarding, selectors, services
from tenants.api import serializers as s
from tenants.filters import SchoolFilter
from tenants.models import School


class SchoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = School
    serializer_class = s.SchoolSerializer
    filterset_class = SchoolFilter
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9]{1,64}"
    ordering_fields = ["code", "name", "created_at"]
    action_verbs = {
        "suspend": "change",
        "reactivate": "change",
        "archive": "change",
        "import_schools": "add",
    }

    def safely_get_queryset(self) -> Any:
        return selectors.school_list()

    @extend_schema(
        request=s.SchoolCreateSerializer,
        responses={201: s.SchoolSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.SchoolCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school = services.school_create(actor=request.user, **data.validated_data)
        return Response(s.SchoolSerializer(school).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.SchoolImportSerializer},
        responses=s.SchoolImportReportSerializer,
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_schools(self, request: Request) -> Response:
        """Create the schools of a .csv or .xlsx list; 200 with a per-row report, even when some
        rows failed (each says why)."""
        data = s.SchoolImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        rows = onboarding.read_school_rows(upload, upload.name)
        report = onboarding.schools_import(rows=rows, actor=request.user)
        return Response(report.as_dict())

    def _status_change(self, request: Request, change: Any) -> Response:
        school: School = self.get_object()
        data = s.SchoolStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.SchoolSerializer(change(school, data.validated_data["reason"])).data)

    @extend_schema(request=s.SchoolStatusSerializer, responses=s.SchoolSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, code: str | None = None) -> Response:
        return self._status_change(
            request,
            lambda school, reason: services.school_suspend(
                school=school, reason=reason, actor=request.user
            ),
        )

    @extend_schema(request=s.SchoolStatusSerializer, responses=s.SchoolSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, code: str | None = None) -> Response:
        return self._status_change(
            request,
            lambda school, reason: services.school_reactivate(
                school=school, reason=reason, actor=request.user
            ),
        )

    @extend_schema(request=s.SchoolStatusSerializer, responses=s.SchoolSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, code: str | None = None) -> Response:
        return self._status_change(
            request,
            lambda school, reason: services.school_archive(
                school=school, reason=reason, actor=request.user
            ),
        )
