"""The embedded backend: one SQLite file, WAL, ``synchronous=FULL`` (durable commits)."""

from __future__ import annotations

import contextlib
from pathlib import Path
import sqlite3
from typing import Final

from .db import Connection, Database, Row, StorageError

BUSY_TIMEOUT_MS: Final = 10_000


def _dict_row(cursor: sqlite3.Cursor, values: tuple[object, ...]) -> Row:
    return {
        column[0]: value
        for column, value in zip(cursor.description, values, strict=True)
    }


class SqliteTx:
    """A transaction on one SQLite connection."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Run statements on ``conn``."""
        self._conn = conn

    def one(self, sql: str, *params: object) -> Row | None:
        """Return the first row of ``sql`` or None."""
        row: Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, *params: object) -> list[Row]:
        """Return every row of ``sql``."""
        rows: list[Row] = self._conn.execute(sql, params).fetchall()
        return rows

    def run(self, sql: str, *params: object) -> int:
        """Run ``sql``; return the number of rows it changed."""
        return self._conn.execute(sql, params).rowcount


class SqliteConnection(Connection):
    """One SQLite connection in autocommit mode; transactions are ``BEGIN IMMEDIATE``."""

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        """Open (and create) the database at ``path``."""
        self._conn = sqlite3.connect(
            path,
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        self._conn.row_factory = _dict_row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._broken = False

    def begin(self) -> SqliteTx:
        """Start a write transaction (writers queue here, not midway)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise StorageError(type(err).__name__) from err
        return SqliteTx(self._conn)

    def commit(self) -> None:
        """Commit; with WAL and synchronous=FULL it is on disk when this returns."""
        self._conn.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back when a transaction is open."""
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            self._broken = True

    def close(self) -> None:
        """Close the connection."""
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def broken(self) -> bool:
        """Return True after a failed rollback."""
        return self._broken


def open_sqlite(path: str) -> Database:
    """Return a database on the SQLite file ``path`` (its folder is created)."""
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        path = str(Path(path).expanduser())
    # One connection: SQLite has one writer anyway, and ":memory:" must stay one database.
    return Database(lambda: SqliteConnection(path), "sqlite", 1, (sqlite3.Error,))
