"""Schools' monthly ratings of their suppliers, and the rule that suspends a supplier rated low.

A school rates a supplier it ordered from, once a month, for a month that has begun: quality,
punctuality and service from 0 to 100; the score is their mean, rounded. A supplier whose mean
score across the schools that rated it is below PROCUREMENT_RATING_THRESHOLD in two consecutive
months is suspended automatically (from new tenders; its contracts run on), with the figures in
the reason. The rule is evaluated when a rating is saved and by a monthly task. Once the
procurement officer has reinstated a supplier after a pair of months has ended, that pair does
not suspend it again.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, SystemActor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import month_end, next_month, previous_month
from shared_apps.accounts.actors import person
from shared_apps.procurement.models import SpendLine, Supplier, SupplierEvent, SupplierRating
from shared_apps.procurement.services.suppliers import supplier_suspend
from tenants.models import School

SCORES = ("quality", "punctuality", "service")
# Who suspends a supplier rated low: the rule, whoever's rating set it off.
RATING_RULE = SystemActor("procurement.rating_rule")


def _threshold() -> int:
    return int(settings.PROCUREMENT_RATING_THRESHOLD)


def _month_start(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


@dataclass(frozen=True)
class MonthMean:
    """A supplier's mean score across the schools that rated it in one month."""

    month: date
    mean: Decimal
    schools: int


def _month_means(supplier_ids: list[int], months: list[date]) -> dict[tuple[int, date], MonthMean]:
    """The mean score of each supplier in each month it was rated (one query)."""
    rows = (
        SupplierRating.objects.across_schools()
        .filter(supplier_id__in=supplier_ids, month__in=months)
        .values("supplier_id", "month")
        .annotate(mean=Avg("score"), schools=Count("id"))
        .order_by()
    )
    return {
        (row["supplier_id"], row["month"]): MonthMean(
            row["month"], Decimal(row["mean"]).quantize(Decimal("0.01")), row["schools"]
        )
        for row in rows
    }


def _low_pair_reason(first: MonthMean, second: MonthMean, limit: int) -> str:
    return _(
        "Rated below %(threshold)d in two consecutive months: a mean of %(first_mean)s in "
        "%(first)s (%(first_schools)d schools) and %(second_mean)s in %(second)s "
        "(%(second_schools)d schools)."
    ) % {
        "threshold": limit,
        "first_mean": first.mean,
        "first": f"{first.month:%Y-%m}",
        "first_schools": first.schools,
        "second_mean": second.mean,
        "second": f"{second.month:%Y-%m}",
        "second_schools": second.schools,
    }


def _rating_rule(*, supplier_id: int, months: list[date]) -> bool:
    """Apply the two-low-months rule to `supplier_id` for each pair of consecutive months ending
    in one of `months`; suspend it (once) when a pair is low. Returns whether it was suspended.
    The supplier's row is locked first, so concurrent ratings suspend it at most once. The
    suspension is the rule's, whoever's rating set it off: it names no actor (`RATING_RULE`)."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier_id)
    if supplier.status == Supplier.Status.SUSPENDED:
        return False
    limit = _threshold()
    pairs = sorted({(previous_month(m), m) for m in months})
    means = _month_means([supplier_id], [m for pair in pairs for m in pair])
    for first, second in pairs:
        a, b = means.get((supplier_id, first)), means.get((supplier_id, second))
        if a is None or b is None or a.mean >= limit or b.mean >= limit:
            continue
        reviewed = SupplierEvent.objects.filter(
            supplier_id=supplier_id,
            kind=SupplierEvent.Kind.REINSTATED,
            occurred_at__gte=_month_start(next_month(second)),
        ).exists()
        if reviewed:
            continue
        supplier_suspend(
            supplier=supplier,
            reason=_low_pair_reason(a, b, limit),
            actor=RATING_RULE,
            automatic=True,
        )
        return True
    return False


def _score(field: str, value: int) -> int:
    if not isinstance(value, int) or not 0 <= value <= 100:
        message = _("A score from 0 to 100.")
        raise InvalidInput(message, fields={field: [message]})
    return value


@service
def rating_record(
    *,
    school: School,
    supplier: Supplier,
    month: date,
    quality: int,
    punctuality: int,
    service: int,
    comment: str = "",
    actor: Actor,
    today: date | None = None,
) -> SupplierRating:
    """A school's rating of a supplier for a month (any day of it), once; then the rule."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today.replace(day=1):
        message = _("A month can be rated once it has begun.")
        raise InvalidInput(message, fields={"month": [message]})
    scores = {f: _score(f, v) for f, v in zip(SCORES, (quality, punctuality, service), strict=True)}
    ordered = (
        SpendLine.objects.for_school(school)
        .filter(supplier=supplier, ordered_on__gte=month, ordered_on__lte=month_end(month))
        .exists()
    )
    if not ordered:
        message = _("This school placed no order with this supplier in %(month)s.") % {
            "month": f"{month:%Y-%m}"
        }
        raise InvalidInput(message, code="no_order_that_month", fields={"supplier": [message]})
    return _rating_save(
        school=school,
        supplier=supplier,
        month=month,
        scores=scores,
        comment=comment,
        actor=actor,
        today=today,
    )


