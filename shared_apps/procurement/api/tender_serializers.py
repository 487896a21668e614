"""Shapes of requisitions, evaluators, tenders, seats and bids over the API. Nothing here shows a
sealed column; what was sealed is shown only by the opened-bids and evaluation serializers, which
the views use only after the opening (and log)."""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_apps.procurement.models import (
    Bid,
    BidLine,
    Category,
    CommitteeSeat,
    Criterion,
    Evaluator,
    Lot,
    Requisition,
    RequisitionLine,
    Tender,
    TenderEvent,
    TenderLine,
)

MAX_TEXT = 2000


def money(**kwargs: Any) -> serializers.DecimalField:
    """CNY with two places, as the models store it."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def quantity(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=3, **kwargs)


def points(**kwargs: Any) -> serializers.DecimalField:
    """A score, in points (of 100 at most), two places."""
    return serializers.DecimalField(max_digits=5, decimal_places=2, **kwargs)


def effective_status(tender: Tender) -> str:
    """A published tender whose deadline has passed reads as closed."""
    if (
        tender.status == Tender.Status.PUBLISHED
        and tender.deadline is not None
        and tender.deadline <= timezone.now()
    ):
        return Tender.Status.CLOSED
    return tender.status


class ItemLineMixin(serializers.Serializer):
    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)


# Requisitions ----------------------------------------------------------------------------------


class RequisitionLineSerializer(ItemLineMixin, serializers.ModelSerializer):
    class Meta:
        model = RequisitionLine
        fields = ["id", "item", "item_name", "unit", "quantity", "needed_by"]
        read_only_fields = fields


class RequisitionSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True
    )
    lines = RequisitionLineSerializer(many=True, read_only=True)

    class Meta:
        model = Requisition
        fields = [
            "id",
            "school",
            "status",
            "note",
            "raised_by",
            "raised_at",
            "decided_by",
            "decided_at",
            "reason",
            "lines",
        ]
        read_only_fields = fields


class RequisitionLineInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=32, help_text="The catalogue item's code.")
    quantity = quantity(min_value=Decimal("0.001"))
    needed_by = serializers.DateField()


class RequisitionCreateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    lines = serializers.ListField(
        child=RequisitionLineInputSerializer(), min_length=1, max_length=200
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT)


# Evaluators ------------------------------------------------------------------------------------


class EvaluatorSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    key_registered = serializers.SerializerMethodField()

    class Meta:
        model = Evaluator
        fields = [
            "id",
            "user",
            "username",
            "name",
            "employer",
            "address",
            "phone",
            "active",
            "key_registered",
            "key_registered_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_key_registered(self, evaluator: Evaluator) -> bool:
        return evaluator.key_registered_at is not None


class EvaluatorCreateSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**62)
    name = serializers.CharField(max_length=100)
    employer = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300)
    phone = serializers.CharField(max_length=32)


class EvaluatorUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    employer = serializers.CharField(max_length=200, required=False)
    address = serializers.CharField(max_length=300, required=False)
    phone = serializers.CharField(max_length=32, required=False)
    active = serializers.BooleanField(required=False)


class PassphraseSerializer(serializers.Serializer):
    passphrase = serializers.CharField(
        min_length=12, max_length=1024, trim_whitespace=False, write_only=True
    )


# Tenders ---------------------------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "weight", "max_score"]
        read_only_fields = fields


class TenderLineSerializer(ItemLineMixin, serializers.ModelSerializer):
    class Meta:
        model = TenderLine
        fields = ["id", "item", "item_name", "unit", "quantity", "specification"]
        read_only_fields = fields


class NoticeLotSerializer(serializers.ModelSerializer):
    lines = TenderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "number", "category", "ceiling", "lines"]
        read_only_fields = fields


class LotSerializer(NoticeLotSerializer):
    bid_count = serializers.IntegerField(read_only=True)
    reserve_sealed = serializers.SerializerMethodField()

    class Meta(NoticeLotSerializer.Meta):
        fields = [*NoticeLotSerializer.Meta.fields, "bid_count", "reserve_sealed", "few_bids"]
        read_only_fields = fields

    def get_reserve_sealed(self, lot: Lot) -> bool:
        return lot.sealed_reserve is not None


class SeatSummarySerializer(serializers.ModelSerializer):
    evaluator_name = serializers.CharField(source="evaluator.name", read_only=True)
    presented = serializers.SerializerMethodField()

    class Meta:
        model = CommitteeSeat
        fields = ["id", "index", "evaluator", "evaluator_name", "conflict", "presented"]
        read_only_fields = fields

    def get_presented(self, seat: CommitteeSeat) -> bool:
        return seat.presented_at is not None


class TenderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)

    class Meta:
        model = TenderEvent
        fields = ["id", "kind", "actor", "seat", "lot", "bid", "note", "occurred_at"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True, read_only=True)
    lots = NoticeLotSerializer(many=True, read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "number",
            "title",
            "status",
            "deadline",
            "price_weight",
            "contract_months",
            "criteria",
            "lots",
            "published_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Tender.Status.choices))
    def get_status(self, tender: Tender) -> str:
        return effective_status(tender)


class TenderSerializer(NoticeSerializer):
    lots = LotSerializer(many=True, read_only=True)
    seats = SeatSummarySerializer(many=True, read_only=True)
    events = TenderEventSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    shares_presented = serializers.SerializerMethodField()

    class Meta(NoticeSerializer.Meta):
        fields = [
            *NoticeSerializer.Meta.fields,
            "threshold",
            "shares_presented",
            "seats",
            "events",
            "created_by",
            "created_at",
            "opened_at",
            "evaluated_at",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = fields

    def get_shares_presented(self, tender: Tender) -> int:
        return sum(1 for seat in tender.seats.all() if seat.presented_at is not None)


class CriterionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    max_score = serializers.IntegerField(min_value=1, max_value=100, default=10)


class TenderUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    deadline = serializers.DateTimeField(required=False)
    price_weight = serializers.IntegerField(min_value=0, max_value=100, required=False)
    contract_months = serializers.IntegerField(min_value=1, max_value=60, required=False)
    threshold = serializers.IntegerField(min_value=2, max_value=255, required=False)
    criteria = serializers.ListField(
        child=CriterionInputSerializer(), max_length=20, required=False
    )
    committee = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        max_length=50,
        required=False,
        help_text="Evaluators' ids, in seat order.",
    )
    ceilings = serializers.DictField(
        child=money(min_value=Decimal("0.01")),
        required=False,
        help_text="The price ceiling of each lot, by the lot's category.",
    )

    def validate_ceilings(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        unknown = set(value) - set(Category.values)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown categories: %(categories)s") % {"categories": ", ".join(sorted(unknown))}
            )
        return value


class TenderCreateSerializer(TenderUpdateSerializer):
    title = serializers.CharField(max_length=200)
    requisitions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1, max_length=500
    )


class ReserveInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=1, max_value=2**62)
    amount = money(min_value=Decimal("0.01"))


class ReserveSerializer(serializers.Serializer):
    reserve_prices = serializers.ListField(
        child=ReserveInputSerializer(), min_length=1, max_length=50
    )


class ScoreInputSerializer(serializers.Serializer):
    bid = serializers.IntegerField(min_value=1, max_value=2**62)
    criterion = serializers.IntegerField(min_value=1, max_value=2**62)
    score = points(min_value=Decimal("0"), max_value=Decimal("100"))


class ScoresSerializer(serializers.Serializer):
    scores = serializers.ListField(child=ScoreInputSerializer(), min_length=1, max_length=5000)


class AwardSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=1, max_value=2**62)
    bid = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        help_text="Another bid than the committee's recommendation (needs a reason).",
    )
    reason = serializers.CharField(max_length=MAX_TEXT, required=False, default="")
    justification = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        default="",
        help_text="Why a lot with a single valid bid is awarded all the same.",
    )


class AwardResultSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    bid = serializers.IntegerField(source="bid_id")
    contract = serializers.CharField(source="contract.number")
    departs_from_recommendation = serializers.BooleanField()
    tender_status = serializers.CharField(source="lot.tender.status")


# Opened bids and their evaluation (read only after the opening; each read is logged) ----------


class BidLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="line.item.code", read_only=True)
    quantity = quantity(source="line.quantity", read_only=True)

    class Meta:
        model = BidLine
        fields = ["line", "item", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class OpenedBidSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    lines = BidLineSerializer(many=True, read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "status",
            "submitted_at",
            "total",
            "delivery_terms",
            "quality_statement",
            "rejection_reason",
            "price_score",
            "quality_score",
            "score",
            "rank",
            "lines",
        ]
        read_only_fields = fields


class OpenedLotSerializer(serializers.ModelSerializer):
    bids = OpenedBidSerializer(source="opened", many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "number", "category", "ceiling", "reserve_price", "few_bids", "bids"]
        read_only_fields = fields


class MemberScoresSerializer(serializers.Serializer):
    seat = serializers.IntegerField()
    evaluator = serializers.CharField()
    scores = serializers.DictField(child=points(), help_text="By criterion name.")
    weighted = points(help_text="This member's quality points for the bid.")


class EvaluatedBidSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "submitted_at",
            "total",
            "price_score",
            "quality_score",
            "score",
            "rank",
            "members",
        ]
        read_only_fields = fields

    @extend_schema_field(MemberScoresSerializer(many=True))
    def get_members(self, bid: Bid) -> list[dict[str, Any]]:
        """Every member's scores of this bid, side by side."""
        members: dict[int, dict[str, Any]] = {}
        for score in bid.scores.all():
            member = members.setdefault(
                score.seat.index,
                {
                    "seat": score.seat.index,
                    "evaluator": score.seat.evaluator.name,
                    "scores": {},
                    "weighted": Decimal(0),
                },
            )
            member["scores"][score.criterion.name] = score.score
            member["weighted"] += score.score / score.criterion.max_score * score.criterion.weight
        rows = [members[index] for index in sorted(members)]
        for row in rows:
            row["weighted"] = row["weighted"].quantize(Decimal("0.01"))
        return MemberScoresSerializer(rows, many=True).data  # type: ignore[return-value]


