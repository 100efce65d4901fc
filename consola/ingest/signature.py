"""Standard Webhooks verification with the reference library, never our own HMAC code.

The library checks the three headers, the timestamp (within 5 minutes of this clock) and
every ``v1,`` entry against one secret; a front rotating its secret signs with two, so each
of the front's secrets is tried. Hostile headers (no comma, bad base64, a ``nan``
timestamp) make the library raise other errors than its own: all are a bad signature.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Mapping
from typing import Final

from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError, WebhookVerificationError

HEADER_ID: Final = "webhook-id"
HEADER_TIMESTAMP: Final = "webhook-timestamp"
HEADER_SIGNATURE: Final = "webhook-signature"
# docs/police-api.md section 4: longer than any sender needs -> 431.
HEADER_LIMITS: Final = {HEADER_ID: 128, HEADER_TIMESTAMP: 16, HEADER_SIGNATURE: 1024}


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


def verify(body: bytes, headers: Mapping[str, str], secrets: Iterable[str]) -> bool:
    """Return True when ``body`` and ``headers`` are signed with one of ``secrets``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    plain = dict(headers)
    for secret in secrets:
        try:
            Webhook(secret).verify(text, plain, json_parse=False)
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
