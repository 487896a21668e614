import django_filters
from django.db.models import QuerySet

from shared_apps.accounts.models import ROLE_CHOICES, ApiToken, Membership, User, working_tokens


class UserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = User
        fields = ["username", "is_active"]


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=ROLE_CHOICES)
    school = django_filters.CharFilter(field_name="school__code")
    username = django_filters.CharFilter(field_name="user__username")

    class Meta:
        model = Membership
        fields = ["role", "school", "username"]


class ApiTokenFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(field_name="user__username")
    active = django_filters.BooleanFilter(method="_active", label="still works")

    class Meta:
        model = ApiToken
        fields = ["user", "username", "active"]

    def _active(self, queryset: QuerySet[ApiToken], name: str, value: bool) -> QuerySet[ApiToken]:
        return queryset.filter(working_tokens()) if value else queryset.exclude(working_tokens())
