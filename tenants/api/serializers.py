from rest_framework import serializers

from tenants.models import School
from tenants.onboarding import RowStatus
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
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class SchoolStatusSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class SchoolImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv (UTF-8) or .xlsx list of schools.")


class SchoolImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The spreadsheet's row number: the header is row 1.")
    code = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[RowStatus.CREATED.value, RowStatus.EXISTS.value, RowStatus.ERROR.value]
    )
    messages = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())


class SchoolImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    exists = serializers.IntegerField()
    # DRF takes declared fields off the class, so this does not hide Serializer.errors at run
    # time; the type checker only sees the class body.
    errors = serializers.IntegerField()  # type: ignore[assignment]
    rows = SchoolImportRowSerializer(many=True)
