from django.contrib import admin
from django.http import HttpRequest

from houqin.admin import ReadOnlyInline, ScopedModelAdmin, ServiceCall, site
from shared_apps.accounts import services
from shared_apps.accounts.models import Membership, User


class MembershipInline(ReadOnlyInline):
    """Roles are granted and revoked through the service, by its rules (houqin.roles), never
    here."""

    model = Membership
    fk_name = "user"
    fields = readonly_fields = ("role", "school", "granted_by", "created_at")


@admin.register(User, site=site)
class UserAdmin(ScopedModelAdmin):
    """Accounts are opened through the service, which records the school and who opened it, and
    are deactivated, never deleted: schools' rows (in schemas the admin cannot see from here)
    and the trail keep pointing at them. Here a profile is corrected and an account
    deactivated or reactivated, through the service."""

    list_display = ["username", "display_name", "email", "is_active", "date_joined"]
    list_filter = ["is_active"]
    search_fields = ["username", "display_name", "email"]
    ordering = ["username"]
    fields = ["username", "display_name", "email", "is_active", "last_login", "date_joined"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    change_through = ServiceCall(
        services.user_update, fields=("display_name", "email", "is_active"), row="user"
    )

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # No change list filters by the password's hash, a guess at a time.
        return not lookup.startswith("password") and super().lookup_allowed(lookup, value, request)


@admin.register(Membership, site=site)
class MembershipAdmin(ScopedModelAdmin):
    list_display = ["user", "role", "school", "created_at"]
    list_filter = ["role", "school"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "granted_by"]
