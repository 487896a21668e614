from rest_framework import serializers

from houqin.api.fields import correction_reason, person
from houqin.api.imports import import_report_serializer
from shared_apps.subsidies import selectors as subsidies
from tenant_apps.people.models import (
    GRADES,
    ClassTeacher,
    StaffMember,
    Student,
    SubsidyEligibility,
)


class StudentSerializer(serializers.ModelSerializer):
    """A student as everyone allowed to see the register sees them: the ID number masked."""

    national_id_masked = serializers.CharField(
        read_only=True, help_text="e.g. 110101********1234; empty when no number is on record."
    )

    class Meta:
        model = Student
        fields = [
            "id",
            "student_number",
            "name",
            "gender",
            "grade",
            "class_name",
            "boarding",
            "status",
            "enrolled_on",
            "left_on",
            "national_id_masked",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StudentCreateSerializer(serializers.Serializer):
    student_number = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Student.Gender.choices)
    grade = serializers.IntegerField(min_value=GRADES[0], max_value=GRADES[-1])
    class_name = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    boarding = serializers.BooleanField(default=False)
    enrolled_on = serializers.DateField(required=False, allow_null=True, default=None)
    national_id = serializers.CharField(
        max_length=32,
        required=False,
        default="",
        allow_blank=True,
        write_only=True,
        help_text="18 characters; stored encrypted, shown masked.",
    )


class StudentUpdateSerializer(serializers.Serializer):
    student_number = serializers.CharField(max_length=32, required=False)
    name = serializers.CharField(max_length=50, required=False)
    gender = serializers.ChoiceField(choices=Student.Gender.choices, required=False)
    grade = serializers.IntegerField(min_value=GRADES[0], max_value=GRADES[-1], required=False)
    class_name = serializers.CharField(max_length=32, required=False, allow_blank=True)
    boarding = serializers.BooleanField(required=False)
    enrolled_on = serializers.DateField(required=False, allow_null=True)
    left_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day at school: marks the student as left and ends their subsidy "
        "eligibility after it; null brings them back.",
    )
    national_id = serializers.CharField(
        max_length=32, required=False, allow_blank=True, write_only=True
    )
    correction_reason = correction_reason()


class StudentNationalIdSerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    student_number = serializers.CharField()
    national_id = serializers.CharField(allow_null=True, help_text="Unmasked; this read is logged.")


class StudentLookupSerializer(serializers.Serializer):
    national_id = serializers.CharField(
        max_length=32, help_text="18 characters; checked, then compared by its keyed hash."
    )


class StudentLookupResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = StudentSerializer(many=True, help_text="Masked, as the register shows them.")


class StudentImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A .csv (UTF-8 or GBK) or .xlsx register; the first row names the columns."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every row and report, but save nothing."
    )


StudentImportReportSerializer = import_report_serializer("StudentImport", key="student_number")


class StudentExportRowSerializer(StudentSerializer):
    # A plain string here, so that the status choices are documented once (in Student).
    status = serializers.CharField(help_text="active or left")
    national_id = serializers.CharField(
        allow_null=True, help_text="Unmasked only when asked for (unmasked=true) and allowed."
    )
    subsidies = serializers.ListField(
        child=serializers.CharField(), help_text="Programmes in force on the day of the export."
    )

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, "national_id", "subsidies"]
        read_only_fields = fields


class StudentExportSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = StudentExportRowSerializer(many=True)


class SubsidyEligibilitySerializer(serializers.ModelSerializer):
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = SubsidyEligibility
        fields = [
            "id",
            "student",
            "student_number",
            "student_name",
            "programme",
            "reason",
            "note",
            "valid_from",
            "valid_to",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubsidyEligibilityCreateSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, help_text="The student's id.")
    programme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=subsidies.programme_list(),
        help_text="The code of one of the district's programmes.",
    )
    reason = serializers.ChoiceField(choices=SubsidyEligibility.Reason.choices)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    correction_reason = correction_reason()


class SubsidyEligibilityUpdateSerializer(serializers.Serializer):
    valid_to = serializers.DateField(
        required=False, allow_null=True, help_text="The last day of the period (inclusive)."
    )
    reason = serializers.ChoiceField(choices=SubsidyEligibility.Reason.choices, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    correction_reason = correction_reason()


class StaffMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "position",
            "phone",
            "username",
            "active",
            "hired_on",
            "left_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


_PHONE = r"^\+?[0-9][0-9 \-]{4,18}$"


class StaffMemberCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    position = serializers.ChoiceField(choices=StaffMember.Position.choices)
    phone = serializers.RegexField(
        _PHONE, max_length=20, required=False, default="", allow_blank=True
    )
    username = serializers.CharField(
        max_length=150,
        required=False,
        allow_null=True,
        default=None,
        help_text="A user of this school to link (optional).",
    )
    hired_on = serializers.DateField(required=False, allow_null=True, default=None)


class StaffMemberUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    position = serializers.ChoiceField(choices=StaffMember.Position.choices, required=False)
    phone = serializers.RegexField(_PHONE, max_length=20, required=False, allow_blank=True)
    username = serializers.CharField(
        max_length=150, required=False, allow_null=True, help_text="null unlinks."
    )
    active = serializers.BooleanField(required=False)
    hired_on = serializers.DateField(required=False, allow_null=True)
    left_on = serializers.DateField(required=False, allow_null=True)


class ClassTeacherSerializer(serializers.ModelSerializer):
    user = person()

    class Meta:
        model = ClassTeacher
        fields = ["id", "user", "school_year", "grade", "class_name", "created_at"]
        read_only_fields = fields


class ClassTeacherCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    school_year = serializers.IntegerField(min_value=2000, max_value=2200)
    grade = serializers.IntegerField(min_value=GRADES[0], max_value=GRADES[-1])
    class_name = serializers.CharField(max_length=32)
