"""Standard Webhooks headers as MQTT 5 user properties, both ways (docs/city-uplink.md).

:func:`headers_of` reads properties anyone could have published; it never raises and
returns at most the three signature headers (the first of each name, among the first
:data:`MAX_PROPERTIES`) and ``content-type``. Ingest checks the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..ingest.signature import HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP

SIGNATURE_HEADERS: Final = (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)
MAX_PROPERTIES: Final = 16
MESSAGE_EXPIRY: Final = 86_400  # s: the front accepts answers that waited this long
PAIR: Final = 2


def publish_properties(headers: Mapping[str, str]) -> Properties:
    """Return the PUBLISH properties of a signed message."""
    properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    properties.UserProperty = [(name, headers[name]) for name in SIGNATURE_HEADERS]
    properties.ContentType = "application/json"
    properties.MessageExpiryInterval = MESSAGE_EXPIRY
    return properties


def headers_of(properties: object) -> dict[str, str]:
    """Return the signature headers and content type found in ``properties``."""
    found: dict[str, str] = {}
    pairs = getattr(properties, "UserProperty", None)
    if isinstance(pairs, list | tuple):
        for pair in pairs[:MAX_PROPERTIES]:
            if not isinstance(pair, tuple) or len(pair) != PAIR:
                continue
            name, value = pair
            if isinstance(name, str) and isinstance(value, str):
                key = name.lower()
                if key in SIGNATURE_HEADERS and key not in found:
                    found[key] = value
    content_type = getattr(properties, "ContentType", None)
    if isinstance(content_type, str):
        found["content-type"] = content_type
    return found
