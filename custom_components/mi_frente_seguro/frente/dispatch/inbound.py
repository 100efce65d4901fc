"""The police's status updates (``received``, ``dispatched``, ``on_scene``, ``closed``).

The police POST a signed JSON body to the front's webhook (``docs/police-api.md``). Checks,
in order, each refusal a :class:`~.signing.WebhookError` carrying the HTTP status to answer:

1. body larger than 64 KiB -> :class:`TooLargeError` (413);
2. signature headers missing -> ``UnsignedError`` (401), no signature matches any secret
   -> ``ForgedError`` (401), signed but outside now-40 s .. now+20 s -> ``StaleError`` (401);
3. webhook id already applied (or being applied) -> :class:`ReplayedError` (409);
4. not the JSON described below -> :class:`MalformedError` (400).

Text fields (``unit``, ``note``) that cannot be stored (a lone surrogate, control
characters) are refused as malformed: nothing is decided on them.

Commit protocol (the ledger): ``update = verifier.check(headers, body)`` reserves the
webhook id in memory; the ledger applies the update and records the id in the same
transaction (:meth:`~.replay.ReplayCache.writes`), so an update is applied and
remembered, or neither; ``verifier.release(update)`` then ends the reservation, whatever
happened (a retry after a failed commit is processed again).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import re
from typing import Any

from ..incident import IncidentState
from ..text import InvalidInputError, checked_text
from .replay import ReplayCache
from .signing import (
    FUTURE_TOLERANCE,
    PAST_TOLERANCE,
    WebhookError,
    WebhookSecret,
    verify,
)

VERSION = "1"
MAX_BODY = 64 * 1024
MAX_UNIT = 40
MAX_NOTE = 500
MAX_ETA = 240
POLICE_STATES = {
    "received": IncidentState.RECEIVED,
    "dispatched": IncidentState.DISPATCHED,
    "on_scene": IncidentState.ON_SCENE,
    "closed": IncidentState.CLOSED,
}
_INCIDENT_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


class MalformedError(WebhookError):
    """The body is not a version 1 status update."""

    status = 400
    reason = "malformed"


class ReplayedError(WebhookError):
    """The webhook id was already applied (or is being applied)."""

    status = 409
    reason = "replayed"


class TooLargeError(WebhookError):
    """The body is larger than 64 KiB."""

    status = 413
    reason = "too_large"


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A verified police status update."""

    webhook_id: str
    timestamp: int  # the signed webhook-timestamp (Unix seconds)
    incident_id: str
    status: IncidentState
    unit: str | None = None
    eta_minutes: int | None = None
    note: str | None = None
    sent_at: datetime | None = None

    def details(self) -> dict[str, Any]:
        """Return the transition details (``unit``, ``eta_minutes``, ``note``) given."""
        found = {"unit": self.unit, "eta_minutes": self.eta_minutes, "note": self.note}
        return {key: value for key, value in found.items() if value is not None}


def parse_status_body(body: bytes) -> dict[str, Any]:
    """Return the checked fields of a status update body, or raise MalformedError.

    Unknown fields are ignored, so later versions can add fields.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as err:  # also ints of more than 4300 digits
        raise MalformedError("body is not UTF-8 JSON") from err
    if not isinstance(data, dict):
        raise MalformedError("body is not a JSON object")
    if data.get("version") != VERSION:
        raise MalformedError('version must be "1"')
    incident_id = data.get("incident_id")
    if not isinstance(incident_id, str) or not _INCIDENT_ID.fullmatch(incident_id):
        raise MalformedError("incident_id must be an incident id")
    status = data.get("status")
    if not isinstance(status, str) or status not in POLICE_STATES:
        raise MalformedError(f"status must be one of {', '.join(POLICE_STATES)}")
    return {
        "incident_id": incident_id,
        "status": POLICE_STATES[status],
        "unit": _text(data, "unit", MAX_UNIT),
        "eta_minutes": _eta(data),
        "note": _text(data, "note", MAX_NOTE),
        "sent_at": _sent_at(data),
    }


def _text(data: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        checked_text(value, key, multiline=key == "note")
    except InvalidInputError as err:
        raise MalformedError(f"{key} must be storable text ({err.problem})") from err
    text = " ".join(value.split()) if key == "unit" else value.strip()
    if len(text) > limit:
        raise MalformedError(f"{key} is longer than {limit} characters")
    return text or None


def _eta(data: Mapping[str, Any]) -> int | None:
    value = data.get("eta_minutes")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedError("eta_minutes must be a whole number")
    if not 0 <= value <= MAX_ETA:
        raise MalformedError(f"eta_minutes must be 0..{MAX_ETA}")
    return value


def _sent_at(data: Mapping[str, Any]) -> datetime | None:
    value = data.get("sent_at")
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedError("sent_at must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise MalformedError("sent_at must be an ISO 8601 date-time") from err
    if moment.tzinfo is None:
        raise MalformedError("sent_at needs a UTC offset")
    return moment


class HeaderTooLargeError(WebhookError):
    """A signature header is longer than any honest sender needs."""

    status = 431
    reason = "header_too_large"


# The longest signature headers we read: ids of common senders are under 64 characters,
# timestamps 10 digits, and MAX_SIGNATURES base64 signatures fit in 1 KiB.
HEADER_LIMITS = {"webhook-id": 128, "webhook-timestamp": 16, "webhook-signature": 1024}


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise :class:`HeaderTooLargeError` for an oversized signature header."""
    for name, value in headers.items():
        limit = HEADER_LIMITS.get(name.lower())
        if limit is not None and len(value) > limit:
            raise HeaderTooLargeError(f"{name.lower()} longer than {limit} characters")


class InboundVerifier:
    """Checks the status updates of one front."""

    def __init__(
        self,
        secrets: Sequence[WebhookSecret],
        replay: ReplayCache,
        clock: Callable[[], datetime] | None = None,
        *,
        past: int = PAST_TOLERANCE,
        future: int = FUTURE_TOLERANCE,
    ) -> None:
        """Accept updates signed with any of ``secrets`` (current, then previous).

        ``past``/``future``: the timestamp window in seconds (the city uplink accepts
        answers that waited at the broker; the replay cache remembers ids that long).
        """
        self._secrets = tuple(secrets)
        self._past = past
        self._future = future
        self._replay = replay
        self._clock = clock or (lambda: datetime.now(UTC))
        self._in_flight: set[str] = set()

    def __repr__(self) -> str:
        """Never show the secrets."""
        return f"InboundVerifier(secrets={len(self._secrets)})"

    def check(self, headers: Mapping[str, str], body: bytes) -> StatusUpdate:
        """Verify one request and reserve its webhook id; raise a WebhookError if refused.

        The id is reserved in memory until :meth:`commit` or :meth:`release`; a second
        request with the same id meanwhile is refused as replayed.
        """
        if len(body) > MAX_BODY:
            raise TooLargeError(f"body larger than {MAX_BODY} bytes")
        check_headers(headers)
        verified = verify(
            headers,
            body,
            self._secrets,
            self._clock(),
            past=self._past,
            future=self._future,
        )
        webhook_id = verified.msg_id
        if webhook_id in self._in_flight or self._replay.seen(webhook_id):
            raise ReplayedError("webhook id already received")
        fields = parse_status_body(body)
        self._in_flight.add(webhook_id)
        return StatusUpdate(
            webhook_id=webhook_id, timestamp=verified.timestamp, **fields
        )

    def release(self, update: StatusUpdate) -> None:
        """End the reservation of ``update`` (once it was applied, or failed)."""
        self._in_flight.discard(update.webhook_id)
