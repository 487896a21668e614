from rest_framework import serializers

from shared_apps.transport.models import Run, Stop
from tenant_apps.people.models import Student
from tenant_apps.riders.models import Rider, Trip


class RiderSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.name", read_only=True)
    stop = serializers.IntegerField(source="stop_ref", read_only=True, allow_null=True)
    stop_name = serializers.CharField(read_only=True, allow_null=True, default=None)
    run = serializers.IntegerField(source="trip.run_ref", read_only=True)

    class Meta:
        model = Rider
        fields = ["id", "trip", "run", "student", "student_name", "stop", "stop_name", "seat"]


class TripSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="run_ref", read_only=True)
    route = serializers.CharField(read_only=True)
    plate = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    capacity = serializers.IntegerField(read_only=True)
    riders_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Trip
        fields = [
            "id",
            "run",
            "route",
            "plate",
            "starts_at",
            "ends_at",
            "capacity",
            "riders_count",
        ]


class RiderCreateSerializer(serializers.Serializer):
    run = serializers.PrimaryKeyRelatedField(queryset=Run.objects.all())
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    stop = serializers.PrimaryKeyRelatedField(
        queryset=Stop.objects.all(), required=False, allow_null=True
    )


class ChartSeatSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    rider = RiderSerializer(allow_null=True)
    taken_elsewhere = serializers.BooleanField()
