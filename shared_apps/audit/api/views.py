"""The audit trail, security events and findings, for auditors: every school from the centre,
one school from its own host."""

from typing import Any

from django.shortcuts import get_object_or_404
from django_tenants.utils import get_tenant_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.permissions import current_school_id
from shared_apps.audit import selectors, services
from shared_apps.audit.api import serializers as s
from shared_apps.audit.filters import ChangeFilter, FindingFilter, SecurityEventFilter
from shared_apps.audit.models import Change, Finding, SecurityEvent


class ChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Change
    serializer_class = s.ChangeSerializer
    filterset_class = ChangeFilter
    ordering_fields = ["id", "occurred_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.change_list()


class SecurityEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = SecurityEvent
    serializer_class = s.SecurityEventSerializer
    filterset_class = SecurityEventFilter
    ordering_fields = ["id", "occurred_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.security_event_list()


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Finding
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilter
    ordering_fields = ["id", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def safely_get_queryset(self) -> Any:
        return selectors.finding_list()

    @extend_schema(
        request=s.FindingCreateSerializer,
        responses={201: s.FindingSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school: Any = None
        if current_school_id() is not None:
            school = tenant_db().tenant
        elif data.validated_data["school"]:
            school = get_object_or_404(get_tenant_model(), code=data.validated_data["school"])
        finding = services.finding_create(
            school=school,
            title=data.validated_data["title"],
            body=data.validated_data["body"],
            severity=data.validated_data["severity"],
            rectify_by=data.validated_data["rectify_by"],
            actor=request.user,
        )
        return Response(s.FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FindingUpdateSerializer, responses=s.FindingSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        finding = self.get_object()
        data = s.FindingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_update(
            finding=finding, actor=request.user, **data.validated_data
        )
        return Response(s.FindingSerializer(finding).data)
