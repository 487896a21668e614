from django.contrib import admin

from houqin.admin import ScopedModelAdmin, site
from tenant_apps.orders.models import Delivery, Expenditure, Invoice, Order


# Orders, deliveries, invoices and payments change only through the services (API), which keep
# the quantities and the district's spend lines in step: the admin shows them.
@admin.register(Order, site=site)
class OrderAdmin(ScopedModelAdmin):
    list_display = ["id", "supplier", "contract", "ordered_on", "due_on", "status", "amount"]
    list_filter = ["status"]
    date_hierarchy = "ordered_on"
    list_select_related = ["supplier", "contract"]


@admin.register(Delivery, site=site)
class DeliveryAdmin(ScopedModelAdmin):
    list_display = ["id", "order", "received_on", "inspection", "received_by"]
    date_hierarchy = "received_on"
    raw_id_fields = ["order", "inspection"]


@admin.register(Invoice, site=site)
class InvoiceAdmin(ScopedModelAdmin):
    list_display = ["number", "supplier", "order", "issued_on", "amount"]
    search_fields = ["number"]
    list_select_related = ["supplier"]


@admin.register(Expenditure, site=site)
class ExpenditureAdmin(ScopedModelAdmin):
    list_display = ["invoice", "supplier", "spent_on", "amount", "status", "paid_on"]
    list_filter = ["status"]
    list_select_related = ["invoice", "supplier"]
