"""Sealing for tenders: pure functions over bytes (no database, no settings, no logging).

- An evaluator's sealing key: an RSA key pair; the private half is kept only as PKCS#8 encrypted
  under their passphrase (scrypt + AES-256-GCM), so the server cannot use it without them.
- A tender's key: at publication a fresh RSA key pair is made; its private half is encrypted
  (AES-GCM) under a fresh 16-byte secret; the secret is split into n Shamir shares with
  threshold k, each share encrypted (RSA-OAEP) to one committee member's public key. The secret
  and the private key are then dropped: k members presenting their shares are the only way
  back to it.
- A sealed item (a bid's contents, a reserve price): encrypted with a fresh AES-256-GCM key,
  itself wrapped (RSA-OAEP) to the tender's public key. The plaintext is padded to a multiple
  of `BLOCK` bytes first, so that the size of what is stored says little about what is in it.
- A tender key's fingerprint (SHA-256 of the public key's DER) is signed at publication with the
  district's Ed25519 signing key, in a statement naming the tender (`key_statement`): a bidder
  checks the statement against the district's public key before bidding, and the server before
  sealing anything to the tender's key.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from Crypto.Cipher import AES, PKCS1_OAEP
from Crypto.Hash import SHA256
from Crypto.Protocol.SecretSharing import Shamir
from Crypto.PublicKey import ECC, RSA
from Crypto.PublicKey.ECC import EccKey
from Crypto.PublicKey.RSA import RsaKey
from Crypto.Random import get_random_bytes
from Crypto.Signature import eddsa

BLOCK = 256
SECRET_BYTES = 16  # what Shamir splits: an AES-128 key
_NONCE = 16
_TAG = 16
_LENGTH = 4  # the plaintext's length, before the padding


class SealingError(Exception):
    """Something sealed could not be opened."""


class WrongPassphrase(SealingError):
    """The passphrase does not unlock this private key."""


class WrongShares(SealingError):
    """The shares given do not rebuild the secret that locks the tender's key."""


class Tampered(SealingError):
    """A sealed item is not what was sealed (altered, truncated, or sealed to another key)."""


@dataclass(frozen=True)
class SealedTenderKey:
    """What publication stores: the tender's public key, its private key encrypted under the
    committee's secret, and each member's share encrypted to them (in committee order)."""

    public_key: bytes
    sealed_private_key: bytes
    sealed_shares: list[bytes]


def _oaep(key: RsaKey) -> PKCS1_OAEP.PKCS1OAEP_Cipher:
    return PKCS1_OAEP.new(key, hashAlgo=SHA256)


def _aead_encrypt(key: bytes, plaintext: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_GCM, nonce=get_random_bytes(_NONCE))
    body, tag = cipher.encrypt_and_digest(plaintext)
    return cipher.nonce + tag + body


def _aead_decrypt(key: bytes, sealed: bytes) -> bytes:
    nonce, tag, body = sealed[:_NONCE], sealed[_NONCE : _NONCE + _TAG], sealed[_NONCE + _TAG :]
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    return cipher.decrypt_and_verify(body, tag)


def _pad(plaintext: bytes) -> bytes:
    framed = len(plaintext).to_bytes(_LENGTH, "big") + plaintext
    return framed + bytes(-len(framed) % BLOCK)


def _unpad(padded: bytes) -> bytes:
    length = int.from_bytes(padded[:_LENGTH], "big")
    if length > len(padded) - _LENGTH:
        raise Tampered("the sealed item's length is wrong")
    return padded[_LENGTH : _LENGTH + length]


# Evaluators' keys --------------------------------------------------------------------------------


def _passphrase(passphrase: str) -> bytes:
    """UTF-8 of the NFC form: a passphrase in Chinese, typed on any device, gives the same key."""
    return unicodedata.normalize("NFC", passphrase).encode()


def new_key_pair(bits: int) -> RsaKey:
    return RSA.generate(bits)


def public_pem(key: RsaKey) -> bytes:
    return bytes(key.public_key().export_key(format="PEM"))


def lock_private_key(key: RsaKey, passphrase: str, *, scrypt_cost: int) -> bytes:
    """The private key as PKCS#8, encrypted under `passphrase` (scrypt, then AES-256-GCM)."""
    return bytes(
        key.export_key(
            format="DER",
            passphrase=_passphrase(passphrase),
            pkcs=8,
            protection="scryptAndAES256-GCM",
            prot_params={"iteration_count": scrypt_cost},
        )
    )


def unlock_private_key(locked: bytes, passphrase: str) -> RsaKey:
    try:
        return RSA.import_key(locked, passphrase=_passphrase(passphrase))
    except ValueError as exc:
        raise WrongPassphrase("the passphrase does not unlock this key") from exc


# Tender keys -------------------------------------------------------------------------------------


