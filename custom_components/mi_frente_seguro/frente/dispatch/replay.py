"""Webhook ids already applied, kept on disk so a replay is refused even after a restart.

An id only needs remembering while its signed timestamp is inside the accepted window:
after that the request is refused as stale anyway. Entries therefore expire
``PAST_TOLERANCE`` seconds (plus a margin) after their timestamp, and the table stays tiny.
Lookups are answered from memory; :meth:`ReplayCache.remember` returns once the id is
committed (SQLite, WAL, synchronous=FULL, in the caller's executor).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
import sqlite3
from typing import Any

from custom_components.mi_frente_seguro.frente.committer import (
    default_executor,
    open_database,
)

from .signing import PAST_TOLERANCE

type Executor = Callable[..., Awaitable[Any]]

EXPIRY_MARGIN = 5  # seconds kept beyond the window, for clocks that disagree a little
SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_webhooks (
    webhook_id TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
"""


class ReplayCache:
    """The webhook ids seen recently, in memory and on disk."""

    def __init__(
        self,
        path: Path,
        executor: Executor | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Remember the file; ``executor(fn, *args)`` runs the blocking work."""
        self.path = path
        self._executor = executor or default_executor
        self._clock = clock or (lambda: datetime.now(UTC))
        self._db: sqlite3.Connection | None = None
        self._seen: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Open the file and load the ids that have not expired."""
        self._db = await self._executor(open_database, self.path)
        rows: list[tuple[str, float]] = await self._executor(
            self._load, self._clock().timestamp()
        )
        self._seen = dict(rows)

    def _load(self, now: float) -> list[tuple[str, float]]:
        assert self._db is not None
        self._db.executescript(SCHEMA)
        with self._db:
            self._db.execute("DELETE FROM seen_webhooks WHERE expires_at < ?", (now,))
        return self._db.execute(
            "SELECT webhook_id, expires_at FROM seen_webhooks"
        ).fetchall()

    def seen(self, webhook_id: str) -> bool:
        """Return True if ``webhook_id`` was remembered and has not expired."""
        expires_at = self._seen.get(webhook_id)
        return expires_at is not None and expires_at >= self._clock().timestamp()

    async def remember(self, webhook_id: str, timestamp: int) -> None:
        """Record ``webhook_id`` (signed at ``timestamp``); return once it is on disk."""
        if self._db is None:
            raise RuntimeError("replay cache is not open")
        expires_at = float(timestamp + PAST_TOLERANCE + EXPIRY_MARGIN)
        now = self._clock().timestamp()
        async with self._lock:  # one job at a time on the connection
            await self._executor(self._commit, webhook_id, expires_at, now)
        self._seen[webhook_id] = expires_at
        for key in [key for key, until in self._seen.items() if until < now]:
            del self._seen[key]

    def _commit(self, webhook_id: str, expires_at: float, now: float) -> None:
        assert self._db is not None
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO seen_webhooks (webhook_id, expires_at) "
                "VALUES (?, ?)",
                (webhook_id, expires_at),
            )
            self._db.execute("DELETE FROM seen_webhooks WHERE expires_at < ?", (now,))

    async def close(self) -> None:
        """Close the file (waits for a commit in progress)."""
        async with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                await self._executor(db.close)
