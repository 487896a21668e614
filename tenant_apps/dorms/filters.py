import django_filters

from tenant_apps.dorms.models import (
    Allocation,
    Bed,
    DoorEvent,
    FeeCharge,
    Floor,
    Guardian,
    Inspection,
    Leave,
    Room,
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
    class Meta:
        model = Allocation
        fields = ["student", "bed"]


class GuardianFilter(django_filters.FilterSet):
    class Meta:
        model = Guardian
        fields = ["student"]


class DoorEventFilter(django_filters.FilterSet):
    class Meta:
        model = DoorEvent
        fields = ["student", "device", "direction"]


class LeaveFilter(django_filters.FilterSet):
    class Meta:
        model = Leave
        fields = ["student", "status"]


class FeeFilter(django_filters.FilterSet):
    class Meta:
        model = FeeCharge
        fields = ["student", "term"]


class InspectionFilter(django_filters.FilterSet):
    class Meta:
        model = Inspection
        fields = ["room", "kind", "inspected_on"]
