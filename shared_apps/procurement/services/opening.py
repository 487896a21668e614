"""Opening a tender (开标), after its deadline: each committee member declares their interests and
presents their share of the tender key by giving their passphrase; with k shares the tender is
opened: the key is rebuilt, the reserve prices and every bid are decrypted into plaintext rows,
bids above their lot's ceiling are rejected, lots with fewer than three valid bids are flagged,
and the presented shares are deleted. Every step is a `TenderEvent` (and, like every write, in
the audit trail). Reads of what was sealed, once opened, are security events for the auditors.
"""

from decimal import Decimal
from uuid import UUID

from Crypto.PublicKey.RSA import RsaKey
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.db import insert_columns
from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput, NotPermitted
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from shared_apps.procurement import sealing
from shared_apps.procurement.models import (
    Bid,
    BidLine,
    CommitteeSeat,
    Lot,
    PresentedShare,
    Tender,
    TenderEvent,
)
from shared_apps.procurement.selectors.tenders import deadline_passed
from shared_apps.procurement.services._tenders import locked_tender, tender_event
from shared_apps.procurement.services.bids import BidContents
from shared_apps.procurement.tender_keys import stored

MIN_VALID_BIDS = 3
# A tender whose deadline has passed and whose bids are still sealed.
SEALED = (Tender.Status.PUBLISHED, Tender.Status.CLOSED)


def _require_deadline_passed(tender: Tender) -> None:
    if not deadline_passed(tender):
        deadline = timezone.localtime(tender.deadline).strftime("%Y-%m-%d %H:%M")
        raise Conflict(
            _("The deadline (%(deadline)s) has not passed: the tender cannot be opened yet.")
            % {"deadline": deadline},
            code="too_early",
        )


def _after_deadline(seat: CommitteeSeat, *statuses: str) -> Tender:
    tender = locked_tender(seat.tender, *statuses)
    _require_deadline_passed(tender)
    if tender.status == Tender.Status.PUBLISHED:
        tender.status = Tender.Status.CLOSED
        tender.save(update_fields=["status"])
    return tender


def _own(seat: CommitteeSeat, actor: Actor) -> None:
    if actor.pk != seat.evaluator.user_id:
        raise NotPermitted(_("Only the member in this seat can act for it."))


@service
def seat_declare(*, seat: CommitteeSeat, conflict: bool, note: str, actor: Actor) -> CommitteeSeat:
    """A member declares whether they have a conflict of interest with the tender's bidders
    (once; a member with a conflict presents their share but does not score)."""
    _own(seat, actor)
    note = (note or "").strip()
    if conflict and not note:
        raise InvalidInput(
            _("Say what the conflict of interest is."),
            fields={"note": [_("This field is required.")]},
        )
    tender = _after_deadline(seat, *SEALED, Tender.Status.OPENED)
    locked = CommitteeSeat.objects.get(pk=seat.pk)
    if locked.conflict is not None:
        raise Conflict(_("You have already declared your interests."), code="already_declared")
    locked.conflict = conflict
    locked.conflict_note = note
    locked.declared_at = timezone.now()
    locked.save(update_fields=["conflict", "conflict_note", "declared_at"])
    tender_event(
        tender,
        TenderEvent.Kind.DECLARED,
        actor,
        seat=locked,
        note=(_("Conflict of interest: %(note)s") % {"note": note})
        if conflict
        else _("No conflict of interest."),
    )
    return locked


@service
def share_present(
    *, seat: CommitteeSeat, passphrase: str, open_when_ready: bool = True, actor: Actor
) -> CommitteeSeat:
    """A member presents their share: their passphrase unlocks their key, which decrypts the
    share sealed to them; the share is kept until the opening. Unless asked not to (to leave
    the opening to the opening session), the k-th share opens the tender at once."""
    _own(seat, actor)
    locked_key = seat.evaluator.locked_private_key
    if locked_key is None or seat.sealed_share is None:
        raise Conflict(_("This seat holds no share."), code="no_share")
    # The slow part (scrypt) happens before any row is locked.
    try:
        member_key = sealing.unlock_private_key(bytes(locked_key), passphrase)
        index, share = sealing.open_share(member_key, bytes(seat.sealed_share))
    except sealing.WrongPassphrase:
        raise InvalidInput(
            _("This passphrase does not unlock your sealing key."),
            code="wrong_passphrase",
            fields={"passphrase": [_("Wrong passphrase.")]},
        ) from None
    except sealing.Tampered:
        raise Conflict(
            _("Your share cannot be decrypted with your key."), code="no_share"
        ) from None
    with transaction.atomic():
        tender = _after_deadline(seat, *SEALED)
        locked = CommitteeSeat.objects.get(pk=seat.pk)
        if locked.conflict is None:
            raise Conflict(
                _("Declare your interests before presenting your share."), code="not_declared"
            )
        if locked.presented_at is not None:
            raise Conflict(_("You have already presented your share."), code="already_presented")
        if index != locked.index:
            raise Conflict(_("This share belongs to another seat."), code="no_share")
        PresentedShare.objects.create(seat=locked, share=share)
        locked.presented_at = timezone.now()
        locked.save(update_fields=["presented_at"])
        tender_event(tender, TenderEvent.Kind.SHARE_PRESENTED, actor, seat=locked)
        presented = PresentedShare.objects.filter(seat__tender=tender).count()
        if open_when_ready and presented >= tender.threshold:
            _open(tender, actor)
        return locked


