"""The keys of sealed tenders, as the services use them: amounts in the width they are sealed in,
the district's signing key (from the settings, never the database), and a tender's public key
checked against the fingerprint the district signed at publication (see sealing.py)."""

import base64
import binascii
import logging
from decimal import Decimal
from functools import cache

from Crypto.PublicKey.ECC import EccKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from houqin.exceptions import Conflict
from shared_apps.procurement import sealing
from shared_apps.procurement.models import Tender

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
