"""Writes about dormitory buildings, floors, rooms and beds."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from tenant_apps.dorms.models import AREA_PER_PUPIL, Bed, Building, Floor, Room
from tenant_apps.dorms.selectors import occupied


@service
def building_create(*, code: str, name: str, actor: Actor) -> Building:
    if not code.strip() or not name.strip():
        raise InvalidInput(_("A building needs a code and a name."), code="required")
    try:
        with transaction.atomic():
            return Building.objects.create(code=code.strip(), name=name.strip())
    except IntegrityError:
        raise Conflict(_("A building has this code already."), code="building_exists") from None


@service
def floor_create(*, building: Building, level: int, actor: Actor) -> Floor:
    try:
        with transaction.atomic():
            return Floor.objects.create(building=building, level=level)
    except IntegrityError:
        raise Conflict(_("The building has this floor already."), code="floor_exists") from None


def _max_capacity(*, stage: str, area: Decimal) -> int:
    """How many pupils of `stage` a room of `area` m² may hold (26 m²: 13 primary, 10 junior)."""
    return int(area // AREA_PER_PUPIL[stage])


@service
def room_create(
    *, floor: Floor, number: str, sex: str, stage: str, area: Decimal, capacity: int, actor: Actor
) -> Room:
    if capacity > _max_capacity(stage=stage, area=area):
        message = _("A room of %(area)s m² holds at most %(most)d pupils of this stage.") % {
            "area": area,
            "most": _max_capacity(stage=stage, area=area),
        }
        raise InvalidInput(message, code="over_capacity", fields={"capacity": [message]})
    try:
        with transaction.atomic():
            return Room.objects.create(
                floor=floor,
                number=number.strip(),
                sex=sex,
                stage=stage,
                area=area,
                capacity=capacity,
            )
    except IntegrityError:
        raise Conflict(_("The floor has a room of this number."), code="room_exists") from None


@service
def bed_create(*, room: Room, number: str, bunk: str, actor: Actor) -> Bed:
    """A bed in `room`, never more beds than the room's capacity (the room's row is locked, so
    two beds added at once cannot both take the last place)."""
    locked = Room.objects.select_for_update().get(pk=room.pk)
    if Bed.objects.filter(room=locked).count() >= locked.capacity:
        raise Conflict(_("The room has as many beds as its capacity."), code="over_capacity")
    try:
        with transaction.atomic():
            return Bed.objects.create(room=locked, number=number.strip(), bunk=bunk)
    except IntegrityError:
        raise Conflict(_("The room has a bed of this number."), code="bed_exists") from None


@service
def bed_service_set(*, bed: Bed, in_service: bool, reason: str = "", actor: Actor) -> Bed:
    """Take a bed out of service (with the reason) or put it back."""
    locked = Bed.objects.select_for_update().get(pk=bed.pk)
    if not in_service and occupied(bed=locked, on=timezone.localdate()):
        raise Conflict(_("Someone sleeps in this bed: move them first."), code="bed_taken")
    reason = reason.strip()
    if not in_service and not reason:
        message = _("Say why the bed is out of service.")
        raise InvalidInput(message, code="reason_required", fields={"reason": [message]})
    locked.in_service = in_service
    locked.out_of_service_reason = "" if in_service else reason
    locked.save(update_fields=["in_service", "out_of_service_reason"])
    return locked
