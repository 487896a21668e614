import django_filters
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, get_tenant_model

from houqin.filters import DateTimeFilter
from shared_apps.audit.models import Change, Finding, SecurityEvent


def _by_school(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if value == "district":
        return queryset.filter(schema_name=get_public_schema_name())
    schools = get_tenant_model().objects.filter(code=value)
    return queryset.filter(schema_name__in=schools.values("schema_name"))


class ChangeFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(method=_by_school, label="school code, or 'district'")
    since = DateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Change
        fields = ["school", "table_name", "operation", "row_id", "actor_id", "request_id"]


class SecurityEventFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(method=_by_school, label="school code, or 'district'")
    since = DateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = SecurityEvent
        fields = ["school", "kind", "user_id", "username"]


class FindingFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code")

    class Meta:
        model = Finding
        fields = ["school", "status", "severity"]
