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
import queue
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
        self._idle: queue.LifoQueue[Connection] = queue.LifoQueue()
        self._opened = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=size, thread_name_prefix=f"consola-{dialect}"
        )
        self._closed = False

    def _take(self) -> Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            opening = self._opened < self._size
            if opening:
                self._opened += 1
        if not opening:
            return self._idle.get()
        try:
            return self._connect()
        except Exception as err:
            with self._lock:
                self._opened -= 1
            raise StorageError(type(err).__name__) from err

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
                with self._lock:
                    self._opened -= 1
                conn.close()
            else:
                self._idle.put(conn)
        return result

    async def tx[T](self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one transaction in a worker thread; return once committed."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.tx_sync, work)

    def close(self) -> None:
        """Close every idle connection and stop the threads."""
        self._closed = True
        self._executor.shutdown(wait=True)
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break


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
