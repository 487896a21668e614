from django.contrib import admin

from houqin.admin import ScopedModelAdmin, site
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    SchoolTerm,
    Serving,
)


# The canteen's records are written through the API's services (one rule each); here they are
# read. The calendar above all: its services refuse a change that would leave served meals on a
# day that is no longer a school day.
@admin.register(SchoolTerm, site=site)
class SchoolTermAdmin(ScopedModelAdmin):
    list_display = ["school_year", "name", "start_date", "end_date"]
    list_filter = ["school_year"]


@admin.register(CalendarDay, site=site)
class CalendarDayAdmin(ScopedModelAdmin):
    list_display = ["date", "kind", "name", "term"]
    list_filter = ["kind"]
    list_select_related = ["term"]
    date_hierarchy = "date"


@admin.register(Menu, site=site)
class MenuAdmin(ScopedModelAdmin):
    list_display = ["start_date", "end_date", "age_band", "origin", "plan_version", "status"]
    list_filter = ["status", "origin", "age_band"]


@admin.register(MealSession, site=site)
class MealSessionAdmin(ScopedModelAdmin):
    list_display = ["date", "meal", "ingredient_cost", "teachers_shared"]
    list_filter = ["meal", "teachers_shared"]
    date_hierarchy = "date"


@admin.register(Serving, site=site)
class ServingAdmin(ScopedModelAdmin):
    list_display = ["session", "student", "source", "recorded_at"]
    list_filter = ["source"]
    list_select_related = ["session", "student"]
    raw_id_fields = ["session", "student"]


@admin.register(AccompaniedMeal, site=site)
class AccompaniedMealAdmin(ScopedModelAdmin):
    list_display = ["session", "leader", "created_at"]
    list_select_related = ["session", "leader"]


@admin.register(FoodSample, site=site)
class FoodSampleAdmin(ScopedModelAdmin):
    list_display = ["session", "dish", "weight_g", "taken_at", "kept_until", "discarded_at"]
    list_select_related = ["session"]


@admin.register(InboundInspection, site=site)
class InboundInspectionAdmin(ScopedModelAdmin):
    list_display = ["received_on", "supplier_name", "batch", "accepted", "keep_until"]
    list_filter = ["accepted"]
    search_fields = ["supplier_name", "batch"]


@admin.register(ColdStorageReading, site=site)
class ColdStorageReadingAdmin(ScopedModelAdmin):
    list_display = ["unit", "unit_type", "temperature_c", "measured_at", "out_of_range"]
    list_filter = ["unit_type", "out_of_range"]


@admin.register(DailyClose, site=site)
class DailyCloseAdmin(ScopedModelAdmin):
    list_display = ["date", "counts", "closed_at"]
    date_hierarchy = "date"
