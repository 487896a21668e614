import django_filters
from django.utils.translation import gettext_lazy as _

from shared_apps.transport.models import Alarm, Driver, Licence, Provider, Route, Run, Vehicle


class ProviderFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Provider.Kind.choices, label=_("Kind"))

    class Meta:
        model = Provider
        fields = ["kind"]


class VehicleFilter(django_filters.FilterSet):
    provider = django_filters.NumberFilter(label=_("Provider"))
    kind = django_filters.ChoiceFilter(choices=Vehicle.Kind.choices, label=_("Type"))
    plate = django_filters.CharFilter(lookup_expr="icontains", label=_("Plate"))

    class Meta:
        model = Vehicle
        fields = ["provider", "kind", "plate"]


class DriverFilter(django_filters.FilterSet):
    provider = django_filters.NumberFilter(label=_("Provider"))

    class Meta:
        model = Driver
        fields = ["provider"]


class RouteFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(choices=Route.Period.choices, label=_("Period"))

    class Meta:
        model = Route
        fields = ["period"]


class LicenceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Licence.Status.choices, label=_("Status"))
    vehicle = django_filters.NumberFilter(label=_("Vehicle"))

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

    class Meta:
        model = Alarm
        fields = ["vehicle", "kind"]