def _rating_save(
    *,
    school: School,
    supplier: Supplier,
    month: date,
    scores: dict[str, int],
    comment: str,
    actor: Actor,
    today: date,
) -> SupplierRating:
    """Save a school's rating of a supplier for a month, once; then the rule."""
    score = int((Decimal(sum(scores.values())) / 3).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    try:
        with transaction.atomic():
            rating = SupplierRating.objects.create(
                school=school,
                supplier=supplier,
                month=month,
                score=score,
                comment=(comment or "").strip(),
                rated_by=person(actor),
                **scores,
            )
    except IntegrityError:
        raise Conflict(
            _("This school has rated this supplier for %(month)s already.")
            % {"month": f"{month:%Y-%m}"},
            code="already_rated",
        ) from None
    months = [month]
    if next_month(month) <= today:
        months.append(next_month(month))
    _rating_rule(supplier_id=supplier.pk, months=months)
    return rating


@service
def rating_record_from_scorecard(
    *,
    school: School,
    supplier: Supplier,
    month: date,
    quality: int,
    punctuality: int,
    service: int,
    comment: str,
    actor: Actor,
) -> SupplierRating:
    """A school's monthly rating of a supplier that serves it as an outsourced repair provider,
    from the provider's scorecard (the repairs' managing department's score as quality, the
    share finished on time as punctuality, the requesters' ratings as service): no order is
    needed, the scorecard being the school's evidence. Once a month, then the rule."""
    today = timezone.localdate()
    month = month.replace(day=1)
    if month >= today.replace(day=1):
        message = _("A month is rated from its scorecard once it has ended.")
        raise InvalidInput(message, fields={"month": [message]})
    scores = {f: _score(f, v) for f, v in zip(SCORES, (quality, punctuality, service), strict=True)}
    return _rating_save(
        school=school,
        supplier=supplier,
        month=month,
        scores=scores,
        comment=comment,
        actor=actor,
        today=today,
    )


@service
def ratings_rule_for_month(*, month: date, actor: Actor) -> list[int]:
    """The monthly pass: apply the rule to every supplier rated low in `month` whose previous
    month was low too. Returns the ids of the suppliers it suspended."""
    month = month.replace(day=1)
    first = previous_month(month)
    rated = list(
        SupplierRating.objects.across_schools()
        .filter(month=month)
        .values_list("supplier_id", flat=True)
        .distinct()
        .order_by("supplier_id")
    )
    means = _month_means(rated, [first, month])
    limit = _threshold()
    low = [
        supplier_id
        for supplier_id in rated
        if all(
            (mean := means.get((supplier_id, m))) is not None and mean.mean < limit
            for m in (first, month)
        )
    ]
    return [s for s in low if _rating_rule(supplier_id=s, months=[month])]
