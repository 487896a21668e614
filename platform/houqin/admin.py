"""The tenant-aware admin: on the district host it shows the district's apps, on a school host
that school's apps, and each user sees only what their roles allow.

The admin writes nothing by itself. A model admin reads its model; one that writes names the
services it writes through (`add_through`, `change_through`, `delete_through`, and
`ServiceAction`s on the change list), with the user as their actor, so the admin is held to the
rules the API is held to, and a service's refusal is shown on the form, as the API would answer
it. Inlines are read-only, bulk deletion is off, and a model admin cannot override the hooks that
save or delete."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from typing_extensions import override

from houqin.db import tenant_db
from houqin.exceptions import ServiceError
from houqin.permissions import permission_name, restrict, roles_of
from houqin.secret_fields import secret_fields_of, touches_secret
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


@dataclass
class ServiceCall:
    """How an admin form reaches the service that writes its model: the form fields the service
    takes (by the service's keyword names), the keyword naming the row it acts on (to change or
    delete one), and keywords every call passes as they are; the signed-in user is the actor."""

    service: Callable[..., Any]
    fields: tuple[str, ...] = ()
    row: str = ""
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, request: HttpRequest, *, row: Any = None, values: Mapping[str, Any]) -> Any:
        arguments = {**self.fixed, **values, "actor": request.user}
        if self.row:
            arguments[self.row] = row
        return self.service(**arguments)


@dataclass
class ServiceAction:
    """A change-list action that calls `service` for each selected row (under the keyword
    `row`), as the user, for those whose roles hold the model's `permission`; with the reason
    typed beside the action when `reason` (the admin's `action_form` is then `ReasonActionForm`).
    A refusal is reported for its row; the other rows go on."""

    service: Callable[..., Any]
    description: Promise
    row: str
    permission: str = "change"
    reason: bool = False

    def __post_init__(self) -> None:
        # What Django's admin reads off an action.
        self.__name__ = self.service.__name__
        self.short_description = self.description

    def __call__(self, model_admin: Any, request: HttpRequest, queryset: Any) -> None:
        extra = {"reason": request.POST.get("reason", "")} if self.reason else {}
        done = 0
        for obj in queryset:
            try:
                self.service(**{self.row: obj}, actor=request.user, **extra)
            except ServiceError as refusal:
                model_admin.message_user(request, f"{obj}: {refusal.message}", messages.ERROR)
            else:
                done += 1
        if done:
            model_admin.message_user(
                request,
                ngettext("%(count)d row done.", "%(count)d rows done.", done) % {"count": done},
                messages.SUCCESS,
            )


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class _Refused(Exception):
    """A service said no: raised out of the admin's transaction, so that nothing it did stays."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(error.message)
        self.error = error


_REFUSAL = "_houqin_admin_refusal"


def _messages(value: Any) -> list[str] | None:
    """A service's messages for one field, when they are plain messages."""
    if isinstance(value, str | Promise):
        return [str(value)]
    if isinstance(value, list | tuple) and all(isinstance(v, str | Promise) for v in value):
        return [str(v) for v in value]
    return None


def _showing(form_class: type[forms.BaseForm], refusal: ServiceError) -> type[forms.BaseForm]:
    """`form_class`, answering the same data with the service's refusal as its errors."""

    class Refused(form_class):  # type: ignore[valid-type,misc]
        def clean(self) -> Any:
            cleaned = super().clean()
            self.add_error(None, refusal.message)
            fields = refusal.fields if isinstance(refusal.fields, dict) else {}
            for name, value in fields.items():
                said = _messages(value)
                if name in self.fields and said:
                    self.add_error(name, said)
            return cleaned

    return Refused


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on their parent's page; they change through the parent's services."""

    extra = 0
    can_delete = False

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The hooks through which Django's admin saves and deletes, and the views that reach them: only
# this class defines them, so that every write goes through the declared services.
_WRITE_HOOKS = (
    "save_model",
    "save_form",
    "save_related",
    "save_formset",
    "delete_model",
    "delete_queryset",
    "changeform_view",
    "add_view",
    "change_view",
    "delete_view",
    "response_action",
    "get_urls",
)


class ScopedModelAdmin(admin.ModelAdmin):
    """A model admin that answers only on hosts whose schema stores the model, lists only the
    rows the user's roles let them see, and writes only through the services it names."""

    add_through: ClassVar[ServiceCall | None] = None
    change_through: ClassVar[ServiceCall | None] = None
    delete_through: ClassVar[ServiceCall | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        base = ScopedModelAdmin
        overridden = [h for h in _WRITE_HOOKS if getattr(cls, h) is not getattr(base, h)]
        if overridden:
            raise TypeError(f"{cls.__name__} would write around its services: {overridden}")
        if cls.list_editable:
            raise TypeError(f"{cls.__name__}: a change list saves rows around the services")
        editable = [i for i in cls.inlines if not issubclass(i, ReadOnlyInline)]
        if editable:
            raise TypeError(f"{cls.__name__}: inlines save rows around the services: {editable}")

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

    def may(self, request: HttpRequest, action: str) -> bool:
        """Whether the user's roles here hold `action` on the whole model."""
        return stored_here(self.model) and request.user.has_perm(
            permission_name(self.model, action)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return stored_here(self.model) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return stored_here(self.model) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.add_through is not None and self.may(request, "add")

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.change_through is not None and self.may(request, "change")

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.delete_through is not None and self.may(request, "delete")

    def get_actions(self, request: HttpRequest) -> Any:
        actions: dict[str, Any] = super().get_actions(request)
        return {
            name: entry
            for name, entry in actions.items()
            if not isinstance(entry[0], ServiceAction) or self.may(request, entry[0].permission)
        }

    # The forms: what the service takes, and nothing else.

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None and self.add_through is not None:
            return list(self.add_through.fields)
        return super().get_fields(request, obj)

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        writable = set(self.change_through.fields if self.change_through else ())
        columns = self.model._meta.get_fields()
        shown = [
            *(f.name for f in columns if f.concrete and getattr(f, "editable", False)),
            *self.readonly_fields,
        ]
        hidden = secret_fields_of(self.model)
        return [name for name in dict.fromkeys(shown) if name not in writable | hidden]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        return form if refusal is None else _showing(form, refusal)

    # Saving and deleting: through the services only.

    def _write(self, call: ServiceCall | None, request: HttpRequest, **arguments: Any) -> Any:
        if call is None:
            raise PermissionDenied  # no service writes this: nor does the admin
        try:
            return call(request, **arguments)
        except ServiceError as error:
            raise _Refused(error) from error

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # The transaction is rolled back: the same form again, with the service's answer.
            setattr(request, _REFUSAL, refused.error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            values = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if self.change_through is not None and name in self.change_through.fields
            }
            if not values:
                return
            stored = scoped_here(self.model._default_manager.all()).get(pk=obj.pk)
            self._write(self.change_through, request, row=stored, values=values)
        else:
            call = self.add_through
            fields = call.fields if call is not None else ()
            values = {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
            obj.pk = self._write(call, request, values=values).pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing: inlines are read-only, and what a service takes it saves itself."""

    @override
    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        return super().construct_change_message(request, form, [], add)  # inlines saved nothing

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except _Refused as refused:
            self.message_user(request, refused.error.message, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(object_id)],
                    current_app=self.admin_site.name,
                )
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._write(self.delete_through, request, row=obj, values={})

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

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


site = HouqinAdminSite(name="admin")
# Deleting a selection deletes its rows in bulk, around the services.
site.disable_action("delete_selected")
