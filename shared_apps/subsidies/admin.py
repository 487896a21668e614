from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from houqin.admin import ReadOnlyModelAdmin, ScopedModelAdmin, site
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
    list_display = ["code", "name", "daily_rate", "carry_over", "active"]
    list_filter = ["active", "carry_over"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Money moves only through the services (API): the admin shows budgets, claims and payments.
@admin.register(Budget, site=site)
class BudgetAdmin(ReadOnlyModelAdmin):
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
class BudgetSupplementAdmin(ReadOnlyModelAdmin):
    list_display = ["budget", "amount", "reason", "status", "added_by", "approved_by"]
    list_select_related = ["budget", "added_by", "approved_by"]
    search_fields = ["budget__school__code", "reason"]


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ["kind", "actor", "occurred_at", "amount", "note"]
    readonly_fields = ["kind", "actor", "occurred_at", "amount", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Claim, site=site)
class ClaimAdmin(ReadOnlyModelAdmin):
    list_display = ["school", "programme", "month", "status", "student_days", "amount", "disbursed"]
    list_filter = ["status", "programme"]
    search_fields = ["school__code", "school__name"]
    inlines = [ClaimEventInline]


@admin.register(Disbursement, site=site)
class DisbursementAdmin(ReadOnlyModelAdmin):
    list_display = ["claim", "amount", "paid_on", "reference", "recorded_by"]
    search_fields = ["reference"]
