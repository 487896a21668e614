from decimal import Decimal

from rest_framework import serializers

from houqin.api.fields import money, object_id, person, quantity_field
from shared_apps.procurement.models import Category
from tenant_apps.orders.models import (
    Delivery,
    DeliveryLine,
    Expenditure,
    Invoice,
    InvoiceLine,
    InvoiceNote,
    InvoiceNoteLine,
    Order,
    OrderLine,
)


class OrderLineSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True, allow_null=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "item",
            "item_code",
            "description",
            "category",
            "unit",
            "quantity",
            "unit_price",
            "amount",
            "reference_price",
            "delivered_quantity",
            "invoiced_quantity",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    contract_number = serializers.CharField(
        source="contract.number", read_only=True, allow_null=True
    )
    outside_contract = serializers.SerializerMethodField()
    placed_by = person(allow_null=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "supplier",
            "supplier_name",
            "contract",
            "contract_number",
            "outside_contract",
            "outside_contract_reason",
            "ordered_on",
            "due_on",
            "status",
            "amount",
            "note",
            "placed_by",
            "placed_at",
            "cancelled_at",
            "cancel_reason",
            "lines",
        ]
        read_only_fields = fields

    def get_outside_contract(self, order: Order) -> bool:
        return order.contract_id is None


class OrderLineInputSerializer(serializers.Serializer):
    item = object_id(
        required=False, allow_null=True, default=None, help_text="A catalogue item's id."
    )
    quantity = quantity_field(min_value=Decimal("0.001"))
    unit_price = money(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Under a contract: optional, and refused unless it is the contract's price.",
    )
    description = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, default="", allow_blank=True
    )
    unit = serializers.CharField(max_length=16, required=False, default="", allow_blank=True)


class OrderCreateSerializer(serializers.Serializer):
    contract = object_id(required=False, allow_null=True, default=None)
    supplier = object_id(
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for an order outside any contract.",
    )
    due_on = serializers.DateField()
    outside_contract_reason = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True
    )
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    lines = OrderLineInputSerializer(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, max_length=200
    )


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DeliveryLineSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="line.description", read_only=True)
    accepted_quantity = quantity_field(read_only=True)

    class Meta:
        model = DeliveryLine
        fields = [
            "id",
            "line",
            "description",
            "quantity",
            "rejected_quantity",
            "accepted_quantity",
            "rejection_reason",
        ]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    received_by = person(allow_null=True)
    lines = DeliveryLineSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "order",
            "received_on",
            "inspection",
            "note",
            "received_by",
            "recorded_at",
            "lines",
        ]
        read_only_fields = fields


class DeliveryLineInputSerializer(serializers.Serializer):
    line = object_id(help_text="The order line's id.")
    quantity = quantity_field(min_value=Decimal("0.001"), help_text="The quantity received.")
    rejected = quantity_field(
        min_value=Decimal("0"),
        required=False,
        default=Decimal("0"),
        help_text="The part rejected and returned to the supplier.",
    )
    rejection_reason = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True
    )


class DeliveryCreateSerializer(serializers.Serializer):
    received_on = serializers.DateField(required=False, default=None, allow_null=True)
    lines = DeliveryLineInputSerializer(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, max_length=200
    )
    batch = serializers.CharField(
        max_length=100,
        required=False,
        default="",
        allow_blank=True,
        help_text="For food: the batch, recorded in the canteen's inbound inspection.",
    )
    certificates = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=20,
        required=False,
        default=list,
        help_text="For food: the certificates seen (营业执照, 检验检疫合格证明, ...).",
    )
    shelf_life_until = serializers.DateField(required=False, default=None, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class InvoiceLineSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="line.description", read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["id", "line", "description", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class ExpenditureSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    order = serializers.IntegerField(source="invoice.order_id", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    paid_by = person(allow_null=True)

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "order",
            "supplier",
            "supplier_name",
            "spent_on",
            "amount",
            "status",
            "paid_on",
            "payment_reference",
            "paid_by",
            "paid_at",
        ]
        read_only_fields = fields


class InvoiceNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceNoteLine
        fields = ["id", "invoice_line", "returned_quantity", "unit_price", "amount"]
        read_only_fields = fields


class InvoiceNoteSerializer(serializers.ModelSerializer):
    lines = InvoiceNoteLineSerializer(many=True, read_only=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    recorded_by = person(allow_null=True)
    settled_by = person(allow_null=True)

    class Meta:
        model = InvoiceNote
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "number",
            "kind",
            "issued_on",
            "reason",
            "amount",
            "status",
            "settled_on",
            "settlement_reference",
            "settled_by",
            "recorded_by",
            "recorded_at",
            "lines",
        ]
        read_only_fields = fields


class InvoiceNoteLineInputSerializer(serializers.Serializer):
    invoice_line = object_id(help_text="The invoice line's id.")
    returned = quantity_field(
        min_value=Decimal("0"), required=False, default=Decimal("0"), help_text="Returned since."
    )
    unit_price = money(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="The unit price from now on (omitted: unchanged).",
    )


class InvoiceNoteCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    issued_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    lines = InvoiceNoteLineInputSerializer(  # type: ignore[call-arg]  # ListSerializer takes it
        many=True, max_length=200
    )


class InvoiceNoteSettleSerializer(serializers.Serializer):
    settled_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    expenditure = ExpenditureSerializer(read_only=True)
    notes = InvoiceNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "order",
            "supplier",
            "number",
            "issued_on",
            "amount",
            "recorded_at",
            "lines",
            "expenditure",
            "notes",
        ]
        read_only_fields = fields


class InvoiceLineInputSerializer(serializers.Serializer):
    line = object_id(help_text="The order line's id.")
    quantity = quantity_field(min_value=Decimal("0.001"))
    unit_price = money(min_value=Decimal("0.01"))


class InvoiceCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    issued_on = serializers.DateField()
    lines = InvoiceLineInputSerializer(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, max_length=200
    )
    amount = money(
        min_value=Decimal("0.01"),
        required=False,
        default=None,
        allow_null=True,
        help_text="The invoice's total, when it states one: it must be the sum of the lines.",
    )


class ExpenditurePaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)
