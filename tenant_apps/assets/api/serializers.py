from rest_framework import serializers

from houqin.api.fields import money, object_id, person
from tenant_apps.assets import classification
from tenant_apps.assets.labels import ASSET, ROOM, Label
from tenant_apps.assets.models import (
    Asset,
    AssetMove,
    Building,
    DepreciationRun,
    Discrepancy,
    Disposal,
    LedgerBalance,
    Room,
    StockTake,
    StockTakeScan,
)


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "code", "name"]


class RoomSerializer(serializers.ModelSerializer):
    label_code = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = ["id", "building", "code", "name", "kind", "charged", "label_code"]
        read_only_fields = ["id", "charged", "label_code"]

    def get_label_code(self, room: Room) -> str:
        return str(Label(self.context["school_code"], ROOM, str(room.pk)))


class AssetSerializer(serializers.ModelSerializer):
    custodian = person(allow_null=True)
    label_code = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "id",
            "number",
            "label_code",
            "name",
            "category",
            "kind",
            "specification",
            "cost",
            "acquired_on",
            "funding",
            "order",
            "invoice",
            "service_life_months",
            "custodian",
            "room",
            "status",
            "disposed_on",
            "repair_count",
            "repair_cost",
            "registered_at",
        ]
        read_only_fields = fields

    def get_label_code(self, asset: Asset) -> str:
        return str(Label(self.context["school_code"], ASSET, asset.number))


class MoveSerializer(serializers.ModelSerializer):
    from_custodian = person(allow_null=True)
    to_custodian = person(allow_null=True)

    class Meta:
        model = AssetMove
        fields = [
            "id",
            "kind",
            "from_custodian",
            "to_custodian",
            "from_room",
            "to_room",
            "due_back",
            "note",
            "moved_at",
        ]
        read_only_fields = fields


class AssetDetailSerializer(AssetSerializer):
    book_value = money(read_only=True)
    moves = MoveSerializer(many=True, read_only=True)

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "book_value", "moves"]
        read_only_fields = fields


class AssetCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=classification.CHOICES)
    cost = money(min_value=0)
    acquired_on = serializers.DateField()
    funding = serializers.ChoiceField(choices=Asset.Funding.choices)
    specification = serializers.CharField(max_length=200, required=False, default="")
    custodian = serializers.CharField(max_length=150, required=False, default="")
    room = object_id(required=False, allow_null=True, default=None)
    order = object_id(required=False, allow_null=True, default=None)
    invoice = object_id(required=False, allow_null=True, default=None)


class MoveCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k, v) for k, v in AssetMove.Kind.choices if k != AssetMove.Kind.STOCK_TAKE]
    )
    custodian = serializers.CharField(max_length=150, required=False, default="")
    room = object_id(required=False, allow_null=True, default=None)
    due_back = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class DepreciationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = DepreciationRun
        fields = ["id", "month", "amount", "assets", "by_category", "run_at"]
        read_only_fields = fields


class MonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$")


class StockTakeSerializer(serializers.ModelSerializer):
    scanned = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockTake
        fields = [
            "id",
            "name",
            "full",
            "rooms",
            "status",
            "started_at",
            "closed_at",
            "found",
            "scanned",
        ]
        read_only_fields = fields


class StockTakeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    full = serializers.BooleanField(default=False)
    rooms = serializers.ListField(child=object_id(), max_length=1000, required=False, default=list)


class ScanSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockTakeScan
        fields = ["id", "asset", "code", "room", "scanned_at"]
        read_only_fields = fields


class ScanCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=80)
    room = object_id()


class DiscrepancySerializer(serializers.ModelSerializer):
    assignee = person(allow_null=True)

    class Meta:
        model = Discrepancy
        fields = [
            "id",
            "stock_take",
            "kind",
            "asset",
            "code",
            "found_in",
            "status",
            "assignee",
            "resolution",
            "resolved_at",
        ]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)
    relocate = serializers.BooleanField(default=False)


class DisposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disposal
        fields = [
            "id",
            "asset",
            "method",
            "reason",
            "evidence",
            "book_value",
            "needs_district",
            "status",
            "requested_at",
            "approved_at",
            "confirmed_at",
            "rejection_reason",
        ]
        read_only_fields = fields


class DisposalCreateSerializer(serializers.Serializer):
    asset = object_id()
    method = serializers.ChoiceField(choices=Disposal.Method.choices)
    reason = serializers.CharField(max_length=4000)
    evidence = serializers.CharField(max_length=4000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class LedgerBalanceSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=classification.CHOICES)
    amount = money(min_value=0)

    class Meta:
        model = LedgerBalance
        fields = ["id", "category", "as_of", "amount", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]
        validators: list[object] = []


class ReconciliationSerializer(serializers.Serializer):
    category = serializers.CharField()
    ledger = money(allow_null=True)
    ledger_as_of = serializers.DateField(allow_null=True)
    register = money()
    cards = money()
    without_custodian = serializers.ListField(child=serializers.CharField())
    agrees = serializers.BooleanField()
