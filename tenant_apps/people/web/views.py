"""The school's people register: students and staff, with the API's filters; the register
imported from a spreadsheet with a report per row; national ID numbers masked everywhere, read
unmasked one student at a time by those allowed, each read recorded."""

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from houqin.imports import ImportReport, RowStatus
from houqin.permissions import current_school_id, has_perm, restrict
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts import selectors as accounts
from shared_apps.accounts.actors import signed_in
from tenant_apps.people import register, selectors
from tenant_apps.people.filters import StaffMemberFilter, StudentFilter
from tenant_apps.people.models import ClassTeacher, Student, school_year_of
from tenant_apps.people.services.classes import class_teacher_assign, class_teacher_remove
from tenant_apps.people.services.importing import students_import
from tenant_apps.people.services.students import UNMASK_PERMISSION, student_national_id_reveal
from tenant_apps.people.web.forms import (
    ClassTeacherAssignForm,
    ConfirmForm,
    RevealForm,
    StudentImportForm,
)

SECTION = gettext_lazy("People")
STUDENT_SORTS = {
    "student_number": gettext_lazy("Student number"),
    "name": gettext_lazy("Full name"),
    "grade": gettext_lazy("Grade"),
    "class_name": gettext_lazy("Class"),
}
STAFF_SORTS = {
    "name": gettext_lazy("Full name"),
    "position": gettext_lazy("Position"),
    "hired_on": gettext_lazy("Hired on"),
}
# What became of a row of the register, as the report says it.
ROW_STATUSES = {
    RowStatus.CREATED: gettext_lazy("added"),
    RowStatus.UPDATED: gettext_lazy("updated"),
    RowStatus.UNCHANGED: gettext_lazy("unchanged"),
    RowStatus.READY: gettext_lazy("checked"),
    RowStatus.ERROR: gettext_lazy("has problems"),
}


def _students(request: HttpRequest, action: str = "view") -> QuerySet[Student]:
    return restrict(selectors.student_list(), request.user, action)


class StudentListPage(Page):
    permission = "people.view_student"
    title = gettext_lazy("Students")
    nav = Nav(SECTION, gettext_lazy("Students"), 10)
    template_name = "people/student_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request, _students(request), StudentFilter, sorts=STUDENT_SORTS, default_sort="grade"
        )
        export = f"{reverse('student-export')}?format=xlsx"
        context = self.get_context_data(
            listing=found,
            export=f"{export}&{found.query}" if found.query else export,
            may_import=has_perm(request.user, "people.import_student"),
        )
        return self.render_to_response(context)


class StudentPage(Page):
    """One student, the national ID number masked; those who may read it unmasked ask for it
    here (the read is recorded)."""

    permission = "people.view_student"
    shows = Student
    template_name = "people/student.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        student = get_object_or_404(_students(request), pk=kwargs["pk"])
        context = self.get_context_data(
            student=student,
            title=student.name,
            eligibility=selectors.subsidy_eligibility_list().filter(student=student),
            may_unmask=has_perm(request.user, UNMASK_PERMISSION)
            and student.national_id_ciphertext is not None,
        )
        return self.render_to_response(context)