@service
def tender_open(*, tender: Tender, actor: Actor) -> Tender:
    """Open the tender once its deadline has passed and k members have presented their shares."""
    locked = locked_tender(tender, *SEALED)
    _require_deadline_passed(locked)
    return _open(locked, actor)


def _open(tender: Tender, actor: Actor) -> Tender:
    """The opening itself, on a locked tender: any failure leaves everything as it was."""
    presented = list(
        PresentedShare.objects.filter(seat__tender=tender)
        .select_related("seat")
        .order_by("seat__index")
    )
    if len(presented) < tender.threshold:
        raise Conflict(
            _("%(given)s of %(needed)s shares presented: the tender cannot be opened yet.")
            % {"given": len(presented), "needed": tender.threshold},
            code="too_few_shares",
        )
    try:
        key = sealing.recover_tender_key(
            [(p.seat.index, bytes(p.share)) for p in presented[: tender.threshold]],
            stored(tender.sealed_private_key),
        )
    except sealing.WrongShares:
        raise Conflict(
            _("The shares presented do not unlock the tender's key; nothing was opened."),
            code="wrong_shares",
        ) from None
    lots = list(tender.lots.prefetch_related("lines"))
    opened: list[Bid] = []
    for lot in lots:
        if lot.sealed_reserve is not None:
            lot.reserve_price = Decimal(sealing.unseal(key, bytes(lot.sealed_reserve)).decode())
        bids = _open_bids(lot, key)
        valid = sum(1 for bid in bids if bid.status == Bid.Status.VALID)
        lot.few_bids = valid < MIN_VALID_BIDS
        opened += bids
    Lot.objects.bulk_update(lots, ["reserve_price", "few_bids"])
    PresentedShare.objects.filter(seat__tender=tender).delete()
    tender.status = Tender.Status.OPENED
    tender.opened_at = timezone.now()
    tender.save(update_fields=["status", "opened_at"])
    tender_event(tender, TenderEvent.Kind.OPENED, actor)
    for bid in opened:
        if bid.status == Bid.Status.REJECTED:
            tender_event(
                tender,
                TenderEvent.Kind.BID_REJECTED,
                actor,
                lot=bid.lot,
                bid=bid,
                note=bid.rejection_reason,
            )
    for lot in lots:
        if lot.few_bids:
            valid = sum(1 for b in opened if b.lot_id == lot.pk and b.status == Bid.Status.VALID)
            tender_event(
                tender,
                TenderEvent.Kind.FEW_BIDS,
                actor,
                lot=lot,
                note=_("%(n)s valid bids.") % {"n": valid},
            )
    return tender


def _open_bids(lot: Lot, key: RsaKey) -> list[Bid]:
    """Decrypt the lot's sealed bids into lines and totals, rejecting those above the ceiling
    (there is no floor). Returns the bids opened."""
    quantities = {line.pk: line.quantity for line in lot.lines.all()}
    bids = list(lot.bids.filter(status=Bid.Status.SEALED).order_by("pk"))
    rows: list[tuple[int, int, Decimal, Decimal]] = []
    for bid in bids:
        bid.lot = lot
        contents = BidContents.decode(sealing.unseal(key, bytes(bid.sealed)))
        amounts = contents.amounts(quantities)
        bid.total = sum(amounts.values(), Decimal(0))
        bid.delivery_terms = contents.delivery_terms
        bid.quality_statement = contents.quality_statement
        bid.status = Bid.Status.VALID
        if lot.ceiling is not None and bid.total > lot.ceiling:
            bid.status = Bid.Status.REJECTED
            bid.rejection_reason = _(
                "Total %(total)s CNY is above the ceiling of %(ceiling)s CNY."
            ) % {"total": bid.total, "ceiling": lot.ceiling}
        rows += [
            (bid.pk, line, contents.unit_prices[line], amount) for line, amount in amounts.items()
        ]
    Bid.objects.bulk_update(
        bids, ["status", "total", "delivery_terms", "quality_statement", "rejection_reason"]
    )
    _insert_bid_lines(rows)
    return bids


def _insert_bid_lines(rows: list[tuple[int, int, Decimal, Decimal]]) -> None:
    """Every opened line of a lot in one INSERT of unnested arrays: a tender of 50 bids of 500
    lines opens in one statement (and one statement-level audit insert), not in 25,000 model
    instances."""
    if not rows:
        return
    bids, lines, prices, amounts = zip(*rows, strict=True)
    insert_columns(
        BidLine._meta.db_table,
        {
            "bid_id": ("bigint[]", bids),
            "line_id": ("bigint[]", lines),
            "unit_price": ("numeric[]", prices),
            "amount": ("numeric[]", amounts),
        },
    )


@service
def sealed_read_record(
    *,
    request: HttpRequest,
    tender: Tender,
    bids: list[UUID],
    reserve_prices: list[int],
    actor: Actor,
) -> None:
    """Log a read, through the API, of what was sealed until the opening (bids' contents, lots'
    reserve prices): who read which, when, from where. Auditors see these events."""
    if tender.opened_at is None or not (bids or reserve_prices):
        return
    security_event_record(
        kind=SecurityEvent.Kind.SEALED_ITEM_READ,
        request=request,
        actor=actor,
        detail={
            "tender": tender.pk,
            "number": tender.number,
            "bids": [str(bid) for bid in bids],
            "reserve_prices": reserve_prices,
        },
    )
