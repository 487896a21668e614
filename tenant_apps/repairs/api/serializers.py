from rest_framework import serializers

from houqin.api.fields import money, object_id, person, quantity_field
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import (
    DispatchRule,
    MaintenancePlan,
    Policy,
    RepairEvent,
    RepairMaterial,
    RepairPhoto,
    RepairRequest,
    Scorecard,
    Team,
)


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepairPhoto
        fields = ["id", "kind", "width", "height", "uploaded_at"]
        read_only_fields = fields


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepairMaterial
        fields = ["id", "description", "quantity", "unit", "unit_cost", "amount", "order"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = person(allow_null=True)

    class Meta:
        model = RepairEvent
        fields = ["id", "kind", "stage", "team", "note", "actor", "occurred_at"]
        read_only_fields = fields


class RepairRequestSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    requester = person(allow_null=True)
    technician = person(allow_null=True)
    building = serializers.IntegerField(source="room.building_id", read_only=True)
    place = serializers.CharField(source="room", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)

    class Meta:
        model = RepairRequest
        fields = [
            "id",
            "number",
            "kind",
            "requester",
            "building",
            "room",
            "place",
            "asset",
            "category",
            "description",
            "urgency",
            "status",
            "charged",
            "team",
            "technician",
            "plan",
            "inspection",
            "estimated_cost",
            "approval",
            "labour_cost",
            "cost",
            "completion_note",
            "checklist",
            "rating",
            "rating_comment",
            "reopened",
            "submitted_at",
            "assigned_at",
            "accepted_at",
            "started_at",
            "completed_at",
            "confirmed_at",
            "classify_due",
            "accept_due",
            "respond_due",
            "finish_due",
            "photos",
            "materials",
        ]
        read_only_fields = fields


class RepairRequestDetailSerializer(RepairRequestSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(RepairRequestSerializer.Meta):
        fields = [*RepairRequestSerializer.Meta.fields, "events"]
        read_only_fields = fields


class RepairRequestCreateSerializer(serializers.Serializer):
    """The place by its id (`room`) or by its scanned label (`room_label`); the asset likewise,
    if the fault is in one."""

    room = object_id(required=False, allow_null=True, default=None)
    room_label = serializers.CharField(max_length=80, required=False, default="")
    asset = object_id(required=False, allow_null=True, default=None)
    asset_label = serializers.CharField(max_length=80, required=False, default="")
    category = serializers.ChoiceField(choices=categories.CHOICES)
    description = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=RepairRequest.Urgency.choices)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()
    kind = serializers.ChoiceField(choices=RepairPhoto.Kind.choices, default=RepairPhoto.Kind.FAULT)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DispatchSerializer(serializers.Serializer):
    team = object_id()
    technician = serializers.CharField(max_length=150, required=False, default="")
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class AcceptSerializer(serializers.Serializer):
    estimated_cost = money(required=False, allow_null=True, default=None, min_value=0)


class ApproveSerializer(serializers.Serializer):
    approval = serializers.CharField(max_length=4000)


class MaterialInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    quantity = quantity_field(min_value=0)
    unit = serializers.CharField(max_length=16)
    unit_cost = money(min_value=0)
    order = object_id(required=False, allow_null=True, default=None)


class CheckInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=200)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)
    labour_cost = money(required=False, default=0, min_value=0)
    materials = MaterialInputSerializer(many=True, required=False, default=list)
    checklist = CheckInputSerializer(many=True, required=False, default=list)


class ConfirmSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ExtendSerializer(serializers.Serializer):
    finish_due = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000)


class PolicySerializer(serializers.ModelSerializer):
    major_work_threshold = money(min_value=0)

    class Meta:
        model = Policy
        fields = ["id", "opens_at", "closes_at", "major_work_threshold", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class TeamSerializer(serializers.ModelSerializer):
    members = person(many=True)

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "supplier", "members", "active", "created_at"]
        read_only_fields = fields


class TeamCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Team.Kind.choices)
    supplier = object_id(required=False, allow_null=True, default=None)
    members = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=100, required=False, default=list
    )


class TeamUpdateSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=100, required=False
    )
    active = serializers.BooleanField(required=False)


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = DispatchRule
        fields = ["id", "category", "building", "team", "created_at"]
        read_only_fields = fields


class RuleCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=categories.RULE_CHOICES)
    building = object_id(required=False, allow_null=True, default=None)
    team = object_id()


class ScorecardSerializer(serializers.ModelSerializer):
    supplier_rating = serializers.IntegerField(
        source="supplier_rating_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "team",
            "month",
            "completed",
            "on_time",
            "ratings",
            "mean_rating",
            "department_score",
            "users_score",
            "total",
            "grade",
            "note",
            "supplier_rating",
            "created_at",
        ]
        read_only_fields = fields


class ScorecardCreateSerializer(serializers.Serializer):
    team = object_id()
    month = serializers.RegexField(r"^\d{4}-\d{2}$")
    department_score = serializers.DecimalField(max_digits=5, decimal_places=2)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaintenancePlan
        fields = [
            "id",
            "name",
            "asset",
            "asset_category",
            "team",
            "category",
            "every",
            "unit",
            "next_due",
            "lead_days",
            "meter_reading",
            "next_meter",
            "checklist",
            "active",
            "created_at",
        ]
        read_only_fields = fields


class PlanCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    asset = object_id(required=False, allow_null=True, default=None)
    asset_category = serializers.CharField(max_length=9, required=False, default="")
    team = object_id()
    category = serializers.ChoiceField(choices=categories.CHOICES)
    every = serializers.IntegerField(min_value=1, max_value=100_000)
    unit = serializers.ChoiceField(choices=MaintenancePlan.Unit.choices)
    next_due = serializers.DateField(required=False, allow_null=True, default=None)
    lead_days = serializers.IntegerField(min_value=0, max_value=365, required=False, default=7)
    next_meter = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, allow_null=True, default=None
    )
    checklist = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=30, required=False, default=list
    )


class MeterSerializer(serializers.Serializer):
    reading = serializers.DecimalField(max_digits=12, decimal_places=1, min_value=0)
