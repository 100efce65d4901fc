"""The outbox's SQLite tables (WAL, synchronous=FULL): what is queued, delivered or dropped.

Blocking code only, given a connection: the tables live in the front's incident file, and its
:class:`~custom_components.mi_frente_seguro.frente.committer.Committer` runs these writes in
its transactions (so an alert commits together with the press that caused it).

Every row belongs to one destination (``destination``: the id of the front's destination,
:data:`FIRST_DESTINATION` for the police link a front had before it had several); a message
is queued once per destination (``UNIQUE (destination, message_id)``). A file written before
destinations existed has no such column: :meth:`OutboxDatabase.load` rebuilds its table
once, in one transaction (a crash leaves the old table, and the next open does it again),
its rows becoming the first destination's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL DEFAULT 'police',
    message_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    type TEXT NOT NULL,
    exercise INTEGER NOT NULL,
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    done_at REAL,
    latency_ms REAL,
    error TEXT,
    UNIQUE (destination, message_id)
);
CREATE INDEX IF NOT EXISTS outbox_status ON outbox (destination, status, seq);
CREATE TABLE IF NOT EXISTS originals (
    incident_id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
"""
FIRST_DESTINATION = "police"  # the police link of before, and the rows it queued
# The old table's columns, in order (everything but the destination).
_OLD_COLUMNS = (
    "seq, message_id, incident_id, type, exercise, body, enqueued_at, status, "
    "done_at, latency_ms, error"
)
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


@dataclass(frozen=True, slots=True)
class Receipt:
    """A destination's delivery of an incident's alert: ``status``, when, and why not."""

    destination: str
    incident_id: str
    status: str  # pending, delivered, dropped, dead
    enqueued_at: float
    done_at: float | None = None
    error: str | None = None


def upgrade(db: sqlite3.Connection) -> bool:
    """Add the destination column to a file from before it, in one transaction.

    Return True when the table was rebuilt. The rows keep their ``seq`` (so their order)
    and become the first destination's.
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(outbox)")}
    if not columns or "destination" in columns:
        return False
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ALTER TABLE outbox RENAME TO outbox_before_destinations")
        db.execute("DROP INDEX IF EXISTS outbox_status")
        db.execute(SCHEMA.split(";", 1)[0])
        db.execute(
            f"INSERT INTO outbox (destination, {_OLD_COLUMNS}) "  # noqa: S608  (constants)
            f"SELECT ?, {_OLD_COLUMNS} FROM outbox_before_destinations ORDER BY seq",
            (FIRST_DESTINATION,),
        )
        db.execute("DROP TABLE outbox_before_destinations")
    return True


class OutboxDatabase:
    """Blocking access to one destination's rows of the outbox tables of a connection."""

    def __init__(self, keep_done: int, destination: str = FIRST_DESTINATION) -> None:
        """Remember how many delivered/dropped rows to keep, and whose rows these are."""
        self.keep_done = keep_done
        self.destination = destination

    def load(self, db: sqlite3.Connection) -> Loaded:
        """Create (or upgrade) the tables; return the undelivered messages in order."""
        upgrade(db)
        db.executescript(SCHEMA)
        return _read(db, self.destination)

    def receipts(self, db: sqlite3.Connection) -> list[Receipt]:
        """Return the receipts of the incidents' alerts still in the file, oldest first."""
        return [
            Receipt(self.destination, *row)
            for row in db.execute(
                "SELECT incident_id, status, enqueued_at, done_at, error FROM outbox "
                "WHERE destination = ? AND type = 'incident.created' ORDER BY seq",
                (self.destination,),
            )
        ]

    def insert(self, op: Insert, db: sqlite3.Connection) -> None:
        """Queue a message (``op.inserted`` tells whether its id was new)."""
        message = op.message
        cursor = db.execute(
            "INSERT OR IGNORE INTO outbox (destination, message_id, incident_id, type, "
            "exercise, body, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.destination,
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
        here = self.destination
        db.execute(
            "DELETE FROM outbox WHERE destination = ? AND status IN (?, ?) AND seq < "
            "(SELECT seq FROM outbox WHERE destination = ? AND status IN (?, ?) "
            "ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (here, DELIVERED, DROPPED, here, DELIVERED, DROPPED, self.keep_done - 1),
        )
        db.execute(
            "DELETE FROM outbox WHERE destination = ? AND status = ? AND seq < (SELECT "
            "seq FROM outbox WHERE destination = ? AND status = ? ORDER BY seq DESC "
            "LIMIT 1 OFFSET ?)",
            (here, DEAD, here, DEAD, KEEP_DEAD - 1),
        )
        db.execute(
            "DELETE FROM originals WHERE rowid < (SELECT rowid FROM originals "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?)",
            (self.keep_done - 1,),
        )


def _read(db: sqlite3.Connection, destination: str) -> Loaded:
    loaded = Loaded()
    rows = db.execute(
        "SELECT seq, message_id, incident_id, type, exercise, body, enqueued_at "
        "FROM outbox WHERE destination = ? AND status = ? ORDER BY seq",
        (destination, PENDING),
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
        "SELECT latency_ms FROM outbox WHERE destination = ? AND status = ? "
        "ORDER BY seq DESC LIMIT 1",
        (destination, DELIVERED),
    ).fetchone()
    loaded.last_latency_ms = row[0] if row else None
    loaded.dead = [
        DeadLetter(*row)
        for row in db.execute(
            "SELECT message_id, incident_id, type, done_at, error FROM outbox "
            "WHERE destination = ? AND status = ? ORDER BY seq DESC LIMIT ?",
            (destination, DEAD, KEEP_DEAD),
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
