from django.contrib import admin

from houqin.admin import ScopedModelAdmin, site
from tenant_apps.assets.models import Asset


# The register changes only through its services (API): registration, moves, disposals.
@admin.register(Asset, site=site)
class AssetAdmin(ScopedModelAdmin):
    list_display = ["number", "name", "category", "kind", "cost", "status", "custodian", "room"]
    list_filter = ["kind", "status", "category"]
    search_fields = ["number", "name"]
    list_select_related = ["custodian", "room__building"]
    raw_id_fields = ["order", "invoice", "room"]
