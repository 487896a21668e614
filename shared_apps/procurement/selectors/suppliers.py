"""Reads about suppliers, the catalogue, framework contracts and ratings.

Which rows a caller reaches is decided by `restrict()` on the querysets below (a supplier account
reaches its own company's rows through the models' `owner_field`); these only say what there is.
"""

from datetime import date
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from houqin.permissions import AnyUser, restrict
from houqin.tenancy import SchoolOwnedQuerySet, SchoolScope
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    Qualification,
    SpendLine,
    Supplier,
    SupplierEvent,
    SupplierRating,
    SupplierUser,
)


def supplier_list() -> QuerySet[Supplier]:
    return Supplier.objects.all()


def supplier_of(user: AnyUser) -> Supplier | None:
    """The company a supplier account acts for, or None for anyone else."""
    if user.pk is None:
        return None
    account = SupplierUser.objects.filter(user_id=user.pk).select_related("supplier").first()
    return account.supplier if account else None


def supplier_account_list() -> QuerySet[SupplierUser]:
    return SupplierUser.objects.select_related("user", "supplier")


def qualification_list() -> QuerySet[Qualification]:
    return Qualification.objects.select_related("supplier", "verified_by")


def valid_qualification_kinds(*, supplier_id: int, day: date) -> set[str]:
    """The kinds of licence a supplier holds on `day`: verified by the officer, and in force."""
    return set(
        Qualification.objects.filter(
            supplier_id=supplier_id,
            status=Qualification.Status.VERIFIED,
            valid_from__lte=day,
            expires_on__gte=day,
        ).values_list("kind", flat=True)
    )


# Licences a lot of food needs besides the business licence every bidder holds: one of these.
FOOD_LICENCES = (Qualification.Kind.FOOD_BUSINESS, Qualification.Kind.FOOD_PRODUCTION)


def eligibility_problem(*, supplier: Supplier, category: str, day: date) -> str | None:
    """Why `supplier` may not be chosen for a lot of `category` on `day` (None if it may): the
    licences it needs, verified and in force that day."""
    held = valid_qualification_kinds(supplier_id=supplier.pk, day=day)
    if Qualification.Kind.BUSINESS not in held:
        return _("No verified business licence valid on %(day)s.") % {"day": f"{day:%Y-%m-%d}"}
    if category == Category.FOOD and not held & set(FOOD_LICENCES):
        return _("No verified food business or food production licence valid on %(day)s.") % {
            "day": f"{day:%Y-%m-%d}"
        }
    return None


def supplier_event_list() -> QuerySet[SupplierEvent]:
    return SupplierEvent.objects.select_related("supplier", "actor")


def catalogue_list() -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.select_related("food")


def contract_list(*, in_force_on: date | None = None) -> QuerySet[FrameworkContract]:
    """Contracts with their price lists; only those a school can order under on `in_force_on`
    (active, and valid that day) when it is given."""
    qs = FrameworkContract.objects.select_related("supplier").prefetch_related(
        Prefetch(
            "prices",
            queryset=ContractPrice.objects.select_related("item").order_by("item__code"),
        )
    )
    if in_force_on is None:
        return qs
    return qs.filter(
        status=FrameworkContract.Status.ACTIVE,
        valid_from__lte=in_force_on,
        valid_to__gte=in_force_on,
    )


def rating_list() -> SchoolOwnedQuerySet[SupplierRating]:
    """Ratings. They belong to schools (houqin.tenancy): the caller says whose it reads."""
    return SupplierRating.objects.select_related("school", "supplier", "rated_by")


def supplier_order_list(*, supplier_id: int, scope: SchoolScope) -> QuerySet[Any]:
    """The orders placed with a supplier by the schools of `scope`, newest first, one row per
    school's order (from the district's spend lines): school, number, dates, line count,
    amount, delivered lines."""
    return (
        SpendLine.objects.scoped(scope)
        .filter(supplier_id=supplier_id)
        .values("school_id", "school__code", "school__name", "order_number")
        .annotate(
            ordered_on=Max("ordered_on"),
            due_on=Max("due_on"),
            lines=Count("id"),
            amount=Sum("amount"),
            last_delivery_on=Max("last_delivery_on"),
        )
        .order_by("-ordered_on", "school_id", "order_number")
    )


def supplier_order_lines(
    *, supplier_id: int, orders: list[tuple[int, str]], scope: SchoolScope
) -> dict[tuple[int, str], list[SpendLine]]:
    """The lines of the given orders (school id, order number), by order (one query)."""
    if not orders:
        return {}
    schools = {school_id for school_id, _number in orders}
    numbers = {number for _school_id, number in orders}
    lines: dict[tuple[int, str], list[SpendLine]] = {key: [] for key in orders}
    for line in (
        SpendLine.objects.scoped(scope)
        .filter(supplier_id=supplier_id, school_id__in=schools, order_number__in=numbers)
        .order_by("order_line_id")
    ):
        key = (line.school_id, line.order_number)
        if key in lines:
            lines[key].append(line)
    return lines


def supplier_get(*, user: AnyUser, pk: int) -> Supplier | None:
    """The supplier `pk`, if `user` may see it here (not there and not visible answer alike)."""
    return restrict(Supplier.objects.all(), user, "view").filter(pk=pk).first()


def contract_get(*, user: AnyUser, pk: int) -> FrameworkContract | None:
    """The framework contract `pk`, if `user` may see it here."""
    return restrict(FrameworkContract.objects.all(), user, "view").filter(pk=pk).first()
