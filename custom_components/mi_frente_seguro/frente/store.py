"""Durable storage of a front's incidents in SQLite (WAL, synchronous=FULL).

Two tables: ``incidents`` holds each incident without its presses (a row that stays small
however many presses come), ``presses`` one row per press. A change writes the incident's
row and, for a press, one press row: what a press costs does not grow with the presses
already stored. :meth:`IncidentStore.writes` returns those writes, encoded already (so a
value that cannot be stored fails there, before anything is staged); the ledger commits
them with the change's police messages in one transaction of the file's
:class:`~.committer.Committer`, and :meth:`IncidentStore.async_save` does the same for a
whole incident on its own.

Files of version 0 (each incident's presses inside its row) are converted when opened.
"""

from __future__ import annotations

import asyncio
from functools import partial
import json
from pathlib import Path
import sqlite3
from typing import Any

from .book import HISTORY_LIMIT
from .change import Change, IncidentChange
from .committer import Committer, Executor, Write
from .incident import Incident, press_to_dict

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    incident_id TEXT PRIMARY KEY,
    is_open INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (is_open, incident_id);
CREATE TABLE IF NOT EXISTS presses (
    incident_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (incident_id, n)
) WITHOUT ROWID;
"""


class IncidentStore:
    """One front's incidents on disk."""

    def __init__(
        self,
        path: Path,
        executor: Executor | None = None,
        history_limit: int = HISTORY_LIMIT,
    ) -> None:
        """Remember where the file is; ``executor(fn, *args)`` runs blocking work."""
        self.committer = Committer(path, executor)
        self._history_limit = history_limit

    @property
    def path(self) -> Path:
        """Return the file's path."""
        return self.committer.path

    @property
    def commits(self) -> int:
        """Return how many transactions the file's committer wrote."""
        return self.committer.commits

    async def async_open(self) -> list[Incident]:
        """Open the file and return the open and the last closed incidents."""
        await self.committer.open()
        rows = await self.committer.run(partial(_load, self._history_limit))
        return [
            Incident.from_dict(json.loads(body), [json.loads(p) for p in presses])
            for body, presses in rows
        ]

    def writes(self, change: IncidentChange) -> list[Write]:
        """Return the writes that store ``change`` (encoded now: raises if unstorable)."""
        incident = change.incident
        if change.change is Change.PURGED:
            return [partial(_delete, incident.incident_id)]
        if change.change is Change.FORGOTTEN:  # every press may have changed
            body = encode(incident.to_dict(presses=False))
            presses = [encode(press_to_dict(press)) for press in incident.presses]
            replace = partial(
                _replace, incident.incident_id, int(incident.is_open), body, presses
            )
            return [replace]
        body = encode(incident.to_dict(presses=False))
        writes: list[Write] = [
            partial(_upsert, incident.incident_id, int(incident.is_open), body)
        ]
        if change.is_press:
            n = len(incident.presses) - 1
            press = encode(press_to_dict(incident.presses[n]))
            writes.append(partial(_insert_press, incident.incident_id, n, press))
        if not incident.is_open:
            writes.append(partial(_prune, self._history_limit))
        return writes

    def save(self, incident: Incident) -> asyncio.Future[None]:
        """Stage a whole incident (row and every press); done once it is durable."""
        body = encode(incident.to_dict(presses=False))
        presses = [encode(press_to_dict(press)) for press in incident.presses]
        return self.committer.stage(
            partial(
                _replace, incident.incident_id, int(incident.is_open), body, presses
            )
        )

    async def async_save(self, incident: Incident) -> None:
        """Write a whole incident; return once it is durable on disk."""
        await asyncio.shield(self.save(incident))

    async def async_close(self) -> None:
        """Finish pending writes and close the file."""
        await self.committer.close()


def encode(data: dict[str, Any]) -> bytes:
    """Return the stored JSON of ``data``: no NaN, strict UTF-8 (raises ``ValueError``)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError here


def _load(
    history_limit: int, db: sqlite3.Connection
) -> list[tuple[str | bytes, list[bytes]]]:
    db.executescript(SCHEMA)
    if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        _convert(db)
    rows: list[tuple[str, str | bytes]] = db.execute(
        "SELECT incident_id, body FROM incidents WHERE is_open = 1 UNION ALL "
        "SELECT incident_id, body FROM (SELECT incident_id, body FROM incidents "
        "WHERE is_open = 0 ORDER BY incident_id DESC LIMIT ?)",
        (history_limit,),
    ).fetchall()
    loaded = []
    for incident_id, body in rows:
        presses = [
            press
            for (press,) in db.execute(
                "SELECT body FROM presses WHERE incident_id = ? ORDER BY n",
                (incident_id,),
            )
        ]
        loaded.append((body, presses))
    return loaded


def _convert(db: sqlite3.Connection) -> None:
    """Move the presses of version-0 rows into the presses table (one transaction)."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        for incident_id, body in db.execute(
            "SELECT incident_id, body FROM incidents"
        ).fetchall():
            data = json.loads(body)
            presses = data.pop("presses", None)
            if presses is None:
                continue
            db.executemany(
                "INSERT OR REPLACE INTO presses (incident_id, n, body) VALUES (?, ?, ?)",
                [(incident_id, n, encode(item)) for n, item in enumerate(presses)],
            )
            db.execute(
                "UPDATE incidents SET body = ? WHERE incident_id = ?",
                (encode(data), incident_id),
            )
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upsert(
    incident_id: str, is_open: int, body: bytes, db: sqlite3.Connection
) -> None:
    db.execute(
        "INSERT INTO incidents (incident_id, is_open, body) VALUES (?, ?, ?) "
        "ON CONFLICT (incident_id) DO UPDATE SET "
        "is_open = excluded.is_open, body = excluded.body",
        (incident_id, is_open, body),
    )


def _insert_press(
    incident_id: str, n: int, body: bytes, db: sqlite3.Connection
) -> None:
    db.execute(
        "INSERT INTO presses (incident_id, n, body) VALUES (?, ?, ?)",
        (incident_id, n, body),
    )


def _replace(
    incident_id: str,
    is_open: int,
    body: bytes,
    presses: list[bytes],
    db: sqlite3.Connection,
) -> None:
    _upsert(incident_id, is_open, body, db)
    db.execute("DELETE FROM presses WHERE incident_id = ?", (incident_id,))
    db.executemany(
        "INSERT INTO presses (incident_id, n, body) VALUES (?, ?, ?)",
        [(incident_id, n, press) for n, press in enumerate(presses)],
    )


def _delete(incident_id: str, db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM incidents WHERE incident_id = ?", (incident_id,))
    db.execute("DELETE FROM presses WHERE incident_id = ?", (incident_id,))


def _prune(history_limit: int, db: sqlite3.Connection) -> None:
    """Keep the last ``history_limit`` closed incidents (and their presses)."""
    old = [
        (incident_id,)
        for (incident_id,) in db.execute(
            "SELECT incident_id FROM incidents WHERE is_open = 0 "
            "ORDER BY incident_id DESC LIMIT -1 OFFSET ?",
            (history_limit,),
        )
    ]
    if old:
        db.executemany("DELETE FROM incidents WHERE incident_id = ?", old)
        db.executemany("DELETE FROM presses WHERE incident_id = ?", old)
