from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from houqin.api.fields import money, person
from shared_apps.transport import services
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    HazardSegment,
    Inspection,
    Licence,
    Offence,
    Provider,
    Route,
    Run,
    Stop,
    Vehicle,
)


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "kind",
            "licence_number",
            "licence_expires",
            "insurer",
            "insurance_expires",
        ]
        read_only_fields = fields


class ProviderCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Provider.Kind.choices)
    licence_number = serializers.CharField(
        max_length=50, required=False, default="", allow_blank=True
    )
    licence_expires = serializers.DateField(required=False, allow_null=True, default=None)
    insurer = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    insurance_expires = serializers.DateField(required=False, allow_null=True, default=None)


class ProviderRenewSerializer(serializers.Serializer):
    licence_number = serializers.CharField(max_length=50, allow_blank=True)
    licence_expires = serializers.DateField(allow_null=True)
    insurer = serializers.CharField(max_length=100, allow_blank=True)
    insurance_expires = serializers.DateField(allow_null=True)


class EquipmentSerializer(serializers.Serializer):
    hammer = serializers.BooleanField(default=False)
    extinguisher = serializers.BooleanField(default=False)
    first_aid_kit = serializers.BooleanField(default=False)
    gps_recorder = serializers.BooleanField(default=False)

    def equipment(self) -> services.Equipment:
        return services.Equipment(**self.validated_data)


class VehicleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = [
            "id",
            "plate",
            "provider",
            "kind",
            "rated_load",
            "has_hammer",
            "has_extinguisher",
            "has_first_aid_kit",
            "has_gps_recorder",
            "inspection_valid_until",
        ]
        read_only_fields = fields


class VehicleCreateSerializer(serializers.Serializer):
    plate = serializers.CharField(max_length=16)
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    kind = serializers.ChoiceField(choices=Vehicle.Kind.choices)
    rated_load = serializers.IntegerField(min_value=0, max_value=1000)
    equipment = EquipmentSerializer()


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "vehicle", "inspected_on", "valid_until", "passed", "record"]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    passed = serializers.BooleanField()
    record = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class DeviceKeySerializer(serializers.Serializer):
    device_key = serializers.CharField(
        help_text=_("Shown once: the device sends it in the X-Device-Key header.")
    )


class OffenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offence
        fields = ["id", "kind", "occurred_on", "points", "note"]
        read_only_fields = fields


class DriverSerializer(serializers.ModelSerializer):
    offences = OffenceSerializer(many=True, read_only=True)

    class Meta:
        model = Driver
        fields = [
            "id",
            "provider",
            "name",
            "licence_number",
            "licence_class",
            "born_on",
            "licensed_since",
            "health_valid_until",
            "endorsement_valid_until",
            "review_valid_until",
            "criminal_record",
            "offences",
        ]
        read_only_fields = fields


class DriverCreateSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    name = serializers.CharField(max_length=50)
    licence_number = serializers.CharField(max_length=30)
    licence_class = serializers.CharField(max_length=4)
    born_on = serializers.DateField()
    licensed_since = serializers.DateField()
    health_valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    endorsement_valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    review_valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    criminal_record = serializers.BooleanField(default=False)


class OffenceCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Offence.Kind.choices)
    occurred_on = serializers.DateField()
    points = serializers.IntegerField(min_value=0, max_value=12, default=0)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class DriverQualificationQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False)


class RuleFailureSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()


class DriverQualificationSerializer(serializers.Serializer):
    on = serializers.DateField()
    qualified = serializers.BooleanField()
    failures = RuleFailureSerializer(many=True)


class StopSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stop
        fields = ["id", "order", "name", "latitude", "longitude", "at", "approved"]
        read_only_fields = fields


class HazardSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardSegment
        fields = ["id", "kind", "latitude", "longitude", "radius_m", "mitigation"]
        read_only_fields = fields


class RouteSerializer(serializers.ModelSerializer):
    stops = StopSerializer(many=True, read_only=True)
    hazards = HazardSerializer(many=True, read_only=True)

    class Meta:
        model = Route
        fields = [
            "id",
            "code",
            "name",
            "period",
            "schools",
            "weekdays",
            "valid_from",
            "valid_until",
            "version_of",
            "version",
            "stops",
            "hazards",
        ]
        read_only_fields = fields


