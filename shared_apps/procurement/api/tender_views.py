"""Requisitions, evaluators, tenders, committee seats, bids and signals over the API.

A school's host: its logistics director or canteen manager raises requisitions, its principal
approves or rejects them. The district host: the procurement officer tenders approved
requisitions, keeps the pool of evaluators, publishes, opens (with the committee), evaluates
and awards; evaluators act in their own seats; suppliers read notices and bid; auditors read all.

Endpoints whose body carries a passphrase, a bid's contents or a reserve price take no
Idempotency-Key: the idempotency record keeps a hash of the body, and a hash of a price is a
way to guess it. Nor does a bid's withdrawal: its record (path, account, answer) would name the
bidder in the audit trail before the opening. They are idempotent by nature instead (a bid is
replaced, a withdrawn bid stays withdrawn, a share is presented once, a reserve price is
replaced, a key is made anew).
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.models import User
from shared_apps.procurement.api import tender_serializers as s
from shared_apps.procurement.api.tender_filters import (
    BidFilter,
    EvaluatorFilter,
    RequisitionFilter,
    SeatFilter,
    TenderFilter,
)
from shared_apps.procurement.models import (
    Bid,
    CatalogueItem,
    CommitteeSeat,
    Evaluator,
    Lot,
    Requisition,
    Tender,
)
from shared_apps.procurement.selectors import tenders as selectors
from shared_apps.procurement.services import bids, evaluation, evaluators, opening, requisitions
from shared_apps.procurement.services import tenders as services
from shared_apps.procurement.signals import RULES, signals


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


# Requisitions ----------------------------------------------------------------------------------


class _RequisitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Requisition
    serializer_class = s.RequisitionSerializer
    filterset_class = RequisitionFilter
    ordering_fields = ["id", "raised_at"]


class SchoolRequisitionViewSet(_RequisitionViewSet):
    """This school's requisitions: raised by its logistics director or canteen manager,
    approved or rejected by its principal."""

    action_verbs = {"approve": "approve", "reject": "approve"}

    def safely_get_queryset(self) -> QuerySet[Requisition]:
        return selectors.requisition_list()

    def _respond(self, requisition: Requisition, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.requisition_list().here().get(pk=requisition.pk)
        return Response(s.RequisitionSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.RequisitionCreateSerializer,
        responses={201: s.RequisitionSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.RequisitionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data["lines"]
        items = CatalogueItem.objects.in_bulk([line["item"] for line in lines], field_name="code")
        missing = sorted({line["item"] for line in lines} - set(items))
        if missing:
            raise _invalid("lines", _("No such catalogue item: %(code)s") % {"code": missing[0]})
        requisition = requisitions.requisition_raise(
            school=tenant_db().tenant,
            lines=[
                requisitions.RequestedLine(
                    item=items[line["item"]],
                    quantity=line["quantity"],
                    needed_by=line["needed_by"],
                )
                for line in lines
            ],
            note=data.validated_data["note"],
            actor=signed_in(request),
        )
        return self._respond(requisition, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.RequisitionSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request: Request, pk: str | None = None) -> Response:
        requisition = requisitions.requisition_approve(
            requisition=self.get_object(), actor=signed_in(request)
        )
        return self._respond(requisition)

    @extend_schema(
        request=s.ReasonSerializer, responses=s.RequisitionSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request: Request, pk: str | None = None) -> Response:
        requisition = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        requisition = requisitions.requisition_reject(
            requisition=requisition, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._respond(requisition)


class RequisitionViewSet(_RequisitionViewSet):
    """Every school's approved requisitions, for the centre to tender."""

    def safely_get_queryset(self) -> QuerySet[Requisition]:
        return selectors.requisition_list(approved_only=True)


# Evaluators ------------------------------------------------------------------------------------


class EvaluatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The pool of evaluators, kept by the procurement officer; each evaluator registers their
    own sealing key."""

    model = Evaluator
    serializer_class = s.EvaluatorSerializer
    filterset_class = EvaluatorFilter
    ordering_fields = ["id", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"key": "register_key"}

    def safely_get_queryset(self) -> QuerySet[Evaluator]:
        qs = selectors.evaluator_list()
        if self.action == "key":
            # Nobody registers a key for someone else, whatever else they may do.
            return qs.filter(Q(user_id=self.request.user.pk))
        return qs

    @extend_schema(
        request=s.EvaluatorCreateSerializer,
        responses={201: s.EvaluatorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.EvaluatorCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = User.objects.filter(pk=values.pop("user"), is_active=True).first()
        if user is None:
            raise _invalid("user", _("No such user."))
        evaluator = evaluators.evaluator_create(user=user, actor=signed_in(request), **values)
        return Response(s.EvaluatorSerializer(evaluator).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EvaluatorUpdateSerializer, responses=s.EvaluatorSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        evaluator = self.get_object()
        data = s.EvaluatorUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluator = evaluators.evaluator_update(
            evaluator=evaluator, actor=signed_in(request), **data.validated_data
        )
        return Response(s.EvaluatorSerializer(evaluator).data)

    @extend_schema(request=s.PassphraseSerializer, responses=s.EvaluatorSerializer)
    @action(detail=True, methods=["post"])
    def key(self, request: Request, pk: str | None = None) -> Response:
        """Make (or replace) your sealing key, locked under the passphrase you give (at least 12
        characters; it is not stored: without it your share of a tender cannot be presented)."""
        evaluator = self.get_object()
        data = s.PassphraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluator = evaluators.evaluator_register_key(
            evaluator=evaluator,
            passphrase=data.validated_data["passphrase"],
            actor=signed_in(request),
        )
        return Response(s.EvaluatorSerializer(evaluator).data)


# Tenders ---------------------------------------------------------------------------------------


def _draft_values(validated: dict[str, Any]) -> dict[str, Any]:
    """The draft settings as the services take them: evaluators and criteria as objects."""
    values = dict(validated)
    if "criteria" in values:
        values["criteria"] = [services.CriterionSpec(**c) for c in values["criteria"]]
    if "committee" in values:
        ids = values["committee"]
        found = Evaluator.objects.in_bulk(ids)
        if set(ids) - set(found):
            raise _invalid("committee", _("No such evaluator."))
        values["committee"] = [found[pk] for pk in ids]
    return values


class TenderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Tenders, for the procurement officer, the auditors, and the members of their committees.
    What was sealed (bids' contents, reserve prices) is shown only once opened, by `bids` and
    `evaluation`, and every such read is logged."""

    model = Tender
    serializer_class = s.TenderSerializer
    filterset_class = TenderFilter
    ordering_fields = ["id", "created_at", "deadline"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {
        "publish": "publish",
        "reserve": "change",
        "cancel": "cancel",
        "open": "open",
        "scores": "score",
        "evaluate": "evaluate",
        "award": "award",
        "bids": "view",
        "evaluation": "view",
    }

    def safely_get_queryset(self) -> QuerySet[Tender]:
        qs = selectors.tender_list()
        if self.action == "scores":
            # Only members score, whatever else the caller may do.
            return qs.filter(Q(seats__evaluator__user_id=self.request.user.pk))
        return qs

    def _respond(self, tender: Tender, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.tender_list().get(pk=tender.pk)
        return Response(s.TenderSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.TenderCreateSerializer,
        responses={201: s.TenderSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """A draft aggregating approved requisitions: one lot per category, one line per item."""
        data = s.TenderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = _draft_values(data.validated_data)
        ids = values.pop("requisitions")
        found = selectors.requisition_list(approved_only=True).here().in_bulk(ids)
        if set(ids) - set(found):
            raise _invalid("requisitions", _("No such approved requisition."))
        tender = services.tender_create(
            requisitions=list(found.values()), actor=signed_in(request), **values
        )
        return self._respond(tender, status.HTTP_201_CREATED)

    @extend_schema(request=s.TenderUpdateSerializer, responses=s.TenderSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        data = s.TenderUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = services.tender_update(
            tender=tender, actor=signed_in(request), **_draft_values(data.validated_data)
        )
        return self._respond(tender)

    @extend_schema(request=None, responses=s.TenderSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the draft: its key is made and sealed k of n to the committee."""
        tender = services.tender_publish(tender=self.get_object(), actor=signed_in(request))
        return self._respond(tender)

    @extend_schema(request=s.ReserveSerializer, responses=s.TenderSerializer)
    @action(detail=True, methods=["post"])
    def reserve(self, request: Request, pk: str | None = None) -> Response:
        """Seal lots' reserve prices (标底), before the deadline; readable only once opened."""
        tender = self.get_object()
        data = s.ReserveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reserves = {row["lot"]: row["amount"] for row in data.validated_data["reserve_prices"]}
        if len(reserves) != len(data.validated_data["reserve_prices"]):
            raise _invalid("reserve_prices", _("Each lot once."))
        tender = services.tender_seal_reserve(
            tender=tender, reserves=reserves, actor=signed_in(request)
        )
        return self._respond(tender)

    @extend_schema(
        request=s.ReasonSerializer, responses=s.TenderSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = services.tender_cancel(
            tender=tender, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._respond(tender)

    @extend_schema(request=None, responses=s.TenderSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Open the bids, once the deadline has passed and k members have presented their
        shares (left for the opening session: see `present`)."""
        tender = opening.tender_open(tender=self.get_object(), actor=signed_in(request))
        return self._respond(tender)

    @extend_schema(
        request=s.ScoresSerializer, responses=s.TenderSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """Your scores of valid bids on the quality criteria (a member without a conflict)."""
        tender = self.get_object()
        data = s.ScoresSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data["scores"]
        named = {row["bid"] for row in rows}
        ids = selectors.bid_ids(tender=tender, public_ids=named)
        if named - set(ids):
            raise InvalidInput(
                _("Scores are given to this tender's valid bids on its criteria."),
                fields={"scores": [_("No such valid bid or criterion.")]},
            )
        evaluation.scores_record(
            tender=tender,
            scores=[
                evaluation.GivenScore(ids[row["bid"]], row["criterion"], row["score"])
                for row in rows
            ],
            actor=signed_in(request),
        )
        return self._respond(tender)

    @extend_schema(request=None, responses=s.TenderSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def evaluate(self, request: Request, pk: str | None = None) -> Response:
        """Rank every lot's valid bids and recommend the top one, once all scores are in."""
        tender = evaluation.tender_evaluate(tender=self.get_object(), actor=signed_in(request))
        return self._respond(tender)

    @extend_schema(
        request=s.AwardSerializer,
        responses={201: s.AwardResultSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def award(self, request: Request, pk: str | None = None) -> Response:
        """Award one lot and make its framework contract from the winning bid's prices."""
        tender = self.get_object()
        data = s.AwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = tender.lots.filter(pk=data.validated_data["lot"]).first()
        if lot is None:
            raise _invalid("lot", _("No such lot in this tender."))
        chosen: Bid | None = None
        if "bid" in data.validated_data:
            chosen = Bid.objects.filter(public_id=data.validated_data["bid"], lot=lot).first()
            if chosen is None:
                raise _invalid("bid", _("No such bid for this lot."))
        award = evaluation.lot_award(
            lot=lot,
            bid=chosen,
            reason=data.validated_data["reason"],
            justification=data.validated_data["justification"],
            actor=signed_in(request),
        )
        return Response(s.AwardResultSerializer(award).data, status=status.HTTP_201_CREATED)

    def _opened(self) -> Tender:
        tender: Tender = self.get_object()
        if tender.status not in selectors.OPENED_STATUSES:
            raise Conflict(_("The bids are sealed until the opening."), code="sealed")
        return tender

    @extend_schema(responses=s.OpenedLotSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def bids(self, request: Request, pk: str | None = None) -> Response:
        """Once opened: every lot's reserve price and bids with their lines and totals. Each
        read is logged for the auditors."""
        tender = self._opened()
        lots = list(selectors.opened_bids(tender=tender))
        body = s.OpenedLotSerializer(lots, many=True).data
        opening.sealed_read_record(
            request=request,
            tender=tender,
            bids=[bid.public_id for lot in lots for bid in lot.opened],  # type: ignore[attr-defined]
            reserve_prices=[lot.pk for lot in lots if lot.reserve_price is not None],
            actor=signed_in(request),
        )
        return Response(body)

    @extend_schema(responses=s.EvaluatedLotSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def evaluation(self, request: Request, pk: str | None = None) -> Response:
        """Once opened: every lot's valid bids, each member's scores side by side, and (once
        evaluated) the ranking and the recommendation. Each read is logged."""
        tender = self._opened()
        lots = list(selectors.evaluation_of(tender=tender))
        body = s.EvaluatedLotSerializer(lots, many=True).data
        opening.sealed_read_record(
            request=request,
            tender=tender,
            bids=[bid.public_id for lot in lots for bid in lot.valid],  # type: ignore[attr-defined]
            reserve_prices=[],
            actor=signed_in(request),
        )
        return Response(body)


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Published tenders as suppliers read them: lots, lines, ceilings, criteria, deadline."""

    model = Tender
    serializer_class = s.NoticeSerializer
    filterset_class = TenderFilter
    ordering_fields = ["id", "deadline"]
    action_verbs = {"list": "browse", "retrieve": "browse"}

    def safely_get_queryset(self) -> QuerySet[Tender]:
        return selectors.notice_list()


# Committee seats -------------------------------------------------------------------------------


class SeatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Committee seats: an evaluator sees and acts in their own."""

    model = CommitteeSeat
    serializer_class = s.SeatSerializer
    filterset_class = SeatFilter
    ordering_fields = ["id"]
    action_verbs = {"declare": "declare", "present": "present"}

    def safely_get_queryset(self) -> QuerySet[CommitteeSeat]:
        qs = selectors.seat_list()
        if self.action in ("declare", "present"):
            # Only the member in a seat acts for it, whatever else the caller may do.
            return qs.filter(Q(evaluator__user_id=self.request.user.pk))
        return qs

    def _respond(self, seat: CommitteeSeat) -> Response:
        return Response(s.SeatSerializer(selectors.seat_list().get(pk=seat.pk)).data)

    @extend_schema(
        request=s.DeclarationSerializer, responses=s.SeatSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def declare(self, request: Request, pk: str | None = None) -> Response:
        """Declare, after the deadline, whether you have a conflict of interest (once)."""
        seat = self.get_object()
        data = s.DeclarationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = opening.seat_declare(seat=seat, actor=signed_in(request), **data.validated_data)
        return self._respond(seat)

    @extend_schema(request=s.PresentationSerializer, responses=s.SeatSerializer)
    @action(detail=True, methods=["post"])
    def present(self, request: Request, pk: str | None = None) -> Response:
        """Present your share of the tender key with your passphrase, after declaring; the k-th
        share presented opens the tender (unless `open` is false)."""
        seat = self.get_object()
        data = s.PresentationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = opening.share_present(
            seat=seat,
            passphrase=data.validated_data["passphrase"],
            open_when_ready=data.validated_data["open"],
            actor=signed_in(request),
        )
        return self._respond(seat)


# Bids ------------------------------------------------------------------------------------------


class BidViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Bids' metadata: a supplier sees its company's own; the officer and the auditors see a
    tender's bids once it is opened, and nobody else's before. A bid's id is its random public
    id. Submitting seals the contents at once; they are never shown back here."""

    model = Bid
    serializer_class = s.BidSerializer
    filterset_class = BidFilter
    ordering_fields = ["submitted_at"]
    action_verbs = {"withdraw": "withdraw"}
    lookup_field = "public_id"
    lookup_url_kwarg = "pk"

    def safely_get_queryset(self) -> QuerySet[Bid]:
        qs = selectors.bid_list(viewer=self.request.user)
        if self.action == "withdraw":
            # Only the bidder withdraws, whatever else the caller may do.
            return qs.filter(Q(supplier__users__user_id=self.request.user.pk))
        return qs

    @extend_schema(request=s.BidSubmitSerializer, responses={201: s.BidSerializer})
    def create(self, request: Request) -> Response:
        """Submit your company's bid for a lot, or replace it, before the deadline: a unit price
        for every line of the lot, delivery terms and a quality statement."""
        data = s.BidSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = (
            Lot.objects.filter(pk=data.validated_data["lot"], tender__in=selectors.notice_list())
            .select_related("tender")
            .first()
        )
        if lot is None:
            raise _invalid("lot", _("No such lot in a published tender."))
        prices = {row["line"]: row["unit_price"] for row in data.validated_data["lines"]}
        if len(prices) != len(data.validated_data["lines"]):
            raise _invalid("lines", _("Each line once."))
        bid = bids.bid_submit(
            lot=lot,
            contents=bids.BidContents(
                unit_prices=prices,
                delivery_terms=data.validated_data["delivery_terms"],
                quality_statement=data.validated_data["quality_statement"],
            ),
            key_fingerprint=data.validated_data["key_fingerprint"],
            actor=signed_in(request),
        )
        fresh = selectors.bid_list(viewer=request.user).get(pk=bid.pk)
        return Response(s.BidSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        bid = bids.bid_withdraw(bid=self.get_object(), actor=signed_in(request))
        fresh = selectors.bid_list(viewer=request.user).get(pk=bid.pk)
        return Response(s.BidSerializer(fresh).data)


# Signals ---------------------------------------------------------------------------------------


class SignalViewSet(RestrictedViewSet):
    """Auditors' signals from every registered rule (procurement.view_signals_tender)."""

    model = Tender
    pagination_class = None
    filter_backends: list[Any] = []
    action_verbs = {"list": "view_signals"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "rule", OpenApiTypes.STR, many=True, description="Only these rules' signals."
            )
        ],
        responses=s.SignalSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        codes = request.query_params.getlist("rule") or None
        if codes and set(codes) - set(RULES):
            raise _invalid("rule", _("Unknown rule."))
        return Response(s.SignalSerializer(list(signals(codes)), many=True).data)
