"""The tenders' signal rules, registered in signals.py's registry for the auditors' endpoint.

Rules that look at prices read only opened lots (before the opening there are no prices to
read), and rules that look at bidders only opened tenders (before the opening nobody learns who
bid). Their signals name bids and suppliers, never a price.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shared_apps.procurement.models import Award, Bid, CommitteeSeat, Lot, Supplier, Tender
from shared_apps.procurement.signals import Signal, rule

OPENED = [Tender.Status.OPENED, Tender.Status.EVALUATED, Tender.Status.AWARDED]
# Bids that were in the tender: every one not withdrawn.
LIVE = [Bid.Status.SEALED, Bid.Status.VALID, Bid.Status.REJECTED]


def band() -> Decimal:
    """The fraction under a ceiling or reserve price within which a bid looks clustered."""
    return Decimal(settings.PROCUREMENT_CLUSTER_BAND_PERCENT) / 100


def normalised_phone(value: str) -> str:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def normalised_email(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def normalised_address(value: str) -> str:
    """Case, width, spaces and punctuation aside (全角 and 半角 alike)."""
    text = unicodedata.normalize("NFKC", value).lower()
    return "".join(ch for ch in text if ch.isalnum())


# What a signal says when bidders share one kind of contact.
SHARED_CONTACT_MESSAGES = {
    "phone": _("Bidders share a phone number."),
    "email": _("Bidders share an email address."),
    "address": _("Bidders share an address."),
}


def supplier_contacts(supplier: Supplier) -> set[tuple[str, str]]:
    contacts = {
        ("phone", normalised_phone(supplier.contact_phone)),
        ("email", normalised_email(supplier.contact_email)),
        ("address", normalised_address(supplier.address)),
    }
    return {(kind, value) for kind, value in contacts if value}


def _valid_counts() -> Iterator[tuple[Lot, int]]:
    """Each opened lot and its count of valid bids, in one query however many lots."""
    lots = (
        Lot.objects.filter(tender__status__in=OPENED)
        .select_related("tender")
        .annotate(valid=Count("bids", filter=Q(bids__status=Bid.Status.VALID)))
        .order_by("pk")
    )
    for lot in lots:
        yield lot, lot.valid


@rule("single_bid")
def single_bid() -> Iterator[Signal]:
    for lot, valid in _valid_counts():
        if valid == 1:
            yield Signal(
                rule="single_bid",
                subject="lot",
                subject_id=lot.pk,
                school_id=None,
                message=_("Only one valid bid for this lot."),
                detail={"tender": lot.tender_id, "number": lot.tender.number, "lot": lot.number},
            )


@rule("few_valid_bids")
def few_valid_bids() -> Iterator[Signal]:
    """Lots with fewer than three valid bids (a single one has its own rule)."""
    for lot, valid in _valid_counts():
        if valid < 3 and valid != 1:
            yield Signal(
                rule="few_valid_bids",
                subject="lot",
                subject_id=lot.pk,
                school_id=None,
                message=_("Fewer than three valid bids for this lot."),
                detail={
                    "tender": lot.tender_id,
                    "number": lot.tender.number,
                    "lot": lot.number,
                    "valid_bids": valid,
                },
            )


def _just_under(code: str, price_field: str, least: int, message: Any) -> Iterator[Signal]:
    """A signal `code` for each opened lot with at least `least` bids within the band just under
    its `price_field` (the ceiling, or the reserve price)."""
    fraction = band()
    lots = (
        Lot.objects.filter(tender__status__in=OPENED, **{f"{price_field}__isnull": False})
        .select_related("tender")
        .prefetch_related("bids__supplier")
        .order_by("pk")
    )
    for lot in lots:
        price: Decimal = getattr(lot, price_field)
        under = [
            bid
            for bid in lot.bids.all()
            if bid.total is not None and price * (1 - fraction) <= bid.total <= price
        ]
        if len(under) >= least:
            yield Signal(
                rule=code,
                subject="lot",
                subject_id=lot.pk,
                school_id=None,
                message=message,
                detail={
                    "tender": lot.tender_id,
                    "number": lot.tender.number,
                    "lot": lot.number,
                    "bids": [str(bid.public_id) for bid in under],
                    "suppliers": [bid.supplier.name for bid in under],
                },
            )


@rule("bids_under_ceiling")
def bids_under_ceiling() -> Iterator[Signal]:
    """Two bids or more just under a lot's published ceiling."""
    return _just_under(
        "bids_under_ceiling", "ceiling", 2, _("Bids clustered just under the price ceiling.")
    )


