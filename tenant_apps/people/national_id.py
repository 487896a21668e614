"""National ID numbers (居民身份证号码, GB 11643-1999): checking, masking, encrypting, and the keyed
hash that finds a student by number without decrypting anything.

Keys. `settings.STUDENT_ID_KEY` is 32 random bytes in base64. Two keys are derived from it with
HKDF under distinct labels, one for AES-256-GCM encryption and one for the HMAC-SHA256 look-up
hash, so that neither use weakens the other and the look-up hash cannot be computed from the
encryption key's output. There is no other source: every settings module refuses to start
without STUDENT_ID_KEY (the tests and the demo set their own), and nothing is derived from
SECRET_KEY.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

LENGTH = 18
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# The first two digits name a province-level division (GB/T 2260), or a residence permit for
# residents of Hong Kong (81), Macao (82) and Taiwan (83).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51}
    | {52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
EARLIEST_BIRTH_YEAR = 1900
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Excel shows an 18-digit number as 1.10101E+17 and keeps only 15 digits of it.
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)

_FORMAT_VERSION = b"\x01"
_NONCE_BYTES = 12
_ASSOCIATED_DATA = b"houqin/people/student.national_id"
_ENCRYPTION_LABEL = b"houqin/people/national-id/encryption/v1"
_LOOKUP_LABEL = b"houqin/people/national-id/lookup-hash/v1"


class InvalidNationalId(ValueError):
    """A national ID number that is not one; `code` says why, `message` says it to a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize(raw: str) -> str:
    """The number as stored and hashed: full-width characters made ASCII, spaces and dashes
    dropped, a lower-case check character x made upper-case."""
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"[\s\-]", "", text).upper()


def check_character(first_17: str) -> str:
    """The 18th character GB 11643-1999 computes from the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate(raw: str, *, today: date | None = None) -> str:
    """The normalized number, or `InvalidNationalId` saying what is wrong with it."""
    number = normalize(raw)
    if _SCIENTIFIC.match(number):
        raise InvalidNationalId(
            "stored_as_number",
            _(
                "The ID number was stored as a number and lost its last digits; format the "
                "column as text and enter the numbers again."
            ),
        )
    if len(number) != LENGTH:
        raise InvalidNationalId(
            "wrong_length",
            _("An ID number has 18 characters; this one has {count}.").format(count=len(number)),
        )
    if not _SHAPE.match(number):
        raise InvalidNationalId(
            "bad_characters",
            _("An ID number is 17 digits followed by a digit or X."),
        )
    if int(number[:2]) not in PROVINCES:
        raise InvalidNationalId(
            "unknown_region", _("The ID number does not start with a known region code.")
        )
    born = birth_date_of(number)
    today = today or timezone.localdate()
    if born is None or born.year < EARLIEST_BIRTH_YEAR or born > today:
        raise InvalidNationalId(
            "bad_birth_date", _("The ID number's birth date (digits 7 to 14) is not a real date.")
        )
    if check_character(number[:17]) != number[17]:
        raise InvalidNationalId(
            "bad_check_digit",
            _("The ID number's last character does not match the others; check for a typo."),
        )
    return number


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidNationalId:
        return False
    return True


def mask(number: str) -> str:
    """The form shown to everyone: region kept, birth date and sequence hidden, last four kept,
    e.g. 110101********1234."""
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


# Keys ---------------------------------------------------------------------------------------------


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


@lru_cache(maxsize=4)
def _keys(configured: str) -> tuple[bytes, bytes]:
    if not configured:
        raise ImproperlyConfigured("STUDENT_ID_KEY is not set (see deploy/houqin.env.example).")
    try:
        master = base64.b64decode(configured, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("STUDENT_ID_KEY is not valid base64.") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("STUDENT_ID_KEY must be 32 bytes (base64-encoded).")
    return _derive(master, _ENCRYPTION_LABEL), _derive(master, _LOOKUP_LABEL)


def _current_keys() -> tuple[bytes, bytes]:
    return _keys(settings.STUDENT_ID_KEY)


def check_keys() -> None:
    """Raise ImproperlyConfigured now, rather than at the first student, when the key is bad."""
    _current_keys()


# Encryption and look-up -------------------------------------------------------------------------


def encrypt(number: str) -> bytes:
    """AES-256-GCM with a fresh random nonce: version byte, nonce, ciphertext and tag."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_current_keys()[0]).encrypt(nonce, number.encode(), _ASSOCIATED_DATA)
    return _FORMAT_VERSION + nonce + sealed


def decrypt(blob: bytes | memoryview) -> str:
    data = bytes(blob)
    if data[:1] != _FORMAT_VERSION:
        raise ValueError("unknown national ID ciphertext format")
    nonce, sealed = data[1 : 1 + _NONCE_BYTES], data[1 + _NONCE_BYTES :]
    try:
        return AESGCM(_current_keys()[0]).decrypt(nonce, sealed, _ASSOCIATED_DATA).decode()
    except InvalidTag as exc:
        raise ValueError("the national ID ciphertext does not open with this key") from exc


def lookup_hash(number: str) -> str:
    """HMAC-SHA256 of the normalized number under the look-up key, in hex."""
    return hmac.new(_current_keys()[1], number.encode(), hashlib.sha256).hexdigest()