@method_decorator(never_cache, "dispatch")
class StudentNationalIdPage(FormPage):
    """Read one student's national ID number unmasked: asked first, then shown once, the read
    recorded as a security event with who, when and which student. From the student's page the
    number replaces the masked one in place (htmx)."""

    permission = UNMASK_PERMISSION
    title = gettext_lazy("National ID number")
    template_name = "people/student_national_id.html"
    form_class = RevealForm

    def student(self) -> Student:
        return get_object_or_404(_students(self.request, "unmask"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(student=self.student(), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        student = self.student()
        number = student_national_id_reveal(
            student=student, actor=signed_in(request), request=request
        )
        context = self.get_context_data(form=RevealForm(), number=number or "—", revealed=True)
        template = (
            "people/includes/national_id.html"
            if getattr(request, "htmx", False)
            else self.template_name
        )
        response = self.response_class(request, template, context, using=self.template_engine)
        response["Cache-Control"] = "no-store"
        return response


class StudentImportPage(FormPage):
    """Import the register: every row checked, all saved or none, and a report per row."""

    permission = "people.import_student"
    title = gettext_lazy("Import the student register")
    nav = Nav(SECTION, gettext_lazy("Import the register"), 20)
    template_name = "people/student_import.html"
    form_class = StudentImportForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form(request.POST, request.FILES)
        report: ImportReport | None = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = run(
                form,
                lambda: students_import(
                    rows=register.read_student_rows(upload, upload.name),
                    actor=signed_in(request),
                    dry_run=form.cleaned_data["dry_run"],
                    request=request,
                ),
                field="file",
            )
        rows = [
            {"result": result, "label": ROW_STATUSES.get(result.status, result.status)}
            for result in (report.rows if report else [])
        ]
        failed = report is None or bool(report.errors)
        context = self.get_context_data(form=form, report=report, rows=rows)
        return self.render_to_response(context, status=400 if failed else 200)


class StaffListPage(Page):
    permission = "people.view_staffmember"
    title = gettext_lazy("Logistics staff")
    nav = Nav(SECTION, gettext_lazy("Staff"), 30)
    template_name = "people/staff_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = restrict(selectors.staff_member_list(), request.user, "view")
        found = listing(request, staff, StaffMemberFilter, sorts=STAFF_SORTS, default_sort="name")
        return self.render_to_response(self.get_context_data(listing=found))


class ClassTeachersPage(Page):
    """Who is the class teacher (班主任) of which class this school year; the logistics director
    names and ends them (the API's rules: the same services)."""

    permission = "people.view_classteacher"
    title = gettext_lazy("Class teachers")
    nav = Nav(SECTION, gettext_lazy("Class teachers"), 40)
    template_name = "people/class_teachers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = school_year_of(timezone.localdate())
        taught = restrict(selectors.class_teacher_list(), self.request.user, "view")
        return super().get_context_data(
            school_year=year,
            class_teachers=taught.filter(school_year=year).order_by("grade", "class_name"),
            **kwargs,
        )


class _ClassTeacherForm(FormPage):
    template_name = "people/class_teacher_form.html"

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


class ClassTeacherAssignPage(_ClassTeacherForm):
    """Name one of the school's staff class teacher of a class for a school year."""

    permission = "people.add_classteacher"
    title = gettext_lazy("Name a class teacher")
    form_class = ClassTeacherAssignForm

    def get_form_kwargs(self) -> dict[str, Any]:
        school_id = current_school_id()
        assert school_id is not None
        return {
            "staff": accounts.school_staff(school_id=school_id),
            "initial": {"school_year": school_year_of(timezone.localdate())},
        }

    def act(self, form: forms.Form) -> str | None:
        named = run(
            form, lambda: class_teacher_assign(actor=signed_in(self.request), **form.cleaned_data)
        )
        if named is None:
            return None
        messages.success(self.request, _("The class teacher is named."))
        return reverse("people:class-teachers")


class ClassTeacherEndPage(_ClassTeacherForm):
    """The class teacher no longer teaches the class."""

    permission = "people.delete_classteacher"
    title = gettext_lazy("End a class teacher's class")
    form_class = ConfirmForm

    @cached_property
    def class_teacher(self) -> ClassTeacher:
        taught = restrict(selectors.class_teacher_list(), self.request.user, "delete")
        return get_object_or_404(taught, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(class_teacher=self.class_teacher, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        taught = self.class_teacher
        run(form, lambda: class_teacher_remove(class_teacher=taught, actor=signed_in(self.request)))
        if form.errors:
            return None
        messages.success(self.request, _("The class teacher no longer teaches the class."))
        return reverse("people:class-teachers")
