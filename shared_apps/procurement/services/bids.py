"""Writes about bids (投标): a supplier's account submits, replaces or withdraws its company's bid
for a lot before the deadline. The contents are sealed to the tender's key as soon as they are
received, and only to the key the district signed at publication whose fingerprint the bidder
names: what is stored is ciphertext and the bid's metadata (lot, supplier, time, status)."""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput, NotPermitted
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.procurement import sealing
from shared_apps.procurement.models import Bid, Lot, Supplier, SupplierUser, Tender
from shared_apps.procurement.selectors.suppliers import eligibility_problem
from shared_apps.procurement.selectors.tenders import deadline_passed
from shared_apps.procurement.services._tenders import locked_tender
from shared_apps.procurement.tender_keys import sealed_amount, verified_public_key

CENT = Decimal("0.01")


@dataclass(frozen=True)
class BidContents:
    """What a bid says, as sealed: a unit price per tender line, delivery terms, quality."""

    unit_prices: dict[int, Decimal]
    delivery_terms: str
    quality_statement: str

    def encode(self) -> bytes:
        return json.dumps(
            {
                "lines": {str(line): sealed_amount(p) for line, p in self.unit_prices.items()},
                "delivery_terms": self.delivery_terms,
                "quality_statement": self.quality_statement,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()

    def amounts(self, quantities: dict[int, Decimal]) -> dict[int, Decimal]:
        """Each priced line's amount (unit price x the line's quantity, to the cent): what the
        bid form shows as it is typed, what the ceiling is checked against on submission, and
        what the opening records."""
        return {
            line: (price * quantities[line]).quantize(CENT, rounding=ROUND_HALF_UP)
            for line, price in self.unit_prices.items()
            if line in quantities
        }

    @classmethod
    def decode(cls, plaintext: bytes) -> "BidContents":
        body = json.loads(plaintext)
        return cls(
            unit_prices={int(line): Decimal(p) for line, p in body["lines"].items()},
            delivery_terms=body["delivery_terms"],
            quality_statement=body["quality_statement"],
        )


def _bidder(actor: Actor) -> Supplier:
    """The company a supplier account acts for."""
    user = person(actor)
    account: SupplierUser | None = (
        getattr(user, "supplier_account", None) if user is not None else None
    )
    if account is None:
        raise NotPermitted(_("Only a supplier's account can bid."), code="not_a_supplier")
    return account.supplier


def _open_for_bids(lot: Lot) -> Tender:
    tender = locked_tender(lot.tender, Tender.Status.PUBLISHED)
    if deadline_passed(tender):
        raise Conflict(_("The deadline for bids has passed."), code="deadline_passed")
    return tender


@service
def bid_submit(*, lot: Lot, contents: BidContents, key_fingerprint: str, actor: User) -> Bid:
    """Submit (or replace) the actor's company's bid for `lot`, sealed to the tender's key, which
    must be the one whose fingerprint the bidder checked (`key_fingerprint`, from the notice)
    and the district signed."""
    supplier = _bidder(actor)
    # The tender's lock orders this bid before any opening: none can start before it commits.
    tender = _open_for_bids(lot)
    supplier = Supplier.objects.get(pk=supplier.pk)
    if supplier.status != Supplier.Status.ACTIVE:
        raise Conflict(
            _("Your company is suspended from new tenders: %(reason)s")
            % {"reason": supplier.status_reason},
            code="supplier_suspended",
        )
    problem = eligibility_problem(
        supplier=supplier, category=lot.category, day=timezone.localtime(tender.deadline).date()
    )
    if problem:
        raise Conflict(problem, code="not_qualified")
    expected = set(lot.lines.values_list("pk", flat=True))
    given = set(contents.unit_prices)
    if given != expected:
        raise InvalidInput(
            _(
                "A bid prices every line of its lot, and no other: %(missing)s missing, "
                "%(extra)s not of this lot."
            )
            % {"missing": len(expected - given), "extra": len(given - expected)},
            code="lines_mismatch",
            fields={
                "lines": [
                    _("Missing: %(missing)s. Not of this lot: %(extra)s.")
                    % {
                        "missing": ", ".join(map(str, sorted(expected - given))) or "-",
                        "extra": ", ".join(map(str, sorted(given - expected))) or "-",
                    }
                ]
            },
        )
    if any(price <= 0 for price in contents.unit_prices.values()):
        raise InvalidInput(
            _("Unit prices must be positive."), fields={"lines": [_("Not positive.")]}
        )
    quantities = dict(lot.lines.values_list("pk", "quantity"))
    total = sum(contents.amounts(quantities).values(), Decimal(0))
    if lot.ceiling is not None and total > lot.ceiling:
        # The ceiling is published: refusing now tells the bidder nothing it did not know,
        # and spares it a bid the opening would reject.
        message = _("Total %(total)s CNY is above the ceiling of %(ceiling)s CNY.") % {
            "total": total,
            "ceiling": lot.ceiling,
        }
        raise InvalidInput(message, code="above_ceiling", fields={"lines": [message]})
    public_key = verified_public_key(tender, declared=key_fingerprint)
    sealed = sealing.seal(public_key, contents.encode())
    bid, _created = Bid.objects.update_or_create(
        lot=lot,
        supplier=supplier,
        defaults={
            "status": Bid.Status.SEALED,
            "sealed": sealed,
            "key_fingerprint": tender.key_fingerprint,
            "submitted_by": actor,
            "submitted_at": timezone.now(),
        },
    )
    return bid


@service
def bid_withdraw(*, bid: Bid, actor: Actor) -> Bid:
    """Withdraw the company's bid before the deadline: its sealed contents are erased."""
    if _bidder(actor).pk != bid.supplier_id:
        raise NotPermitted(_("Only the bidder can withdraw its bid."))
    _open_for_bids(bid.lot)
    locked = Bid.objects.select_for_update().get(pk=bid.pk)
    if locked.status != Bid.Status.SEALED:
        raise Conflict(_("This bid is already withdrawn."), code="bid_withdrawn")
    locked.status = Bid.Status.WITHDRAWN
    locked.sealed = b""
    locked.save(update_fields=["status", "sealed"])
    return locked
