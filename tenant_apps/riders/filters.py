import django_filters
from django.utils.translation import gettext_lazy as _

from tenant_apps.riders.models import Rider, Trip


class RiderFilter(django_filters.FilterSet):
    run = django_filters.NumberFilter(field_name="trip__run_ref")

    class Meta:
        model = Rider
        fields = ["trip", "student"]


class TripFilter(django_filters.FilterSet):
    # The run's departure is read from the district's run (an annotation, not a field of Trip),
    # as the day it falls on in the district's time.
    starts_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Departs on or after")
    )
    starts_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Departs on or before")
    )

    class Meta:
        model = Trip
        fields: list[str] = []
