from django.contrib import admin

from houqin.admin import ReadOnlyInline, ScopedModelAdmin, ServiceCall, site
from shared_apps.subsidies import services
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    Programme,
)


@admin.register(Programme, site=site)
class ProgrammeAdmin(ScopedModelAdmin):
    """Programmes are set up and changed through the services (a new rate applies to claims
    computed from then on); never deleted: budgets and claims keep pointing at them."""

    list_display = ["code", "name", "daily_rate", "carry_over", "active"]
    list_filter = ["active", "carry_over"]
    search_fields = ["code", "name"]
    add_through = ServiceCall(
        services.programme_create, fields=("code", "name", "daily_rate", "carry_over", "active")
    )
    change_through = ServiceCall(
        services.programme_update,
        fields=("name", "daily_rate", "carry_over", "active"),
        row="programme",
    )


# Money moves only through the services (API): the admin shows budgets, claims and payments.
@admin.register(Budget, site=site)
class BudgetAdmin(ScopedModelAdmin):
    list_display = [
        "school",
        "programme",
        "budget_year",
        "period_start",
        "period_end",
        "allocated",
        "supplemented",
        "carried_in",
        "carried_out",
        "committed",
    ]
    list_filter = ["programme", "budget_year"]
    search_fields = ["school__code", "school__name"]


@admin.register(BudgetSupplement, site=site)
class BudgetSupplementAdmin(ScopedModelAdmin):
    list_display = ["budget", "amount", "reason", "status", "added_by", "approved_by"]
    list_select_related = ["budget", "added_by", "approved_by"]
    search_fields = ["budget__school__code", "reason"]


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = readonly_fields = ("kind", "actor", "occurred_at", "amount", "note")


@admin.register(Claim, site=site)
class ClaimAdmin(ScopedModelAdmin):
    list_display = ["school", "programme", "month", "status", "student_days", "amount", "disbursed"]
    list_filter = ["status", "programme"]
    search_fields = ["school__code", "school__name"]
    inlines = [ClaimEventInline]


@admin.register(Disbursement, site=site)
class DisbursementAdmin(ScopedModelAdmin):
    list_display = ["claim", "amount", "paid_on", "reference", "recorded_by"]
    search_fields = ["reference"]
