from django.contrib import admin

from houqin.admin import ScopedModelAdmin, site
from tenants.models import Domain, School


@admin.register(School, site=site)
class SchoolAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "kind", "boarding", "status"]
    list_filter = ["status", "kind", "boarding"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "schema_name", "created_at", "checked_at", "check_problems"]
    fields = [
        "code",
        "schema_name",
        "name",
        "kind",
        "boarding",
        "address",
        "status",
        "status_reason",
        "created_at",
        "checked_at",
        "check_problems",
    ]

    def has_add_permission(self, request: object) -> bool:
        # A school is created through the API (or the bulk import), which provisions its schema.
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Domain, site=site)
class DomainAdmin(ScopedModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain"]
