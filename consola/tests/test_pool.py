"""The connection pool: a thread waiting for a connection is always woken.

Before, a waiter was woken only by a connection given back. When the connection it waited
for was dropped as broken (a failed rollback, a server gone), it waited forever, and
``Database.close`` (``shutdown(wait=True)``) with it: ``serve`` did not exit after SIGINT.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
import sqlite3
import threading

import pytest

from consola.storage.db import Database, StorageError, Tx
from consola.storage.sqlite import SqliteConnection

JOIN_S = 30  # an upper bound that only a hang reaches, not a timing assertion


class BreaksAfterUse(SqliteConnection):
    """A real SQLite connection that reports itself broken after its first use."""

    def commit(self) -> None:
        """Commit, then be broken (as after a failed rollback)."""
        super().commit()
        self._broken = True


def one_connection(path: Path, kind: type[SqliteConnection]) -> Database:
    """Return a pool of one connection of ``kind`` on ``path``."""
    return Database(lambda: kind(str(path)), "sqlite", 1, (sqlite3.Error,))


def waiting(db: Database) -> int:
    """Return how many threads wait for a connection (the pool's condition)."""
    return len(db._pool._waiters)  # type: ignore[attr-defined]  # noqa: SLF001


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Run ``call`` in a thread; its result or exception lands in the list."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(call())
        except StorageError as err:
            out.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def until_waiting(db: Database, count: int) -> None:
    """Wait (bounded) until ``count`` threads wait for a connection."""
    done = threading.Event()
    for _ in range(JOIN_S * 100):
        if waiting(db) >= count:
            return
        done.wait(0.01)
    pytest.fail("nobody waited for a connection")


@dataclass(frozen=True)
class Contention:
    """A holder thread keeps the only connection until ``release``; a waiter waits for it.

    ``out`` receives the waiter's ``SELECT 1`` row, or its :class:`StorageError`.
    """

    release: threading.Event
    holder: threading.Thread
    waiter: threading.Thread
    out: list[object]


def contention(db: Database) -> Contention:
    """Hold the only connection of ``db`` in one thread; return once another waits for it."""
    release, taken = threading.Event(), threading.Event()

    def hold(_tx: Tx) -> None:
        taken.set()
        release.wait(JOIN_S)

    holder = threading.Thread(target=db.tx_sync, args=(hold,))
    holder.start()
    assert taken.wait(JOIN_S)
    waiter, out = in_thread(lambda: db.tx_sync(lambda tx: tx.one("SELECT 1 AS one")))
    until_waiting(db, 1)
    return Contention(release, holder, waiter, out)


def test_a_waiter_gets_a_new_connection_when_the_old_one_breaks(tmp_path: Path) -> None:
    """The held connection is dropped as broken: the waiter opens another one."""
    db = one_connection(tmp_path / "c.db", BreaksAfterUse)
    held = contention(db)
    held.release.set()
    held.holder.join(JOIN_S)
    held.waiter.join(JOIN_S)
    assert not held.waiter.is_alive(), "the waiter was never woken"
    assert held.out == [{"one": 1}]
    db.close()


def test_close_wakes_a_waiter_and_returns(tmp_path: Path) -> None:
    """close() fails the waiting threads at once instead of waiting for them forever."""
    db = one_connection(tmp_path / "c.db", SqliteConnection)
    held = contention(db)
    closer, _ = in_thread(db.close)
    closer.join(JOIN_S)
    held.waiter.join(JOIN_S)
    assert not closer.is_alive() and not held.waiter.is_alive()
    assert isinstance(held.out[0], StorageError)
    held.release.set()
    held.holder.join(JOIN_S)
    assert not held.holder.is_alive()
