"""Standard Webhooks signatures, for the alerts we send and the status updates we receive.

Headers: ``webhook-id`` (the message id, the same on every retry), ``webhook-timestamp``
(Unix seconds of this attempt) and ``webhook-signature``: space-separated ``v1,<base64>``
entries, each the HMAC-SHA256 of ``"{id}.{timestamp}.{body}"`` under one secret. During a
rotation we sign with both the new and the previous secret, and accept either.

Secrets are ``whsec_`` + base64 of at least 32 random bytes. They never appear in reprs,
logs or error messages.

:func:`verify` reads headers that anyone can send, so it raises nothing but
:class:`WebhookError` subclasses whatever they hold: an id with a lone surrogate (aiohttp
decodes header bytes that are not UTF-8 as surrogate escapes) or control characters, a
timestamp of thousands of digits, non-ASCII or non-base64 signatures, megabytes of
entries. Such headers are ``UnsignedError``; signatures that do not parse are skipped.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
import hashlib
import hmac
import secrets

from ..text import text_problem

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # what we generate, and the least we accept
PAST_TOLERANCE = 40  # seconds a timestamp may lag our clock
FUTURE_TOLERANCE = 20  # seconds a timestamp may lead our clock
MAX_SIGNATURES = 8  # entries of webhook-signature looked at (a bound on work)
MAX_TIMESTAMP_DIGITS = 16  # Unix seconds have 10 digits until the year 2286

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"


class WebhookError(Exception):
    """A refused webhook request; ``status`` is the HTTP status to answer with."""

    status = 400
    reason = "malformed"


class UnsignedError(WebhookError):
    """A signature header is missing or unreadable."""

    status = 401
    reason = "unsigned"


class ForgedError(WebhookError):
    """No signature matches any of our secrets."""

    status = 401
    reason = "forged"


class StaleError(WebhookError):
    """Correctly signed, but the timestamp is outside the accepted window."""

    status = 401
    reason = "stale"


class InvalidSecretError(ValueError):
    """A text is not a ``whsec_`` secret of at least 32 bytes."""


class WebhookSecret:
    """One signing key. Compares, but never prints."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        """Wrap raw key bytes (at least 32)."""
        if len(key) < SECRET_BYTES:
            raise InvalidSecretError(f"a secret needs at least {SECRET_BYTES} bytes")
        self._key = key

    @classmethod
    def parse(cls, text: str) -> WebhookSecret:
        """Read a ``whsec_<base64>`` secret (padding optional)."""
        if not text.startswith(SECRET_PREFIX):
            raise InvalidSecretError(f"a secret starts with {SECRET_PREFIX}")
        encoded = text[len(SECRET_PREFIX) :].strip()
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error as err:
            raise InvalidSecretError("a secret is base64 after its prefix") from err
        return cls(key)

    @classmethod
    def generate(cls) -> WebhookSecret:
        """Return a new random secret."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    def export(self) -> str:
        """Return the ``whsec_`` text to give the other side (store it as a secret)."""
        return SECRET_PREFIX + base64.b64encode(self._key).decode("ascii")

    def signature(self, msg_id: str, timestamp: int, body: bytes) -> bytes:
        """Return the raw HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
        signed = f"{msg_id}.{timestamp}.".encode() + body
        return hmac.new(self._key, signed, hashlib.sha256).digest()

    def __eq__(self, other: object) -> bool:
        """Compare keys in constant time."""
        if not isinstance(other, WebhookSecret):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        """Hash by a digest of the key (never the key itself)."""
        return hash(hashlib.sha256(self._key).digest())

    def __repr__(self) -> str:
        """Say what it is, not what it holds."""
        return "WebhookSecret(<redacted>)"


def generate_secret() -> str:
    """Return a new ``whsec_`` secret as text."""
    return WebhookSecret.generate().export()


def signature_headers(
    msg_id: str,
    timestamp: int,
    body: bytes,
    keys: Sequence[WebhookSecret],
) -> dict[str, str]:
    """Return the three Standard Webhooks headers, one ``v1`` signature per key."""
    if not keys:
        raise ValueError("at least one secret is needed to sign")
    signatures = " ".join(
        "v1," + base64.b64encode(key.signature(msg_id, timestamp, body)).decode()
        for key in keys
    )
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signatures,
    }


@dataclass(frozen=True, slots=True)
class Verified:
    """What a verified request proved: its id and signed timestamp."""

    msg_id: str
    timestamp: int


def verify(
    headers: Mapping[str, str],
    body: bytes,
    keys: Sequence[WebhookSecret],
    now: datetime,
    *,
    past: int = PAST_TOLERANCE,
    future: int = FUTURE_TOLERANCE,
) -> Verified:
    """Check a request's signature against any of ``keys``, then its timestamp.

    Raises :class:`UnsignedError` (headers missing or unreadable), :class:`ForgedError`
    (no signature matches) or :class:`StaleError` (signed, but older than ``past`` or newer
    than ``future`` seconds).
    """
    lower = {key.lower(): value for key, value in headers.items()}
    msg_id = lower.get(HEADER_ID, "").strip()
    timestamp_text = lower.get(HEADER_TIMESTAMP, "").strip()
    signature_text = lower.get(HEADER_SIGNATURE, "").strip()
    if not (msg_id and timestamp_text and signature_text):
        raise UnsignedError(
            "webhook-id, webhook-timestamp and webhook-signature needed"
        )
    if text_problem(msg_id) is not None:  # could not be encoded, stored or logged
        raise UnsignedError("webhook-id is not storable text")
    if (
        not timestamp_text.isascii()
        or not timestamp_text.isdigit()
        or len(timestamp_text) > MAX_TIMESTAMP_DIGITS
    ):
        raise UnsignedError("webhook-timestamp is not Unix seconds")
    timestamp = int(timestamp_text)
    offered = _offered_signatures(signature_text)
    if not offered:
        raise UnsignedError("no v1 signature")
    matched = False
    for key in keys:
        expected = key.signature(msg_id, timestamp, body)
        for candidate in offered:
            # Keep comparing after a match: the work does not depend on which one matched.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise ForgedError("no signature matches")
    age = now.timestamp() - timestamp
    if age > past or -age > future:
        raise StaleError(f"timestamp is {age:.0f} s from now")
    return Verified(msg_id, timestamp)


def _offered_signatures(text: str) -> list[bytes]:
    """Return the decoded ``v1`` signatures among the first entries of ``text``."""
    found = []
    # maxsplit: a header of a million entries is not split in full (the rest is dropped).
    for entry in text.split(maxsplit=MAX_SIGNATURES)[:MAX_SIGNATURES]:
        version, _, encoded = entry.partition(",")
        if version != "v1" or not encoded.isascii():
            continue
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except ValueError:  # binascii.Error, a ValueError: not base64
            continue
    return found
