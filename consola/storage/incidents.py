"""Incidents and their messages in the database: one transaction per accepted message."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from typing import Final

from ..ingest.message import AlertMessage
from ..tiempo import to_db
from .db import Row, Tx

MAX_REJECTED: Final = 5_000  # refused requests kept for supervisors (oldest dropped)


class DuplicateMessageError(Exception):
    """The message was stored before (by this or another instance): roll back, answer 2xx."""

    def __init__(self, incident_pk: int) -> None:
        """Keep the incident the first copy went to."""
        super().__init__(incident_pk)
        self.incident_pk = incident_pk


def find_message(tx: Tx, front_id: str, message_id: str) -> int | None:
    """Return the incident a stored message belongs to, or None."""
    row = tx.one(
        "SELECT incident_pk FROM messages WHERE front_id = ? AND message_id = ?",
        front_id, message_id,
    )  # fmt: skip
    return int(row["incident_pk"]) if row else None


def store_message(
    tx: Tx, message: AlertMessage, transport: str, now: datetime
) -> tuple[Row, bool, str | None]:
    """File ``message`` under its incident; return (incident row, new?, previous kind).

    Every message carries the whole incident: the newest by ``sent_at`` is the snapshot,
    a late older one only joins the history. Raises :class:`DuplicateMessageError`.
    """
    known = find_message(tx, message.front_id, message.message_id)
    if known is not None:
        raise DuplicateMessageError(known)
    snapshot = json.dumps(message.body, ensure_ascii=False, separators=(",", ":"))
    sent_at = to_db(message.sent_at)
    row = tx.one(
        "SELECT id, kind, latest_sent_at FROM incidents WHERE front_id = ? AND incident_id = ?",
        message.front_id, message.incident_id,
    )  # fmt: skip
    new = row is None
    previous_kind = None if row is None else str(row["kind"])
    if row is None:
        row = tx.one(
            "INSERT INTO incidents (front_id, incident_id, kind, exercise, front_state,"
            " cuadrante_code, opened_at, received_at, updated_at, latest_sent_at, snapshot)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (front_id, incident_id) DO NOTHING RETURNING id",
            message.front_id, message.incident_id, message.kind, int(message.exercise),
            message.state, message.cuadrante_code, to_db(message.opened_at), to_db(now),
            to_db(now), sent_at, snapshot,
        )  # fmt: skip
        if row is None:  # another instance filed the incident a moment ago
            return store_message(tx, message, transport, now)
    elif sent_at >= row["latest_sent_at"]:
        tx.run(
            "UPDATE incidents SET kind = ?, exercise = ?, front_state = ?, cuadrante_code = ?,"
            " updated_at = ?, latest_sent_at = ?, snapshot = ? WHERE id = ?",
            message.kind, int(message.exercise), message.state, message.cuadrante_code,
            to_db(now), sent_at, snapshot, row["id"],
        )  # fmt: skip
    else:
        tx.run(
            "UPDATE incidents SET updated_at = ? WHERE id = ?", to_db(now), row["id"]
        )
    incident_pk = int(row["id"])
    inserted = tx.run(
        "INSERT INTO messages (front_id, message_id, incident_pk, type, sent_at, received_at,"
        " transport, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (front_id, message_id) DO NOTHING",
        message.front_id, message.message_id, incident_pk, message.type, sent_at, to_db(now),
        transport, snapshot,
    )  # fmt: skip
    if inserted == 0:
        raise DuplicateMessageError(incident_pk)
    full = incident_row(tx, incident_pk)
    assert full is not None
    return full, new, previous_kind


_SUMMARY: Final = (
    "SELECT i.id, i.front_id, i.incident_id, i.kind, i.exercise, i.front_state,"
    " i.police_state, i.cuadrante_code, i.opened_at, i.received_at, i.updated_at,"
    " i.snapshot, f.name AS front_name FROM incidents i JOIN fronts f ON f.id = i.front_id"
)


def incident_row(tx: Tx, incident_pk: int) -> Row | None:
    """Return one incident with its front's registered name, or None."""
    return tx.one(f"{_SUMMARY} WHERE i.id = ?", incident_pk)  # noqa: S608


def recent_incidents(
    tx: Tx, cuadrante: str | None, since: datetime, limit: int = 200
) -> list[Row]:
    """Return the incidents received since ``since`` or still open, newest first.

    ``cuadrante`` limits them to one cuadrante (None: all).
    """
    where = (
        "(i.received_at >= ? OR (i.front_state NOT IN ('closed', 'cancelled')"
        " AND i.police_state <> 'closed'))"
    )
    params: list[object] = [to_db(since)]
    if cuadrante:
        where += " AND i.cuadrante_code = ?"
        params.append(cuadrante)
    return tx.all(
        f"{_SUMMARY} WHERE {where} ORDER BY i.received_at DESC, i.id DESC LIMIT ?",  # noqa: S608
        *params, limit,
    )  # fmt: skip


def incident_messages(tx: Tx, incident_pk: int) -> list[Row]:
    """Return the messages of an incident (type, times, transport), in arrival order."""
    return tx.all(
        "SELECT message_id, type, sent_at, received_at, transport FROM messages"
        " WHERE incident_pk = ? ORDER BY received_at, message_id",
        incident_pk,
    )


def record_rejected(
    tx: Tx, *, now: datetime, remote: str, transport: str, front_hint: str, reason: str,
    http_status: int, webhook_id: str, size: int,
) -> None:  # fmt: skip
    """Keep one refused delivery for supervisors (bounded: the oldest are dropped)."""
    tx.run(
        "INSERT INTO rejected (at, remote, transport, front_hint, reason, http_status,"
        " webhook_id, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        to_db(now), remote[:64], transport, front_hint[:100], reason, http_status,
        webhook_id[:128], size,
    )  # fmt: skip
    tx.run(
        "DELETE FROM rejected WHERE id <= (SELECT MAX(id) FROM rejected) - ?",
        MAX_REJECTED,
    )


def list_rejected(tx: Tx, limit: int = 200) -> list[Row]:
    """Return the latest refused deliveries, newest first."""
    return tx.all("SELECT * FROM rejected ORDER BY id DESC LIMIT ?", limit)


def live_window(now: datetime) -> datetime:
    """Return since when the live screen lists incidents (the last 24 hours)."""
    return now - timedelta(hours=24)


def report_rows(tx: Tx, since: datetime) -> tuple[list[Row], list[Row]]:
    """Return the incidents received since ``since`` and their answers, for the report."""
    incidents = tx.all(
        "SELECT id, cuadrante_code, received_at, exercise FROM incidents WHERE received_at >= ?",
        to_db(since),
    )
    answers = tx.all(
        "SELECT a.incident_pk, a.status, a.created_at FROM answers a"
        " JOIN incidents i ON i.id = a.incident_pk WHERE i.received_at >= ?",
        to_db(since),
    )
    return incidents, answers
