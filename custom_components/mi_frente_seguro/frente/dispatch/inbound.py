"""The police's status updates (``received``, ``dispatched``, ``on_scene``, ``closed``).

The police POST a signed JSON body to the front's webhook (``docs/police-api.md``). Checks,
in order, each refusal a :class:`~.signing.WebhookError` carrying the HTTP status to answer:

1. body larger than 64 KiB -> :class:`TooLargeError` (413);
2. signature headers missing -> ``UnsignedError`` (401), no signature matches any secret
   -> ``ForgedError`` (401), signed but outside now-40 s .. now+20 s -> ``StaleError`` (401);
3. webhook id already applied (or being applied) -> :class:`ReplayedError` (409);
4. not the JSON described below -> :class:`MalformedError` (400).

Commit protocol (the HA layer): ``update = verifier.check(headers, body)`` reserves the
webhook id; apply the update to the incident and persist it; then
``await verifier.commit(update)`` records the id on disk. If applying fails, call
``verifier.release(update)`` so the police's retry is processed. A crash between persisting
the incident and ``commit`` lets a retry through again: the incident then refuses the
repeated step (illegal transition), or the HA layer treats "already in that state" as done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import re
from typing import Any

from custom_components.mi_frente_seguro.frente.incident import IncidentState

from .replay import ReplayCache
from .signing import WebhookError, WebhookSecret, verify

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
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
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
    if not isinstance(value, str):
        raise MalformedError(f"{key} must be a string")
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


class InboundVerifier:
    """Checks the status updates of one front."""

    def __init__(
        self,
        secrets: Sequence[WebhookSecret],
        replay: ReplayCache,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Accept updates signed with any of ``secrets`` (current, then previous)."""
        self._secrets = tuple(secrets)
        self._replay = replay
        self._clock = clock or (lambda: datetime.now(UTC))
        self._in_flight: set[str] = set()

    def __repr__(self) -> str:
        """Never show the secrets."""
        return f"InboundVerifier(secrets={len(self._secrets)})"

    def set_secrets(self, secrets: Sequence[WebhookSecret]) -> None:
        """Accept ``secrets`` from now on (e.g. after a rotation)."""
        self._secrets = tuple(secrets)

    def check(self, headers: Mapping[str, str], body: bytes) -> StatusUpdate:
        """Verify one request and reserve its webhook id; raise a WebhookError if refused.

        The id is reserved in memory until :meth:`commit` or :meth:`release`; a second
        request with the same id meanwhile is refused as replayed.
        """
        if len(body) > MAX_BODY:
            raise TooLargeError(f"body larger than {MAX_BODY} bytes")
        verified = verify(headers, body, self._secrets, self._clock())
        webhook_id = verified.msg_id
        if webhook_id in self._in_flight or self._replay.seen(webhook_id):
            raise ReplayedError("webhook id already received")
        fields = parse_status_body(body)
        self._in_flight.add(webhook_id)
        return StatusUpdate(
            webhook_id=webhook_id, timestamp=verified.timestamp, **fields
        )

    async def commit(self, update: StatusUpdate) -> None:
        """Record that ``update`` was applied; return once that is on disk."""
        try:
            await self._replay.remember(update.webhook_id, update.timestamp)
        finally:
            self._in_flight.discard(update.webhook_id)

    def release(self, update: StatusUpdate) -> None:
        """Forget the reservation of an update that was not applied."""
        self._in_flight.discard(update.webhook_id)
