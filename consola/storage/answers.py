"""The police's answers in the database.

Each is written with the incident's new police state and the audit row in one transaction, then delivered (and retried) by the answer worker.

``delivery`` is ``pending`` (not tried yet), ``retrying``, ``delivered``, ``refused`` (the
front said never: 400/404/409/413/431), ``failed`` (gave up after many tries) or
``no_webhook`` (the front has no status webhook registered).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from ..tiempo import to_db
from .db import Row, Tx

OPEN_DELIVERIES: Final = ("pending", "retrying")


def add_answer(
    tx: Tx, *, incident_pk: int, webhook_id: str, status: str, unit: str,
    eta_minutes: int | None, note: str, body: str, operator_id: int, now: datetime,
) -> int:  # fmt: skip
    """Store an answer to send and move the incident's police state; return its id."""
    row = tx.one(
        "INSERT INTO answers (incident_pk, webhook_id, status, unit, eta_minutes, note, body,"
        " created_at, operator_id, delivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')"
        " RETURNING id",
        incident_pk, webhook_id, status, unit, eta_minutes, note, body, to_db(now),
        operator_id,
    )  # fmt: skip
    assert row is not None
    tx.run(
        "UPDATE incidents SET police_state = ?, updated_at = ? WHERE id = ?",
        status, to_db(now), incident_pk,
    )  # fmt: skip
    return int(row["id"])


def incident_answers(tx: Tx, incident_pk: int) -> list[Row]:
    """Return an incident's answers, oldest first, with who sent them."""
    return tx.all(
        "SELECT a.*, o.display_name FROM answers a LEFT JOIN operators o"
        " ON o.id = a.operator_id WHERE a.incident_pk = ? ORDER BY a.id",
        incident_pk,
    )


def due_answers(tx: Tx, now: datetime) -> list[Row]:
    """Return the answers to try now: per incident only the oldest open one (in order)."""
    return tx.all(
        "SELECT a.*, i.incident_id, i.front_id FROM answers a"
        " JOIN incidents i ON i.id = a.incident_pk"
        " WHERE a.id IN (SELECT MIN(id) FROM answers"
        "   WHERE delivery IN ('pending', 'retrying') GROUP BY incident_pk)"
        " AND (a.next_at IS NULL OR a.next_at <= ?) ORDER BY a.id",
        to_db(now),
    )


def next_due(tx: Tx) -> datetime | None:
    """Return when the next retry is due (None: nothing waits)."""
    from ..tiempo import from_db  # noqa: PLC0415

    row = tx.one(
        "SELECT MIN(next_at) AS at FROM answers WHERE delivery IN ('pending', 'retrying')"
    )
    return from_db(row["at"]) if row and row["at"] else None


def record_attempt(
    tx: Tx, answer_id: int, *, delivery: str, http_status: int | None, answer: str,
    next_at: datetime | None,
) -> None:  # fmt: skip
    """Record one delivery attempt and what comes next."""
    tx.run(
        "UPDATE answers SET delivery = ?, attempts = attempts + 1, http_status = ?,"
        " answer = ?, next_at = ? WHERE id = ?",
        delivery, http_status, answer[:300], to_db(next_at) if next_at else None, answer_id,
    )  # fmt: skip
