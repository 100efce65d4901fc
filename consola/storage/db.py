"""One storage seam for SQLite and PostgreSQL: transactions run in worker threads.

The console's queries are plain functions of a :class:`Tx` (``one``, ``all``, ``run``) written
once with ``?`` placeholders; each backend turns them into its own dialect. A transaction is
committed (durably: SQLite WAL with ``synchronous=FULL``, PostgreSQL's fsync'd commit) before
:meth:`Database.tx` returns, so an HTTP handler answers 2xx only after the data is on disk.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import threading
from typing import Any, Protocol

type Row = dict[str, Any]


class StorageError(RuntimeError):
    """The database could not be reached or refused the transaction."""


class Tx(Protocol):
    """A transaction in progress: run statements written with ``?`` placeholders."""

    dialect: str

    def one(self, sql: str, *params: object) -> Row | None:
        """Return the first row of ``sql`` or None."""

    def all(self, sql: str, *params: object) -> list[Row]:
        """Return every row of ``sql``."""

    def run(self, sql: str, *params: object) -> int:
        """Run ``sql``; return the number of rows it changed."""


class Connection(ABC):
    """One backend connection, used by one thread at a time."""

    dialect: str

    @abstractmethod
    def begin(self) -> Tx:
        """Start a transaction and return it."""

    @abstractmethod
    def commit(self) -> None:
        """Commit (durably)."""

    @abstractmethod
    def rollback(self) -> None:
        """Roll back; never raise."""

    @abstractmethod
    def close(self) -> None:
        """Close; never raise."""

    @abstractmethod
    def broken(self) -> bool:
        """Return True when the connection can no longer be used."""


class Database:
    """A small pool of connections and the threads that use them."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        dialect: str,
        size: int,
        errors: tuple[type[Exception], ...],
    ) -> None:
        """Open up to ``size`` connections with ``connect``, lazily.

        ``errors`` are the backend's own exceptions: they leave as :class:`StorageError`.
        """
        self._connect = connect
        self._errors = errors
        self.dialect = dialect
        self._size = size
        self._idle: list[Connection] = []  # newest last (LIFO: warm connections first)
        self._opened = 0
        # Guards the pool; notified whenever a place frees up (a connection given back,
        # or dropped as broken, or a failed connect) and when the database closes, so a
        # thread waiting for a connection never waits for one that will not come back.
        self._pool = threading.Condition()
        self._executor = ThreadPoolExecutor(
            max_workers=size, thread_name_prefix=f"consola-{dialect}"
        )
        self._closed = False

    def _take(self) -> Connection:
        with self._pool:
            while True:
                if self._closed:
                    raise StorageError("closed")
                if self._idle:
                    return self._idle.pop()
                if self._opened < self._size:
                    self._opened += 1
                    break
                self._pool.wait()
        try:
            return self._connect()
        except Exception as err:
            self._give_back(None)
            raise StorageError(type(err).__name__) from err

    def _give_back(self, conn: Connection | None) -> None:
        """Return ``conn`` to the pool, or (None) free its place; wake one waiter."""
        with self._pool:
            if conn is None:
                self._opened -= 1
            elif self._closed:  # given back after close(): nobody will take it
                self._opened -= 1
                conn.close()
            else:
                self._idle.append(conn)
            self._pool.notify()

    def tx_sync[T](self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one transaction on this thread; commit; return its result."""
        if self._closed:
            raise StorageError("closed")
        conn = self._take()
        try:
            tx = conn.begin()
            result = work(tx)
            conn.commit()
        except self._errors as err:
            conn.rollback()
            raise StorageError(f"{type(err).__name__}: {err}"[:200]) from err
        except BaseException:
            conn.rollback()
            raise
        finally:
            if conn.broken():
                conn.close()
                self._give_back(None)  # a waiter may open a new one in its place
            else:
                self._give_back(conn)
        return result

    async def tx[T](self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one transaction in a worker thread; return once committed."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.tx_sync, work)

    def close(self) -> None:
        """Stop the threads (waiters fail at once, queued work is dropped), close all.

        A thread waiting for a connection used to be woken only by a connection given
        back: once the one it waited for was dropped as broken it waited forever, and
        so did ``shutdown(wait=True)`` here (``serve`` never exited after SIGINT).
        """
        with self._pool:
            self._closed = True
            self._pool.notify_all()
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._pool:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def open_database(url: str) -> Database:
    """Open ``sqlite:///path`` (or a plain path) or ``postgresql://...`` and migrate it."""
    from .schema import migrate  # noqa: PLC0415

    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import open_postgres  # noqa: PLC0415

        database = open_postgres(url)
    else:
        from .sqlite import open_sqlite  # noqa: PLC0415

        database = open_sqlite(url.removeprefix("sqlite://"))
    try:
        database.tx_sync(migrate)
    except BaseException:
        database.close()
        raise
    return database
