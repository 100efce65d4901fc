"""What a destination's outbox tells its owner, and what staging a message returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..committer import Write

type EventKind = Literal[
    "enqueued",
    "delivered",
    "failed",
    "dropped",
    "dead",
    "superseded",
    "gone",
    "resumed",
]


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """A change of one destination's outbox, told to its owner."""

    kind: EventKind
    message_id: str | None = None
    incident_id: str | None = None
    message_type: str | None = None
    latency: float | None = None  # seconds from enqueue to delivery
    error: str | None = None  # why an attempt failed (no secrets, no body we sent)
    destination: str | None = None  # the destination's id
    at: float | None = None  # Unix seconds: when it was delivered or set aside


@dataclass(frozen=True, slots=True)
class Staged:
    """The writes that queue a message, and what to run once they are committed."""

    writes: tuple[Write, ...]
    after: Callable[[], None]
    inserted: Callable[[], bool]  # after the commit: False if the id was queued before


NOTHING = Staged((), lambda: None, lambda: False)  # a destination with nothing to send
