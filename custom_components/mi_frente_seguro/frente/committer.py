"""Group commit for one SQLite file (WAL, synchronous=FULL) shared by several owners.

A front's incidents and its police outbox live in one file, so a press and the alert it
causes are committed by one transaction and one fsync: both are on disk, or neither.
Owners *stage* writes (blocking functions of the connection); everything staged while a
commit runs goes into the next transaction together. A staged write may carry a key (a
later write with the same key replaces it: only the newest copy of an incident is written)
and an ``after`` callback, run on the event loop right after its transaction is durable, in
the order the writes were staged.

All SQLite work runs in the caller's executor, one job at a time (a lock keeps start-up
reads away from commits), so the connection is never used by two threads at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
from pathlib import Path
import sqlite3
from typing import Any

_LOGGER = logging.getLogger(__name__)

type Executor = Callable[..., Awaitable[Any]]
type Write = Callable[[sqlite3.Connection], None]


def open_database(path: Path) -> sqlite3.Connection:
    """Open (or create) an SQLite file set up for durable commits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


class Committer:
    """The single writer of one SQLite file."""

    def __init__(self, path: Path, executor: Executor | None = None) -> None:
        """Remember the file; ``executor(fn, *args)`` runs blocking work."""
        self.path = path
        self._executor = executor or default_executor
        self._db: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._writes: list[Write] = []
        self._keys: dict[str, int] = {}
        self._afters: list[Callable[[], None]] = []
        self._waiter: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # transactions written (diagnostics, tests, benchmarks)

    @property
    def is_open(self) -> bool:
        """Return True while the file is open."""
        return self._db is not None

    async def open(self) -> None:
        """Open the file (once)."""
        if self._db is None:
            self._db = await self._executor(open_database, self.path)

    async def run[T](self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``job(connection)`` (a read, a schema) between commits; return its result."""
        async with self._lock:
            if self._db is None:
                raise RuntimeError(f"{self.path.name} is not open")
            result: T = await self._executor(job, self._db)
            return result

    def stage(
        self,
        write: Write,
        *,
        key: str | None = None,
        after: Callable[[], None] | None = None,
    ) -> asyncio.Future[None]:
        """Add ``write`` to the next transaction; the future is done once it is durable.

        Call it with no ``await`` between writes that must commit together. Await the
        future through ``asyncio.shield`` (a cancelled caller must not cancel the commit).
        """
        if self._db is None:
            raise RuntimeError(f"{self.path.name} is not open")
        if key is not None and key in self._keys:
            self._writes[self._keys[key]] = write
        else:
            if key is not None:
                self._keys[key] = len(self._writes)
            self._writes.append(write)
        if after is not None:
            self._afters.append(after)
        loop = asyncio.get_running_loop()
        if self._waiter is None:
            self._waiter = loop.create_future()
        waiter = self._waiter
        if self._writer is None:
            self._writer = loop.create_task(self._write(), name="mfs-commit")
        return waiter

    async def _write(self) -> None:
        try:
            while self._writes:
                writes, afters, waiter = self._writes, self._afters, self._waiter
                self._writes, self._afters, self._keys, self._waiter = [], [], {}, None
                assert waiter is not None
                try:
                    async with self._lock:
                        await self._executor(self._commit, writes)
                except Exception as err:  # noqa: BLE001  (handed to every waiting caller)
                    waiter.set_exception(err)
                    continue
                for after in afters:  # on the loop, in the order staged
                    try:
                        after()
                    except Exception:
                        _LOGGER.exception(
                            "A post-commit step of %s failed", self.path.name
                        )
                waiter.set_result(None)
        finally:
            self._writer = None

    def _commit(self, writes: list[Write]) -> None:
        db = self._db
        if db is None:
            raise RuntimeError(f"{self.path.name} is not open")
        with db:  # one transaction: all the writes, or none
            db.execute("BEGIN IMMEDIATE")
            for write in writes:
                write(db)
        self.commits += 1

    async def close(self) -> None:
        """Finish what is staged, then close the file."""
        while self._writer is not None:
            await asyncio.shield(self._writer)
        async with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                await self._executor(db.close)


async def default_executor(func: Callable[..., Any], *args: Any) -> Any:
    """Run blocking ``func(*args)`` in the running loop's default executor."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)
