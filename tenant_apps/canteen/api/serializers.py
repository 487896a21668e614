from decimal import Decimal

from rest_framework import serializers

from houqin.api.fields import correction_reason, money, person
from houqin.api.imports import import_report_serializer
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    Meal,
    MealSession,
    Menu,
    MenuItem,
    SchoolTerm,
    Serving,
)
from tenant_apps.canteen.services.importing import STATUSES as SERVINGS_IMPORT_STATUSES
from tenant_apps.canteen.services.servings import MAX_SERVINGS_PER_REQUEST


class SchoolTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchoolTerm
        fields = ["id", "school_year", "name", "start_date", "end_date", "created_at"]
        read_only_fields = fields


class SchoolTermCreateSerializer(serializers.Serializer):
    school_year = serializers.IntegerField(
        min_value=2000, max_value=2200, help_text="The year the school year begins."
    )
    name = serializers.CharField(max_length=100)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    correction_reason = correction_reason()


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name", "term"]
        read_only_fields = fields


class CalendarDayCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    correction_reason = correction_reason()


class MenuItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = MenuItem
        fields = ["id", "date", "meal", "recipe_id", "recipe_name", "quantities", "nutrients"]
        read_only_fields = fields


class MenuSerializer(serializers.ModelSerializer):
    items = MenuItemSerializer(many=True, read_only=True)

    class Meta:
        model = Menu
        fields = [
            "id",
            "start_date",
            "end_date",
            "age_band",
            "title",
            "origin",
            "plan_id",
            "plan_version",
            "status",
            "report",
            "items",
            "created_at",
        ]
        read_only_fields = fields


class OwnItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    meal = serializers.ChoiceField(choices=Meal.choices)
    recipe = serializers.IntegerField(min_value=1, max_value=2**62)


class MenuCreateSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    age_band = serializers.CharField(max_length=5)
    title = serializers.CharField(max_length=200, required=False, default="")
    items = serializers.ListField(child=OwnItemSerializer(), max_length=500)


class MenuUpdateSerializer(serializers.Serializer):
    """The dishes of a school's own menu, replacing those it had; its title, optionally."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    items = serializers.ListField(child=OwnItemSerializer(), max_length=500)


class MenuAdoptSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**62)


class MealSessionSerializer(serializers.ModelSerializer):
    serving_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = MealSession
        fields = [
            "id",
            "date",
            "meal",
            "menu",
            "ingredient_cost",
            "teachers_shared",
            "serving_count",
            "created_at",
        ]
        read_only_fields = fields


class MealSessionCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    meal = serializers.ChoiceField(choices=Meal.choices)
    ingredient_cost = money(
        max_digits=12, min_value=Decimal("0"), required=False, default=Decimal("0.00")
    )
    teachers_shared = serializers.BooleanField(required=False, default=False)
    menu = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    correction_reason = correction_reason()


class MealSessionUpdateSerializer(serializers.Serializer):
    ingredient_cost = money(max_digits=12, min_value=Decimal("0"), required=False)
    teachers_shared = serializers.BooleanField(required=False)


class ServingsRecordSerializer(serializers.Serializer):
    student_numbers = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=MAX_SERVINGS_PER_REQUEST,
    )
    student_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=MAX_SERVINGS_PER_REQUEST,
    )
    source = serializers.ChoiceField(choices=Serving.Source.choices)  # type: ignore[assignment]
    correction_reason = correction_reason()


class ServingsResultSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    recorded = serializers.IntegerField()
    already_recorded = serializers.IntegerField()


class ServingsImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A card terminal's export, .csv (UTF-8 or GBK) or .xlsx, whose first row names "
        "the columns: the student's number (学号, or the card's, 卡号), and when the terminal "
        "writes them the name (姓名) and the time of the swipe (刷卡时间)."
    )


ServingsImportReportSerializer = import_report_serializer(
    "ServingsImport", key="student_number", statuses=SERVINGS_IMPORT_STATUSES
)


class ServingSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="session.date", read_only=True)
    meal = serializers.CharField(source="session.meal", read_only=True)
    student_number = serializers.CharField(source="student.student_number", read_only=True)
    student_name = serializers.CharField(source="student.name", read_only=True)

    class Meta:
        model = Serving
        fields = [
            "id",
            "session",
            "date",
            "meal",
            "student",
            "student_number",
            "student_name",
            "source",
            "recorded_at",
        ]
        read_only_fields = fields


class AccompaniedMealSerializer(serializers.ModelSerializer):
    leader = person()
    date = serializers.DateField(source="session.date", read_only=True)
    meal = serializers.CharField(source="session.meal", read_only=True)

    class Meta:
        model = AccompaniedMeal
        fields = ["id", "session", "date", "meal", "leader", "comments", "created_at"]
        read_only_fields = fields


class AccompaniedMealCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, max_value=2**62)
    comments = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class FoodSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = FoodSample
        fields = ["id", "session", "dish", "weight_g", "taken_at", "kept_until", "discarded_at"]
        read_only_fields = fields


class FoodSampleCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, max_value=2**62)
    dish = serializers.CharField(max_length=100)
    weight_g = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("5000"),
        required=False,
    )
    taken_at = serializers.DateTimeField(required=False)
    kept_until = serializers.DateTimeField(required=False)


class InboundLineSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=100)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    unit = serializers.CharField(max_length=16)


class InboundInspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboundInspection
        fields = [
            "id",
            "supplier_name",
            "batch",
            "certificates",
            "lines",
            "received_on",
            "shelf_life_until",
            "keep_until",
            "accepted",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class InboundInspectionCreateSerializer(serializers.Serializer):
    supplier_name = serializers.CharField(max_length=200)
    batch = serializers.CharField(max_length=100)
    certificates = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, required=False, default=list
    )
    lines = serializers.ListField(child=InboundLineSerializer(), min_length=1, max_length=500)
    received_on = serializers.DateField()
    shelf_life_until = serializers.DateField()
    accepted = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ColdStorageReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColdStorageReading
        fields = ["id", "unit", "unit_type", "temperature_c", "measured_at", "out_of_range"]
        read_only_fields = fields


class ColdStorageReadingCreateSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=100)
    unit_type = serializers.ChoiceField(choices=ColdStorageReading.UnitType.choices)
    temperature_c = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("-60"), max_value=Decimal("60")
    )
    measured_at = serializers.DateTimeField(required=False)


class AlertSerializer(serializers.Serializer):
    kind = serializers.CharField()
    date = serializers.DateField()
    session = serializers.IntegerField(allow_null=True)
    meal = serializers.CharField(allow_null=True)
    detail = serializers.DictField()


class AlertQuerySerializer(serializers.Serializer):
    """The period of the alerts: `date_from`/`date_to` as every list's range, or the older
    `start`/`end` (the same days)."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class DailyCloseSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyClose
        fields = ["id", "date", "counts", "alerts", "closed_at"]
        read_only_fields = fields
