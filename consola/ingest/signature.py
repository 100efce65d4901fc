"""Standard Webhooks verification with the reference library, never our own HMAC code.

The library checks the three headers, the timestamp (within 5 minutes of this clock) and
every ``v1,`` entry against one secret; a front rotating its secret signs with two, so each
of the front's secrets is tried. Hostile headers (no comma, bad base64, a ``nan``
timestamp) make the library raise other errors than its own: all are a bad signature.

Alerts from the city broker may have waited there (docs/city-uplink.md): for them
(``queued=True``) :class:`QueuedWebhook` is the library's own verifier with a past window
of a day instead of 5 minutes; the HMAC comparison is still the library's.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Final

from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError, WebhookVerificationError

HEADER_ID: Final = "webhook-id"
HEADER_TIMESTAMP: Final = "webhook-timestamp"
HEADER_SIGNATURE: Final = "webhook-signature"
# docs/police-api.md section 4: longer than any sender needs -> 431.
HEADER_LIMITS: Final = {HEADER_ID: 128, HEADER_TIMESTAMP: 16, HEADER_SIGNATURE: 1024}


QUEUED_MAX_AGE: Final = timedelta(days=1)  # the broker's session expiry
FUTURE_TOLERANCE: Final = timedelta(minutes=5)  # the library's own


class QueuedWebhook(Webhook):
    """The reference verifier, accepting a timestamp up to a day old (broker queues)."""

    def _Webhook__verify_timestamp(self, timestamp_header: str) -> datetime:
        """Replace the library's 5-minute check (name-mangled private method)."""
        now = datetime.now(UTC)
        try:
            timestamp = datetime.fromtimestamp(float(timestamp_header), tz=UTC)
        except (ValueError, OverflowError, OSError) as err:
            raise WebhookVerificationError("Invalid Signature Headers") from err
        if timestamp < now - QUEUED_MAX_AGE:
            raise WebhookVerificationError("Message timestamp too old")
        if timestamp > now + FUTURE_TOLERANCE:
            raise WebhookVerificationError("Message timestamp too new")
        return timestamp


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return the three signature headers (and content-type) with lowercase names."""
    wanted = (*HEADER_LIMITS, "content-type")
    return {
        key.lower(): value for key, value in headers.items() if key.lower() in wanted
    }


def headers_too_long(headers: Mapping[str, str]) -> bool:
    """Return True when a signature header is longer than its limit."""
    return any(
        len(headers.get(name, "")) > limit for name, limit in HEADER_LIMITS.items()
    )


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secrets: Iterable[str],
    *,
    queued: bool = False,
) -> bool:
    """Return True when ``body`` and ``headers`` are signed with one of ``secrets``.

    ``queued``: the message may have waited at the city broker (a day's window).
    """
    verifier = QueuedWebhook if queued else Webhook
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    plain = dict(headers)
    for secret in secrets:
        try:
            verifier(secret).verify(text, plain, json_parse=False)
        except (
            WebhookVerificationError,
            EmptyWebhookSecretError,
            binascii.Error,
            ValueError,
            TypeError,
            OverflowError,
        ):
            continue
        return True
    return False