@rule("bids_under_reserve")
def bids_under_reserve() -> Iterator[Signal]:
    """A bid just under a lot's sealed reserve price: was the reserve price leaked?"""
    return _just_under(
        "bids_under_reserve",
        "reserve_price",
        1,
        _("Bids just under the sealed reserve price (a leaked 标底?)."),
    )


def _bidders() -> dict[int, dict[int, Supplier]]:
    """Every opened tender's bidders (suppliers with a live bid), by tender id. Before the
    opening, who bid is nobody's business but the bidder's, the auditors' included."""
    bidders: dict[int, dict[int, Supplier]] = defaultdict(dict)
    bids = Bid.objects.filter(status__in=LIVE, lot__tender__opened_at__isnull=False)
    for bid in bids.select_related("supplier", "lot"):
        bidders[bid.lot.tender_id][bid.supplier_id] = bid.supplier
    return bidders


@rule("bidders_share_contact")
def bidders_share_contact() -> Iterator[Signal]:
    """Different bidders of one tender with the same phone, email or address."""
    for tender_id, suppliers in sorted(_bidders().items()):
        holders: dict[tuple[str, str], list[Supplier]] = defaultdict(list)
        for supplier in suppliers.values():
            for contact in supplier_contacts(supplier):
                holders[contact].append(supplier)
        for (kind, _value), sharing in sorted(holders.items()):
            if len(sharing) > 1:
                yield Signal(
                    rule="bidders_share_contact",
                    subject="tender",
                    subject_id=tender_id,
                    school_id=None,
                    message=SHARED_CONTACT_MESSAGES[kind],
                    detail={
                        "contact": kind,
                        "suppliers": sorted(s.pk for s in sharing),
                        "names": sorted(s.name for s in sharing),
                    },
                )


@rule("evaluator_shares_contact")
def evaluator_shares_contact() -> Iterator[Signal]:
    """A member who declared no conflict of interest but shares a phone or an address with a
    bidder of that tender."""
    bidders = _bidders()
    seats = CommitteeSeat.objects.filter(conflict=False).select_related("evaluator")
    for seat in seats.order_by("pk"):
        mine = {
            ("phone", normalised_phone(seat.evaluator.phone)),
            ("address", normalised_address(seat.evaluator.address)),
        }
        for supplier in bidders.get(seat.tender_id, {}).values():
            shared = sorted(kind for kind, value in mine & supplier_contacts(supplier) if value)
            if shared:
                yield Signal(
                    rule="evaluator_shares_contact",
                    subject="committee_seat",
                    subject_id=seat.pk,
                    school_id=None,
                    message=_("A member who declared no conflict shares a contact with a bidder."),
                    detail={
                        "tender": seat.tender_id,
                        "evaluator": seat.evaluator.name,
                        "supplier": supplier.name,
                        "contacts": shared,
                    },
                )


@rule("award_departs_from_recommendation")
def award_departs_from_recommendation() -> Iterator[Signal]:
    awards = Award.objects.filter(departs_from_recommendation=True).select_related(
        "lot__tender", "bid__supplier"
    )
    for award in awards.order_by("pk"):
        yield Signal(
            rule="award_departs_from_recommendation",
            subject="lot",
            subject_id=award.lot_id,
            school_id=None,
            message=_("Awarded to another bid than the committee's recommendation."),
            detail={
                "tender": award.lot.tender_id,
                "number": award.lot.tender.number,
                "lot": award.lot.number,
                "supplier": award.bid.supplier.name,
                "reason": award.reason,
            },
        )
