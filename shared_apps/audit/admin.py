from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from houqin.admin import ScopedModelAdmin, ServiceCall, site
from houqin.permissions import restrict
from shared_apps.audit import selectors, services
from shared_apps.audit.models import Change, Finding, SecurityEvent


@admin.register(Change, site=site)
class ChangeAdmin(ScopedModelAdmin):
    list_display = ["occurred_at", "schema_name", "table_name", "operation", "row_id", "actor_id"]
    list_filter = ["operation", "schema_name", "table_name"]
    search_fields = ["request_id", "row_id"]

    def get_queryset(self, request: HttpRequest) -> Any:
        # The trail as the API reads it, sealed rows left out: the list, its filters' choices,
        # its search and each row's page all start here.
        return restrict(selectors.change_list(), request.user, "view")


@admin.register(SecurityEvent, site=site)
class SecurityEventAdmin(ScopedModelAdmin):
    list_display = ["occurred_at", "kind", "username", "schema_name", "ip"]
    list_filter = ["kind"]
    search_fields = ["username", "request_id"]


@admin.register(Finding, site=site)
class FindingAdmin(ScopedModelAdmin):
    """Auditors record findings and follow their rectification, through the services."""

    list_display = ["title", "school", "severity", "status", "rectify_by", "created_at"]
    list_filter = ["status", "severity"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    add_through = ServiceCall(
        services.finding_create, fields=("school", "title", "body", "severity", "rectify_by")
    )
    change_through = ServiceCall(
        services.finding_update,
        fields=("title", "body", "severity", "status", "rectify_by"),
        row="finding",
    )
