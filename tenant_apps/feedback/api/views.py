"""Feedback in one school: members submit and read their own; managers read all and answer."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.models import User
from tenant_apps.feedback import selectors, services
from tenant_apps.feedback.api import serializers as s
from tenant_apps.feedback.filters import FeedbackFilter
from tenant_apps.feedback.models import Feedback


class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Feedback
    serializer_class = s.FeedbackSerializer
    filterset_class = FeedbackFilter
    ordering_fields = ["id", "created_at", "due_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.feedback_list()

    @extend_schema(
        request=s.FeedbackCreateSerializer,
        responses={201: s.FeedbackSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.FeedbackCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.feedback_submit(actor=signed_in(request), **data.validated_data)
        return Response(s.FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FeedbackRespondSerializer, responses=s.FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        feedback: Feedback = self.get_object()
        data = s.FeedbackRespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.feedback_respond(
            feedback=feedback, response=data.validated_data["response"], actor=signed_in(request)
        )
        return Response(s.FeedbackSerializer(feedback).data)

    @extend_schema(request=s.FeedbackAssignSerializer, responses=s.FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        feedback: Feedback = self.get_object()
        data = s.FeedbackAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = User.objects.filter(username=data.validated_data["username"]).first()
        if assignee is None:
            raise InvalidInput(_("No such user."), fields={"username": [_("No such user.")]})
        services.feedback_assign(feedback=feedback, assignee=assignee, actor=signed_in(request))
        return Response(s.FeedbackSerializer(feedback).data)
