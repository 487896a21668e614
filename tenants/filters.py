import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from houqin.roles import REGISTRY, SCHOOL_STAFF_ROLES, Role
from tenants.models import School
from tenants.selectors import schools_lacking


class SchoolFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    status = django_filters.ChoiceFilter(choices=School.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=School.Kind.choices, label=_("Kind"))
    boarding = django_filters.BooleanFilter(label=_("Boarding"))
    lacking = django_filters.ChoiceFilter(
        choices=[
            (role.value, REGISTRY[role].label) for role in REGISTRY if role in SCHOOL_STAFF_ROLES
        ],
        method="filter_lacking",
        label=_("Nobody holds the role"),
    )
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = School
        fields = ["status", "kind", "boarding", "name", "lacking"]

    def filter_lacking(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=schools_lacking(role=Role(value)).values("pk"))
