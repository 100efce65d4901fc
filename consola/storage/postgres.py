"""The server backend: PostgreSQL through psycopg 3 (several console instances, one data)."""

from __future__ import annotations

import contextlib
from typing import Final, LiteralString

import psycopg
from psycopg.rows import dict_row

from .db import Connection, Database, Row, StorageError

POOL_SIZE: Final = 4
CONNECT_TIMEOUT_S: Final = 10


def to_pyformat(sql: str) -> str:
    """Return ``sql`` with ``?`` placeholders as psycopg's ``%s`` (no literal ``%`` or ``?``)."""
    if "%" in sql:
        raise ValueError("the console's SQL holds no literal %")
    return sql.replace("?", "%s")


class PostgresTx:
    """A transaction on one psycopg connection."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        """Run statements on ``conn``."""
        self._conn = conn

    def _execute(self, sql: str, params: tuple[object, ...]) -> psycopg.Cursor[Row]:
        # Every statement is a constant of this package; only values travel as parameters.
        query: LiteralString = to_pyformat(sql)
        return self._conn.execute(query, params)

    def one(self, sql: str, *params: object) -> Row | None:
        """Return the first row of ``sql`` or None."""
        return self._execute(sql, params).fetchone()

    def all(self, sql: str, *params: object) -> list[Row]:
        """Return every row of ``sql``."""
        return self._execute(sql, params).fetchall()

    def run(self, sql: str, *params: object) -> int:
        """Run ``sql``; return the number of rows it changed."""
        return self._execute(sql, params).rowcount


class PostgresConnection(Connection):
    """One psycopg connection (not autocommit: every statement is in a transaction)."""

    dialect = "postgresql"

    def __init__(self, dsn: str) -> None:
        """Connect to ``dsn``."""
        self._conn: psycopg.Connection[Row] = psycopg.connect(
            dsn, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S
        )

    def begin(self) -> PostgresTx:
        """Return the transaction psycopg opens with the first statement."""
        if self._conn.closed:
            raise StorageError("connection closed")
        return PostgresTx(self._conn)

    def commit(self) -> None:
        """Commit (PostgreSQL fsyncs its WAL before answering)."""
        self._conn.commit()

    def rollback(self) -> None:
        """Roll back; a dead connection is left for ``broken`` to report."""
        with contextlib.suppress(psycopg.Error):
            self._conn.rollback()

    def close(self) -> None:
        """Close the connection."""
        with contextlib.suppress(psycopg.Error):
            self._conn.close()

    def broken(self) -> bool:
        """Return True when the server went away."""
        return bool(self._conn.closed or self._conn.broken)


def open_postgres(dsn: str) -> Database:
    """Return a database on the PostgreSQL server at ``dsn``."""
    return Database(
        lambda: PostgresConnection(dsn), "postgresql", POOL_SIZE, (psycopg.Error,)
    )
