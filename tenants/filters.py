import django_filters

from tenants.models import School


class SchoolFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = School
        fields = ["status", "kind", "boarding", "name"]
