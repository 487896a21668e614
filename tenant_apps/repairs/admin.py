from django.contrib import admin

from houqin.admin import ScopedModelAdmin, site
from tenant_apps.repairs.models import RepairRequest


# Requests change only through the desk's services (API), which keep the timers and events in
# step: the admin shows them.
@admin.register(RepairRequest, site=site)
class RepairRequestAdmin(ScopedModelAdmin):
    list_display = ["id", "category", "room", "urgency", "status", "team", "finish_due"]
    list_filter = ["status", "urgency", "kind"]
    date_hierarchy = "submitted_at"
    list_select_related = ["room__building", "team"]
    raw_id_fields = ["room", "asset", "plan", "inspection"]
