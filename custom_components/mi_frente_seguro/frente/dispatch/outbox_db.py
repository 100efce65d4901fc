"""The outbox's SQLite file (WAL, synchronous=FULL): what is queued, delivered or dropped.

Blocking code only: :class:`~.outbox.Outbox` runs every call here in its executor, one job
at a time, so the connection is never used by two threads at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
import sqlite3

from custom_components.mi_frente_seguro.frente.store import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    type TEXT NOT NULL,
    exercise INTEGER NOT NULL,
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    done_at REAL,
    latency_ms REAL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status, seq);
CREATE TABLE IF NOT EXISTS originals (
    incident_id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
"""
PENDING = "pending"
DELIVERED = "delivered"
DROPPED = "dropped"


@dataclass(slots=True)
class StoredMessage:
    """A queued message: the exact bytes to POST and what the loop needs to know."""

    message_id: str
    incident_id: str
    message_type: str
    exercise: bool
    body: bytes
    enqueued_at: float  # Unix seconds
    seq: int = 0  # set when inserted
    failures: int = 0  # failed attempts in this run (not stored)


@dataclass(slots=True)
class Insert:
    """Queue ``message``; remember it as its incident's original when ``original``."""

    message: StoredMessage
    original_sent_at: str | None = None
    inserted: bool = False  # set by the commit: False if the id was already queued


@dataclass(slots=True)
class Finish:
    """Mark a message delivered or dropped."""

    seq: int
    status: str
    done_at: float
    latency_ms: float | None = None
    error: str | None = None


@dataclass(slots=True)
class Loaded:
    """What the file held at start-up."""

    pending: list[StoredMessage] = field(default_factory=list)
    originals: dict[str, tuple[str, str]] = field(default_factory=dict)
    last_latency_ms: float | None = None


class OutboxDatabase:
    """Blocking access to one outbox file."""

    def __init__(self, path: Path, keep_done: int) -> None:
        """Remember the file and how many delivered/dropped rows to keep."""
        self.path = path
        self.keep_done = keep_done
        self._db: sqlite3.Connection | None = None
        self.commits = 0

    def open(self) -> Loaded:
        """Open (or create) the file and return the undelivered messages in order."""
        self._db = open_database(self.path)
        self._db.executescript(SCHEMA)
        loaded = Loaded()
        rows = self._db.execute(
            "SELECT seq, message_id, incident_id, type, exercise, body, enqueued_at "
            "FROM outbox WHERE status = ? ORDER BY seq",
            (PENDING,),
        )
        for seq, message_id, incident_id, kind, exercise, body, at in rows:
            loaded.pending.append(
                StoredMessage(
                    message_id, incident_id, kind, bool(exercise), body, at, seq
                )
            )
        for incident_id, message_id, sent_at in self._db.execute(
            "SELECT incident_id, message_id, sent_at FROM originals"
        ):
            loaded.originals[incident_id] = (message_id, sent_at)
        row = self._db.execute(
            "SELECT latency_ms FROM outbox WHERE status = ? ORDER BY seq DESC LIMIT 1",
            (DELIVERED,),
        ).fetchone()
        loaded.last_latency_ms = row[0] if row else None
        return loaded

    def commit(self, ops: list[Insert | Finish]) -> None:
        """Apply ``ops`` in one transaction; return once it is on disk."""
        db = self._db
        if db is None:
            raise RuntimeError("outbox file is not open")
        finished = False
        with db:
            db.execute("BEGIN IMMEDIATE")
            for op in ops:
                if isinstance(op, Insert):
                    self._insert(db, op)
                else:
                    finished = True
                    db.execute(
                        "UPDATE outbox SET status = ?, done_at = ?, latency_ms = ?, "
                        "error = ? WHERE seq = ?",
                        (op.status, op.done_at, op.latency_ms, op.error, op.seq),
                    )
            if finished:
                self._prune(db)
        self.commits += 1

    def _insert(self, db: sqlite3.Connection, op: Insert) -> None:
        message = op.message
        cursor = db.execute(
            "INSERT OR IGNORE INTO outbox (message_id, incident_id, type, exercise, "
            "body, enqueued_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                message.message_id,
                message.incident_id,
                message.message_type,
                int(message.exercise),
                message.body,
                message.enqueued_at,
            ),
        )
        op.inserted = cursor.rowcount == 1
        if op.inserted:
            assert cursor.lastrowid is not None
            message.seq = cursor.lastrowid
        if op.original_sent_at is not None:
            db.execute(
                "INSERT OR IGNORE INTO originals (incident_id, message_id, sent_at) "
                "VALUES (?, ?, ?)",
                (message.incident_id, message.message_id, op.original_sent_at),
            )

    def _prune(self, db: sqlite3.Connection) -> None:
        """Keep the last ``keep_done`` finished rows, and as many originals."""
        db.execute(
            "DELETE FROM outbox WHERE status != ? AND seq < (SELECT seq FROM outbox "
            "WHERE status != ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (PENDING, PENDING, self.keep_done - 1),
        )
        db.execute(
            "DELETE FROM originals WHERE rowid < (SELECT rowid FROM originals "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?)",
            (self.keep_done - 1,),
        )

    def close(self) -> None:
        """Close the file."""
        if self._db is not None:
            db, self._db = self._db, None
            db.close()