class EvaluatedLotSerializer(serializers.ModelSerializer):
    bids = EvaluatedBidSerializer(source="valid", many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "number", "category", "recommended_bid", "few_bids", "bids"]
        read_only_fields = fields


# Committee seats -------------------------------------------------------------------------------


class SeatSerializer(serializers.ModelSerializer):
    tender_number = serializers.CharField(source="tender.number", read_only=True)
    tender_title = serializers.CharField(source="tender.title", read_only=True)
    tender_status = serializers.SerializerMethodField()
    deadline = serializers.DateTimeField(source="tender.deadline", read_only=True)
    evaluator_name = serializers.CharField(source="evaluator.name", read_only=True)

    class Meta:
        model = CommitteeSeat
        fields = [
            "id",
            "tender",
            "tender_number",
            "tender_title",
            "tender_status",
            "deadline",
            "index",
            "evaluator",
            "evaluator_name",
            "conflict",
            "conflict_note",
            "declared_at",
            "presented_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Tender.Status.choices))
    def get_tender_status(self, seat: CommitteeSeat) -> str:
        return effective_status(seat.tender)


class PresentationSerializer(PassphraseSerializer):
    open = serializers.BooleanField(
        default=True,
        help_text="Open the tender as soon as this share makes the k needed (false: leave the "
        "opening to the procurement officer or a member, at the opening session).",
    )


class DeclarationSerializer(serializers.Serializer):
    conflict = serializers.BooleanField(help_text="Whether you have a conflict of interest.")
    note = serializers.CharField(max_length=MAX_TEXT, required=False, default="")


# Bids ------------------------------------------------------------------------------------------


class BidSerializer(serializers.ModelSerializer):
    """A bid's metadata: never its contents."""

    tender = serializers.IntegerField(source="lot.tender_id", read_only=True)
    tender_number = serializers.CharField(source="lot.tender.number", read_only=True)
    lot_number = serializers.IntegerField(source="lot.number", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "tender_number",
            "lot",
            "lot_number",
            "supplier",
            "supplier_name",
            "status",
            "submitted_at",
        ]
        read_only_fields = fields


class BidLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**62)
    unit_price = money(min_value=Decimal("0.01"))


class BidSubmitSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=1, max_value=2**62)
    lines = serializers.ListField(child=BidLineInputSerializer(), min_length=1, max_length=2000)
    delivery_terms = serializers.CharField(max_length=MAX_TEXT)
    quality_statement = serializers.CharField(max_length=5000)


# Signals ---------------------------------------------------------------------------------------


class SignalSerializer(serializers.Serializer):
    rule = serializers.CharField()
    subject = serializers.CharField()
    subject_id = serializers.IntegerField()
    school_id = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    detail = serializers.DictField()