class RouteVersionSerializer(serializers.Serializer):
    weekdays = serializers.RegexField(r"^[1-7]{1,7}$", help_text="ISO weekdays, e.g. 12345.")
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class RunsGenerateSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    leaves = serializers.TimeField()
    arrives = serializers.TimeField()
    escorts = serializers.IntegerField(min_value=1, max_value=4, default=1)
    cost = money(max_digits=9, required=False, default=Decimal("0.00"), min_value=Decimal("0.00"))


class StopInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    at = serializers.TimeField()
    approved = serializers.BooleanField(default=False)


class RouteCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    period = serializers.ChoiceField(choices=Route.Period.choices)
    schools = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=50)
    stops = StopInputSerializer(many=True)

    def stop_inputs(self) -> list[services.StopInput]:
        return [services.StopInput(**stop) for stop in self.validated_data["stops"]]


class HazardCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HazardSegment.Kind.choices)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    radius_m = serializers.IntegerField(min_value=10, max_value=5000)
    mitigation = serializers.CharField(max_length=200)


class LicenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Licence
        fields = [
            "id",
            "number",
            "vehicle",
            "driver",
            "route",
            "issuer",
            "valid_from",
            "valid_until",
            "status",
            "step_due",
            "submitted_at",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class LicenceCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30)
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects.all())
    driver = serializers.PrimaryKeyRelatedField(queryset=Driver.objects.all())
    route = serializers.PrimaryKeyRelatedField(queryset=Route.objects.all())
    issuer = serializers.CharField(max_length=100)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class LicenceStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(services.NEXT_STEP))
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RunSerializer(serializers.ModelSerializer):
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "licence",
            "vehicle",
            "driver",
            "route",
            "starts_at",
            "ends_at",
            "escorts",
            "capacity",
            "seats_taken",
            "status",
            "substitution",
            "cost",
        ]
        read_only_fields = fields

    def get_starts_at(self, run: Run) -> Any:
        return serializers.DateTimeField().to_representation(run.period.lower)

    def get_ends_at(self, run: Run) -> Any:
        return serializers.DateTimeField().to_representation(run.period.upper)


class RunCreateSerializer(serializers.Serializer):
    licence = serializers.PrimaryKeyRelatedField(queryset=Licence.objects.all())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    escorts = serializers.IntegerField(min_value=1, max_value=4, default=1)
    vehicle = serializers.PrimaryKeyRelatedField(
        queryset=Vehicle.objects.all(), required=False, allow_null=True, default=None
    )
    driver = serializers.PrimaryKeyRelatedField(
        queryset=Driver.objects.all(), required=False, allow_null=True, default=None
    )
    substitution = serializers.ChoiceField(
        choices=["", *services.SUBSTITUTIONS], required=False, default=""
    )
    cost = money(max_digits=9, required=False, default=Decimal("0.00"), min_value=Decimal("0.00"))


class AlarmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alarm
        fields = [
            "id",
            "vehicle",
            "run",
            "kind",
            "at",
            "last_at",
            "speed_kmh",
            "limit_kmh",
            "distance_m",
            "seats_taken",
            "seats_allowed",
            "driver",
            "latitude",
            "longitude",
        ]
        read_only_fields = fields


class PointSerializer(serializers.Serializer):
    recorded_at = serializers.DateTimeField()
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    speed_kmh = serializers.FloatField(min_value=0, max_value=299)
    highway = serializers.BooleanField(default=False)


class BatchSerializer(serializers.Serializer):
    points = serializers.ListField(child=PointSerializer(), allow_empty=False, max_length=5000)


class IngestedSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    alarms = serializers.IntegerField()


class FieldTripSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    vehicle = serializers.CharField(source="vehicle.plate", read_only=True, allow_null=True)
    driver = serializers.CharField(source="driver.name", read_only=True, allow_null=True)
    requested_by = person()
    endorsed_by = person(allow_null=True)
    decided_by = person(allow_null=True)

    class Meta:
        model = FieldTrip
        fields = [
            "id",
            "school",
            "school_name",
            "destination",
            "purpose",
            "starts_at",
            "ends_at",
            "pupils",
            "escorts",
            "status",
            "vehicle",
            "driver",
            "reason",
            "requested_by",
            "requested_at",
            "endorsed_by",
            "endorsed_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class FieldTripCreateSerializer(serializers.Serializer):
    destination = serializers.CharField(max_length=100)
    purpose = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    pupils = serializers.IntegerField(min_value=1, max_value=54)
    escorts = serializers.IntegerField(min_value=1, max_value=4, default=1)


class FieldTripApproveSerializer(serializers.Serializer):
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects.all())
    driver = serializers.PrimaryKeyRelatedField(queryset=Driver.objects.all())


class RefusalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
