"""Durable storage of a front's incidents in SQLite (WAL, synchronous=FULL).

``async_save`` returns only once the incident is committed and fsync'd, unlike HA's ``Store``
whose writes are debounced. Saves that arrive while a commit is running are committed together
in the next one (group commit), so a burst of presses costs a few fsyncs, not one each.
All SQLite work runs in an executor supplied by the caller, one job at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
from pathlib import Path
import sqlite3
from typing import Any

from .book import HISTORY_LIMIT
from .incident import Incident

type Executor = Callable[..., Awaitable[Any]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    incident_id TEXT PRIMARY KEY,
    is_open INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (is_open, incident_id);
"""


def open_database(path: Path) -> sqlite3.Connection:
    """Open (or create) an SQLite file set up for durable commits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


class IncidentStore:
    """One front's incidents on disk."""

    def __init__(
        self,
        path: Path,
        executor: Executor | None = None,
        history_limit: int = HISTORY_LIMIT,
    ) -> None:
        """Remember where the file is; ``executor(fn, *args)`` runs blocking work."""
        self.path = path
        self._executor = executor or _default_executor
        self._history_limit = history_limit
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, tuple[int, str]] = {}
        self._waiter: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # how many transactions were written (for diagnostics/bench)

    async def async_open(self) -> list[Incident]:
        """Open the file and return the open and the last closed incidents."""
        self._db = await self._executor(open_database, self.path)
        rows: list[tuple[str]] = await self._executor(self._load)
        return [Incident.from_dict(json.loads(body)) for (body,) in rows]

    def _load(self) -> list[tuple[str]]:
        assert self._db is not None
        self._db.executescript(SCHEMA)
        return self._db.execute(
            "SELECT body FROM incidents WHERE is_open = 1 UNION ALL "
            "SELECT body FROM (SELECT body FROM incidents WHERE is_open = 0 "
            "ORDER BY incident_id DESC LIMIT ?)",
            (self._history_limit,),
        ).fetchall()

    async def async_save(self, incident: Incident) -> None:
        """Write ``incident``; return once it is durable on disk."""
        if self._db is None:
            raise RuntimeError("store is not open")
        body = json.dumps(incident.to_dict(), separators=(",", ":"), ensure_ascii=False)
        self._pending[incident.incident_id] = (int(incident.is_open), body)
        loop = asyncio.get_running_loop()
        if self._waiter is None:
            self._waiter = loop.create_future()
        waiter = self._waiter
        if self._writer is None:
            self._writer = loop.create_task(self._write_pending(), name="mfs-store")
        await asyncio.shield(waiter)

    async def _write_pending(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, {}
                waiter, self._waiter = self._waiter, None
                assert waiter is not None
                try:
                    await self._executor(self._commit, batch)
                except Exception as err:  # noqa: BLE001  (handed to every waiting saver)
                    waiter.set_exception(err)
                else:
                    waiter.set_result(None)
        finally:
            self._writer = None

    def _commit(self, batch: dict[str, tuple[int, str]]) -> None:
        assert self._db is not None
        with self._db:  # one transaction
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO incidents (incident_id, is_open, body) VALUES (?, ?, ?) "
                "ON CONFLICT (incident_id) DO UPDATE SET "
                "is_open = excluded.is_open, body = excluded.body",
                [(key, is_open, body) for key, (is_open, body) in batch.items()],
            )
            if any(is_open == 0 for is_open, _ in batch.values()):
                self._db.execute(
                    "DELETE FROM incidents WHERE is_open = 0 AND incident_id NOT IN "
                    "(SELECT incident_id FROM incidents WHERE is_open = 0 "
                    "ORDER BY incident_id DESC LIMIT ?)",
                    (self._history_limit,),
                )
        self.commits += 1

    async def async_close(self) -> None:
        """Finish pending writes and close the file."""
        if self._writer is not None:
            await asyncio.shield(self._writer)
        if self._db is not None:
            db, self._db = self._db, None
            await self._executor(db.close)


async def _default_executor(func: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)
