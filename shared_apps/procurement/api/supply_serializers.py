from decimal import Decimal

from rest_framework import serializers

from houqin.api.fields import MonthField, money, object_id, person, quantity_field
from houqin.api.imports import import_report_serializer
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    Qualification,
    Supplier,
    SupplierEvent,
    SupplierRating,
    SupplierUser,
)

# Suppliers ---------------------------------------------------------------------------------------


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "categories",
            "status",
            "status_reason",
            "created_at",
        ]
        read_only_fields = fields


class SupplierWriteSerializer(serializers.Serializer):
    """A supplier's record, whole to create it, in part (PATCH) to change it."""

    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(
        max_length=32, help_text="统一社会信用代码: 18 characters, the last a check character."
    )
    address = serializers.CharField(max_length=300)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=32)
    contact_email = serializers.EmailField(required=False, default="", allow_blank=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), min_length=1, max_length=8
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SupplierAccountSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = SupplierUser
        fields = ["id", "supplier", "supplier_name", "username", "display_name", "created_at"]
        read_only_fields = fields


class SupplierAccountCreatedSerializer(SupplierAccountSerializer):
    password = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The password made up for the account, shown this once; null when you set it.",
    )

    class Meta(SupplierAccountSerializer.Meta):
        fields = [*SupplierAccountSerializer.Meta.fields, "password"]
        read_only_fields = fields


class SupplierAccountCreateSerializer(serializers.Serializer):
    supplier = object_id()
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    password = serializers.CharField(
        max_length=128,
        required=False,
        default=None,
        allow_null=True,
        write_only=True,
        help_text="Leave out to have one made up and shown once.",
    )


class QualificationSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    verified_by = person(allow_null=True)

    class Meta:
        model = Qualification
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "kind",
            "number",
            "issued_by",
            "valid_from",
            "expires_on",
            "created_at",
            "status",
            "verified_by",
            "verified_at",
            "rejection_reason",
        ]
        read_only_fields = fields


class QualificationCreateSerializer(serializers.Serializer):
    supplier = object_id(
        required=False,
        default=None,
        allow_null=True,
        help_text="The procurement officer names the supplier; a supplier account adds to its "
        "own company.",
    )
    kind = serializers.ChoiceField(choices=Qualification.Kind.choices)
    number = serializers.CharField(max_length=64)
    issued_by = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    valid_from = serializers.DateField()
    expires_on = serializers.DateField()


class SupplierEventSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    actor = person(allow_null=True)

    class Meta:
        model = SupplierEvent
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "kind",
            "automatic",
            "reason",
            "qualification",
            "expires_on",
            "notice_days",
            "actor",
            "occurred_at",
        ]
        read_only_fields = fields


class SupplierOrderLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    category = serializers.CharField()
    quantity = quantity_field()
    unit_price = money()
    amount = money()
    delivered_quantity = quantity_field()
    delivered_on_time = serializers.BooleanField(allow_null=True)
    last_delivery_on = serializers.DateField(allow_null=True)
    invoiced_amount = money()


class SupplierOrderSerializer(serializers.Serializer):
    """One school's order with a supplier, as the district's spend lines record it."""

    school_code = serializers.CharField(source="school__code")
    school_name = serializers.CharField(source="school__name")
    order_number = serializers.CharField()
    ordered_on = serializers.DateField()
    due_on = serializers.DateField()
    amount = money()
    last_delivery_on = serializers.DateField(allow_null=True)
    lines = SupplierOrderLineSerializer(many=True)


# Catalogue ---------------------------------------------------------------------------------------


class CatalogueItemSerializer(serializers.ModelSerializer):
    food = serializers.CharField(source="food.code", read_only=True, allow_null=True)

    class Meta:
        model = CatalogueItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "unit",
            "specification",
            "reference_price",
            "reference_date",
            "food",
            "grams_per_unit",
            "created_at",
        ]
        read_only_fields = fields


class CatalogueItemCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    unit = serializers.CharField(max_length=16)
    specification = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )
    reference_price = money(min_value=Decimal("0.01"))
    reference_date = serializers.DateField()
    food = serializers.CharField(
        max_length=32,
        required=False,
        default="",
        allow_blank=True,
        help_text="The food's code, for an item the canteen inspects on arrival.",
    )
    grams_per_unit = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=Decimal("0.1"),
        required=False,
        allow_null=True,
        help_text="Grams of the food one unit holds, where the unit is not a weight "
        "(kg, g and 斤 are known).",
    )


class CatalogueItemUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    unit = serializers.CharField(max_length=16, required=False)
    specification = serializers.CharField(max_length=300, required=False, allow_blank=True)
    reference_price = money(min_value=Decimal("0.01"), required=False)
    reference_date = serializers.DateField(required=False)
    food = serializers.CharField(max_length=32, required=False, allow_blank=True)
    grams_per_unit = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=Decimal("0.1"),
        required=False,
        allow_null=True,
        help_text="Grams of the food one unit holds, where the unit is not a weight "
        "(kg, g and 斤 are known).",
    )


class CatalogueImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A .csv (UTF-8 or GBK) or .xlsx, at most 5 MB, first row naming the columns: "
        "code/编码, name/名称, category/类别, unit/单位, specification/规格, "
        "reference_price/参考价, reference_date/参考价日期, food/食物编码, "
        "grams_per_unit/每单位克数."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every row and report, but save nothing."
    )


CatalogueImportReportSerializer = import_report_serializer("CatalogueImport")


# Contracts ---------------------------------------------------------------------------------------


class ContractPriceSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    reference_price = money(source="item.reference_price", read_only=True)

    class Meta:
        model = ContractPrice
        fields = ["item", "item_code", "item_name", "unit", "unit_price", "reference_price"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    prices = ContractPriceSerializer(many=True, read_only=True)

    class Meta:
        model = FrameworkContract
        fields = [
            "id",
            "number",
            "supplier",
            "supplier_name",
            "category",
            "valid_from",
            "valid_to",
            "status",
            "prices",
        ]
        read_only_fields = fields


# Ratings -----------------------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    rated_by = person(allow_null=True)

    class Meta:
        model = SupplierRating
        fields = [
            "id",
            "school",
            "supplier",
            "supplier_name",
            "month",
            "quality",
            "punctuality",
            "service",
            "score",
            "comment",
            "rated_by",
            "rated_at",
        ]
        read_only_fields = fields


class RatingCreateSerializer(serializers.Serializer):
    supplier = object_id()
    month = MonthField(help_text="The month, YYYY-MM (a day of it, YYYY-MM-DD, is read too).")
    quality = serializers.IntegerField(min_value=0, max_value=100)
    punctuality = serializers.IntegerField(min_value=0, max_value=100)
    service = serializers.IntegerField(min_value=0, max_value=100)
    comment = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


# District spend views ----------------------------------------------------------------------------


class SpendQuerySerializer(serializers.Serializer):
    month = serializers.CharField(required=False, allow_blank=True, max_length=20)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class SpendFiguresSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    lines = serializers.IntegerField()
    amount = money(help_text="Ordered: Σ quantity × unit price.")
    invoiced = money(help_text="Invoiced and matched.")
    reference_amount = money(help_text="Σ market reference price × quantity.")
    savings = money(help_text="Σ (market reference price − unit price) × quantity.")
    savings_pct = money(allow_null=True, help_text="Savings as a percentage of reference_amount.")
    outside_contract_lines = serializers.IntegerField()
    outside_contract_amount = money()
    on_time = serializers.IntegerField(help_text="Lines delivered in full by their due date.")
    late = serializers.IntegerField(
        help_text="Lines delivered in full after their due date, or still short past it."
    )
    on_time_rate = money(allow_null=True, help_text="on_time / (on_time + late), in per cent.")


class SpendGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The school's code, the category or the supplier's id.")
    name = serializers.CharField()
    figures = SpendFiguresSerializer()


class OutsideOrderSerializer(serializers.Serializer):
    school_code = serializers.CharField()
    school_name = serializers.CharField()
    order_number = serializers.CharField()
    supplier_name = serializers.CharField()
    ordered_on = serializers.DateField()
    lines = serializers.IntegerField()
    amount = money()
    reason = serializers.CharField()


class SpendSummarySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    generated_at = serializers.DateTimeField()
    totals = SpendFiguresSerializer()
    by_school = SpendGroupSerializer(many=True)
    by_category = SpendGroupSerializer(many=True)
    by_supplier = SpendGroupSerializer(many=True)
    outside_contract = OutsideOrderSerializer(many=True)
