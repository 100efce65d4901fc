"""The Standard Webhooks headers as MQTT 5 user properties (docs/city-uplink.md).

The payload is the HTTP body, byte for byte; ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` travel as user properties. :func:`headers_of` reads the properties
of a message anyone could have published: no properties, other names, thousands of them,
repeated names, values that are not text. It never raises: it returns at most the three
signature headers (the first of each name, among the first :data:`MAX_PROPERTIES`) and
the content type, and the verifier decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..dispatch.replay import QUEUED_PAST_TOLERANCE
from ..dispatch.signing import HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP

SESSION_EXPIRY: Final = (
    QUEUED_PAST_TOLERANCE  # s a broker keeps an absent client's session
)
MESSAGE_EXPIRY: Final = SESSION_EXPIRY
CONTENT_TYPE: Final = "application/json"
SIGNATURE_HEADERS: Final = (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)
MAX_PROPERTIES: Final = 16  # user properties looked at (a bound on work)
NO_MATCHING_SUBSCRIBERS: Final = 0x10  # PUBACK: nobody would ever get the message


def publish_properties(headers: Mapping[str, str]) -> Properties:
    """Return the PUBLISH properties carrying the three signature headers."""
    properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    properties.UserProperty = [(name, headers[name]) for name in SIGNATURE_HEADERS]
    properties.ContentType = CONTENT_TYPE
    properties.MessageExpiryInterval = MESSAGE_EXPIRY
    return properties


def headers_of(properties: object) -> dict[str, str]:
    """Return the signature headers (and ``content-type``) found in ``properties``."""
    found: dict[str, str] = {}
    pairs = getattr(properties, "UserProperty", None)
    if isinstance(pairs, list | tuple):
        for pair in pairs[:MAX_PROPERTIES]:
            if not isinstance(pair, tuple) or len(pair) != 2:  # noqa: PLR2004
                continue
            name, value = pair
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            key = name.lower()
            if key in SIGNATURE_HEADERS and key not in found:
                found[key] = value
    content_type = getattr(properties, "ContentType", None)
    if isinstance(content_type, str):
        found["content-type"] = content_type
    return found
