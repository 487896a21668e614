import django_filters

from shared_apps.accounts.models import ROLE_CHOICES, Membership, User


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
