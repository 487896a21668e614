"""Monthly depreciation: straight line by the category's service life, from the month after an
asset was acquired, each month run once for the whole register in one query; the last month of
an asset's life takes what rounding left, so that its runs add up to its cost."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, When
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.money import ZERO
from shared_apps.accounts.actors import person
from tenant_apps.assets.models import Asset, DepreciationRun

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _month_amount(month: date) -> Case:
    monthly = Round(ExpressionWrapper(F("cost") / F("service_life_months"), output_field=_MONEY), 2)
    last = ExpressionWrapper(
        F("cost") - monthly * (F("service_life_months") - 1), output_field=_MONEY
    )
    return Case(When(depreciation_ends=month, then=last), default=monthly, output_field=_MONEY)


@service
def depreciation_run(*, month: date, actor: Actor) -> DepreciationRun:
    """Depreciate the register's fixed assets for `month` (any day of it): those acquired before
    it, still within their life and not disposed of before it. Once per month (409 after)."""
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        message = _("A month is depreciated once it has begun.")
        raise InvalidInput(message, fields={"month": [message]})
    rows = (
        Asset.objects.filter(
            Q(disposed_on__isnull=True) | Q(disposed_on__gte=month),
            kind=Asset.Kind.FIXED,
            acquired_on__lt=month,
            depreciation_ends__gte=month,
        )
        .values("category")
        .annotate(amount=Sum(_month_amount(month)), count=Count("id"))
        .order_by("category")
    )
    by_category = {row["category"]: str(row["amount"]) for row in rows}
    amount = sum((Decimal(value) for value in by_category.values()), ZERO)
    try:
        with transaction.atomic():
            return DepreciationRun.objects.create(
                month=month,
                amount=amount,
                assets=sum(row["count"] for row in rows),
                by_category=by_category,
                run_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("%(month)s has been depreciated already.") % {"month": f"{month:%Y-%m}"},
            code="already_depreciated",
        ) from None
