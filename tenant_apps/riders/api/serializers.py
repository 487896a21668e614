from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from houqin.api.fields import person
from shared_apps.accounts.models import User
from shared_apps.transport.models import Driver, Run, Stop, Vehicle
from tenant_apps.people.models import Student
from tenant_apps.riders.models import (
    Alarm,
    CheckItem,
    Drill,
    Escort,
    Incident,
    Passage,
    Rider,
    Terminal,
    Training,
    Trip,
)
from tenant_apps.riders.selectors import incident_steps
from tenant_apps.riders.services import MAX_PASSAGES


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
            "status",
            "started_at",
            "closed_at",
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


class EscortSerializer(serializers.ModelSerializer):
    user = person()
    created_by = person(allow_null=True)
    run = serializers.IntegerField(source="trip.run_ref", read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Escort
        fields = ["id", "trip", "run", "user", "starts_at", "created_by", "created_at"]


class EscortCreateSerializer(serializers.Serializer):
    run = serializers.PrimaryKeyRelatedField(queryset=Run.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class CheckItemSerializer(serializers.ModelSerializer):
    checked_by = person(allow_null=True)

    class Meta:
        model = CheckItem
        fields = ["id", "trip", "item", "passed", "count", "note", "checked_by", "checked_at"]


class TickSerializer(serializers.Serializer):
    """One item of the pre-trip check, with its last tick (none yet: null)."""

    item = serializers.CharField()
    title = serializers.CharField(source="label")
    passed = serializers.BooleanField()
    checked = CheckItemSerializer(allow_null=True)


class CheckTickSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=CheckItem.Item.choices)
    passed = serializers.BooleanField()
    count = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class PassageSerializer(serializers.ModelSerializer):
    student = serializers.IntegerField(source="rider.student_id", read_only=True)
    student_name = serializers.CharField(source="rider.student.name", read_only=True)
    stop = serializers.IntegerField(source="stop_ref", read_only=True, allow_null=True)
    stop_name = serializers.CharField(read_only=True, allow_null=True, default=None)
    recorded_by = person(allow_null=True)

    class Meta:
        model = Passage
        fields = [
            "id",
            "trip",
            "rider",
            "student",
            "student_name",
            "kind",
            "method",
            "stop",
            "stop_name",
            "device",
            "device_event_id",
            "occurred_at",
            "recorded_by",
            "recorded_at",
        ]


class PassageTickSerializer(serializers.Serializer):
    """The escort's tick of a rider boarding or alighting (a terminal posts with its own key)."""

    student_number = serializers.SlugRelatedField(
        slug_field="student_number", queryset=Student.objects.all()
    )
    kind = serializers.ChoiceField(choices=Passage.Kind.choices)
    stop = serializers.PrimaryKeyRelatedField(
        queryset=Stop.objects.all(), required=False, allow_null=True
    )
    occurred_at = serializers.DateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A terminal's event is refused here, not taken for a tick: it names its device and
        method, and posts with the terminal's own key."""
        sent = {name: self.initial_data.get(name) for name in ("device", "device_event_id")}
        method = self.initial_data.get("method")
        if any(sent.values()) or method not in (None, "", Passage.Method.ESCORT):
            raise serializers.ValidationError(
                {"method": [_("A terminal posts its events with its own key, not a person's.")]}
            )
        return attrs


class PassageEventSerializer(serializers.Serializer):
    """One event of a terminal's report: the pupil's student number, checked with the rest of
    the report (an unknown one is that event's row, `unknown_student`)."""

    student_number = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=Passage.Kind.choices)
    method = serializers.ChoiceField(
        choices=[c for c in Passage.Method.choices if c[0] != Passage.Method.ESCORT]
    )
    stop = serializers.IntegerField(required=False, allow_null=True, default=None)
    device_event_id = serializers.CharField(max_length=64)
    occurred_at = serializers.DateTimeField()


class TerminalReportSerializer(serializers.Serializer):
    """A terminal's report of many events on one trip (the device is the terminal's)."""

    trip = serializers.PrimaryKeyRelatedField(queryset=Trip.objects.all())
    events = serializers.ListField(
        child=PassageEventSerializer(), allow_empty=False, max_length=MAX_PASSAGES
    )


class PassageRowSerializer(serializers.Serializer):
    device = serializers.CharField()
    device_event_id = serializers.CharField()
    code = serializers.CharField()
    passage = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class AlarmSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="trip.run_ref", read_only=True)
    route = serializers.CharField(read_only=True)
    plate = serializers.CharField(read_only=True)
    escort = person(allow_null=True)
    raised_by = person(allow_null=True)

    class Meta:
        model = Alarm
        fields = [
            "id",
            "trip",
            "run",
            "route",
            "plate",
            "kind",
            "on_board",
            "escort",
            "cause",
            "raised_by",
            "raised_at",
        ]


class TerminalSerializer(serializers.ModelSerializer):
    created_by = person(allow_null=True)

    class Meta:
        model = Terminal
        fields = ["id", "device", "created_by", "created_at", "revoked_at"]


class TerminalCreateSerializer(serializers.Serializer):
    device = serializers.CharField(max_length=64)


