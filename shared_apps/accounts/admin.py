from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from houqin.admin import ReadOnlyModelAdmin, ScopedModelAdmin, site
from shared_apps.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    """Roles are granted and revoked through the service, by its rules (houqin.roles), never
    here."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = readonly_fields = ("role", "school", "granted_by", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User, site=site)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "email", "is_active", "date_joined"]
    list_filter = ["is_active"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["display_name", "email", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts are opened through the service, which records the school and who opened it.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Users are deactivated, never deleted: schools' rows (in schemas the admin cannot
        # see from here) and the trail keep pointing at them.
        return False


@admin.register(Membership, site=site)
class MembershipAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "role", "school", "created_at"]
    list_filter = ["role", "school"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "granted_by"]
