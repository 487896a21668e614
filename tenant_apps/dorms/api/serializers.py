from rest_framework import serializers

from houqin.api.fields import MonthField, correction_reason, person
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.dorms.models import (
    Allocation,
    Bed,
    Building,
    DoorEvent,
    FeeCharge,
    Floor,
    Guardian,
    Inspection,
    Leave,
    Policy,
    RollCall,
    RollCallEntry,
    Room,
    RoomChange,
    Visitor,
)
from tenant_apps.dorms.services.nights import MAX_EVENTS
from tenant_apps.people.models import Student


class DormBuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "code", "name"]


class FloorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Floor
        fields = ["id", "building", "level"]


class DormRoomSerializer(serializers.ModelSerializer):
    beds_in_service = serializers.IntegerField(read_only=True)
    occupied = serializers.IntegerField(read_only=True)

    class Meta:
        model = Room
        fields = [
            "id",
            "floor",
            "number",
            "sex",
            "stage",
            "area",
            "capacity",
            "beds_in_service",
            "occupied",
        ]
        read_only_fields = ["id", "beds_in_service", "occupied"]


class BedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bed
        fields = ["id", "room", "number", "bunk", "in_service", "out_of_service_reason"]
        read_only_fields = ["id", "in_service", "out_of_service_reason"]


class BedServiceSerializer(serializers.Serializer):
    in_service = serializers.BooleanField()
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class AllocationSerializer(serializers.ModelSerializer):
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "student",
            "student_number",
            "student_name",
            "bed",
            "start_date",
            "end_date",
            "created_at",
        ]
        read_only_fields = fields


class AllocationCreateSerializer(serializers.Serializer):
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    bed = serializers.PrimaryKeyRelatedField(queryset=Bed.objects.all())
    start_date = serializers.DateField()
    correction_reason = correction_reason()


class AllocationEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    correction_reason = correction_reason()


class AllocationMoveSerializer(serializers.Serializer):
    bed = serializers.PrimaryKeyRelatedField(queryset=Bed.objects.all())
    on = serializers.DateField()
    correction_reason = correction_reason()


class BulkAllocationSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    grade = serializers.IntegerField(min_value=1, max_value=12)
    class_name = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    sex = serializers.ChoiceField(
        choices=Student.Gender.choices, required=False, default="", allow_blank=True
    )
    correction_reason = correction_reason()


class BulkRowSerializer(serializers.Serializer):
    student_number = serializers.CharField()
    name = serializers.CharField()
    bed = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class DormPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = Policy
        fields = ["roll_call_at"]


class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = ["id", "student", "name", "phone"]


class DoorEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DoorEvent
        fields = [
            "id",
            "device",
            "device_event_id",
            "student",
            "direction",
            "method",
            "occurred_at",
            "received_at",
        ]
        read_only_fields = fields


class DoorEventInSerializer(serializers.Serializer):
    device = serializers.CharField(max_length=64)
    device_event_id = serializers.CharField(max_length=64)
    student_number = serializers.CharField(max_length=32)
    direction = serializers.ChoiceField(choices=DoorEvent.Direction.choices)
    method = serializers.ChoiceField(choices=DoorEvent.Method.choices)
    occurred_at = serializers.DateTimeField()


class DoorEventBatchSerializer(serializers.Serializer):
    events = serializers.ListField(
        child=DoorEventInSerializer(), allow_empty=False, max_length=MAX_EVENTS
    )


class EventRowSerializer(serializers.Serializer):
    device = serializers.CharField()
    device_event_id = serializers.CharField()
    code = serializers.CharField()


class LeaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Leave
        fields = [
            "id",
            "student",
            "reason",
            "starts_at",
            "ends_at",
            "status",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["id", "status", "decided_at", "created_at"]


class RollCallEntrySerializer(serializers.ModelSerializer):
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)

    class Meta:
        model = RollCallEntry
        fields = ["student", "student_number", "student_name", "bed", "status", "seen_at"]
        read_only_fields = fields


class RollCallSerializer(serializers.ModelSerializer):
    entries = RollCallEntrySerializer(many=True, read_only=True)

    class Meta:
        model = RollCall
        fields = ["id", "night", "due_at", "taken_at", "entries"]
        read_only_fields = fields


class RollCallTakeSerializer(serializers.Serializer):
    night = serializers.DateField()


class VisitorSerializer(serializers.ModelSerializer):
    national_id = serializers.CharField(source="national_id_masked", read_only=True)

    class Meta:
        model = Visitor
        fields = ["id", "name", "national_id", "student", "purpose", "arrived_at", "left_at"]
        read_only_fields = fields


class VisitorArriveSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    national_id = serializers.CharField(max_length=32)
    purpose = serializers.CharField(max_length=200)
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.all(), required=False, allow_null=True, default=None
    )


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "room", "kind", "inspected_on", "score", "notes"]
        read_only_fields = ["id"]


class InspectionRecordSerializer(serializers.Serializer):
    """What is recorded (the service, not the serializer, refuses a second one that day)."""

    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all())
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices)
    inspected_on = serializers.DateField()
    score = serializers.IntegerField(min_value=0, max_value=100)
    notes = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class RankingQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text="YYYY-MM; this month when not given")


class RankingSerializer(serializers.Serializer):
    room = serializers.IntegerField(source="pk")
    building = serializers.CharField(source="floor.building.code")
    number = serializers.CharField()
    average = serializers.DecimalField(max_digits=5, decimal_places=2)
    inspected = serializers.IntegerField()


class FeeSerializer(serializers.ModelSerializer):
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)

    class Meta:
        model = FeeCharge
        fields = [
            "id",
            "student",
            "student_number",
            "student_name",
            "term",
            "amount",
            "charged_on",
            "left_on",
            "refund",
            "refund_due",
            "refunded_on",
            "refund_reference",
        ]
        read_only_fields = fields


class FeeChargeSerializer(serializers.Serializer):
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    term = serializers.PrimaryKeyRelatedField(queryset=SchoolTerm.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    charged_on = serializers.DateField(required=False)


class FeeRefundSerializer(serializers.Serializer):
    refunded_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class RoomChangeSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.name", read_only=True)
    requested_by = person(allow_null=True)
    reviewed_by = person(allow_null=True)
    decided_by = person(allow_null=True)

    class Meta:
        model = RoomChange
        fields = [
            "id",
            "student",
            "student_name",
            "reason",
            "bed",
            "move_on",
            "status",
            "refusal",
            "allocation",
            "requested_by",
            "reviewed_by",
            "reviewed_at",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class RoomChangeRequestSerializer(serializers.Serializer):
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=200)
    bed = serializers.PrimaryKeyRelatedField(
        queryset=Bed.objects.all(), required=False, allow_null=True
    )


class RoomChangeReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    bed = serializers.PrimaryKeyRelatedField(
        queryset=Bed.objects.all(), required=False, allow_null=True
    )
    move_on = serializers.DateField(required=False, allow_null=True)
    refusal = serializers.CharField(max_length=200, required=False, default="")


class RoomChangeDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    refusal = serializers.CharField(max_length=200, required=False, default="")
