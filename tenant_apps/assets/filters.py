"""Filters of the property's lists, for the API and the pages alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import MonthFilter, date_range, month_range
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
    month_from, month_to = month_range("month", _("Month"))

    class Meta:
        model = DepreciationRun
        fields: list[str] = []


class StockTakeFilter(django_filters.FilterSet):
    started_from, started_to = date_range("started_at", _("Started"))

    class Meta:
        model = StockTake
        fields = ["status", "full"]


class DiscrepancyFilter(django_filters.FilterSet):
    resolved_from, resolved_to = date_range("resolved_at", _("Resolved"))

    class Meta:
        model = Discrepancy
        fields = ["stock_take", "kind", "status", "assignee"]


class DisposalFilter(django_filters.FilterSet):
    requested_from, requested_to = date_range("requested_at", _("Requested"))

    class Meta:
        model = Disposal
        fields = ["status", "asset", "needs_district"]


class LedgerBalanceFilter(django_filters.FilterSet):
    as_of_from, as_of_to = date_range("as_of", _("Balance as of"))

    class Meta:
        model = LedgerBalance
        fields = ["category", "as_of"]