def seal_tender_key(
    member_public_keys: Sequence[bytes], threshold: int, *, bits: int
) -> SealedTenderKey:
    """Make a tender's key pair and lock its private half under a secret split k of n among the
    members whose public keys are given. Member i (0-based) receives share index i + 1."""
    if not 2 <= threshold <= len(member_public_keys) <= 255:
        raise ValueError("the threshold must be between 2 and the committee's size (at most 255)")
    key = new_key_pair(bits)
    secret = get_random_bytes(SECRET_BYTES)
    sealed_private_key = _aead_encrypt(secret, bytes(key.export_key(format="DER")))
    shares = Shamir.split(threshold, len(member_public_keys), secret)
    sealed_shares = [
        _oaep(RSA.import_key(member_key)).encrypt(bytes([index]) + share)
        for (index, share), member_key in zip(shares, member_public_keys, strict=True)
    ]
    return SealedTenderKey(public_pem(key), sealed_private_key, sealed_shares)


def open_share(member_private_key: RsaKey, sealed_share: bytes) -> tuple[int, bytes]:
    """A member's share (index, 16 bytes), decrypted with their unlocked private key."""
    try:
        opened = _oaep(member_private_key).decrypt(sealed_share)
    except ValueError as exc:
        raise Tampered("this share was not sealed to this key") from exc
    if len(opened) != 1 + SECRET_BYTES:
        raise Tampered("a share has the wrong length")
    return opened[0], opened[1:]


def recover_tender_key(shares: Sequence[tuple[int, bytes]], sealed_private_key: bytes) -> RsaKey:
    """Rebuild the secret from exactly k shares and unlock the tender's private key with it.
    Fewer shares, or wrong ones, rebuild another secret, which the AES-GCM tag refuses."""
    indexes = [index for index, _share in shares]
    if len(set(indexes)) != len(indexes) or not shares:
        raise WrongShares("each share must be given once")
    try:
        secret = Shamir.combine(list(shares))
        return RSA.import_key(_aead_decrypt(secret, sealed_private_key))
    except ValueError as exc:
        raise WrongShares("these shares do not unlock the tender's key") from exc


# Sealed items ------------------------------------------------------------------------------------


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    """`plaintext`, padded, under a fresh AES-256-GCM key wrapped to `public_key` (RSA-OAEP)."""
    item_key = get_random_bytes(32)
    wrapped = _oaep(RSA.import_key(public_key)).encrypt(item_key)
    return len(wrapped).to_bytes(2, "big") + wrapped + _aead_encrypt(item_key, _pad(plaintext))


def unseal(private_key: RsaKey, sealed: bytes) -> bytes:
    """What `seal` sealed, with the tender's unlocked private key."""
    size = int.from_bytes(sealed[:2], "big")
    wrapped, body = sealed[2 : 2 + size], sealed[2 + size :]
    try:
        item_key = _oaep(private_key).decrypt(wrapped)
        return _unpad(_aead_decrypt(item_key, body))
    except ValueError as exc:
        raise Tampered("this item was altered or sealed to another key") from exc


# Tender keys' fingerprints, signed ---------------------------------------------------------------

SIGNING_SEED_BYTES = 32  # an Ed25519 private key is its 32-byte seed


def key_fingerprint(public_key: bytes) -> str:
    """SHA-256 of the public key's DER (SubjectPublicKeyInfo), in lower-case hex."""
    return SHA256.new(bytes(RSA.import_key(public_key).export_key(format="DER"))).hexdigest()


def key_statement(*, tender_id: int, number: str, fingerprint: str) -> bytes:
    """What the district signs at publication: this tender's key is the one with `fingerprint`.
    Naming the tender keeps a signature from vouching for the key of another."""
    return f"houqin tender key v1\n{tender_id}\n{number}\n{fingerprint}\n".encode()


def signing_key(seed: bytes) -> EccKey:
    if len(seed) != SIGNING_SEED_BYTES:
        raise ValueError("an Ed25519 signing key is a 32-byte seed")
    return ECC.construct(curve="Ed25519", seed=seed)


def verifying_key_raw(key: EccKey) -> bytes:
    """The public half of a signing key, as its 32 raw bytes (RFC 8032)."""
    return bytes(key.public_key().export_key(format="raw"))


def sign(key: EccKey, message: bytes) -> bytes:
    return bytes(eddsa.new(key, "rfc8032").sign(message))


def signature_valid(key: EccKey, message: bytes, signature: bytes) -> bool:
    try:
        eddsa.new(key.public_key(), "rfc8032").verify(message, signature)
    except ValueError:
        return False
    return True


# Bidders' receipts -------------------------------------------------------------------------------


def sealed_fingerprint(sealed: bytes) -> str:
    """SHA-256 of a sealed item as stored, in lower-case hex: it names those bytes, and so what
    they open to (AES-GCM opens a sealed item to one plaintext or none), while telling nothing
    of it."""
    return SHA256.new(sealed).hexdigest()


def receipt_statement(
    *,
    tender: str,
    lot: int,
    bid: str,
    bidder: str,
    submitted_at: str,
    key_fingerprint: str,
    sealed_fingerprint: str,
) -> bytes:
    """What the district signs for a bidder: it received, for this tender's lot, from this
    bidder at this time, the sealed bid with this fingerprint, sealed to the key with that one."""
    return (
        f"houqin bid receipt v1\n{tender}\n{lot}\n{bid}\n{bidder}\n{submitted_at}\n"
        f"{key_fingerprint}\n{sealed_fingerprint}\n"
    ).encode()
