"""The register in the school's admin. The national ID number is never shown in clear here (the
masked form only; reading it unmasked is the API's logged `national-id/` action) and can be
entered or replaced, never read back. Writes go through the services, so the rules are the
API's."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from houqin.admin import ScopedModelAdmin, site
from shared_apps.accounts.actors import signed_in
from tenant_apps.people import national_id
from tenant_apps.people.models import StaffMember, Student, SubsidyEligibility
from tenant_apps.people.services.students import student_create, student_update


class StudentForm(forms.ModelForm):
    national_id = forms.CharField(
        label=_("national ID number"),
        required=False,
        max_length=32,
        help_text=_("Enter to set or replace; the number on record is never shown here."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Student
        fields = [
            "student_number",
            "name",
            "gender",
            "grade",
            "class_name",
            "boarding",
            "enrolled_on",
            "status",
            "left_on",
        ]

    def clean_national_id(self) -> str:
        value = self.cleaned_data.get("national_id") or ""
        if not value.strip():
            return ""
        try:
            number = national_id.validate(value)
        except national_id.InvalidNationalId as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        holders = Student.objects.filter(national_id_hash=national_id.lookup_hash(number))
        if holders.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("This ID number is already registered for another student."), code="duplicate"
            )
        return number

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        left_on = cleaned.get("left_on")
        leaving = cleaned.get("status") == Student.Status.LEFT and left_on
        if (
            self.instance.pk
            and leaving
            and self.instance.eligibilities.filter(valid_from__gt=left_on).exists()
        ):
            raise forms.ValidationError(
                _("The student has eligibility starting after that day; end it first."),
                code="eligibility_after_leaving",
            )
        return cleaned


@admin.register(Student, site=site)
class StudentAdmin(ScopedModelAdmin):
    form = StudentForm
    list_display = [
        "student_number",
        "name",
        "gender",
        "grade",
        "class_name",
        "boarding",
        "status",
        "national_id_masked",
    ]
    list_filter = ["grade", "boarding", "status", "gender"]
    search_fields = ["student_number", "name"]
    readonly_fields = ["national_id_masked", "created_at", "updated_at"]
    fields = [*StudentForm.Meta.fields, "national_id", *readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a student who leaves is marked left; the register keeps them

    def save_model(self, request: HttpRequest, obj: Student, form: Any, change: bool) -> None:
        number = form.cleaned_data.get("national_id", "")
        if change:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in StudentForm.Meta.fields
            }
            saved = student_update(
                student=obj, actor=signed_in(request), national_id=number, **changes
            )
        else:
            saved = student_create(
                student_number=obj.student_number,
                name=obj.name,
                gender=obj.gender,
                grade=obj.grade,
                class_name=obj.class_name,
                boarding=obj.boarding,
                enrolled_on=obj.enrolled_on,
                national_id=number,
                actor=signed_in(request),
            )
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(SubsidyEligibility, site=site)
class SubsidyEligibilityAdmin(ScopedModelAdmin):
    """Read here; periods are added and ended through the API, whose service checks overlaps,
    grades and leaving dates."""

    list_display = ["student", "programme", "reason", "valid_from", "valid_to"]
    list_filter = ["programme", "reason"]
    search_fields = ["student__student_number", "student__name"]
    list_select_related = ["student"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffMember, site=site)
class StaffMemberAdmin(ScopedModelAdmin):
    list_display = ["name", "position", "phone", "active", "hired_on", "left_on"]
    list_filter = ["position", "active"]
    search_fields = ["name"]
    raw_id_fields = ["user"]
    fields = ["name", "position", "phone", "user", "active", "hired_on", "left_on"]
