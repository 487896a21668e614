"""The register in the school's admin. The national ID number is never shown in clear here (the
masked form only; reading it unmasked is the API's logged `national-id/` action) and can be
entered or replaced, never read back. Writes go through the services, so the rules are the
API's."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from houqin.admin import ScopedModelAdmin, ServiceCall, site
from tenant_apps.people.models import StaffMember, Student, SubsidyEligibility
from tenant_apps.people.services.staff import staff_member_create, staff_member_update
from tenant_apps.people.services.students import STUDENT_FIELDS, student_create, student_update


class StudentForm(forms.ModelForm):
    national_id = forms.CharField(
        label=_("national ID number"),
        required=False,
        max_length=32,
        help_text=_("Enter to set or replace; the number on record is never shown here."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@admin.register(Student, site=site)
class StudentAdmin(ScopedModelAdmin):
    """A student who leaves is marked left, never deleted: the register keeps them."""

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
    fields = [
        *STUDENT_FIELDS,
        "enrolled_on",
        "status",
        "left_on",
        "national_id",
        *readonly_fields,
    ]
    add_through = ServiceCall(
        student_create, fields=(*STUDENT_FIELDS, "enrolled_on", "national_id")
    )
    change_through = ServiceCall(
        student_update,
        fields=(*STUDENT_FIELDS, "enrolled_on", "status", "left_on", "national_id"),
        row="student",
    )


@admin.register(SubsidyEligibility, site=site)
class SubsidyEligibilityAdmin(ScopedModelAdmin):
    """Read here; periods are added and ended through the API, whose service checks overlaps,
    grades and leaving dates."""

    list_display = ["student", "programme", "reason", "valid_from", "valid_to"]
    list_filter = ["programme", "reason"]
    search_fields = ["student__student_number", "student__name"]
    list_select_related = ["student"]


@admin.register(StaffMember, site=site)
class StaffMemberAdmin(ScopedModelAdmin):
    list_display = ["name", "position", "phone", "active", "hired_on", "left_on"]
    list_filter = ["position", "active"]
    search_fields = ["name"]
    raw_id_fields = ["user"]
    fields = ["name", "position", "phone", "user", "active", "hired_on", "left_on"]
    add_through = ServiceCall(
        staff_member_create, fields=("name", "position", "phone", "user", "hired_on")
    )
    change_through = ServiceCall(
        staff_member_update,
        fields=("name", "position", "phone", "user", "hired_on", "left_on", "active"),
        row="staff_member",
    )
