from rest_framework import serializers

from houqin.api.fields import person
from shared_apps.audit.models import Change, Finding, SecurityEvent


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Change
        fields = [
            "id",
            "occurred_at",
            "schema_name",
            "table_name",
            "operation",
            "row_id",
            "before",
            "after",
            "actor_id",
            "request_id",
        ]


class SecurityEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SecurityEvent
        fields = [
            "id",
            "occurred_at",
            "kind",
            "user_id",
            "username",
            "schema_name",
            "host",
            "ip",
            "request_id",
            "detail",
        ]


class FindingSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True, allow_null=True)
    created_by = person(allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "school",
            "title",
            "body",
            "severity",
            "status",
            "rectify_by",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "school", "created_by", "created_at", "updated_at"]


class FindingCreateSerializer(serializers.Serializer):
    school = serializers.CharField(max_length=32, required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    rectify_by = serializers.DateField(required=False, allow_null=True, default=None)


class FindingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=20000, required=False)
    severity = serializers.ChoiceField(choices=Finding.Severity.choices, required=False)
    status = serializers.ChoiceField(choices=Finding.Status.choices, required=False)
    rectify_by = serializers.DateField(required=False, allow_null=True)
