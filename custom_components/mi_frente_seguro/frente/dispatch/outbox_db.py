"""The outbox's SQLite tables (WAL, synchronous=FULL): what is queued, delivered or dropped.

Blocking code only, given a connection: the tables live in the front's incident file, and its
:class:`~custom_components.mi_frente_seguro.frente.committer.Committer` runs these writes in
its transactions (so an alert commits together with the press that caused it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import sqlite3

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
DROPPED = "dropped"  # a drill given up after its attempts
DEAD = "dead"  # refused for good by the receiver (400, 413, 422): a dead letter
KEEP_DEAD = 100  # dead letters kept in the file (the newest)


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
    # Not stored: a newer queued message with the same key replaces this one (then
    # ``superseded`` is set, its row deleted, and it is skipped when it reaches the head).
    supersedes: str | None = None
    superseded: bool = False


@dataclass(slots=True)
class Insert:
    """Queue ``message``; remember it as its incident's original when ``original``."""

    message: StoredMessage
    original_sent_at: str | None = None
    inserted: bool = False  # set by the commit: False if the id was already queued


@dataclass(slots=True)
class Finish:
    """Mark a message delivered, dropped or dead (``error`` says why)."""

    seq: int
    status: str
    done_at: float
    latency_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message the receiver refused for good, and why (HTTP status and its words)."""

    message_id: str
    incident_id: str
    message_type: str
    done_at: float  # Unix seconds
    error: str


@dataclass(slots=True)
class Loaded:
    """What the file held at start-up."""

    pending: list[StoredMessage] = field(default_factory=list)
    originals: dict[str, tuple[str, str]] = field(default_factory=dict)
    last_latency_ms: float | None = None
    dead: list[DeadLetter] = field(default_factory=list)  # newest first


class OutboxDatabase:
    """Blocking access to the outbox tables of a connection."""

    def __init__(self, keep_done: int) -> None:
        """Remember how many delivered/dropped rows to keep."""
        self.keep_done = keep_done

    def load(self, db: sqlite3.Connection) -> Loaded:
        """Create the tables if needed and return the undelivered messages in order."""
        db.executescript(SCHEMA)
        return _read(db)

    def insert(self, op: Insert, db: sqlite3.Connection) -> None:
        """Queue a message (``op.inserted`` tells whether its id was new)."""
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
            self.remember_original(
                message.incident_id, message.message_id, op.original_sent_at, db
            )

    def remember_original(
        self, incident_id: str, message_id: str, sent_at: str, db: sqlite3.Connection
    ) -> None:
        """Record an incident's created message (later messages reference it)."""
        db.execute(
            "INSERT OR IGNORE INTO originals (incident_id, message_id, sent_at) "
            "VALUES (?, ?, ?)",
            (incident_id, message_id, sent_at),
        )

    def supersede(self, seq: int, db: sqlite3.Connection) -> None:
        """Delete a still-pending message a newer one replaces (it is never sent)."""
        db.execute("DELETE FROM outbox WHERE seq = ? AND status = ?", (seq, PENDING))

    def finish(self, op: Finish, db: sqlite3.Connection) -> None:
        """Mark a message delivered, dropped or dead.

        A delivered or dropped message's body is not needed any more and is emptied (the
        row stays for its figures): the file does not grow with what was sent. A dead
        letter keeps its body, for whoever looks into why it was refused.
        """
        db.execute(
            "UPDATE outbox SET status = ?, done_at = ?, latency_ms = ?, error = ?, "
            "body = CASE WHEN ? = 'dead' THEN body ELSE x'' END WHERE seq = ?",
            (op.status, op.done_at, op.latency_ms, op.error, op.status, op.seq),
        )

    def prune(self, db: sqlite3.Connection) -> None:
        """Keep the last ``keep_done`` finished rows, KEEP_DEAD dead letters, originals."""
        db.execute(
            "DELETE FROM outbox WHERE status IN (?, ?) AND seq < (SELECT seq FROM "
            "outbox WHERE status IN (?, ?) ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (DELIVERED, DROPPED, DELIVERED, DROPPED, self.keep_done - 1),
        )
        db.execute(
            "DELETE FROM outbox WHERE status = ? AND seq < (SELECT seq FROM outbox "
            "WHERE status = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (DEAD, DEAD, KEEP_DEAD - 1),
        )
        db.execute(
            "DELETE FROM originals WHERE rowid < (SELECT rowid FROM originals "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?)",
            (self.keep_done - 1,),
        )


def _read(db: sqlite3.Connection) -> Loaded:
    loaded = Loaded()
    rows = db.execute(
        "SELECT seq, message_id, incident_id, type, exercise, body, enqueued_at "
        "FROM outbox WHERE status = ? ORDER BY seq",
        (PENDING,),
    )
    for seq, message_id, incident_id, kind, exercise, body, at in rows:
        loaded.pending.append(
            StoredMessage(message_id, incident_id, kind, bool(exercise), body, at, seq)
        )
    for incident_id, message_id, sent_at in db.execute(
        "SELECT incident_id, message_id, sent_at FROM originals ORDER BY rowid"
    ):
        loaded.originals[incident_id] = (message_id, sent_at)
    row = db.execute(
        "SELECT latency_ms FROM outbox WHERE status = ? ORDER BY seq DESC LIMIT 1",
        (DELIVERED,),
    ).fetchone()
    loaded.last_latency_ms = row[0] if row else None
    loaded.dead = [
        DeadLetter(*row)
        for row in db.execute(
            "SELECT message_id, incident_id, type, done_at, error FROM outbox "
            "WHERE status = ? ORDER BY seq DESC LIMIT ?",
            (DEAD, KEEP_DEAD),
        )
    ]
    return loaded


def scrub_dead(incident_id: str, db: sqlite3.Connection) -> None:
    """Empty the bodies of an incident's dead letters (a member's data was forgotten).

    A delivered or dropped message's body is emptied already; a dead letter keeps its
    reason, not what it said.
    """
    db.execute(
        "UPDATE outbox SET body = x'' WHERE status = ? AND incident_id = ?",
        (DEAD, incident_id),
    )
