from django.contrib import admin

from houqin.admin import ReadOnlyInline, ScopedModelAdmin, site
from shared_apps.procurement.models import (
    CatalogueItem,
    ContractPrice,
    FrameworkContract,
    Qualification,
    SpendLine,
    Supplier,
    SupplierEvent,
    SupplierRating,
)

# Suppliers, their standing, the catalogue, contracts, ratings and spend lines change only
# through the services (API), which validate them and keep their events: the admin shows them.


@admin.register(Supplier, site=site)
class SupplierAdmin(ScopedModelAdmin):
    list_display = ["name", "credit_code", "status", "contact_name", "contact_phone"]
    list_filter = ["status"]
    search_fields = ["name", "credit_code"]


@admin.register(Qualification, site=site)
class QualificationAdmin(ScopedModelAdmin):
    list_display = ["supplier", "kind", "number", "valid_from", "expires_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "supplier__name"]
    list_select_related = ["supplier"]


@admin.register(SupplierEvent, site=site)
class SupplierEventAdmin(ScopedModelAdmin):
    list_display = ["supplier", "kind", "automatic", "occurred_at", "actor"]
    list_filter = ["kind", "automatic"]
    list_select_related = ["supplier", "actor"]


@admin.register(CatalogueItem, site=site)
class CatalogueItemAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "category", "unit", "reference_price", "reference_date"]
    list_filter = ["category"]
    search_fields = ["code", "name"]


class ContractPriceInline(ReadOnlyInline):
    model = ContractPrice
    fields = readonly_fields = ("item", "unit_price")


@admin.register(FrameworkContract, site=site)
class FrameworkContractAdmin(ScopedModelAdmin):
    list_display = ["number", "supplier", "category", "valid_from", "valid_to", "status"]
    list_filter = ["status", "category"]
    search_fields = ["number", "supplier__name"]
    list_select_related = ["supplier"]
    inlines = [ContractPriceInline]


@admin.register(SupplierRating, site=site)
class SupplierRatingAdmin(ScopedModelAdmin):
    list_display = ["month", "school", "supplier", "score", "quality", "punctuality", "service"]
    list_select_related = ["school", "supplier"]


@admin.register(SpendLine, site=site)
class SpendLineAdmin(ScopedModelAdmin):
    list_display = [
        "ordered_on",
        "school",
        "order_number",
        "supplier",
        "description",
        "amount",
        "delivered_on_time",
    ]
    list_filter = ["category"]
    date_hierarchy = "ordered_on"
    list_select_related = ["school", "supplier"]
