"""Filters of the supplier, catalogue, contract and rating lists."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from houqin.api.deprecation import older
from houqin.filters import MonthFilter, date_range, period_range
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    FrameworkContract,
    Qualification,
    Supplier,
    SupplierEvent,
    SupplierRating,
    SupplierUser,
)


class SupplierFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)
    category = django_filters.ChoiceFilter(
        choices=Category.choices, method="supplying", label="Supplies this category"
    )
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Supplier
        fields = ["status", "credit_code"]

    def supplying(self, queryset: QuerySet[Supplier], name: str, value: Any) -> QuerySet[Supplier]:
        return queryset.filter(categories__contains=[value])


class SupplierAccountFilter(django_filters.FilterSet):
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = SupplierUser
        fields = ["supplier"]


class QualificationFilter(django_filters.FilterSet):
    expires_before = older(django_filters.DateFilter(field_name="expires_on", lookup_expr="lte"))
    expires_from, expires_to = date_range("expires_on", _("Expires"))

    class Meta:
        model = Qualification
        fields = ["supplier", "kind", "status"]


class SupplierEventFilter(django_filters.FilterSet):
    occurred_from, occurred_to = date_range("occurred_at", _("Occurred"))

    class Meta:
        model = SupplierEvent
        fields = ["supplier", "kind", "automatic"]


class CatalogueItemFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)
    reference_from, reference_to = date_range("reference_date", _("Reference price as of"))

    class Meta:
        model = CatalogueItem
        fields = ["code", "category"]


class ContractFilter(django_filters.FilterSet):
    item = django_filters.NumberFilter(
        field_name="prices__item", min_value=1, max_value=2**62, label="Prices this item"
    )
    valid_from, valid_to = period_range("valid_from", "valid_to", _("In force"))

    class Meta:
        model = FrameworkContract
        fields = ["supplier", "category", "status"]


class RatingFilter(django_filters.FilterSet):
    school = django_filters.CharFilter(field_name="school__code", max_length=32)
    month = MonthFilter(field_name="month")
    month_from = MonthFilter(field_name="month", lookup_expr="gte")
    month_to = MonthFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = SupplierRating
        fields = ["supplier"]
