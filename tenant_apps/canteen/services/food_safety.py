"""Writes about food-safety records: accompanied meals (陪餐), samples kept (留样), deliveries
inspected on arrival (进货查验) and cold-storage readings.

Settings a district may change (houqin/settings/base.py): `CANTEEN_SAMPLE_MIN_GRAMS` (125 g),
`CANTEEN_SAMPLE_HOURS` (48 h), `CANTEEN_COLD_RANGES` (°C per type of unit).
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import add_months
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    ColdStorageReading,
    FoodSample,
    InboundInspection,
    MealSession,
)

# 进货查验 records: six months past the shelf life, and no less than two years.
KEEP_MONTHS_PAST_SHELF_LIFE = 6
KEEP_YEARS_MINIMUM = 2


def _sample_min_grams() -> Decimal:
    return Decimal(str(settings.CANTEEN_SAMPLE_MIN_GRAMS))


def _sample_hours() -> int:
    return int(settings.CANTEEN_SAMPLE_HOURS)


def _cold_range(unit_type: str) -> tuple[Decimal | None, Decimal | None]:
    low, high = settings.CANTEEN_COLD_RANGES.get(unit_type, (None, None))
    return (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


@service
def accompanied_meal_record(*, session: MealSession, comments: str, actor: User) -> AccompaniedMeal:
    """The acting leader ate this meal with the students (陪餐); once per leader and meal."""
    if session.date > timezone.localdate():
        raise InvalidInput(_("This meal has not been served yet."), code="future_date")
    try:
        with transaction.atomic():
            return AccompaniedMeal.objects.create(
                session=session, leader=actor, comments=comments.strip()
            )
    except IntegrityError:
        raise Conflict(
            _("You have already recorded accompanying this meal."), code="already_recorded"
        ) from None


@service
def sample_record(
    *,
    session: MealSession,
    dish: str,
    actor: Actor,
    weight_g: Decimal | None = None,
    taken_at: datetime | None = None,
    kept_until: datetime | None = None,
) -> FoodSample:
    """A sample of one dish kept (留样): at least the configured weight (125 g), for at least the
    configured time (48 h)."""
    minimum = _sample_min_grams()
    weight_g = minimum if weight_g is None else weight_g
    if weight_g < minimum:
        raise InvalidInput(
            _("A sample weighs at least %s g.") % minimum, fields={"weight_g": [str(weight_g)]}
        )
    if not dish.strip():
        raise InvalidInput(_("Name the dish."), fields={"dish": [_("Required.")]})
    taken_at = taken_at or timezone.now()
    if not timezone.now() - timedelta(days=366) <= taken_at <= timezone.now() + timedelta(hours=1):
        raise InvalidInput(
            _("A sample is recorded when it is taken."), fields={"taken_at": [str(taken_at)]}
        )
    shortest = taken_at + timedelta(hours=_sample_hours())
    kept_until = kept_until or shortest
    if kept_until < shortest:
        raise InvalidInput(
            _("A sample is kept at least %d hours.") % _sample_hours(),
            fields={"kept_until": [str(kept_until)]},
        )
    return FoodSample.objects.create(
        session=session,
        dish=dish.strip(),
        weight_g=weight_g,
        taken_at=taken_at,
        kept_until=kept_until,
        recorded_by=person(actor),
    )


@service
def sample_discard(*, sample: FoodSample, actor: Actor, at: datetime | None = None) -> FoodSample:
    """Record that a sample was thrown away, once its keeping time has passed; once only."""
    locked = FoodSample.objects.select_for_update().get(pk=sample.pk)
    at = at or timezone.now()
    if locked.discarded_at is not None:
        raise Conflict(_("This sample was already discarded."), code="already_discarded")
    if at < locked.kept_until:
        raise InvalidInput(
            _("This sample must be kept until %s.")
            % f"{timezone.localtime(locked.kept_until):%Y-%m-%d %H:%M}",
            code="still_kept",
        )
    locked.discarded_at = at
    locked.save(update_fields=["discarded_at"])
    return locked


def _inspection_keep_until(*, received_on: date, shelf_life_until: date) -> date:
    """How long a delivery's inspection record is kept: six months past the shelf life, and no
    less than two years after it arrived."""
    return max(
        add_months(shelf_life_until, KEEP_MONTHS_PAST_SHELF_LIFE),
        add_months(received_on, 12 * KEEP_YEARS_MINIMUM),
    )


@service
def inspection_record(
    *,
    supplier_name: str,
    batch: str,
    received_on: date,
    shelf_life_until: date,
    certificates: Sequence[str],
    lines: Sequence[dict[str, Any]],
    actor: Actor,
    accepted: bool = True,
    note: str = "",
) -> InboundInspection:
    """One delivery checked on arrival (进货查验), kept as long as the rules say."""
    if received_on > timezone.localdate():
        raise InvalidInput(
            _("A delivery cannot be received in the future."), fields={"received_on": ["future"]}
        )
    if not lines:
        raise InvalidInput(_("List what was delivered."), fields={"lines": [_("Empty.")]})
    if received_on.year < 1900 or shelf_life_until.year > 2200:
        raise InvalidInput(
            _("These dates are out of range."), fields={"shelf_life_until": [_("Out of range.")]}
        )
    if not supplier_name.strip() or not batch.strip():
        raise InvalidInput(_("Name the supplier and the batch."))
    return InboundInspection.objects.create(
        supplier_name=supplier_name.strip(),
        batch=batch.strip(),
        certificates=list(certificates),
        lines=list(lines),
        received_on=received_on,
        shelf_life_until=shelf_life_until,
        keep_until=_inspection_keep_until(
            received_on=received_on, shelf_life_until=shelf_life_until
        ),
        accepted=accepted,
        note=note,
        inspected_by=person(actor),
    )


@service
def cold_reading_record(
    *,
    unit: str,
    unit_type: str,
    temperature_c: Decimal,
    actor: Actor,
    measured_at: datetime | None = None,
) -> ColdStorageReading:
    """One temperature reading, flagged when outside the range configured for its type."""
    measured_at = measured_at or timezone.now()
    if measured_at > timezone.now() + timedelta(minutes=5) or measured_at.year < 1900:
        raise InvalidInput(
            _("A reading cannot be taken in the future."), fields={"measured_at": ["future"]}
        )
    if not Decimal(-60) <= temperature_c <= Decimal(60):
        raise InvalidInput(
            _("No cold store reads this."), fields={"temperature_c": [str(temperature_c)]}
        )
    low, high = _cold_range(unit_type)
    out = (low is not None and temperature_c < low) or (high is not None and temperature_c > high)
    return ColdStorageReading.objects.create(
        unit=unit.strip(),
        unit_type=unit_type,
        temperature_c=temperature_c,
        measured_at=measured_at,
        out_of_range=out,
        recorded_by=person(actor),
    )
