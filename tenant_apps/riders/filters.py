import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from houqin.filters import LabelledFilterSet, date_range
from shared_apps.accounts.models import User
from tenant_apps.riders.models import (
    Alarm,
    Drill,
    Escort,
    Incident,
    Passage,
    Rider,
    Terminal,
    Training,
    Trip,
)
from tenant_apps.riders.selectors import escort_choices


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
        fields = ["status"]


def _escorts(request: HttpRequest | None) -> QuerySet[User]:
    """The school's escorts for a request; none outside one (no school is in force there)."""
    return User.objects.none() if request is None else escort_choices()


class EscortFilter(django_filters.FilterSet):
    run = django_filters.NumberFilter(field_name="trip__run_ref")
    # The school's escorts to choose from, not every account of the district.
    user = django_filters.ModelChoiceFilter(queryset=_escorts, label=_("bus escort"))
    # The run's departure, read from the district's run (an annotation), as in TripFilter.
    starts_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Departs on or after")
    )
    starts_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Departs on or before")
    )

    class Meta:
        model = Escort
        fields = ["trip", "user"]


class PassageFilter(django_filters.FilterSet):
    occurred_from, occurred_to = date_range("occurred_at", _("Occurred"))

    class Meta:
        model = Passage
        fields = ["trip", "rider", "kind", "method"]


class AlarmFilter(django_filters.FilterSet):
    raised_from, raised_to = date_range("raised_at", _("Raised"))

    class Meta:
        model = Alarm
        fields = ["trip", "kind"]


class TerminalFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Registered"))
    revoked = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", exclude=True, label=_("Revoked")
    )

    class Meta:
        model = Terminal
        fields = ["device"]


class IncidentFilter(LabelledFilterSet):
    occurred_from, occurred_to = date_range("occurred_at", _("Occurred"))
    trip = django_filters.NumberFilter(field_name="trip", label=_("trip"), widget=forms.HiddenInput)
    closed = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", exclude=True, label=_("Closed")
    )

    class Meta:
        model = Incident
        fields = ["kind"]


class DrillFilter(LabelledFilterSet):
    day_from, day_to = date_range("day", _("Date"))

    class Meta:
        model = Drill
        fields = ["kind"]


class TrainingFilter(LabelledFilterSet):
    day_from, day_to = date_range("day", _("Date"))
    # By id: the pages' filters would otherwise list every account and driver to choose from.
    driver = django_filters.NumberFilter(
        field_name="driver_ref", label=_("bus driver"), widget=forms.HiddenInput
    )
    user = django_filters.NumberFilter(
        field_name="user", label=_("bus escort"), widget=forms.HiddenInput
    )

    class Meta:
        model = Training
        fields: list[str] = []
