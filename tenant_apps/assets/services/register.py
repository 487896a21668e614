"""Writes about the register: buildings and rooms, assets registered (fixed or low-value by the
class's threshold, with the class's service life), custody and location moves, and the repairs
an asset has had (kept on it by the repair desk's completion)."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import add_months
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from tenant_apps.assets import classification
from tenant_apps.assets.models import Asset, AssetMove, Building, Room
from tenant_apps.assets.services._common import locked_asset, required
from tenant_apps.orders.models import Invoice, Order


@service
def building_create(*, code: str, name: str, actor: Actor) -> Building:
    code, name = required("code", code), required("name", name)
    try:
        with transaction.atomic():
            return Building.objects.create(code=code, name=name)
    except IntegrityError:
        raise Conflict(_("A building has this code already."), code="building_exists") from None


@service
def room_create(*, building: Building, code: str, name: str = "", kind: str, actor: Actor) -> Room:
    code = required("code", code)
    try:
        with transaction.atomic():
            return Room.objects.create(building=building, code=code, name=name.strip(), kind=kind)
    except IntegrityError:
        raise Conflict(_("The building has a room of this number."), code="room_exists") from None


@service
def asset_register(
    *,
    number: str,
    name: str,
    category: str,
    cost: Decimal,
    acquired_on: date,
    funding: str,
    actor: Actor,
    specification: str = "",
    custodian: User | None = None,
    room: Room | None = None,
    order: Order | None = None,
    invoice: Invoice | None = None,
) -> Asset:
    """Enter an asset in the register: a fixed asset when its cost reaches its class's threshold
    (1,000 CNY; 1,500 for special equipment), depreciated over the class's life from the month
    after it was acquired; a low-value item otherwise. When it came through procurement, the
    order and the invoice that bought it (the invoice of that order)."""
    number, name = required("number", number), required("name", name)
    if category not in classification.BY_CODE:
        raise InvalidInput(_("Unknown category."), fields={"category": [_("Unknown category.")]})
    if cost <= 0:
        raise InvalidInput(_("A cost above 0."), fields={"cost": [_("A cost above 0.")]})
    if acquired_on > timezone.localdate():
        message = _("An asset is registered once acquired.")
        raise InvalidInput(message, fields={"acquired_on": [message]})
    if invoice is not None and (order is None or invoice.order_id != order.pk):
        message = _("The invoice is not one of the order's.")
        raise InvalidInput(message, fields={"invoice": [message]})
    life = classification.BY_CODE[category].life_years * 12
    fixed = cost >= classification.threshold(category)
    try:
        with transaction.atomic():
            return Asset.objects.create(
                number=number,
                name=name,
                category=category,
                kind=Asset.Kind.FIXED if fixed else Asset.Kind.LOW_VALUE,
                specification=specification.strip(),
                cost=cost,
                acquired_on=acquired_on,
                funding=funding,
                order=order,
                invoice=invoice,
                service_life_months=life,
                depreciation_ends=add_months(acquired_on.replace(day=1), life) if fixed else None,
                custodian=custodian,
                room=room,
                registered_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("An asset has this number already."),
            code="asset_exists",
            fields={"number": [number]},
        ) from None


@service
def asset_move(
    *,
    asset: Asset,
    kind: str,
    actor: Actor,
    custodian: User | None = None,
    room: Room | None = None,
    due_back: date | None = None,
    note: str = "",
) -> AssetMove:
    """Record a change of custody or location: a transfer (a new custodian, a new room, or
    both), a loan (to a custodian, until a date) or a return from loan."""
    locked = locked_asset(asset)
    if kind == AssetMove.Kind.LOAN:
        if locked.status == Asset.Status.ON_LOAN:
            raise Conflict(_("The asset is on loan already."), code="on_loan")
        if custodian is None or due_back is None or due_back < timezone.localdate():
            message = _("A loan names the borrower and the day it comes back.")
            raise InvalidInput(message, fields={"due_back": [message]})
        status: str = Asset.Status.ON_LOAN
    elif kind == AssetMove.Kind.RETURN:
        if locked.status != Asset.Status.ON_LOAN:
            raise Conflict(_("The asset is not on loan."), code="not_on_loan")
        last_loan = locked.moves.filter(kind=AssetMove.Kind.LOAN).order_by("-id").first()
        custodian = last_loan.from_custodian if last_loan else locked.custodian
        room = room or locked.room
        status = Asset.Status.IN_USE
    elif kind == AssetMove.Kind.TRANSFER:
        if custodian is None and room is None:
            message = _("Name the new custodian, the new room, or both.")
            raise InvalidInput(message, fields={"custodian": [message], "room": [message]})
        status = locked.status
    else:
        raise InvalidInput(_("Unknown kind of move."), fields={"kind": [kind]})
    move = AssetMove.objects.create(
        asset=locked,
        kind=kind,
        from_custodian=locked.custodian,
        to_custodian=custodian or locked.custodian,
        from_room=locked.room,
        to_room=room or locked.room,
        due_back=due_back if kind == AssetMove.Kind.LOAN else None,
        note=note.strip(),
        moved_by=person(actor),
    )
    locked.custodian = move.to_custodian
    locked.room = move.to_room
    locked.status = status
    locked.save(update_fields=["custodian", "room", "status"])
    return move


@service
def asset_repair_add(*, asset: Asset, cost: Decimal, actor: Actor) -> None:
    """Count a finished repair, and its cost, on the asset repaired."""
    Asset.objects.filter(pk=asset.pk).update(
        repair_count=F("repair_count") + 1, repair_cost=F("repair_cost") + cost
    )
