"""Property tests of DC-09 encryption: round trips, the pad, keys, and hostile input."""

from __future__ import annotations

from Crypto.Cipher import AES
from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.sia.crypto import (
    PAD_ALPHABET,
    InvalidKeyError,
    SealError,
    SiaKey,
    open_sealed,
    random_pad,
    seal,
)
from tests.frente.test_properties_text import PROPERTY, hostile_text, outcome

from .strategies import FIELD_CHARS, PRINTABLE, keys


def raw_key(key: SiaKey) -> bytes:
    """Return the key's bytes (tests only)."""
    value: bytes = key._key
    return value


@PROPERTY
@given(keys, st.text(PRINTABLE, max_size=100), st.binary(min_size=16, max_size=16))
def test_seal_round_trip(key: SiaKey, data: str, randomness: bytes) -> None:
    """What we seal opens to itself; whole AES blocks; the pad is 1-16 safe characters."""
    sealed = seal(key, data, lambda n: randomness[:n])
    assert len(sealed) % 32 == 0 and sealed == sealed.upper()
    assert open_sealed(key, sealed) == data
    # An independent AES (pycryptodome, what pysiaalarm uses) reads the same plaintext.
    plain = AES.new(raw_key(key), AES.MODE_CBC, bytes(16)).decrypt(
        bytes.fromhex(sealed)
    )
    pad, bar, rest = plain.partition(b"|")
    assert bar and rest == data.encode("ascii")
    assert 1 <= len(pad) <= 16
    assert all(byte in PAD_ALPHABET for byte in pad)


@PROPERTY
@given(keys, keys, st.text(FIELD_CHARS, min_size=1, max_size=60))
def test_wrong_key_does_not_open(key: SiaKey, other: SiaKey, data: str) -> None:
    """Another key gives a SealError (random bytes are not printable text with a pad)."""
    sealed = seal(key, data)
    if raw_key(key) == raw_key(other):
        return
    result = outcome(lambda: open_sealed(other, sealed), SealError)
    assert result != data


@PROPERTY
@given(keys, hostile_text | st.text("0123456789ABCDEFabcdef", max_size=96))
def test_any_text_opens_or_raises(key: SiaKey, text: str) -> None:
    """Whatever an answer holds after '[' is opened or refused with a SealError."""
    result = outcome(lambda: open_sealed(key, text), SealError)
    if isinstance(result, str):
        assert result.isascii()


@PROPERTY
@given(hostile_text | st.text("0123456789ABCDEFabcdef", min_size=30, max_size=66))
def test_any_text_is_a_key_or_invalid(text: str) -> None:
    """Key text is a key of the right size or an InvalidKeyError; reprs never show it."""
    for make in (SiaKey.from_hex, SiaKey.from_text):
        key = outcome(lambda make=make: make(text), InvalidKeyError)
        if isinstance(key, SiaKey):
            assert key.bits in (128, 192, 256)
            assert text.strip() not in repr(key)


def test_key_forms() -> None:
    """Hex (DC-09 equipment) and text (Home Assistant's sia / pysiaalarm) forms."""
    assert SiaKey.from_hex("30" * 16).bits == 128
    assert raw_key(SiaKey.from_hex("30" * 16)) == raw_key(SiaKey.from_text("0" * 16))
    assert SiaKey.from_hex("ab" * 24).bits == 192
    assert SiaKey.from_text("A" * 32).bits == 256
    assert repr(SiaKey.from_text("S3CRET-KEY-16CH!")) == "SiaKey(AES-128)"
    for bad in ("", "0" * 16, "0" * 31, "g" * 32, "0" * 33):
        with pytest.raises(InvalidKeyError):
            SiaKey.from_hex(bad)
    for bad in ("", "0" * 15, "0" * 17, "é" * 16, " " * 16):
        with pytest.raises(InvalidKeyError):
            SiaKey.from_text(bad)
    with pytest.raises(InvalidKeyError):
        SiaKey(b"short")


def test_open_accepts_a_receivers_pad() -> None:
    """Pysiaalarm pads its ACK with zeros and no '|'; a zero-length pad is fine too."""
    key = SiaKey.from_text("0123456789ABCDEF")
    cipher = AES.new(raw_key(key), AES.MODE_CBC, bytes(16))
    ack = "]_12:00:00,01-01-2026"
    zero_padded = ack.zfill(32)
    assert open_sealed(key, cipher.encrypt(zero_padded.encode()).hex()) == ack
    cipher = AES.new(raw_key(key), AES.MODE_CBC, bytes(16))
    bare = "|" + "x" * 31
    assert open_sealed(key, cipher.encrypt(bare.encode()).hex()) == "x" * 31
    cipher = AES.new(raw_key(key), AES.MODE_CBC, bytes(16))
    with pytest.raises(SealError):  # no pad at all
        open_sealed(key, cipher.encrypt(b"]" * 16).hex())


def test_pad_source_must_give_enough() -> None:
    """A broken randomness source is an error, not a short pad."""
    with pytest.raises(ValueError):
        random_pad(4, lambda n: b"")
