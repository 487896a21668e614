"""sealing.py on its own: evaluators' keys locked under a passphrase, a tender's key split k of n
among the committee, and sealed items (bids' contents, reserve prices)."""

import itertools
import unicodedata

import pytest
from Crypto.PublicKey import RSA

from shared_apps.procurement import sealing

BITS = 1024
PASSPHRASE = "开标 评标 定标 2026"


@pytest.fixture(scope="module")
def members() -> list[tuple[RSA.RsaKey, bytes]]:
    """Five members' keys: (key, its private half locked under PASSPHRASE)."""
    keys = [sealing.new_key_pair(BITS) for _ in range(5)]
    return [(key, sealing.lock_private_key(key, PASSPHRASE, scrypt_cost=2**10)) for key in keys]


def _shares(members, sealed: sealing.SealedTenderKey) -> list[tuple[int, bytes]]:
    return [
        sealing.open_share(sealing.unlock_private_key(locked, PASSPHRASE), share)
        for (_key, locked), share in zip(members, sealed.sealed_shares, strict=True)
    ]


def test_any_k_shares_open_a_sealed_item_and_k_minus_one_never_do(members) -> None:
    sealed = sealing.seal_tender_key([sealing.public_pem(k) for k, _ in members], 3, bits=BITS)
    item = sealing.seal(sealed.public_key, "单价 12.34".encode())
    shares = _shares(members, sealed)
    assert [index for index, _ in shares] == [1, 2, 3, 4, 5]
    for enough in itertools.combinations(shares, 3):
        key = sealing.recover_tender_key(list(enough), sealed.sealed_private_key)
        assert sealing.unseal(key, item).decode() == "单价 12.34"
    for too_few in itertools.combinations(shares, 2):
        with pytest.raises(sealing.WrongShares):
            sealing.recover_tender_key(list(too_few), sealed.sealed_private_key)


def test_a_wrong_or_repeated_share_does_not_open(members) -> None:
    sealed = sealing.seal_tender_key([sealing.public_pem(k) for k, _ in members[:3]], 2, bits=BITS)
    (i1, s1), (i2, s2), _third = _shares(members[:3], sealed)
    with pytest.raises(sealing.WrongShares):
        sealing.recover_tender_key([(i1, s1), (i2, bytes(16))], sealed.sealed_private_key)
    with pytest.raises(sealing.WrongShares):
        sealing.recover_tender_key([(i1, s1), (i1, s1)], sealed.sealed_private_key)
    other = sealing.seal_tender_key([sealing.public_pem(k) for k, _ in members[:3]], 2, bits=BITS)
    with pytest.raises(sealing.WrongShares):
        sealing.recover_tender_key([(i1, s1), (i2, s2)], other.sealed_private_key)


def test_the_private_key_is_stored_only_locked(members) -> None:
    key, locked = members[0]
    with pytest.raises(ValueError):
        RSA.import_key(locked)  # not without the passphrase
    assert sealing.unlock_private_key(locked, PASSPHRASE).n == key.n
    # The same passphrase, typed in another Unicode normal form, unlocks it too.
    decomposed = unicodedata.normalize("NFD", "Café 开标 2026 密码")
    relocked = sealing.lock_private_key(key, decomposed, scrypt_cost=2**10)
    assert sealing.unlock_private_key(relocked, unicodedata.normalize("NFC", decomposed)).n == key.n
    with pytest.raises(sealing.WrongPassphrase):
        sealing.unlock_private_key(locked, PASSPHRASE + "!")


def test_a_share_opens_only_with_its_members_key(members) -> None:
    sealed = sealing.seal_tender_key([sealing.public_pem(k) for k, _ in members[:3]], 2, bits=BITS)
    with pytest.raises(sealing.Tampered):
        sealing.open_share(members[1][0], sealed.sealed_shares[0])


def test_a_sealed_item_is_authenticated_and_its_size_says_little(members) -> None:
    sealed = sealing.seal_tender_key([sealing.public_pem(k) for k, _ in members[:3]], 2, bits=BITS)
    key = sealing.recover_tender_key(_shares(members[:3], sealed)[:2], sealed.sealed_private_key)
    cheap = sealing.seal(sealed.public_key, b"1.00")
    dear = sealing.seal(sealed.public_key, b"123456789.00")
    assert len(cheap) == len(dear)
    assert sealing.seal(sealed.public_key, b"1.00") != cheap  # a fresh key and nonce each time
    altered = cheap[:-1] + bytes([cheap[-1] ^ 1])
    with pytest.raises(sealing.Tampered):
        sealing.unseal(key, altered)
    other = sealing.new_key_pair(BITS)
    with pytest.raises(sealing.Tampered):
        sealing.unseal(other, cheap)


def test_threshold_and_committee_are_checked() -> None:
    keys = [sealing.public_pem(sealing.new_key_pair(BITS)) for _ in range(3)]
    for threshold in (1, 4):
        with pytest.raises(ValueError):
            sealing.seal_tender_key(keys, threshold, bits=BITS)
