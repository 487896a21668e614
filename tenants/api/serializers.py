from rest_framework import serializers

from houqin.api.imports import import_report_serializer
from houqin.imports import RowStatus
from tenants.models import School
from tenants.routing import school_host


class SchoolSerializer(serializers.ModelSerializer):
    host = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "boarding",
            "rural",
            "address",
            "status",
            "status_reason",
            "host",
            "created_at",
            "checked_at",
            "check_problems",
        ]
        read_only_fields = fields

    def get_host(self, school: School) -> str:
        return school_host(school.code)


class SchoolCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=School.Kind.choices)
    boarding = serializers.BooleanField(default=False)
    rural = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class SchoolStatusSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class SchoolImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv (UTF-8) or .xlsx list of schools.")


SchoolImportReportSerializer = import_report_serializer(
    "SchoolImport", statuses=(RowStatus.CREATED, RowStatus.EXISTS, RowStatus.READY)
)
