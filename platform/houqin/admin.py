"""The tenant-aware admin: on the district host it shows the district's apps, on a school host
that school's apps, and each user sees only what their roles allow."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from houqin.db import tenant_db
from houqin.permissions import restrict, roles_of
from houqin.secret_fields import touches_secret
from houqin.tenancy import school_paths, scoped_here


def stored_here(model: type[models.Model]) -> bool:
    """Whether `model`'s table lives in the schema this request is using."""
    app = model._meta.app_config.name
    if tenant_db().schema_name == "public":
        return app in settings.SHARED_APPS
    return app in settings.TENANT_APPS


def stored_in_schools(model: type[models.Model]) -> bool:
    """Whether `model`'s table lives in every school's schema (not in the district's)."""
    return model._meta.app_config.name in settings.TENANT_APPS


class RoleAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("Unable to sign in here with these credentials."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active or not roles_of(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class HouqinAdminSite(admin.AdminSite):
    site_header = _("District logistics centre")
    site_title = _("Houqin")
    index_title = _("Administration")
    login_form = RoleAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and roles_of(user))

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> Any:
        app_list = super().get_app_list(request, app_label)
        for entry in app_list:
            entry["models"] = [m for m in entry["models"] if stored_here(m["model"])]
        return [entry for entry in app_list if entry["models"]]


class ScopedModelAdmin(admin.ModelAdmin):
    """A model admin that answers only on hosts whose schema stores the model, and lists only the
    rows the user's roles let them see."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return restrict(super().get_queryset(request), request.user, "view")

    # Rows that belong to schools (houqin.tenancy) are read here as everywhere: an inline's rows
    # and a form's choices of them are this host's.
    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        kwargs["queryset"] = scoped_here(kwargs["queryset"])
        return kwargs

    def get_field_queryset(self, db: Any, db_field: Any, request: HttpRequest) -> Any:
        queryset = super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        if not school_paths(related):
            return queryset
        if queryset is None:
            queryset = related._default_manager.using(db)
        return scoped_here(queryset)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # A change list filters by any column of its own named in the URL; never by a secret
        # (houqin.secret_fields): the answer would say whether a guessed number is a student's.
        return not touches_secret(self.model, lookup) and super().lookup_allowed(
            lookup, value, request
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return stored_here(self.model) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return stored_here(self.model) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return stored_here(self.model) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return stored_here(self.model) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return stored_here(self.model) and super().has_delete_permission(request, obj)

    # The admin's own log (django_admin_log) lives in the public schema and names a row by content
    # type and id only, with no school: an entry for school B's feedback #7 would show in the
    # history of school A's feedback #7 (and in "recent actions" on any host). School rows are not
    # logged there; the audit trail records every write with its schema, actor and request id.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if stored_in_schools(self.model):
            return None
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if stored_in_schools(self.model):
            return None
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        if stored_in_schools(self.model):
            return None
        return super().log_deletions(request, queryset)


class ReadOnlyModelAdmin(ScopedModelAdmin):
    """For records nobody edits by hand (the audit trail)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


site = HouqinAdminSite(name="admin")
