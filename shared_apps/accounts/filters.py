import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range
from shared_apps.accounts.models import ROLE_CHOICES, ApiToken, Membership, User, working_tokens


class UserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    name = django_filters.CharFilter(
        field_name="display_name", lookup_expr="icontains", label=_("Full name"), max_length=100
    )
    school = django_filters.CharFilter(
        method="filter_school", label=_("School code"), max_length=32
    )
    role = django_filters.ChoiceFilter(choices=ROLE_CHOICES, method="filter_role", label=_("Role"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    date_joined_from, date_joined_to = date_range("date_joined", _("Joined"))

    class Meta:
        model = User
        fields = ["username", "name", "school", "role", "is_active"]

    def filter_school(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """Accounts opened for the school, or holding a role there."""
        held = Membership.objects.across_schools().filter(school__code=value).values("user_id")
        return queryset.filter(Q(school__code=value) | Q(pk__in=held))

    def filter_role(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """Holders of the role: here, on a school's host (houqin.tenancy)."""
        held = Membership.objects.here().filter(role=value).values("user_id")
        return queryset.filter(pk__in=held)


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=ROLE_CHOICES)
    school = django_filters.CharFilter(field_name="school__code")
    username = django_filters.CharFilter(field_name="user__username")
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Membership
        fields = ["role", "school", "username"]


class ApiTokenFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(field_name="user__username")
    active = django_filters.BooleanFilter(method="_active", label="still works")
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = ApiToken
        fields = ["user", "username", "active"]

    def _active(self, queryset: QuerySet[ApiToken], name: str, value: bool) -> QuerySet[ApiToken]:
        return queryset.filter(working_tokens()) if value else queryset.exclude(working_tokens())
