import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, get_tenant_model

from houqin.api.deprecation import older
from houqin.filters import DateFilter, DateTimeFilter, date_range
from shared_apps.audit.models import Change, Finding, SecurityEvent
from shared_apps.audit.readable import object_types, people_matching
from shared_apps.audit.selectors import due

DISTRICT = "district"


def _by_school(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if value == DISTRICT:
        return queryset.filter(schema_name=get_public_schema_name())
    schools = get_tenant_model().objects.filter(code=value)
    return queryset.filter(schema_name__in=schools.values("schema_name"))


def _by_person(queryset: QuerySet, name: str, value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(**{f"{name}__in": people_matching(value)})


def _school_choices() -> list[tuple[str, str]]:
    schools = get_tenant_model().objects.exclude(schema_name=get_public_schema_name())
    return [
        (DISTRICT, str(_("District centre"))),
        *schools.order_by("name").values_list("code", "name"),
    ]


def _school_code() -> django_filters.CharFilter:
    return django_filters.CharFilter(
        method=_by_school, label=_("School code, or “district”"), max_length=32
    )


def _school_name() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        method=_by_school, choices=_school_choices, label=_("School")
    )


def _person(field_name: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        field_name=field_name, method=_by_person, label=_("Person"), max_length=150
    )


def _day(lookup: str) -> DateFilter:
    """From a day (gte) or to a day (lte), both included, in the district's time."""
    label = _("From") if lookup == "gte" else _("To")
    return DateFilter(field_name="occurred_at", lookup_expr=f"date__{lookup}", label=label)


def _moment(lookup: str) -> DateTimeFilter:
    return DateTimeFilter(field_name="occurred_at", lookup_expr=lookup)


def _object_type() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        field_name="table_name", choices=object_types, label=_("Object type")
    )


class ChangeFilter(django_filters.FilterSet):
    school = _school_code()
    person = _person("actor_id")
    object_type = _object_type()
    since = older(_moment("gte"))
    until = older(_moment("lt"))
    date_from = older(_day("gte"))
    date_to = older(_day("lte"))
    occurred_from, occurred_to = date_range("occurred_at", _("Occurred"))

    class Meta:
        model = Change
        fields = ["school", "table_name", "operation", "row_id", "actor_id", "request_id"]


class TrailPageFilter(django_filters.FilterSet):
    """The trail page's filters: the API's, the school chosen by name; the row and request a
    page's links narrow to are the API's filters too (read by the page, not in its form)."""

    school = _school_name()
    person = _person("actor_id")
    object_type = _object_type()
    date_from = _day("gte")
    date_to = _day("lte")
    operation = django_filters.ChoiceFilter(choices=Change.Operation.choices, label=_("Operation"))
    request_id = django_filters.CharFilter(widget=forms.HiddenInput, label=_("Request"))
    actor_id = django_filters.NumberFilter(widget=forms.HiddenInput, label=_("Person"))

    class Meta:
        model = Change
        fields = ["school", "person", "object_type", "operation", "date_from", "date_to"]


# Security events are kept apart from the trail, and sign-ins from the rest of them.
SIGN_INS = "sign_ins"
OTHERS = "others"
_SIGN_IN_KINDS = (
    SecurityEvent.Kind.LOGIN,
    SecurityEvent.Kind.LOGIN_FAILED,
    SecurityEvent.Kind.LOGOUT,
)


def _group() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        choices=[(SIGN_INS, _("Sign-ins and sign-outs")), (OTHERS, _("Other security events"))],
        method=_by_group,
        label=_("Events"),
    )


def _by_group(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if value == SIGN_INS:
        return queryset.filter(kind__in=_SIGN_IN_KINDS)
    return queryset.exclude(kind__in=_SIGN_IN_KINDS)


class SecurityEventFilter(django_filters.FilterSet):
    school = _school_code()
    person = _person("user_id")
    group = _group()
    since = older(_moment("gte"))
    until = older(_moment("lt"))
    date_from = older(_day("gte"))
    date_to = older(_day("lte"))
    occurred_from, occurred_to = date_range("occurred_at", _("Occurred"))

    class Meta:
        model = SecurityEvent
        fields = ["school", "kind", "user_id", "username"]


class SecurityPageFilter(django_filters.FilterSet):
    """The security events page's filters: the API's, the school chosen by name."""

    school = _school_name()
    person = _person("user_id")
    group = _group()
    kind = django_filters.ChoiceFilter(choices=SecurityEvent.Kind.choices, label=_("Event"))
    date_from = _day("gte")
    date_to = _day("lte")

    class Meta:
        model = SecurityEvent
        fields = ["school", "person", "group", "kind", "date_from", "date_to"]


class FindingFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(
        field_name="school__code", label=_("School code"), max_length=32
    )
    status = django_filters.ChoiceFilter(choices=Finding.Status.choices, label=_("Status"))
    severity = django_filters.ChoiceFilter(choices=Finding.Severity.choices, label=_("Severity"))
    due = django_filters.BooleanFilter(method="filter_due", label=_("Rectification due"))
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Finding
        fields = ["school", "status", "severity", "due"]

    def filter_due(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(due()) if value else queryset.exclude(due())
