import django_filters

from tenant_apps.orders.models import Delivery, Expenditure, Invoice, InvoiceNote, Order


class OrderFilter(django_filters.FilterSet):
    ordered_from = django_filters.DateFilter(field_name="ordered_on", lookup_expr="gte")
    ordered_to = django_filters.DateFilter(field_name="ordered_on", lookup_expr="lte")
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    outside_contract = django_filters.BooleanFilter(
        field_name="contract", lookup_expr="isnull", label="Placed outside any contract"
    )

    class Meta:
        model = Order
        fields = ["status", "supplier", "contract"]


class DeliveryFilter(django_filters.FilterSet):
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Delivery
        fields = ["order"]


class InvoiceFilter(django_filters.FilterSet):
    issued_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["order", "supplier", "number"]


class ExpenditureFilter(django_filters.FilterSet):
    spent_from = django_filters.DateFilter(field_name="spent_on", lookup_expr="gte")
    spent_to = django_filters.DateFilter(field_name="spent_on", lookup_expr="lte")

    class Meta:
        model = Expenditure
        fields = ["status", "supplier"]


class InvoiceNoteFilter(django_filters.FilterSet):
    issued_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = InvoiceNote
        fields = ["invoice", "kind", "status"]
