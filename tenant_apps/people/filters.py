from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.api.deprecation import older
from houqin.filters import DateFilter, date_range, period_range
from tenant_apps.people.models import (
    GRADES,
    ClassTeacher,
    StaffMember,
    Student,
    SubsidyEligibility,
)
from tenant_apps.people.selectors import students_at_school_on, students_eligible_on


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a bigint column can hold."""

    field_class = forms.IntegerField


GRADE_CHOICES = [(grade, str(grade)) for grade in GRADES]


class StudentFilter(django_filters.FilterSet):
    """No filter here reads the national ID number or its hash (Student.secret_fields): finding
    a student by number is the logged, rate-limited `students/lookup/`."""

    grade = django_filters.TypedChoiceFilter(choices=GRADE_CHOICES, coerce=int, label=_("Grade"))
    class_name = django_filters.CharFilter(max_length=32, label=_("Class"))
    boarding = django_filters.BooleanFilter(label=_("Boarding"))
    gender = django_filters.ChoiceFilter(choices=Student.Gender.choices, label=_("Gender"))
    status = django_filters.ChoiceFilter(choices=Student.Status.choices, label=_("Status"))
    search = django_filters.CharFilter(
        method="filter_search", max_length=50, label=_("Name or student number")
    )
    eligible_on = DateFilter(method="filter_eligible_on", label=_("Eligible for a subsidy on"))
    programme = django_filters.CharFilter(
        max_length=64,
        method="filter_programme",
        label=_("Programme (with eligible_on)"),
    )
    at_school_on = DateFilter(method="filter_at_school_on", label=_("At school on"))
    enrolled_from, enrolled_to = date_range("enrolled_on", _("Enrolled"))

    class Meta:
        model = Student
        fields = ["grade", "class_name", "boarding", "gender", "status"]

    def filter_search(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(student_number__istartswith=value))

    def filter_eligible_on(self, queryset: QuerySet[Student], name: str, value: Any) -> QuerySet:
        if value is None:
            return queryset
        programme = self.form.cleaned_data.get("programme") or None
        return queryset.filter(pk__in=students_eligible_on(value, programme).values("pk"))

    def filter_programme(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet:
        return queryset  # applied by eligible_on, which it narrows

    def filter_at_school_on(
        self, queryset: QuerySet[Student], name: str, value: object
    ) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(pk__in=students_at_school_on(value).values("pk"))  # type: ignore[arg-type]


class SubsidyEligibilityFilter(django_filters.FilterSet):
    student = IdFilter(field_name="student_id", min_value=1, max_value=2**63 - 1)
    programme = django_filters.CharFilter(field_name="programme__code", max_length=64)
    reason = django_filters.ChoiceFilter(choices=SubsidyEligibility.Reason.choices)
    in_force_on = older(DateFilter(method="filter_in_force_on", label=_("In force on")))
    valid_from, valid_to = period_range("valid_from", "valid_to", _("In force"))

    class Meta:
        model = SubsidyEligibility
        fields = ["student", "programme", "reason"]

    def filter_in_force_on(
        self, queryset: QuerySet[SubsidyEligibility], name: str, value: object
    ) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(
            Q(valid_from__lte=value), Q(valid_to__isnull=True) | Q(valid_to__gte=value)
        )


class StaffMemberFilter(django_filters.FilterSet):
    position = django_filters.ChoiceFilter(
        choices=StaffMember.Position.choices, label=_("Position")
    )
    active = django_filters.BooleanFilter(label=_("Active"))
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=50, label=_("Full name")
    )
    hired_from, hired_to = date_range("hired_on", _("Hired"))

    class Meta:
        model = StaffMember
        fields = ["position", "active"]


class ClassTeacherFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Named"))

    class Meta:
        model = ClassTeacher
        fields = ["school_year", "grade", "class_name", "user"]
