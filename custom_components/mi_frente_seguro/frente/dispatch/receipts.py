"""Proof of delivery: per incident and destination, when its alert was taken, or why not.

:class:`DeliveryReceipts` follows the outboxes' events about each incident's alert (its
``incident.created`` message) and answers :meth:`~DeliveryReceipts.of`: for every
destination that queued the alert, its ``status`` (``pending``, ``delivered``, ``refused``
for a dead letter, ``dropped`` for a drill given up), when (``at``, ISO 8601, for a
delivered or set-aside one), the last ``error`` of a pending one (why not yet) and the
failed ``attempts`` in this run. At start-up it is filled from the rows still in the file
(:attr:`~.outbox.Outbox.receipts`), so what was delivered before a restart still shows.

A delivery is recorded when the outbox tells it, after its row is marked in the file;
attempts and errors of a pending alert are what this run saw (they are not stored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .messages import MessageType
from .outbox_db import DEAD, DELIVERED, DROPPED, Receipt
from .outbox_events import OutboxEvent

PENDING = "pending"
REFUSED = "refused"
KEEP = 200  # incidents whose receipts are kept in memory (the newest)
_STATUS = {DELIVERED: DELIVERED, DEAD: REFUSED, DROPPED: DROPPED}


@dataclass(slots=True)
class Delivery:
    """One destination's delivery of one incident's alert."""

    status: str = PENDING
    at: float | None = None  # Unix seconds
    error: str | None = None
    attempts: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the delivery as the incident, the event and diagnostics show it."""
        when = None if self.at is None else datetime.fromtimestamp(self.at, UTC)
        return {
            "status": self.status,
            "at": None if when is None else when.isoformat(),
            "error": self.error,
            "attempts": self.attempts,
        }


class DeliveryReceipts:
    """The deliveries of the incidents' alerts, by incident and destination."""

    def __init__(self) -> None:
        """Start empty."""
        self._by_incident: dict[str, dict[str, Delivery]] = {}

    def load(self, receipts: Iterable[Receipt]) -> None:
        """Take the receipts read from the file (oldest first)."""
        for receipt in receipts:
            delivery = self._slot(receipt.incident_id, receipt.destination)
            delivery.status = _STATUS.get(receipt.status, PENDING)
            delivery.at = receipt.done_at
            delivery.error = receipt.error

    def record(self, event: OutboxEvent) -> bool:
        """Follow one outbox event; return True when an alert's delivery changed."""
        if (
            event.message_type != MessageType.CREATED
            or event.incident_id is None
            or event.destination is None
        ):
            return False
        delivery = self._slot(event.incident_id, event.destination)
        match event.kind:
            case "enqueued":
                return False
            case "delivered":
                delivery.status, delivery.at, delivery.error = DELIVERED, event.at, None
            case "dead" | "dropped":
                delivery.status = REFUSED if event.kind == "dead" else DROPPED
                delivery.at, delivery.error = event.at, event.error
            case "failed" | "gone":
                delivery.attempts += 1
                delivery.error = event.error
            case _:
                return False
        return True

    def of(self, incident_id: str) -> dict[str, dict[str, Any]]:
        """Return an incident's deliveries by destination id (empty: none queued)."""
        found = self._by_incident.get(incident_id, {})
        return {destination: d.as_dict() for destination, d in found.items()}

    def _slot(self, incident_id: str, destination: str) -> Delivery:
        deliveries = self._by_incident.get(incident_id)
        if deliveries is None:
            if len(self._by_incident) >= KEEP:
                del self._by_incident[next(iter(self._by_incident))]
            deliveries = self._by_incident[incident_id] = {}
        return deliveries.setdefault(destination, Delivery())
