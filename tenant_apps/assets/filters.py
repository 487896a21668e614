"""Filters of the property's lists, for the API and the pages alike; the pages' own narrow the
API's where a select of every user, order or asset would be no filter for a person."""

import django_filters
from django.utils.translation import gettext_lazy as _

from houqin.filters import DateFilter, LabelledFilterSet, MonthFilter, date_range, month_range
from tenant_apps.assets.models import (
    Asset,
    Building,
    DepreciationRun,
    Discrepancy,
    Disposal,
    LedgerBalance,
    Room,
    StockTake,
)


class RoomFilter(LabelledFilterSet):
    class Meta:
        model = Room
        fields = ["building", "kind", "code"]


class RoomListFilter(RoomFilter):
    """The rooms page's: by building (named), kind and number."""

    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.all(), label=_("building")
    )


class AssetFilter(LabelledFilterSet):
    """The register: by category, kind, status, place, custodian and funding; acquired between
    two dates; those bought under an order."""

    acquired_from = DateFilter(
        field_name="acquired_on", lookup_expr="gte", label=_("acquired from")
    )
    acquired_to = DateFilter(field_name="acquired_on", lookup_expr="lte", label=_("acquired until"))
    building = django_filters.NumberFilter(field_name="room__building", label=_("building"))
    number = django_filters.CharFilter(lookup_expr="iexact", label=_("asset number"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))

    class Meta:
        model = Asset
        fields = ["category", "kind", "status", "room", "custodian", "funding", "order"]


class RegisterFilter(AssetFilter):
    """The register page's: the API's, with the room and the building named, and the custodian
    by username."""

    building = django_filters.ModelChoiceFilter(
        field_name="room__building", queryset=Building.objects.all(), label=_("building")
    )
    room = django_filters.ModelChoiceFilter(
        queryset=Room.objects.select_related("building"), label=_("room")
    )
    custodian = django_filters.CharFilter(
        field_name="custodian__username", max_length=150, label=_("custodian (username)")
    )

    class Meta:
        model = Asset
        fields = ["category", "kind", "status", "funding"]


class DepreciationRunFilter(django_filters.FilterSet):
    month = MonthFilter(field_name="month")
    month_from, month_to = month_range("month", _("Month"))

    class Meta:
        model = DepreciationRun
        fields: list[str] = []


class StockTakeFilter(LabelledFilterSet):
    started_from, started_to = date_range("started_at", _("Started"))

    class Meta:
        model = StockTake
        fields = ["status", "full"]


class DiscrepancyFilter(LabelledFilterSet):
    resolved_from, resolved_to = date_range("resolved_at", _("Resolved"))

    class Meta:
        model = Discrepancy
        fields = ["stock_take", "kind", "status", "assignee"]


class DiscrepancyListFilter(DiscrepancyFilter):
    """The discrepancies page's: by count, kind and state, and whoever it is assigned to by
    username."""

    stock_take = django_filters.ModelChoiceFilter(
        queryset=StockTake.objects.all(), label=_("stock-take")
    )
    assignee = django_filters.CharFilter(
        field_name="assignee__username", max_length=150, label=_("assigned to (username)")
    )


class DisposalFilter(LabelledFilterSet):
    requested_from, requested_to = date_range("requested_at", _("Requested"))

    class Meta:
        model = Disposal
        fields = ["status", "asset", "needs_district"]


class DisposalListFilter(DisposalFilter):
    """The disposals page's: by state, the asset by its number."""

    asset = django_filters.CharFilter(
        field_name="asset__number", max_length=40, label=_("asset number")
    )


class LedgerBalanceFilter(LabelledFilterSet):
    as_of_from, as_of_to = date_range("as_of", _("Balance as of"))

    class Meta:
        model = LedgerBalance
        fields = ["category", "as_of"]
