from rest_framework import serializers

from tenant_apps.dorms.models import Allocation, Bed, Building, Floor, Room
from tenant_apps.people.models import Student


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "code", "name"]


class FloorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Floor
        fields = ["id", "building", "level"]


class RoomSerializer(serializers.ModelSerializer):
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


class AllocationEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class AllocationMoveSerializer(serializers.Serializer):
    bed = serializers.PrimaryKeyRelatedField(queryset=Bed.objects.all())
    on = serializers.DateField()


class BulkAllocationSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    grade = serializers.IntegerField(min_value=1, max_value=12)
    class_name = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    sex = serializers.ChoiceField(
        choices=Student.Gender.choices, required=False, default="", allow_blank=True
    )


class BulkRowSerializer(serializers.Serializer):
    student_number = serializers.CharField()
    name = serializers.CharField()
    bed = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
