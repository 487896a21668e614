"""A school's property over the API, on its host. The asset keeper and the logistics director
keep the register (rooms, assets, custody, labels, depreciation, stock-takes, discrepancies) and
ask for disposals; the principal approves disposals and the district's finance officer confirms
those above the threshold; the accountant records the finance ledger's balances; every member
reads the buildings and rooms to report a fault. Views parse input and call services."""

from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.filters import StrictFilterBackend
from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.renderers import PDF, FileFormats, PdfRenderer
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput
from houqin.months import parse_month
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.models import User
from tenant_apps.assets import filters as f
from tenant_apps.assets import selectors
from tenant_apps.assets.api import serializers as s
from tenant_apps.assets.labels import ASSET, Label
from tenant_apps.assets.models import (
    Asset,
    Building,
    DepreciationRun,
    Discrepancy,
    Disposal,
    LedgerBalance,
    Room,
    StockTake,
)
from tenant_apps.assets.renderers import MAX_LABELS, labels_pdf
from tenant_apps.assets.services import depreciation, disposals, ledger, register, stocktakes
from tenant_apps.orders import selectors as orders
from tenants.selectors import current_school

M = TypeVar("M", bound=models.Model)


def _found(queryset: "QuerySet[M]", pk: Any, field: str) -> M:
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise InvalidInput(_("Not found."), code="not_found", fields={field: [_("Not found.")]})
    return row


def _optional(queryset: "QuerySet[M]", pk: Any, field: str) -> M | None:
    return None if pk is None else _found(queryset, pk, field)


