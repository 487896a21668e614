from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from houqin.admin import ReasonActionForm, ScopedModelAdmin, ServiceAction, site
from tenants import services
from tenants.models import Domain, School


@admin.register(School, site=site)
class SchoolAdmin(ScopedModelAdmin):
    """A school is created through the API (or the bulk import), which provisions its schema;
    here the district administrator suspends, reactivates and archives schools, through the
    services that keep the routing in step (an archived school stays archived)."""

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
    action_form = ReasonActionForm
    actions = [
        ServiceAction(
            services.school_suspend,
            _("Suspend the selected schools (give the reason)"),
            row="school",
            reason=True,
        ),
        ServiceAction(
            services.school_reactivate,
            _("Reactivate the selected schools (say why)"),
            row="school",
            reason=True,
        ),
        ServiceAction(
            services.school_archive,
            _("Archive the selected schools"),
            row="school",
            reason=True,
        ),
    ]


@admin.register(Domain, site=site)
class DomainAdmin(ScopedModelAdmin):
    """A school's domain is made with the school; routing caches it."""

    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain"]
