"""Stock-takes (盘点): a count of some rooms, or of every room (the annual full count), by
scanning labels on phones; closed, it is reconciled with the register in a few set-wise queries
and leaves a discrepancy for each asset missing, found in another room, or scanned but not in
the register, each assigned to a person and resolved."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.permissions import current_school_id
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import is_school_staff
from tenant_apps.assets.labels import ASSET, label_parse
from tenant_apps.assets.models import Asset, AssetMove, Discrepancy, Room, StockTake, StockTakeScan
from tenant_apps.assets.services._common import required
from tenants.selectors import current_school


@service
def stock_take_start(
    *, name: str, full: bool, actor: Actor, rooms: Sequence[Room] = ()
) -> StockTake:
    """Start a count of `rooms`, or of every room (`full`: the annual count). One count at a
    time, so that no scan is split between two."""
    name = required("name", name)
    if not full and not rooms:
        message = _("Name the rooms to count, or count them all.")
        raise InvalidInput(message, fields={"rooms": [message]})
    try:
        with transaction.atomic():
            stock_take = StockTake.objects.create(name=name, full=full, started_by=person(actor))
    except IntegrityError:
        raise Conflict(
            _("A stock-take is under way: close it first."), code="stock_take_open"
        ) from None
    if not full:
        stock_take.rooms.set(rooms)
    return stock_take


def _locked_open(stock_take: StockTake) -> StockTake:
    locked = StockTake.objects.select_for_update().get(pk=stock_take.pk)
    if locked.status != StockTake.Status.OPEN:
        raise Conflict(_("The stock-take is closed."), code="stock_take_closed")
    return locked


@service
def stock_take_scan(*, stock_take: StockTake, code: str, room: Room, actor: Actor) -> StockTakeScan:
    """Record a label scanned in `room`: an asset of the register, or a label of this school
    that the register does not know. A label of another school, or not one of ours, is refused;
    so is a room the count does not cover, and a label scanned twice."""
    locked = _locked_open(stock_take)
    label = label_parse(code)
    if label is None or label.kind != ASSET:
        message = _("This is not an asset label.")
        raise InvalidInput(message, code="not_an_asset_label", fields={"code": [message]})
    if label.school_code != current_school().code:
        message = _("This label belongs to another school.")
        raise InvalidInput(message, code="other_school_label", fields={"code": [message]})
    if not locked.full and not locked.rooms.filter(pk=room.pk).exists():
        message = _("This stock-take does not count that room.")
        raise InvalidInput(message, code="room_not_counted", fields={"room": [message]})
    asset = Asset.objects.filter(number=label.key).first()
    try:
        with transaction.atomic():
            return StockTakeScan.objects.create(
                stock_take=locked,
                asset=asset,
                code=str(label),
                room=room,
                scanned_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("This label has been scanned in this stock-take already."), code="already_scanned"
        ) from None


@service
def stock_take_close(*, stock_take: StockTake, actor: Actor) -> StockTake:
    """Close the count and reconcile it with the register: an asset held in a counted room (any
    room, for a full count) and not scanned is missing; one scanned in another room than its own
    was moved; a label the register does not know, or of an asset disposed of, is surplus."""
    locked = _locked_open(stock_take)
    held = Asset.objects.exclude(status=Asset.Status.DISPOSED)
    if not locked.full:
        held = held.filter(room__in=locked.rooms.all())
    scans = StockTakeScan.objects.filter(stock_take=locked)
    missing = held.exclude(pk__in=scans.filter(asset__isnull=False).values("asset"))
    registered = scans.filter(asset__isnull=False).exclude(asset__status=Asset.Status.DISPOSED)
    in_place = registered.filter(asset__room=F("room"))
    moved = registered.exclude(pk__in=in_place.values("pk"))
    surplus = scans.filter(Q(asset__isnull=True) | Q(asset__status=Asset.Status.DISPOSED))
    discrepancies = [
        *(
            Discrepancy(stock_take=locked, kind=Discrepancy.Kind.MISSING, asset_id=pk)
            for pk in missing.values_list("pk", flat=True)
        ),
        *(
            Discrepancy(
                stock_take=locked, kind=Discrepancy.Kind.MOVED, asset_id=a, code=c, found_in_id=r
            )
            for a, c, r in moved.values_list("asset_id", "code", "room_id")
        ),
        *(
            Discrepancy(
                stock_take=locked, kind=Discrepancy.Kind.SURPLUS, asset_id=a, code=c, found_in_id=r
            )
            for a, c, r in surplus.values_list("asset_id", "code", "room_id")
        ),
    ]
    Discrepancy.objects.bulk_create(discrepancies)
    locked.found = in_place.count()
    locked.status = StockTake.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["found", "status", "closed_at"])
    return locked


@service
def discrepancy_assign(*, discrepancy: Discrepancy, assignee: User, actor: Actor) -> Discrepancy:
    """Give a discrepancy to one of the school's staff to resolve."""
    if not is_school_staff(user=assignee, school_id=current_school_id()):
        message = _("A discrepancy is assigned to a member of this school's staff.")
        raise InvalidInput(message, code="not_school_staff", fields={"username": [message]})
    locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if locked.status != Discrepancy.Status.OPEN:
        raise Conflict(_("The discrepancy is resolved."), code="discrepancy_resolved")
    locked.assignee = assignee
    locked.save(update_fields=["assignee"])
    return locked


@service
def discrepancy_resolve(
    *, discrepancy: Discrepancy, resolution: str, actor: Actor, relocate: bool = False
) -> Discrepancy:
    """Resolve a discrepancy, saying how; an asset found in another room may be moved there in
    the register (`relocate`), recorded as a move found by the stock-take."""
    resolution = required("resolution", resolution)
    locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if locked.status != Discrepancy.Status.OPEN:
        raise Conflict(_("The discrepancy is resolved."), code="discrepancy_resolved")
    if relocate:
        if locked.kind != Discrepancy.Kind.MOVED or locked.asset is None:
            message = _("Only an asset found in another room is relocated.")
            raise InvalidInput(message, fields={"relocate": [message]})
        asset = Asset.objects.select_for_update().get(pk=locked.asset.pk)
        AssetMove.objects.create(
            asset=asset,
            kind=AssetMove.Kind.STOCK_TAKE,
            from_custodian=asset.custodian,
            to_custodian=asset.custodian,
            from_room=asset.room,
            to_room=locked.found_in,
            note=resolution,
            moved_by=person(actor),
        )
        asset.room = locked.found_in
        asset.save(update_fields=["room"])
    locked.status = Discrepancy.Status.RESOLVED
    locked.resolution = resolution
    locked.resolved_by = person(actor)
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    return locked
