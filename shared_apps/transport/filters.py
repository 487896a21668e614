import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range, period_range
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    Licence,
    Provider,
    Route,
    Run,
    Vehicle,
)


class ProviderFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Provider.Kind.choices, label=_("Kind"))
    insurance_expires_from, insurance_expires_to = date_range(
        "insurance_expires", _("Insurance expires")
    )

    class Meta:
        model = Provider
        fields = ["kind"]


class VehicleFilter(django_filters.FilterSet):
    provider = django_filters.NumberFilter(label=_("Provider"))
    kind = django_filters.ChoiceFilter(choices=Vehicle.Kind.choices, label=_("Type"))
    plate = django_filters.CharFilter(lookup_expr="icontains", label=_("Plate"))
    inspection_valid_until_from, inspection_valid_until_to = date_range(
        "inspection_valid_until", _("Inspection valid until")
    )

    class Meta:
        model = Vehicle
        fields = ["provider", "kind", "plate"]


class DriverFilter(django_filters.FilterSet):
    provider = django_filters.NumberFilter(label=_("Provider"))
    review_valid_until_from, review_valid_until_to = date_range(
        "review_valid_until", _("Annual review valid until")
    )

    class Meta:
        model = Driver
        fields = ["provider"]


class RouteFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(choices=Route.Period.choices, label=_("Period"))
    valid_from, valid_to = period_range("valid_from", "valid_until", _("Valid"))
    versions_of = django_filters.NumberFilter(
        method="filter_versions_of", label=_("Versions of the route")
    )

    class Meta:
        model = Route
        fields = ["period"]

    def filter_versions_of(
        self, queryset: QuerySet[Route], name: str, value: int
    ) -> QuerySet[Route]:
        """Every version of the route with that id: its first version and the later ones."""
        first = Route.objects.filter(pk=value).values_list("version_of", flat=True).first()
        family = first or value
        return queryset.filter(Q(pk=family) | Q(version_of=family))


class LicenceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Licence.Status.choices, label=_("Status"))
    vehicle = django_filters.NumberFilter(label=_("Vehicle"))
    valid_until_from, valid_until_to = date_range("valid_until", _("Valid until"))

    class Meta:
        model = Licence
        fields = ["status", "vehicle"]


class RunFilter(django_filters.FilterSet):
    vehicle = django_filters.NumberFilter(label=_("Vehicle"))
    route = django_filters.NumberFilter(label=_("Route"))
    status = django_filters.ChoiceFilter(choices=Run.Status.choices, label=_("Status"))
    on = django_filters.DateFilter(
        field_name="period", lookup_expr="startswith__date", label=_("Day")
    )

    class Meta:
        model = Run
        fields = ["vehicle", "route", "status"]


class AlarmFilter(django_filters.FilterSet):
    vehicle = django_filters.NumberFilter(label=_("Vehicle"))
    kind = django_filters.ChoiceFilter(choices=Alarm.Kind.choices, label=_("Kind"))
    at_from, at_to = date_range("at", _("At"))

    class Meta:
        model = Alarm
        fields = ["vehicle", "kind"]


class FieldTripFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FieldTrip.Status.choices, label=_("Status"))
    starts_from, starts_to = date_range("starts_at", _("Day"))

    class Meta:
        model = FieldTrip
        fields = ["status"]