def _user(username: str, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(_("No such user."), fields={field: [_("No such user.")]})
    return user


class _Labelled:
    """Serializers of rooms and assets print their labels, which name the school."""

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()  # type: ignore[misc]
        context["school_code"] = current_school().code
        return context


class BuildingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Building
    serializer_class = s.BuildingSerializer
    ordering_fields = ["id", "code"]

    def safely_get_queryset(self) -> QuerySet[Building]:
        return selectors.building_list()

    @extend_schema(request=s.BuildingSerializer, responses={201: s.BuildingSerializer})
    def create(self, request: Request) -> Response:
        data = s.BuildingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        building = register.building_create(actor=signed_in(request), **data.validated_data)
        return Response(s.BuildingSerializer(building).data, status=status.HTTP_201_CREATED)


class RoomViewSet(_Labelled, mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Rooms, each with its QR label (scanned to report a fault, or in a stock-take)."""

    model = Room
    serializer_class = s.RoomSerializer
    filterset_class = f.RoomFilter
    ordering_fields = ["id", "code"]

    def safely_get_queryset(self) -> QuerySet[Room]:
        return selectors.room_list()

    @extend_schema(request=s.RoomSerializer, responses={201: s.RoomSerializer})
    def create(self, request: Request) -> Response:
        data = s.RoomSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        room = register.room_create(actor=signed_in(request), **data.validated_data)
        return Response(self.get_serializer(room).data, status=status.HTTP_201_CREATED)


BOOK_VALUE_ON = OpenApiParameter(
    "on", OpenApiTypes.DATE, description="The day of the book value (today when absent)."
)


class AssetViewSet(_Labelled, mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The register: assets with their custodian, place, repairs and (one by one) book value
    and moves; moves, loans and returns; a sheet of QR labels."""

    model = Asset
    serializer_class = s.AssetSerializer
    filterset_class = f.AssetFilter
    ordering_fields = ["id", "number", "acquired_on", "cost"]
    action_verbs = {"move": "move", "labels": "label"}
    query_parameters = {"retrieve": ("on",)}

    def safely_get_queryset(self) -> QuerySet[Asset]:
        return selectors.asset_list()

    @extend_schema(parameters=[BOOK_VALUE_ON], responses=s.AssetDetailSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        asset = self.get_object()
        on = request.query_params.get("on")
        try:
            day = timezone.localdate() if on is None else date.fromisoformat(on)
        except ValueError:
            raise InvalidInput(_("A date, YYYY-MM-DD."), fields={"on": [on or ""]}) from None
        asset.book_value = selectors.book_value(asset, day)
        return Response(s.AssetDetailSerializer(asset, context=self.get_serializer_context()).data)

    @extend_schema(
        request=s.AssetCreateSerializer,
        responses={201: s.AssetSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Register an asset: fixed or low-value by its class's threshold; the order and invoice
        that bought it when it came through procurement."""
        data = s.AssetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        asset = register.asset_register(
            custodian=_user(values.pop("custodian"), "custodian"),
            room=_optional(selectors.room_list(), values.pop("room"), "room"),
            order=_optional(orders.order_list(), values.pop("order"), "order"),
            invoice=_optional(orders.invoice_list(), values.pop("invoice"), "invoice"),
            actor=signed_in(request),
            **values,
        )
        return Response(self.get_serializer(asset).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MoveCreateSerializer, responses={201: s.MoveSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """A transfer (custodian, room or both), a loan (to a borrower until a day) or a
        return."""
        asset = self.get_object()
        data = s.MoveCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        moved = register.asset_move(
            asset=asset,
            custodian=_user(values.pop("custodian"), "custodian"),
            room=_optional(selectors.room_list(), values.pop("room"), "room"),
            actor=signed_in(request),
            **values,
        )
        return Response(s.MoveSerializer(moved).data, status=status.HTTP_201_CREATED)


class AssetLabelViewSet(FileFormats, RestrictedViewSet):
    """A printable sheet of the QR labels of the assets the register's filters select."""

    model = Asset
    renderer_classes = [PdfRenderer, JSONRenderer]
    filterset_class = f.AssetFilter
    # The register's filters pick the assets; the sheet is always in the order of their numbers.
    filter_backends = [StrictFilterBackend]
    pagination_class = None
    action_verbs = {"list": "label"}

    def safely_get_queryset(self) -> QuerySet[Asset]:
        return selectors.asset_list()

    @extend_schema(responses={(200, PDF): OpenApiTypes.BINARY})
    def list(self, request: Request) -> Response:
        assets = list(
            self.filter_queryset(self.get_queryset()).order_by("number")[: MAX_LABELS + 1]
        )
        if len(assets) > MAX_LABELS:
            message = _("At most %(max)d labels at once: narrow the selection.") % {
                "max": MAX_LABELS
            }
            raise InvalidInput(message, code="too_many_labels")
        code = current_school().code
        content = labels_pdf(
            [(str(Label(code, ASSET, a.number)), a.number, a.name) for a in assets]
        )
        return Response(
            content,
            content_type=PDF,
            headers={"Content-Disposition": 'attachment; filename="labels.pdf"'},
        )


class DepreciationViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """Monthly depreciation runs."""

    model = DepreciationRun
    serializer_class = s.DepreciationRunSerializer
    filterset_class = f.DepreciationRunFilter
    ordering_fields = ["month"]

    def safely_get_queryset(self) -> QuerySet[DepreciationRun]:
        return selectors.depreciation_run_list()

    @extend_schema(request=s.MonthSerializer, responses={201: s.DepreciationRunSerializer})
    def create(self, request: Request) -> Response:
        """Depreciate a month (`YYYY-MM`), once."""
        data = s.MonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            month = parse_month(data.validated_data["month"])
        except ValueError:
            raise InvalidInput(
                _("A month, YYYY-MM."), fields={"month": [_("A month, YYYY-MM.")]}
            ) from None
        run = depreciation.depreciation_run(month=month, actor=signed_in(request))
        return Response(s.DepreciationRunSerializer(run).data, status=status.HTTP_201_CREATED)


class StockTakeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Stock-takes: started, scanned on phones, closed and reconciled."""

    model = StockTake
    serializer_class = s.StockTakeSerializer
    filterset_class = f.StockTakeFilter
    ordering_fields = ["id", "started_at"]
    action_verbs = {"scans": "scan", "close": "close"}

    def safely_get_queryset(self) -> QuerySet[StockTake]:
        return selectors.stock_take_list()

    def _answer(self, stock_take: StockTake, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.stock_take_list().get(pk=stock_take.pk)
        return Response(s.StockTakeSerializer(fresh).data, status=code)

    @extend_schema(request=s.StockTakeCreateSerializer, responses={201: s.StockTakeSerializer})
    def create(self, request: Request) -> Response:
        data = s.StockTakeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rooms = list(selectors.room_list().filter(pk__in=values["rooms"]))
        if len(rooms) != len(set(values["rooms"])):
            raise InvalidInput(_("Not found."), fields={"rooms": [_("Not found.")]})
        stock_take = stocktakes.stock_take_start(
            name=values["name"], full=values["full"], rooms=rooms, actor=signed_in(request)
        )
        return self._answer(stock_take, status.HTTP_201_CREATED)

    @extend_schema(request=s.ScanCreateSerializer, responses={201: s.ScanSerializer})
    @action(detail=True, methods=["post"])
    def scans(self, request: Request, pk: str | None = None) -> Response:
        """A label scanned in a room (the camera's text, or typed)."""
        stock_take = self.get_object()
        data = s.ScanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scan = stocktakes.stock_take_scan(
            stock_take=stock_take,
            code=data.validated_data["code"],
            room=_found(selectors.room_list(), data.validated_data["room"], "room"),
            actor=signed_in(request),
        )
        return Response(s.ScanSerializer(scan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.StockTakeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the count and reconcile it: its discrepancies are listed apart."""
        stock_take = stocktakes.stock_take_close(
            stock_take=self.get_object(), actor=signed_in(request)
        )
        return self._answer(stock_take)


class DiscrepancyViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """What closed stock-takes found out of line, to assign and resolve."""

    model = Discrepancy
    serializer_class = s.DiscrepancySerializer
    filterset_class = f.DiscrepancyFilter
    ordering_fields = ["id"]
    action_verbs = {"assign": "assign", "resolve": "resolve"}

    def safely_get_queryset(self) -> QuerySet[Discrepancy]:
        return selectors.discrepancy_list()

    @extend_schema(request=s.AssignSerializer, responses=s.DiscrepancySerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        discrepancy = self.get_object()
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = _user(data.validated_data["username"], "username")
        assert assignee is not None
        discrepancy = stocktakes.discrepancy_assign(
            discrepancy=discrepancy, assignee=assignee, actor=signed_in(request)
        )
        return Response(s.DiscrepancySerializer(discrepancy).data)

    @extend_schema(request=s.ResolveSerializer, responses=s.DiscrepancySerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Resolve, saying how; an asset found in another room may be moved there."""
        discrepancy = self.get_object()
        data = s.ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        discrepancy = stocktakes.discrepancy_resolve(
            discrepancy=discrepancy, actor=signed_in(request), **data.validated_data
        )
        return Response(s.DiscrepancySerializer(discrepancy).data)


class DisposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Disposals: asked for, approved by the principal, confirmed by the district above the
    threshold, or rejected."""

    model = Disposal
    serializer_class = s.DisposalSerializer
    filterset_class = f.DisposalFilter
    ordering_fields = ["id", "requested_at"]
    action_verbs = {"approve": "approve", "confirm": "confirm", "reject": "reject"}

    def safely_get_queryset(self) -> QuerySet[Disposal]:
        return selectors.disposal_list()

    @extend_schema(
        request=s.DisposalCreateSerializer,
        responses={201: s.DisposalSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.DisposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        disposal = disposals.disposal_request(
            asset=_found(selectors.asset_list(), values.pop("asset"), "asset"),
            actor=signed_in(request),
            **values,
        )
        return Response(s.DisposalSerializer(disposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The principal's approval."""
        disposal = disposals.disposal_approve(disposal=self.get_object(), actor=signed_in(request))
        return Response(s.DisposalSerializer(disposal).data)

    @extend_schema(request=None, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The district finance officer's confirmation, above the threshold."""
        disposal = disposals.disposal_confirm(disposal=self.get_object(), actor=signed_in(request))
        return Response(s.DisposalSerializer(disposal).data)

    @extend_schema(request=s.RejectSerializer, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        disposal = self.get_object()
        data = s.RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disposal = disposals.disposal_reject(
            disposal=disposal, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return Response(s.DisposalSerializer(disposal).data)


class LedgerBalanceViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The finance ledger's fixed-asset balances, and the three-ledger reconciliation."""

    model = LedgerBalance
    serializer_class = s.LedgerBalanceSerializer
    filterset_class = f.LedgerBalanceFilter
    ordering_fields = ["as_of"]
    action_verbs = {"reconciliation": "view"}

    def safely_get_queryset(self) -> QuerySet[LedgerBalance]:
        return selectors.ledger_balance_list()

    @extend_schema(request=s.LedgerBalanceSerializer, responses={201: s.LedgerBalanceSerializer})
    def create(self, request: Request) -> Response:
        data = s.LedgerBalanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        balance = ledger.ledger_balance_record(actor=signed_in(request), **data.validated_data)
        return Response(s.LedgerBalanceSerializer(balance).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[BOOK_VALUE_ON], responses=s.ReconciliationSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def reconciliation(self, request: Request) -> Response:
        """三账一卡: per category, the ledger, the register and the custodians' cards, and the
        register's assets no custodian answers for."""
        on = request.query_params.get("on")
        try:
            day = timezone.localdate() if on is None else date.fromisoformat(on)
        except ValueError:
            raise InvalidInput(_("A date, YYYY-MM-DD."), fields={"on": [on or ""]}) from None
        rows = selectors.reconciliation(day)
        return Response(
            [{**s.ReconciliationSerializer(row).data, "agrees": row.agrees} for row in rows]
        )
