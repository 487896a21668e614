import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import date_range, period_range
from tenant_apps.dorms.models import (
    Allocation,
    Bed,
    DoorEvent,
    FeeCharge,
    Floor,
    Guardian,
    Inspection,
    Leave,
    RollCall,
    Room,
    RoomChange,
    Visitor,
)


class FloorFilter(django_filters.FilterSet):
    class Meta:
        model = Floor
        fields = ["building"]


class RoomFilter(django_filters.FilterSet):
    class Meta:
        model = Room
        fields = ["floor", "sex", "stage"]


class BedFilter(django_filters.FilterSet):
    class Meta:
        model = Bed
        fields = ["room", "in_service"]


class AllocationFilter(django_filters.FilterSet):
    start_from, start_to = period_range("start_date", "end_date", _("Housed"))

    class Meta:
        model = Allocation
        fields = ["student", "bed"]


class GuardianFilter(django_filters.FilterSet):
    class Meta:
        model = Guardian
        fields = ["student"]


class DoorEventFilter(django_filters.FilterSet):
    occurred_from, occurred_to = date_range("occurred_at", _("Occurred"))

    class Meta:
        model = DoorEvent
        fields = ["student", "device", "direction"]


class LeaveFilter(django_filters.FilterSet):
    starts_from, starts_to = date_range("starts_at", _("Leave from"))

    class Meta:
        model = Leave
        fields = ["student", "status"]


class FeeFilter(django_filters.FilterSet):
    charged_from, charged_to = date_range("charged_on", _("Charged"))

    class Meta:
        model = FeeCharge
        fields = ["student", "term"]


class InspectionFilter(django_filters.FilterSet):
    inspected_from, inspected_to = date_range("inspected_on", _("Inspected"))

    class Meta:
        model = Inspection
        fields = ["room", "kind", "inspected_on"]


class RollCallFilter(django_filters.FilterSet):
    night_from, night_to = date_range("night", _("Night"))

    class Meta:
        model = RollCall
        fields: list[str] = []


class VisitorFilter(django_filters.FilterSet):
    arrived_from, arrived_to = date_range("arrived_at", _("Arrived"))

    class Meta:
        model = Visitor
        fields = ["student"]


class RoomChangeFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Asked"))

    class Meta:
        model = RoomChange
        fields = ["student", "status"]
