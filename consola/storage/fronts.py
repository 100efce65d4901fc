"""The fronts registry in the database: fronts and their signing secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..fronts import FrontForm
from ..tiempo import to_db
from .db import Row, Tx


@dataclass(frozen=True, slots=True)
class Front:
    """A registered front, with its secrets (oldest first)."""

    id: str
    name: str
    cuadrante_code: str
    cuadrante_name: str
    status_webhook_url: str
    active: bool
    secrets: tuple[tuple[int, str], ...]  # (secret row id, secret)


def _front(row: Row, secrets: list[Row]) -> Front:
    return Front(
        row["id"], row["name"], row["cuadrante_code"], row["cuadrante_name"],
        row["status_webhook_url"], bool(row["active"]),
        tuple((int(s["id"]), str(s["secret"])) for s in secrets),
    )  # fmt: skip


def get_front(tx: Tx, front_id: str) -> Front | None:
    """Return the front ``front_id`` (active or not), or None."""
    row = tx.one("SELECT * FROM fronts WHERE id = ?", front_id)
    if row is None:
        return None
    secrets = tx.all(
        "SELECT id, secret FROM front_secrets WHERE front_id = ? ORDER BY id", front_id
    )
    return _front(row, secrets)


def list_fronts(tx: Tx) -> list[Front]:
    """Return every front, by cuadrante then id."""
    secrets: dict[str, list[Row]] = {}
    for row in tx.all("SELECT id, front_id, secret FROM front_secrets ORDER BY id"):
        secrets.setdefault(row["front_id"], []).append(row)
    return [
        _front(row, secrets.get(row["id"], []))
        for row in tx.all("SELECT * FROM fronts ORDER BY cuadrante_code, id")
    ]


def cuadrantes(tx: Tx) -> list[tuple[str, str]]:
    """Return the (code, name) of every cuadrante with a registered front."""
    rows = tx.all(
        "SELECT cuadrante_code, MIN(cuadrante_name) AS name FROM fronts"
        " GROUP BY cuadrante_code ORDER BY cuadrante_code"
    )
    return [(row["cuadrante_code"], row["name"]) for row in rows]


def save_front(tx: Tx, form: FrontForm, now: datetime) -> bool:
    """Create or update a front (adding ``form.secret`` if given); return True if new.

    A new front needs a secret; :class:`ValueError` otherwise.
    """
    exists = tx.one("SELECT id FROM fronts WHERE id = ?", form.front_id) is not None
    if exists:
        tx.run(
            "UPDATE fronts SET name = ?, cuadrante_code = ?, cuadrante_name = ?,"
            " status_webhook_url = ?, updated_at = ? WHERE id = ?",
            form.name, form.cuadrante_code, form.cuadrante_name, form.status_webhook_url,
            to_db(now), form.front_id,
        )  # fmt: skip
    else:
        if form.secret is None:
            raise ValueError("fronts.reason.last_secret")
        tx.run(
            "INSERT INTO fronts (id, name, cuadrante_code, cuadrante_name, status_webhook_url,"
            " active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
            form.front_id, form.name, form.cuadrante_code, form.cuadrante_name,
            form.status_webhook_url, to_db(now), to_db(now),
        )  # fmt: skip
    if form.secret is not None:
        known = tx.one(
            "SELECT id FROM front_secrets WHERE front_id = ? AND secret = ?",
            form.front_id, form.secret,
        )  # fmt: skip
        if known is None:
            tx.run(
                "INSERT INTO front_secrets (front_id, secret, added_at) VALUES (?, ?, ?)",
                form.front_id, form.secret, to_db(now),
            )  # fmt: skip
    return not exists


def remove_secret(tx: Tx, front_id: str, secret_id: int) -> bool:
    """Remove one secret unless it is the front's last; return True when removed."""
    row = tx.one("SELECT COUNT(*) AS n FROM front_secrets WHERE front_id = ?", front_id)
    if row is None or int(row["n"]) <= 1:
        return False
    return (
        tx.run(
            "DELETE FROM front_secrets WHERE front_id = ? AND id = ?",
            front_id,
            secret_id,
        )
        == 1
    )


def set_active(tx: Tx, front_id: str, active: bool, now: datetime) -> bool:
    """Activate or deactivate a front; return True when it exists."""
    return tx.run(
        "UPDATE fronts SET active = ?, updated_at = ? WHERE id = ?",
        int(active), to_db(now), front_id,
    ) == 1  # fmt: skip


@dataclass(frozen=True, slots=True)
class Activity:
    """What the fronts page says of a front's link: when it last spoke, and how."""

    last_message: str | None = None  # stored times (UTC text), None: never
    refused: int = 0  # alerts refused since the page's window began
    last_alarm: str | None = None  # the latest real incident's opening
    last_drill: str | None = None  # the latest drill's: the programme's link test


def front_activity(tx: Tx, since: datetime) -> dict[str, Activity]:
    """Return per front its last message, refusals since ``since``, last alarm and drill."""
    last = {
        row["front_id"]: row["at"]
        for row in tx.all(
            "SELECT front_id, MAX(received_at) AS at FROM messages GROUP BY front_id"
        )
    }
    refused = {
        row["front_hint"]: int(row["n"])
        for row in tx.all(
            "SELECT front_hint, COUNT(*) AS n FROM rejected WHERE at >= ? GROUP BY front_hint",
            to_db(since),
        )
    }
    opened: dict[tuple[str, bool], str] = {
        (row["front_id"], bool(row["exercise"])): row["at"]
        for row in tx.all(
            "SELECT front_id, exercise, MAX(opened_at) AS at FROM incidents"
            " GROUP BY front_id, exercise"
        )
    }
    return {
        front_id: Activity(
            last.get(front_id),
            refused.get(front_id, 0),
            opened.get((front_id, False)),
            opened.get((front_id, True)),
        )  # fmt: skip
        for front_id in {*last, *refused, *(key[0] for key in opened)}
    }
