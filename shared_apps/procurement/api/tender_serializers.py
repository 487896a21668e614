"""Shapes of requisitions, evaluators, tenders, seats and bids over the API. Nothing here shows a
sealed column; what was sealed is shown only by the opened-bids and evaluation serializers, which
the views use only after the opening (and log). A bid is named by its random public id, never by
its row's id (a sequence would tell how many bids came in between two of them)."""

import base64
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from houqin.api.fields import money, person, quantity_field
from shared_apps.procurement.api.supply_serializers import ReasonSerializer as ReasonSerializer
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
from shared_apps.procurement.tender_keys import district_verifying_key

MAX_TEXT = 2000
# A SHA-256 fingerprint in hex.
FINGERPRINT = r"^[0-9a-fA-F]{64}$"


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
    raised_by = person()
    decided_by = person(allow_null=True)
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
    quantity = quantity_field(min_value=Decimal("0.001"))
    needed_by = serializers.DateField()


class RequisitionCreateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")
    lines = serializers.ListField(
        child=RequisitionLineInputSerializer(), min_length=1, max_length=200
    )


# Evaluators ------------------------------------------------------------------------------------


class EvaluatorSerializer(serializers.ModelSerializer):
    user = person()
    key_registered = serializers.SerializerMethodField()

    class Meta:
        model = Evaluator
        fields = [
            "id",
            "user",
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
    bid_count = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null until the tender is opened."
    )
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
    actor = person(allow_null=True)
    bid = serializers.UUIDField(source="bid_public_id", read_only=True, allow_null=True)

    class Meta:
        model = TenderEvent
        fields = ["id", "kind", "actor", "seat", "lot", "bid", "note", "occurred_at"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    """A published tender as bidders read it, with what they check before bidding: the tender
    key's fingerprint (SHA-256 of the public key's DER) and the district's Ed25519 signature
    of the statement `houqin tender key v1\n{id}\n{number}\n{key_fingerprint}\n` (UTF-8),
    which `district_key` (pinned by the bidder from the district's own publication) verifies.
    A bid names the fingerprint it was checked against."""

    status = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True, read_only=True)
    lots = NoticeLotSerializer(many=True, read_only=True)
    public_key = serializers.SerializerMethodField(help_text="The tender's public key (PEM).")
    key_fingerprint = serializers.CharField(read_only=True, allow_null=True)
    key_signature = serializers.SerializerMethodField(
        help_text="The district's Ed25519 signature of the key statement (base64)."
    )
    district_key = serializers.SerializerMethodField(
        help_text="The district's Ed25519 public key (base64 of its 32 bytes), from settings."
    )

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
            "public_key",
            "key_fingerprint",
            "key_signature",
            "district_key",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Tender.Status.choices))
    def get_status(self, tender: Tender) -> str:
        return effective_status(tender)

    def get_public_key(self, tender: Tender) -> str | None:
        return None if tender.public_key is None else bytes(tender.public_key).decode()

    def get_key_signature(self, tender: Tender) -> str | None:
        if tender.key_signature is None:
            return None
        return base64.b64encode(bytes(tender.key_signature)).decode()

    def get_district_key(self, tender: Tender) -> str:
        return district_verifying_key()


class TenderSerializer(NoticeSerializer):
    lots = LotSerializer(many=True, read_only=True)
    seats = SeatSummarySerializer(many=True, read_only=True)
    events = TenderEventSerializer(many=True, read_only=True)
    created_by = person()
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
    bid = serializers.UUIDField()
    criterion = serializers.IntegerField(min_value=1, max_value=2**62)
    score = points(min_value=Decimal("0"), max_value=Decimal("100"))


class ScoresSerializer(serializers.Serializer):
    scores = serializers.ListField(child=ScoreInputSerializer(), min_length=1, max_length=5000)


class AwardSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=1, max_value=2**62)
    bid = serializers.UUIDField(
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
    bid = serializers.UUIDField(source="bid.public_id")
    contract = serializers.CharField(source="contract.number")
    departs_from_recommendation = serializers.BooleanField()
    tender_status = serializers.CharField(source="lot.tender.status")


# Opened bids and their evaluation (read only after the opening; each read is logged) ----------


class BidLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="line.item.code", read_only=True)
    quantity = quantity_field(source="line.quantity", read_only=True)

    class Meta:
        model = BidLine
        fields = ["line", "item", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class OpenedBidSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
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
    id = serializers.UUIDField(source="public_id", read_only=True)
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
    recommended_bid = serializers.UUIDField(
        source="recommended_bid.public_id", read_only=True, allow_null=True
    )
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
    """A bid's metadata: never its contents; and the fingerprint of the key it was sealed to."""

    id = serializers.UUIDField(source="public_id", read_only=True)
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
            "key_fingerprint",
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
    key_fingerprint = serializers.RegexField(
        FINGERPRINT,
        help_text="The tender key's fingerprint from the notice, once its signature is checked: "
        "the bid is sealed to that key or refused.",
    )

    def validate_key_fingerprint(self, value: str) -> str:
        return value.lower()


# Signals ---------------------------------------------------------------------------------------


class SignalSerializer(serializers.Serializer):
    rule = serializers.CharField()
    subject = serializers.CharField()
    subject_id = serializers.IntegerField()
    school_id = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    detail = serializers.DictField()
