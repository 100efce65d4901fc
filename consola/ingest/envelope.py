"""What reaches ingest from any transport, and what ingest answers to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Verdict(StrEnum):
    """Why a delivery was taken or refused (catalog keys ``reason.<value>``)."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    UNKNOWN_FRONT = "unknown_front"
    BAD_SIGNATURE = "bad_signature"
    HEADERS_TOO_LONG = "headers_too_long"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    MALFORMED = "malformed"
    WRONG_FRONT = "wrong_front"
    UNAVAILABLE = "unavailable"


# What each verdict answers over HTTP (docs/police-api.md section 2: 400/413/422 are "never",
# every other refusal is retried by the front, so an alarm from a front registered late, or
# signed with a secret not entered yet, still arrives once the registry is fixed).
HTTP_STATUS: dict[Verdict, int] = {
    Verdict.STORED: 200,
    Verdict.DUPLICATE: 200,
    Verdict.UNKNOWN_FRONT: 401,
    Verdict.BAD_SIGNATURE: 401,
    Verdict.HEADERS_TOO_LONG: 431,
    Verdict.TOO_LARGE: 413,
    Verdict.UNSUPPORTED: 415,
    Verdict.MALFORMED: 422,
    Verdict.WRONG_FRONT: 422,
    Verdict.UNAVAILABLE: 503,
}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert as a transport received it.

    ``front_hint`` is the front the transport names (the ``/alerts/<front_id>`` path, or
    later the MQTT topic); ``None`` makes ingest read ``front.id`` from the body, before
    anything is trusted, only to pick the secrets to verify with.
    """

    transport: Literal["http", "mqtt"]
    headers: Mapping[str, str]
    body: bytes
    content_type: str
    remote: str
    front_hint: str | None = None
    oversize: bool = False  # the transport stopped reading past the limit


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ingest decided; ``incident_pk`` is set when the message is (or was) stored."""

    verdict: Verdict
    incident_pk: int | None = None

    @property
    def accepted(self) -> bool:
        """Return True when the transport may acknowledge (2xx, MQTT PUBACK)."""
        return self.verdict in (Verdict.STORED, Verdict.DUPLICATE)

    @property
    def http_status(self) -> int:
        """Return the HTTP status of this outcome."""
        return HTTP_STATUS[self.verdict]
