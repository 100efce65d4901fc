"""Group commit for one SQLite file (WAL, synchronous=FULL) shared by several owners.

A front's incidents and its police outbox live in one file, so a press and the alert it
causes are committed by one transaction and one fsync: both are on disk, or neither.
Owners *stage* groups of writes (blocking functions of the connection). Everything staged
while a commit runs goes into the next transaction together, each group inside a
savepoint of its own: a group whose write raises is rolled back alone and its caller gets
the error, while the other groups of the batch commit. A failed COMMIT (disk full, I/O
error, a locked file) fails every group of the batch, with a :class:`StorageError`.

Each group's future is done once its transaction is durable; its ``after`` callback runs
on the event loop just before, in the order the groups were staged.

All SQLite work runs in the caller's executor, one job at a time (a lock keeps start-up
reads away from commits), so the connection is never used by two threads at once.
``on_health`` hears when commits start failing (with the error) and when they work again
(with None): HA shows a repair issue meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from pathlib import Path
import sqlite3
from typing import Any

_LOGGER = logging.getLogger(__name__)

type Executor = Callable[..., Awaitable[Any]]
type Write = Callable[[sqlite3.Connection], None]

BUSY_TIMEOUT = 1.0  # s a commit waits for a file another process holds locked
_REASONS = {
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "read_only",
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_IOERR": "io",
    "SQLITE_CANTOPEN": "io",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
}


class StorageError(Exception):
    """A commit failed for a reason of the file, not of the data: nothing was written.

    ``reason`` is ``full`` (disk or size limit), ``read_only``, ``locked``, ``io``,
    ``corrupt`` or ``other``.
    """

    def __init__(self, path: Path, error: BaseException) -> None:
        """Describe which file failed and how."""
        self.reason = storage_reason(error)
        super().__init__(f"{path.name}: {self.reason} ({error})")
        self.path = path


def storage_reason(error: BaseException) -> str:
    """Return the short reason of an SQLite or OS error (see :class:`StorageError`)."""
    name = getattr(error, "sqlite_errorname", None) or ""
    for prefix, reason in _REASONS.items():
        if name.startswith(prefix):
            return reason
    if isinstance(error, OSError) and error.errno == 28:  # ENOSPC
        return "full"
    return "other"


def open_database(path: Path, busy_timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """Open (or create) an SQLite file set up for durable commits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    # What is deleted or rewritten is overwritten with zeros, not left in free pages: a
    # forgotten member's data (privacy.py) must not stay readable in the file.
    connection.execute("PRAGMA secure_delete=ON")
    return connection


@dataclass(slots=True)
class _Group:
    """Writes that commit together or not at all, and who waits for them."""

    writes: tuple[Write, ...]
    future: asyncio.Future[None]
    after: Callable[[], None] | None
    error: BaseException | None = None


class Committer:
    """The single writer of one SQLite file."""

    def __init__(
        self,
        path: Path,
        executor: Executor | None = None,
        *,
        on_health: Callable[[StorageError | None], None] | None = None,
    ) -> None:
        """Remember the file; ``executor(fn, *args)`` runs blocking work."""
        self.path = path
        self._executor = executor or default_executor
        self.on_health = on_health
        self._db: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._groups: list[_Group] = []
        self._once: dict[str, _Group] = {}
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # transactions written (diagnostics, tests, benchmarks)
        self.failures = 0  # transactions that failed
        self.last_error: StorageError | None = None  # set while commits fail

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
        *writes: Write,
        after: Callable[[], None] | None = None,
        once: str | None = None,
    ) -> asyncio.Future[None]:
        """Add a group of writes to the next transaction; done once it is durable.

        Call it with no ``await`` between groups that must share a transaction. Await the
        future through ``asyncio.shield`` (a cancelled caller must not cancel the commit).
        A group staged ``once`` under a key already waiting for the next commit is not
        staged again (for upkeep such as pruning): the waiting one's future is returned.
        """
        if self._db is None:
            raise RuntimeError(f"{self.path.name} is not open")
        if once is not None and (waiting := self._once.get(once)) is not None:
            return waiting.future
        loop = asyncio.get_running_loop()
        group = _Group(writes, loop.create_future(), after)
        self._groups.append(group)
        if once is not None:
            self._once[once] = group
        if self._writer is None:
            self._writer = loop.create_task(self._write(), name="mfs-commit")
        return group.future

    async def _write(self) -> None:
        try:
            while self._groups:
                groups, self._groups, self._once = self._groups, [], {}
                try:
                    async with self._lock:
                        await self._executor(self._commit, groups)
                except Exception as err:  # noqa: BLE001  (handed to every waiting caller)
                    self._failed(err, groups)
                    continue
                self._succeeded(groups)
        finally:
            self._writer = None

    def _succeeded(self, groups: list[_Group]) -> None:
        full = next(
            (g.error for g in groups if isinstance(g.error, StorageError)), None
        )
        if full is not None:
            self._unhealthy(full)
        elif self.last_error is not None:
            self.last_error = None
            _LOGGER.info("Writing to %s works again", self.path.name)
            if self.on_health is not None:
                self.on_health(None)
        for group in groups:  # on the loop, in the order staged
            if group.error is not None:
                group.future.set_exception(group.error)
                continue
            if group.after is not None:
                try:
                    group.after()
                except Exception:
                    _LOGGER.exception("A post-commit step of %s failed", self.path.name)
            group.future.set_result(None)

    def _failed(self, err: Exception, groups: list[_Group]) -> None:
        error = StorageError(self.path, err)
        self._unhealthy(error)
        for group in groups:
            group.future.set_exception(error)

    def _unhealthy(self, error: StorageError) -> None:
        self.failures += 1
        if self.last_error is None:  # logged and told once per failing streak
            _LOGGER.error("Could not write to %s: %s", self.path.name, error)
            if self.on_health is not None:
                self.on_health(error)
        self.last_error = error

    def _commit(self, groups: list[_Group]) -> None:
        db = self._db
        if db is None:
            raise RuntimeError(f"{self.path.name} is not open")
        with db:  # one transaction: the groups that did not fail, or nothing
            db.execute("BEGIN IMMEDIATE")
            for group in groups:
                db.execute("SAVEPOINT mfs_group")
                try:
                    for write in group.writes:
                        write(db)
                except Exception as err:
                    if not db.in_transaction:  # SQLite ended the transaction itself
                        raise
                    db.execute("ROLLBACK TO mfs_group")
                    group.error = _as_storage_error(self.path, err)
                db.execute("RELEASE mfs_group")
        self.commits += 1

    async def close(self) -> None:
        """Finish what is staged, then close the file."""
        while self._writer is not None:
            await asyncio.shield(self._writer)
        async with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                await self._executor(db.close)


def _as_storage_error(path: Path, err: Exception) -> Exception:
    """Return a write's error, as a StorageError when the file (not the data) failed."""
    if isinstance(err, sqlite3.Error | OSError) and storage_reason(err) != "other":
        return StorageError(path, err)
    return err


async def default_executor(func: Callable[..., Any], *args: Any) -> Any:
    """Run blocking ``func(*args)`` in the running loop's default executor."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)