class TerminalIssuedSerializer(serializers.Serializer):
    """A terminal just registered, with its key: shown this once."""

    terminal = TerminalSerializer()
    key = serializers.CharField()


class TerminalPassageSerializer(serializers.Serializer):
    """A terminal's event: the trip, the pupil's student number, on or off, card or face, its
    own event id (the device is the terminal's, known by its key)."""

    trip = serializers.PrimaryKeyRelatedField(queryset=Trip.objects.all())
    student_number = serializers.SlugRelatedField(
        slug_field="student_number", queryset=Student.objects.all()
    )
    kind = serializers.ChoiceField(choices=Passage.Kind.choices)
    method = serializers.ChoiceField(
        choices=[
            (Passage.Method.CARD, Passage.Method.CARD.label),
            (Passage.Method.FACE, Passage.Method.FACE.label),
        ]
    )
    stop = serializers.PrimaryKeyRelatedField(
        queryset=Stop.objects.all(), required=False, allow_null=True
    )
    device_event_id = serializers.CharField(max_length=64)
    occurred_at = serializers.DateTimeField()


class StepSerializer(serializers.Serializer):
    """One timed step of an incident: when it was done (null: not yet), by whom, and how many
    minutes after the incident."""

    step = serializers.CharField()
    title = serializers.CharField(source="label")
    at = serializers.DateTimeField(allow_null=True)
    by = person(allow_null=True)
    minutes = serializers.IntegerField(allow_null=True)


class IncidentSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="trip.run_ref", read_only=True, allow_null=True)
    route = serializers.CharField(read_only=True, allow_null=True)
    vehicle = serializers.IntegerField(source="vehicle_ref", read_only=True)
    plate = serializers.CharField(read_only=True, allow_null=True)
    steps = serializers.SerializerMethodField()
    closed_by = person(allow_null=True)
    reported_by = person(allow_null=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "trip",
            "run",
            "route",
            "vehicle",
            "plate",
            "kind",
            "occurred_at",
            "description",
            "steps",
            "summary",
            "closed_at",
            "closed_by",
            "reported_by",
            "reported_at",
        ]

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, incident: Incident) -> Any:
        return StepSerializer(incident_steps(incident), many=True).data


class TripIncidentSerializer(serializers.Serializer):
    """An incident on a trip, reported by its escort (or the logistics director)."""

    kind = serializers.ChoiceField(choices=Incident.Kind.choices)
    occurred_at = serializers.DateTimeField()
    description = serializers.CharField(max_length=4000)


class IncidentInSerializer(TripIncidentSerializer):
    """An incident on a trip of the school's, or (no trip) on a bus of its routes."""

    trip = serializers.PrimaryKeyRelatedField(
        queryset=Trip.objects.all(), required=False, allow_null=True
    )
    vehicle = serializers.PrimaryKeyRelatedField(
        queryset=Vehicle.objects.all(), required=False, allow_null=True
    )


class StepInSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=Incident.Step.choices)
    at = serializers.DateTimeField()


class IncidentCloseSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=4000)


class DrillSerializer(serializers.ModelSerializer):
    vehicle = serializers.IntegerField(source="vehicle_ref", read_only=True, allow_null=True)
    plate = serializers.CharField(read_only=True, allow_null=True)
    recorded_by = person(allow_null=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "day",
            "kind",
            "vehicle",
            "plate",
            "participants",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class DrillInSerializer(serializers.Serializer):
    day = serializers.DateField()
    kind = serializers.ChoiceField(choices=Drill.Kind.choices)
    participants = serializers.IntegerField(min_value=1, max_value=1000)
    notes = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)
    vehicle = serializers.PrimaryKeyRelatedField(
        queryset=Vehicle.objects.all(), required=False, allow_null=True
    )


class SemesterQuerySerializer(serializers.Serializer):
    """The semesters meeting [period_from, period_to] (by default the two years up to today)."""

    period_from = serializers.DateField(required=False)
    period_to = serializers.DateField(required=False)


class SemesterSerializer(serializers.Serializer):
    """A semester (its first and last day) and how many drills were held in it."""

    name = serializers.CharField()
    period_start = serializers.DateField(source="start")
    period_end = serializers.DateField(source="end")
    drills = serializers.IntegerField()


class TrainingSerializer(serializers.ModelSerializer):
    driver = serializers.IntegerField(source="driver_ref", read_only=True, allow_null=True)
    driver_name = serializers.CharField(read_only=True, allow_null=True)
    user = person(allow_null=True)
    recorded_by = person(allow_null=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "day",
            "driver",
            "driver_name",
            "user",
            "topic",
            "hours",
            "trainer",
            "recorded_by",
            "recorded_at",
        ]


class TrainingInSerializer(serializers.Serializer):
    """One person's training: a driver on the school's routes or a bus escort of the school."""

    day = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)
    trainer = serializers.CharField(max_length=100)
    driver = serializers.PrimaryKeyRelatedField(
        queryset=Driver.objects.all(), required=False, allow_null=True
    )
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )


class UntrainedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("driver", "driver"), ("escort", "escort")])
    id = serializers.IntegerField()
    name = serializers.CharField()
    last = serializers.DateField(allow_null=True)
