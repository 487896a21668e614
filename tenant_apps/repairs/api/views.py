"""The repair desk over the API, on a school's host. Any member reports a fault (by room, or a
room's scanned label), adds photos, follows, cancels, confirms and rates, and reopens their own
requests; the repair teams' technicians accept, hand back, attend and complete the requests of
their teams; the logistics director sets the policy, teams and dispatch rules, dispatches and
transfers, extends deadlines, scores the teams and plans maintenance; the principal approves
major work. Views parse input and call services."""

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput
from houqin.months import parse_month
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.models import User
from shared_apps.procurement.selectors import suppliers as procurement
from tenant_apps.assets import selectors as assets
from tenant_apps.assets.labels import ASSET, ROOM, label_parse
from tenant_apps.orders import selectors as orders
from tenant_apps.repairs import filters as f
from tenant_apps.repairs import selectors
from tenant_apps.repairs.api import serializers as s
from tenant_apps.repairs.models import (
    DispatchRule,
    MaintenancePlan,
    Policy,
    RepairPhoto,
    RepairRequest,
    Scorecard,
    Team,
)
from tenant_apps.repairs.services import desk, maintenance, scorecards, work
from tenants.selectors import current_school

M = TypeVar("M", bound=models.Model)


def _found(queryset: "QuerySet[M]", pk: Any, field: str) -> M:
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise InvalidInput(_("Not found."), code="not_found", fields={field: [_("Not found.")]})
    return row


def _optional(queryset: "QuerySet[M]", pk: Any, field: str) -> M | None:
    return None if pk is None else _found(queryset, pk, field)


def _users(names: Sequence[str], field: str) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = sorted(set(names) - set(found))
    if missing:
        message = _("No such user: %(names)s.") % {"names": ", ".join(missing)}
        raise InvalidInput(message, fields={field: [message]})
    return [found[name] for name in names]


def _labelled(text: str, kind: str, field: str) -> str:
    """The key of a scanned label of this school: a room's id or an asset's number."""
    label = label_parse(text)
    if label is None or label.kind != kind:
        message = _("This is not a label of ours.")
        raise InvalidInput(message, code="not_a_label", fields={field: [message]})
    if label.school_code != current_school().code:
        message = _("This label belongs to another school.")
        raise InvalidInput(message, code="other_school_label", fields={field: [message]})
    return label.key


class RepairRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Repair requests: a member's own; the whole board for the desk, the technicians, the
    principal and the auditors."""

    model = RepairRequest
    serializer_class = s.RepairRequestSerializer
    filterset_class = f.RepairRequestFilter
    ordering_fields = ["id", "submitted_at", "finish_due", "status"]
    action_verbs = {
        "photos": "photo",
        "dispatch_request": "dispatch",
        "accept": "accept",
        "reject": "reject",
        "approve": "approve",
        "start": "start",
        "complete": "complete",
        "extend": "extend",
        "confirm": "confirm",
        "reopen": "reopen",
        "cancel": "cancel",
    }

    def safely_get_queryset(self) -> QuerySet[RepairRequest]:
        return selectors.request_list()

    def get_serializer_class(self) -> Any:
        return (
            s.RepairRequestDetailSerializer
            if self.action == "retrieve"
            else super().get_serializer_class()
        )

    def _answer(self, request: RepairRequest, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.request_list().prefetch_related("events__actor").get(pk=request.pk)
        return Response(s.RepairRequestDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.RepairRequestCreateSerializer,
        responses={201: s.RepairRequestDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Report a fault: the room by id or by its scanned label, the asset likewise if there
        is one. A room or asset of another school is not found here (400)."""
        data = s.RepairRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        room_pk = values["room"]
        if values["room_label"]:
            room_pk = _labelled(values["room_label"], ROOM, "room_label")
        if room_pk is None:
            message = _("Name the room, or scan its label.")
            raise InvalidInput(message, fields={"room": [message]})
        room = _found(assets.room_list(), room_pk if str(room_pk).isdigit() else 0, "room")
        asset = _optional(assets.asset_list(), values["asset"], "asset")
        if values["asset_label"]:
            number = _labelled(values["asset_label"], ASSET, "asset_label")
            asset = assets.asset_list().filter(number=number).first()
            if asset is None:
                raise InvalidInput(_("Not found."), fields={"asset_label": [_("Not found.")]})
        repair = desk.request_submit(
            room=room,
            asset=asset,
            category=values["category"],
            description=values["description"],
            urgency=values["urgency"],
            actor=signed_in(request),
        )
        return self._answer(repair, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.PhotoUploadSerializer}, responses={201: s.PhotoSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        """Add a photo (JPEG, PNG or WebP): of the fault, or of the finished work."""
        repair = self.get_object()
        data = s.PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        photo = desk.request_photo_add(
            request=repair,
            kind=data.validated_data["kind"],
            upload=upload,
            size=upload.size,
            actor=signed_in(request),
        )
        return Response(s.PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DispatchSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_request(self, request: Request, pk: str | None = None) -> Response:
        """Send to a team (and one of its technicians), or transfer to another team."""
        repair = self.get_object()
        data = s.DispatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        technician = (
            _users([values["technician"]], "technician")[0] if values["technician"] else None
        )
        repair = work.request_dispatch(
            request=repair,
            team=_found(selectors.team_list(), values["team"], "team"),
            technician=technician,
            note=values["note"],
            actor=signed_in(request),
        )
        return self._answer(repair)

    @extend_schema(request=s.AcceptSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        data = s.AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = work.request_accept(
            request=repair,
            estimated_cost=data.validated_data["estimated_cost"],
            actor=signed_in(request),
        )
        return self._answer(repair)

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Hand the request back to the director, with the reason."""
        repair = self.get_object()
        data = s.RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = work.request_reject(
            request=repair, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._answer(repair)

    @extend_schema(request=s.ApproveSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The principal's written approval of major work."""
        repair = self.get_object()
        data = s.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = work.request_approve(
            request=repair, approval=data.validated_data["approval"], actor=signed_in(request)
        )
        return self._answer(repair)

    @extend_schema(request=None, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """The technician is on site."""
        repair = work.request_start(request=self.get_object(), actor=signed_in(request))
        return self._answer(repair)

    @extend_schema(request=s.CompleteSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Finish: what was done, materials and labour; a fault needs a photo of the finished
        work first; a maintenance work order gives each checklist item's result."""
        repair = self.get_object()
        data = s.CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        materials = [
            work.MaterialInput(
                description=m["description"],
                quantity=m["quantity"],
                unit=m["unit"],
                unit_cost=m["unit_cost"],
                order=_optional(orders.order_list(), m["order"], "materials"),
            )
            for m in values["materials"]
        ]
        repair = work.request_complete(
            request=repair,
            note=values["note"],
            labour_cost=values["labour_cost"],
            materials=materials,
            checklist=[work.CheckInput(**c) for c in values["checklist"]],
            actor=signed_in(request),
        )
        return self._answer(repair)

    @extend_schema(request=s.ExtendSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        """Approve more time to finish, with the reason."""
        repair = self.get_object()
        data = s.ExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = work.request_extend(
            request=repair, actor=signed_in(request), **data.validated_data
        )
        return self._answer(repair)

    @extend_schema(request=s.ConfirmSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the work is done and rate it."""
        repair = self.get_object()
        data = s.ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = desk.request_confirm(
            request=repair, actor=signed_in(request), **data.validated_data
        )
        return self._answer(repair)

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """The fault came back within 30 days."""
        repair = self.get_object()
        data = s.RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = desk.request_reopen(
            request=repair, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._answer(repair)

    @extend_schema(request=s.OptionalReasonSerializer, responses=s.RepairRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        repair = self.get_object()
        data = s.OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repair = desk.request_cancel(
            request=repair, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._answer(repair)


class RepairPhotoViewSet(mixins.RetrieveModelMixin, RestrictedViewSet):
    """A photo of a request, as stored (JPEG), for whoever may read the request's photos."""

    model = RepairPhoto
    filter_backends = []

    def safely_get_queryset(self) -> QuerySet[RepairPhoto]:
        return selectors.photo_list()

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def retrieve(self, request: Request, pk: str | None = None) -> Any:
        photo: RepairPhoto = self.get_object()
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response


class PolicyViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The school's repair policy (one row once set): working hours, major-work threshold."""

    model = Policy
    serializer_class = s.PolicySerializer
    pagination_class = None

    def safely_get_queryset(self) -> QuerySet[Policy]:
        return selectors.policy_list()

    @extend_schema(request=s.PolicySerializer, responses={201: s.PolicySerializer})
    def create(self, request: Request) -> Response:
        """Set the policy (replacing the one in force)."""
        data = s.PolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = work.policy_set(actor=signed_in(request), **data.validated_data)
        return Response(s.PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Team
    serializer_class = s.TeamSerializer
    filterset_class = f.TeamFilter
    ordering_fields = ["id", "name"]

    def safely_get_queryset(self) -> QuerySet[Team]:
        return selectors.team_list()

    @extend_schema(
        request=s.TeamCreateSerializer,
        responses={201: s.TeamSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.TeamCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        supplier = None
        if values["supplier"] is not None:
            supplier = procurement.supplier_get(user=request.user, pk=values["supplier"])
            if supplier is None:
                raise InvalidInput(_("Not found."), fields={"supplier": [_("Not found.")]})
        team = work.team_create(
            name=values["name"],
            kind=values["kind"],
            supplier=supplier,
            members=_users(values["members"], "members"),
            actor=signed_in(request),
        )
        return Response(s.TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TeamUpdateSerializer, responses=s.TeamSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the team's technicians (by username), or stand it down."""
        team = self.get_object()
        data = s.TeamUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        members = _users(values["members"], "members") if "members" in values else None
        team = work.team_update(
            team=team, members=members, active=values.get("active"), actor=signed_in(request)
        )
        return Response(s.TeamSerializer(selectors.team_list().get(pk=team.pk)).data)


class RuleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, RestrictedViewSet
):
    """The director's dispatch rules: a fault or group, in a building or anywhere, to a team."""

    model = DispatchRule
    serializer_class = s.RuleSerializer
    filterset_class = f.RuleFilter
    ordering_fields = ["id", "category"]

    def safely_get_queryset(self) -> QuerySet[DispatchRule]:
        return selectors.rule_list()

    @extend_schema(request=s.RuleCreateSerializer, responses={201: s.RuleSerializer})
    def create(self, request: Request) -> Response:
        data = s.RuleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rule = work.rule_create(
            category=values["category"],
            building=_optional(assets.building_list(), values["building"], "building"),
            team=_found(selectors.team_list(), values["team"], "team"),
            actor=signed_in(request),
        )
        return Response(s.RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: DispatchRule) -> None:
        work.rule_delete(rule=instance, actor=signed_in(self.request))


class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Monthly scorecards of the teams and providers."""

    model = Scorecard
    serializer_class = s.ScorecardSerializer
    filterset_class = f.ScorecardFilter
    ordering_fields = ["id", "month", "total"]

    def safely_get_queryset(self) -> QuerySet[Scorecard]:
        return selectors.scorecard_list()

    @extend_schema(request=s.ScorecardCreateSerializer, responses={201: s.ScorecardSerializer})
    def create(self, request: Request) -> Response:
        """Score a team for a month that has ended (`YYYY-MM`); a provider that is one of the
        district's suppliers gets the school's rating for the month from it."""
        data = s.ScorecardCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            month: date = parse_month(values["month"])
        except ValueError:
            raise InvalidInput(
                _("A month, YYYY-MM."), fields={"month": [_("A month, YYYY-MM.")]}
            ) from None
        scorecard = scorecards.scorecard_record(
            team=_found(selectors.team_list(), values["team"], "team"),
            month=month,
            department_score=values["department_score"],
            note=values["note"],
            actor=signed_in(request),
        )
        return Response(s.ScorecardSerializer(scorecard).data, status=status.HTTP_201_CREATED)


class MaintenancePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Preventive maintenance plans, and their meters."""

    model = MaintenancePlan
    serializer_class = s.PlanSerializer
    filterset_class = f.MaintenancePlanFilter
    ordering_fields = ["id", "name", "next_due"]
    action_verbs = {"meter": "meter"}

    def safely_get_queryset(self) -> QuerySet[MaintenancePlan]:
        return selectors.plan_list()

    @extend_schema(request=s.PlanCreateSerializer, responses={201: s.PlanSerializer})
    def create(self, request: Request) -> Response:
        data = s.PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = maintenance.plan_create(
            asset=_optional(assets.asset_list(), values.pop("asset"), "asset"),
            team=_found(selectors.team_list(), values.pop("team"), "team"),
            actor=signed_in(request),
            **values,
        )
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MeterSerializer, responses=s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def meter(self, request: Request, pk: str | None = None) -> Response:
        """Record the meter's reading: reaching the mark raises the plan's work orders."""
        plan = self.get_object()
        data = s.MeterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = maintenance.plan_meter_record(
            plan=plan, reading=data.validated_data["reading"], actor=signed_in(request)
        )
        return Response(s.PlanSerializer(plan).data)
