"""The keys of sealed tenders, as the services use them: amounts in the width they are sealed in,
the district's signing key (from the settings, never the database), and a tender's public key
checked against the fingerprint the district signed at publication (see sealing.py)."""

import base64
import binascii
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from Crypto.PublicKey.ECC import EccKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from houqin.exceptions import Conflict
from shared_apps.procurement import sealing
from shared_apps.procurement.models import Bid, Tender

logger = logging.getLogger(__name__)

# Amounts are sealed in a fixed width, so that sealed items of one kind are all the same size.
AMOUNT_WIDTH = 15


def sealed_amount(value: Decimal) -> str:
    """An amount of money as sealed: zero-padded to a fixed width, two places."""
    return format(value.quantize(Decimal("0.01")), f"0{AMOUNT_WIDTH}.2f")


def stored(value: bytes | memoryview | None) -> bytes:
    """A binary column's value as bytes (the database driver reads bytea as a memoryview)."""
    if value is None:
        raise ValueError("nothing is stored here")
    return bytes(value)


@cache
def _signing_key(seed: str) -> EccKey:
    try:
        return sealing.signing_key(base64.b64decode(seed, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            "PROCUREMENT_SIGNING_KEY must be 32 bytes (an Ed25519 seed), base64-encoded."
        ) from exc


def district_signing_key() -> EccKey:
    """The district's key that signs tender keys' fingerprints (settings, never the database)."""
    if not settings.PROCUREMENT_SIGNING_KEY:
        raise ImproperlyConfigured("PROCUREMENT_SIGNING_KEY is required to publish tenders.")
    return _signing_key(settings.PROCUREMENT_SIGNING_KEY)


def district_verifying_key() -> str:
    """The public half of the district's signing key, base64 of its 32 raw bytes: what bidders
    pin to check a notice's key signature."""
    return base64.b64encode(sealing.verifying_key_raw(district_signing_key())).decode()


def key_statement(tender: Tender, fingerprint: str) -> bytes:
    return sealing.key_statement(tender_id=tender.pk, number=tender.number, fingerprint=fingerprint)


def verified_public_key(tender: Tender, *, declared: str | None = None) -> bytes:
    """The tender's public key, once checked: its fingerprint is the one the district signed for
    this tender at publication, and (given `declared`) the one the bidder checked. A key swapped
    in the database, or a fingerprint and signature swapped with it, fail the check: nothing is
    sealed to such a key (409)."""
    public_key = stored(tender.public_key)
    fingerprint = sealing.key_fingerprint(public_key)
    signed = tender.key_signature is not None and sealing.signature_valid(
        district_signing_key(),
        key_statement(tender, tender.key_fingerprint),
        stored(tender.key_signature),
    )
    if not signed or fingerprint != tender.key_fingerprint:
        logger.error(
            "Tender %s: its public key is not the one signed at publication; nothing sealed.",
            tender.number,
        )
        raise Conflict(
            _(
                "This tender's key is not the one the district signed at its publication: "
                "nothing is sealed to it. Tell the procurement office."
            ),
            code="tender_key_unverified",
        )
    if declared is not None and declared != fingerprint:
        raise Conflict(
            _(
                "Your bid names another key than this tender's (fingerprint %(fingerprint)s): "
                "read the notice again and check its signature."
            )
            % {"fingerprint": fingerprint},
            code="key_mismatch",
            fields={"key_fingerprint": [_("Not this tender's key.")]},
        )
    return public_key


@dataclass(frozen=True)
class BidReceipt:
    """A sealed bid's receipt: the statement the district signed, its signature, and the key
    to check it with. Kept by the bidder, it proves later which sealed bytes it sent, and so
    what they open to at the opening; a sealed bid changed since would not match it."""

    statement: str
    sealed_fingerprint: str
    signature: str
    verifying_key: str


def bid_receipt(bid: Bid) -> BidReceipt | None:
    """The receipt of a bid, from its sealed bytes as stored (kept after the opening); None once
    withdrawn, which erases them."""
    sealed = bytes(bid.sealed or b"")
    if bid.status == Bid.Status.WITHDRAWN or not sealed:
        return None
    fingerprint = sealing.sealed_fingerprint(sealed)
    statement = sealing.receipt_statement(
        tender=bid.lot.tender.number,
        lot=bid.lot.number,
        bid=str(bid.public_id),
        bidder=bid.supplier.credit_code,
        submitted_at=bid.submitted_at.isoformat(),
        key_fingerprint=bid.key_fingerprint,
        sealed_fingerprint=fingerprint,
    )
    # Ed25519 signs deterministically: the receipt shown again is the one shown first.
    signature = sealing.sign(district_signing_key(), statement)
    return BidReceipt(
        statement=statement.decode(),
        sealed_fingerprint=fingerprint,
        signature=base64.b64encode(signature).decode(),
        verifying_key=district_verifying_key(),
    )
