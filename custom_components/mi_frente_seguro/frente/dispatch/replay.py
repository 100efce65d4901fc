"""Webhook ids already applied, kept on disk so a replay is refused even after a restart.

An id only needs remembering while its signed timestamp is inside the accepted window:
after that the request is refused as stale anyway. Entries therefore expire
:data:`REMEMBER_FOR` seconds (the widest window: an answer that waited a day at the city
broker, docs/city-uplink.md; plus a margin) after their timestamp. Police answers are a
few a day per front: the table stays tiny.
It lives in the front's incident file: the id of a police update is committed in the same
transaction as the change it made (:meth:`ReplayCache.writes`), so an update is either
applied and remembered, or neither. Lookups are answered from memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
import sqlite3

from ..committer import Committer, Write
from .signing import PAST_TOLERANCE

QUEUED_PAST_TOLERANCE = (
    86_400  # s an answer may wait at the city broker (uplink/wire.py)
)
REMEMBER_FOR = max(PAST_TOLERANCE, QUEUED_PAST_TOLERANCE)

EXPIRY_MARGIN = 5  # seconds kept beyond the window, for clocks that disagree a little
SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_webhooks (
    webhook_id TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
"""


class ReplayCache:
    """The webhook ids seen recently, in memory and in the front's file."""

    def __init__(
        self, committer: Committer, clock: Callable[[], datetime] | None = None
    ) -> None:
        """Use the front's file (opened by its owner)."""
        self.committer = committer
        self._clock = clock or (lambda: datetime.now(UTC))
        self._seen: dict[str, float] = {}

    async def open(self) -> None:
        """Load the ids that have not expired."""
        rows = await self.committer.run(partial(_load, self._clock().timestamp()))
        self._seen = dict(rows)

    def seen(self, webhook_id: str) -> bool:
        """Return True if ``webhook_id`` was remembered and has not expired."""
        expires_at = self._seen.get(webhook_id)
        return expires_at is not None and expires_at >= self._clock().timestamp()

    def writes(
        self, webhook_id: str, timestamp: int
    ) -> tuple[Write, Callable[[], None]]:
        """Return the write that records ``webhook_id`` and what to run once committed."""
        expires_at = float(timestamp + REMEMBER_FOR + EXPIRY_MARGIN)
        now = self._clock().timestamp()
        return (
            partial(_remember, webhook_id, expires_at, now),
            partial(self._remembered, webhook_id, expires_at, now),
        )

    def _remembered(self, webhook_id: str, expires_at: float, now: float) -> None:
        self._seen[webhook_id] = expires_at
        for key in [key for key, until in self._seen.items() if until < now]:
            del self._seen[key]


def _load(now: float, db: sqlite3.Connection) -> list[tuple[str, float]]:
    db.executescript(SCHEMA)
    return db.execute(
        "SELECT webhook_id, expires_at FROM seen_webhooks WHERE expires_at >= ?",
        (now,),
    ).fetchall()


def _remember(
    webhook_id: str, expires_at: float, now: float, db: sqlite3.Connection
) -> None:
    db.execute(
        "INSERT OR REPLACE INTO seen_webhooks (webhook_id, expires_at) VALUES (?, ?)",
        (webhook_id, expires_at),
    )
    db.execute("DELETE FROM seen_webhooks WHERE expires_at < ?", (now,))
