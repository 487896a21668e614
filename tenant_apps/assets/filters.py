"""Filters of the property's lists, for the API and the pages alike."""

import django_filters

from houqin.filters import MonthFilter
from tenant_apps.assets.models import (
    Asset,
    DepreciationRun,
    Discrepancy,
    Disposal,
    LedgerBalance,
    Room,
    StockTake,
)


class RoomFilter(django_filters.FilterSet):
    class Meta:
        model = Room
        fields = ["building", "kind", "code"]


class AssetFilter(django_filters.FilterSet):
    """The register: by category, kind, status, place, custodian and funding; acquired between
    two dates; those bought under an order."""

    acquired_from = django_filters.DateFilter(field_name="acquired_on", lookup_expr="gte")
    acquired_to = django_filters.DateFilter(field_name="acquired_on", lookup_expr="lte")
    building = django_filters.NumberFilter(field_name="room__building")
    number = django_filters.CharFilter(lookup_expr="iexact")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Asset
        fields = ["category", "kind", "status", "room", "custodian", "funding", "order"]


class DepreciationRunFilter(django_filters.FilterSet):
    month = MonthFilter(field_name="month")

    class Meta:
        model = DepreciationRun
        fields: list[str] = []


class StockTakeFilter(django_filters.FilterSet):
    class Meta:
        model = StockTake
        fields = ["status", "full"]


class DiscrepancyFilter(django_filters.FilterSet):
    class Meta:
        model = Discrepancy
        fields = ["stock_take", "kind", "status", "assignee"]


class DisposalFilter(django_filters.FilterSet):
    class Meta:
        model = Disposal
        fields = ["status", "asset", "needs_district"]


class LedgerBalanceFilter(django_filters.FilterSet):
    class Meta:
        model = LedgerBalance
        fields = ["category", "as_of"]
