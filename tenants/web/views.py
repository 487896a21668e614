"""The district administrator's schools: the list, one school's page, suspending and reinstating
it with the reason, and lists of schools imported from a spreadsheet with their progress and
per-row report."""

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from houqin.imports import RowStatus
from houqin.permissions import has_perm, restrict
from houqin.roles import Role
from houqin.web.frame import address
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from tenants import school_imports, selectors, services
from tenants.filters import SchoolFilter
from tenants.models import School, SchoolImport
from tenants.routing import school_host
from tenants.web.forms import ReinstateForm, SchoolImportForm, SuspendForm

SECTION = gettext_lazy("Schools")
_IMPORT = "tenants.add_school"
SORTS = {
    "code": gettext_lazy("School code"),
    "name": gettext_lazy("Name"),
    "status": gettext_lazy("Status"),
    "created_at": gettext_lazy("Created"),
}
# What became of a row of a list, as the report says it.
ROW_STATUSES = {
    RowStatus.CREATED: gettext_lazy("created"),
    RowStatus.EXISTS: gettext_lazy("already there"),
    RowStatus.READY: gettext_lazy("checked"),
    RowStatus.ERROR: gettext_lazy("not created"),
}


def _school(request: HttpRequest, pk: int, action: str = "view") -> School:
    return get_object_or_404(restrict(selectors.school_list(), request.user, action), pk=pk)


class SchoolListPage(Page):
    permission = "tenants.view_school"
    title = gettext_lazy("Schools")
    nav = Nav(SECTION, gettext_lazy("Schools"), 10)
    template_name = "tenants/school_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        schools = restrict(selectors.school_list(), request.user, "view")
        found = listing(request, schools, SchoolFilter, sorts=SORTS, default_sort="code")
        return self.render_to_response(
            self.get_context_data(listing=found, may_import=has_perm(request.user, _IMPORT))
        )


class SchoolPage(Page):
    permission = "tenants.view_school"
    shows = School
    template_name = "tenants/school.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        school = _school(request, kwargs["pk"])
        may_change = has_perm(request.user, "tenants.change_school")
        context = self.get_context_data(
            school=school,
            title=school.name,
            host=school_host(school.code),
            address=address(request, school_host(school.code), "/"),
            suspend_form=SuspendForm() if may_change and school.is_active else None,
            reinstate_form=(
                ReinstateForm() if may_change and school.status == School.Status.SUSPENDED else None
            ),
        )
        return self.render_to_response(context)


class _StatusPage(FormPage):
    """Suspending or reinstating one school, with the reason: the form on the school's page
    posts here; shown again here with what was refused."""

    permission = "tenants.change_school"
    template_name = "tenants/school_status.html"
    # Said once the change is made (a name: %(school)s).
    done_message: ClassVar[Promise | str] = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        school = _school(self.request, self.kwargs["pk"], "change")
        return super().get_context_data(school=school, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        school = _school(self.request, self.kwargs["pk"], "change")
        done = run(form, lambda: self.change(school, form.cleaned_data["reason"]))
        if done is None:
            return None
        messages.success(self.request, self.done_message % {"school": school.name})
        return reverse("schools:school", kwargs={"pk": school.pk})

    def change(self, school: School, reason: str) -> School:
        raise NotImplementedError


class SchoolSuspendPage(_StatusPage):
    title = gettext_lazy("Suspend a school")
    form_class = SuspendForm
    done_message = gettext_lazy("%(school)s is suspended: its host no longer serves.")

    def change(self, school: School, reason: str) -> School:
        return services.school_suspend(school=school, reason=reason, actor=self.request.user)


class SchoolReinstatePage(_StatusPage):
    title = gettext_lazy("Reinstate a school")
    form_class = ReinstateForm
    done_message = gettext_lazy("%(school)s is reinstated: its host serves again.")

    def change(self, school: School, reason: str) -> School:
        return services.school_reactivate(school=school, reason=reason, actor=self.request.user)


class SchoolImportPage(FormPage):
    """Upload a list of schools; its import runs in the background (tenants.school_imports)."""

    permission = _IMPORT
    title = gettext_lazy("Import schools")
    nav = Nav(SECTION, gettext_lazy("Import schools"), 20)
    template_name = "tenants/school_import.html"
    form_class = SchoolImportForm

    def act(self, form: forms.Form) -> str | None:
        upload = form.cleaned_data["file"]
        started = run(
            form,
            lambda: school_imports.school_import_start(
                upload=upload, file_name=upload.name, actor=self.request.user
            ),
            field="file",
        )
        if started is None:
            return None
        return reverse("schools:import-detail", kwargs={"pk": started.pk})


class SchoolImportListPage(Page):
    permission = "tenants.view_schoolimport"
    title = gettext_lazy("Imported lists of schools")
    nav = Nav(SECTION, gettext_lazy("Imported lists"), 30)
    template_name = "tenants/school_import_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        imports = restrict(selectors.school_import_list(), request.user, "view")
        return self.render_to_response(self.get_context_data(imports=imports[:50]))


@method_decorator(never_cache, "dispatch")
class SchoolImportDetailPage(Page):
    """One import: its progress while the task runs (the page asks again every two seconds,
    htmx swapping the progress in), then what became of each row."""

    permission = "tenants.view_schoolimport"
    shows = SchoolImport
    title = gettext_lazy("Import of schools")
    template_name = "tenants/school_import_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        school_import = get_object_or_404(
            restrict(selectors.school_import_list(), request.user, "view"), pk=kwargs["pk"]
        )
        progress = selectors.school_import_progress(school_import)
        report = school_import.report or {}
        rows = [
            {**row, "label": ROW_STATUSES.get(RowStatus(row["status"]), row["status"])}
            for row in report.get("rows", [])
        ]
        context = self.get_context_data(
            school_import=school_import, progress=progress, report=report, rows=rows
        )
        if getattr(request, "htmx", False):
            return self.response_class(
                request,
                "tenants/includes/import_progress.html",
                context,
                using=self.template_engine,
            )
        return self.render_to_response(context)


def onboarding_panel(request: HttpRequest) -> Panel | None:
    """For the district administrator: lists of schools being imported, and schools still
    without their principal or logistics director."""
    if not has_perm(request.user, _IMPORT):
        return None
    lacking = [
        (Role.LOGISTICS_DIRECTOR, _("Schools without a logistics director")),
        (Role.PRINCIPAL, _("Schools without a principal")),
    ]
    schools = reverse("schools:list")
    return Panel(
        _("Schools onboarding"),
        [
            Waiting(
                _("Lists of schools being imported"),
                selectors.school_imports_under_way().count(),
                reverse("schools:imports"),
            ),
            *(
                Waiting(
                    label,
                    selectors.schools_lacking(role=role).count(),
                    f"{schools}?lacking={role.value}",
                    warn=True,
                )
                for role, label in lacking
            ),
        ],
    )
