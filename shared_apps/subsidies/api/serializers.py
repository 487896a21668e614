from decimal import Decimal

from rest_framework import serializers

from houqin.api.fields import MonthField, money, person
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    MonthCorrection,
    Programme,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "daily_rate",
            "primary_rate",
            "junior_rate",
            "basis",
            "students",
            "carry_over",
            "active",
            "created_at",
        ]
        read_only_fields = fields


class ProgrammeCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    daily_rate = money(
        min_value=Decimal("0.01"), default="5.00", help_text="CNY per unit of its basis."
    )
    primary_rate = money(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="CNY per primary pupil (grades 1-6), for a programme that counts students.",
    )
    junior_rate = money(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="CNY per junior-secondary student (grades 7-9), likewise.",
    )
    basis = serializers.ChoiceField(
        choices=Programme.Basis.choices, default=Programme.Basis.SERVED_DAY
    )
    students = serializers.ChoiceField(
        choices=Programme.Students.choices, default=Programme.Students.ANY
    )
    carry_over = serializers.ChoiceField(
        choices=Programme.CarryOver.choices, default=Programme.CarryOver.NONE
    )
    active = serializers.BooleanField(default=True)


class ProgrammeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    daily_rate = money(min_value=Decimal("0.01"), required=False)
    primary_rate = money(min_value=Decimal("0.01"), required=False, allow_null=True)
    junior_rate = money(min_value=Decimal("0.01"), required=False, allow_null=True)
    carry_over = serializers.ChoiceField(choices=Programme.CarryOver.choices, required=False)
    active = serializers.BooleanField(required=False)


class BudgetSupplementSerializer(serializers.ModelSerializer):
    added_by = person(allow_null=True)
    approved_by = person(allow_null=True)

    class Meta:
        model = BudgetSupplement
        fields = [
            "id",
            "amount",
            "reason",
            "status",
            "added_by",
            "added_at",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields


class BudgetSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True)
    available = money(read_only=True)
    supplements = BudgetSupplementSerializer(many=True, read_only=True)

    class Meta:
        model = Budget
        fields = [
            "id",
            "programme",
            "school",
            "budget_year",
            "period_start",
            "period_end",
            "allocated",
            "supplemented",
            "carried_in",
            "carried_out",
            "committed",
            "available",
            "supplements",
            "created_at",
        ]
        read_only_fields = fields


class BudgetCreateSerializer(serializers.Serializer):
    programme = serializers.SlugField(max_length=64)
    school = serializers.CharField(max_length=32)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    allocated = money(min_value=Decimal("0"))
    budget_year = serializers.IntegerField(min_value=2000, max_value=2200, required=False)


class BudgetSupplementCreateSerializer(serializers.Serializer):
    amount = money(min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=2000)


class BudgetCarryOverSerializer(serializers.Serializer):
    to_budget = serializers.IntegerField(min_value=1, max_value=2**62)


class ClaimEventSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    actor = person(allow_null=True)

    class Meta:
        model = ClaimEvent
        fields = ["kind", "actor", "occurred_at", "amount", "note"]
        read_only_fields = fields


class DisbursementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["id", "claim", "amount", "paid_on", "reference", "recorded_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True)
    submitted_by = person(allow_null=True)
    decided_by = person(allow_null=True)
    events = ClaimEventSerializer(many=True, read_only=True)
    disbursements = DisbursementSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "programme",
            "school",
            "month",
            "kind",
            "corrects",
            "status",
            "budget",
            "basis",
            "school_days",
            "student_days",
            "daily_rate",
            "primary_rate",
            "junior_rate",
            "stage_units",
            "amount",
            "claimed_before",
            "disbursed",
            "breakdown",
            "computed_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "reason",
            "events",
            "disbursements",
        ]
        read_only_fields = fields


class MonthCorrectionSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    programme = serializers.CharField(source="claim.programme.code", read_only=True)
    corrected_by = person(allow_null=True)

    class Meta:
        model = MonthCorrection
        fields = [
            "id",
            "school",
            "programme",
            "month",
            "claim",
            "change",
            "detail",
            "reason",
            "adjustment",
            "corrected_by",
            "corrected_at",
        ]
        read_only_fields = fields


class ClaimComputeSerializer(serializers.Serializer):
    programme = serializers.SlugField(max_length=64)
    month = MonthField(help_text="The month, YYYY-MM (a day of it, YYYY-MM-DD, is read too).")


class ClaimRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DisbursementCreateSerializer(serializers.Serializer):
    amount = money(min_value=Decimal("0.01"))
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)
