"""SIA DC-09 encryption: AES-128/192/256 in CBC mode with a zero IV, over hex text.

An encrypted message (``"*SIA-DCS"``, ``"*ADM-CID"``, ``"*NULL"``, and the receiver's
``"*ACK"``) carries, after the header's ``[``, the hex (uppercase) of the AES-CBC
encryption (initialisation vector all zeros, as DC-09 says) of::

    pad | data block (content ] [extended data]... _timestamp)

The pad is random printable ASCII other than ``[``, ``]`` and ``|``, 1 to 16 characters
long, so that the whole is a multiple of the 16-byte AES block (the standard's padding:
no PKCS#7). With the zero IV the random pad is what makes two encryptions of the same
event differ. A receiver's encrypted answer may leave out the ``|`` (pysiaalarm pads its
ACK with ``0`` characters and no separator): :func:`open_sealed` accepts both.

Keys (:class:`SiaKey`) are 16, 24 or 32 bytes. DC-09 equipment gives them as hex: 32, 48
or 64 hex digits (:meth:`SiaKey.from_hex`). Home Assistant's ``sia`` integration and its
library pysiaalarm instead take 16, 24 or 32 *characters* and use those characters'
ASCII bytes as the key (:meth:`SiaKey.from_text`). A key never appears in a repr or log.

AES comes from the ``cryptography`` package that Home Assistant already installs.
"""

from __future__ import annotations

from collections.abc import Callable
import os
import re

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .framing import FrameError

KEY_SIZES = (16, 24, 32)  # bytes: AES-128, AES-192, AES-256
BLOCK = 16
_ZERO_IV = bytes(BLOCK)
_HEX_KEY = re.compile(r"(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})")
_TEXT_KEY = re.compile(r"[\x21-\x7e]{16}|[\x21-\x7e]{24}|[\x21-\x7e]{32}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{32})+")
# The pad's alphabet: printable ASCII without the characters that delimit the data.
PAD_ALPHABET = bytes(c for c in range(0x21, 0x7F) if c not in b"[]|")
_PAD_CHARS = PAD_ALPHABET.decode("ascii") + " "  # what a receiver's pad may hold


class InvalidKeyError(ValueError):
    """Raised for a key that is not 16/24/32 bytes in the expected form."""


class SealError(FrameError):
    """Raised when an encrypted block cannot be opened (wrong key, garbled hex)."""


class SiaKey:
    """An AES key for DC-09 (16, 24 or 32 bytes); its repr names only its size."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        """Wrap ``key`` (raw bytes); raises :class:`InvalidKeyError` for a wrong size."""
        if not isinstance(key, bytes) or len(key) not in KEY_SIZES:
            raise InvalidKeyError("a DC-09 key is 16, 24 or 32 bytes")
        self._key = key

    @classmethod
    def from_hex(cls, text: str) -> SiaKey:
        """Return the key written as 32, 48 or 64 hex digits (DC-09 equipment's form)."""
        if not isinstance(text, str) or _HEX_KEY.fullmatch(text.strip()) is None:
            raise InvalidKeyError("the key must be 32, 48 or 64 hex digits")
        return cls(bytes.fromhex(text.strip()))

    @classmethod
    def from_text(cls, text: str) -> SiaKey:
        """Return the key of 16, 24 or 32 characters taken as their ASCII bytes.

        This is how Home Assistant's ``sia`` integration (pysiaalarm) reads its key.
        """
        if not isinstance(text, str) or _TEXT_KEY.fullmatch(text) is None:
            raise InvalidKeyError(
                "the key must be 16, 24 or 32 printable ASCII characters"
            )
        return cls(text.encode("ascii"))

    @property
    def bits(self) -> int:
        """Return the key size in bits (128, 192 or 256)."""
        return len(self._key) * 8

    def __repr__(self) -> str:
        """Name the algorithm, never the key."""
        return f"SiaKey(AES-{self.bits})"

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(_ZERO_IV))


def random_pad(length: int, random_bytes: Callable[[int], bytes] = os.urandom) -> str:
    """Return ``length`` random pad characters (never ``[``, ``]`` or ``|``)."""
    raw = random_bytes(length)
    if len(raw) != length:
        raise ValueError("random_bytes gave the wrong number of bytes")
    return bytes(PAD_ALPHABET[byte % len(PAD_ALPHABET)] for byte in raw).decode("ascii")


def seal(
    key: SiaKey, data: str, random_bytes: Callable[[int], bytes] = os.urandom
) -> str:
    """Return the hex of ``pad|data`` encrypted with ``key`` (``data``: ASCII text)."""
    plain = data.encode("ascii")
    pad = BLOCK - (len(plain) + 1) % BLOCK  # 1..16: the whole is a multiple of 16
    padded = random_pad(pad, random_bytes).encode("ascii") + b"|" + plain
    encryptor = key._cipher().encryptor()  # noqa: SLF001  (the key's own module)
    return (encryptor.update(padded) + encryptor.finalize()).hex().upper()


def open_sealed(key: SiaKey, hex_text: str) -> str:
    """Return the data block inside an encrypted block, without its pad.

    Raises :class:`SealError` when ``hex_text`` is not whole AES blocks of hex or what it
    decrypts to is not printable ASCII with a pad (a wrong key gives random bytes).
    """
    if _HEX.fullmatch(hex_text) is None:
        raise SealError("encrypted block is not whole AES blocks of hex")
    decryptor = key._cipher().decryptor()  # noqa: SLF001
    plain = decryptor.update(bytes.fromhex(hex_text)) + decryptor.finalize()
    if any(byte < 0x20 or byte > 0x7E for byte in plain):
        raise SealError("encrypted block does not decrypt to text (wrong key?)")
    text = plain.decode("ascii")
    body = text.lstrip(_PAD_CHARS)
    if body.startswith("|"):
        return body[1:]
    if len(body) == len(text) or not body:
        raise SealError("encrypted block has no pad before its data")
    return body
