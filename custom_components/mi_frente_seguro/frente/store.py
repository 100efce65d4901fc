"""Durable storage of a front's incidents in SQLite (WAL, synchronous=FULL).

``async_save`` returns only once the incident is committed and fsync'd, unlike HA's ``Store``
whose writes are debounced. Saves that arrive while a commit is running are committed together
in the next one (group commit), so a burst of presses costs a few fsyncs, not one each.
The file's :class:`~.committer.Committer` is shared with the front's police outbox: ``save``
stages the incident so that the alert staged right after it lands in the same transaction.
"""

from __future__ import annotations

import asyncio
from functools import partial
import json
from pathlib import Path
import sqlite3
from typing import Any

from .book import HISTORY_LIMIT
from .committer import Committer, Executor
from .incident import Incident, press_to_dict

SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    incident_id TEXT PRIMARY KEY,
    is_open INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (is_open, incident_id);
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
        self._presses: dict[str, list[str]] = {}  # encoded presses of open incidents

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
        rows = await self.committer.run(self._load)
        return [Incident.from_dict(json.loads(body)) for (body,) in rows]

    def _load(self, db: sqlite3.Connection) -> list[tuple[str]]:
        db.executescript(SCHEMA)
        rows: list[tuple[str]] = db.execute(
            "SELECT body FROM incidents WHERE is_open = 1 UNION ALL "
            "SELECT body FROM (SELECT body FROM incidents WHERE is_open = 0 "
            "ORDER BY incident_id DESC LIMIT ?)",
            (self._history_limit,),
        ).fetchall()
        return rows

    def save(self, incident: Incident) -> asyncio.Future[None]:
        """Stage ``incident`` for the next commit; the future is done once it is durable."""
        body = self._encode(incident)
        write = partial(_upsert, incident.incident_id, int(incident.is_open), body)
        saved = self.committer.stage(write, key=f"incident:{incident.incident_id}")
        if not incident.is_open:
            self.committer.stage(
                partial(_prune, self._history_limit), key="incidents:prune"
            )
        return saved

    def _encode(self, incident: Incident) -> str:
        """Return the incident's JSON, encoding only the presses not encoded before.

        Presses never change and are only ever appended, so an open incident's encoded
        presses are kept: a storm of presses on one incident costs one press each, not
        the whole list each time.
        """
        encoded = self._presses.setdefault(incident.incident_id, [])
        encoded.extend(
            _dumps(press_to_dict(press)) for press in incident.presses[len(encoded) :]
        )
        if not incident.is_open:
            del self._presses[incident.incident_id]
        rest = _dumps(incident.to_dict(presses=False))
        return f'{rest[:-1]},"presses":[{",".join(encoded)}]}}'

    async def async_save(self, incident: Incident) -> None:
        """Write ``incident``; return once it is durable on disk."""
        await asyncio.shield(self.save(incident))

    async def async_close(self) -> None:
        """Finish pending writes and close the file."""
        await self.committer.close()


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _upsert(incident_id: str, is_open: int, body: str, db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO incidents (incident_id, is_open, body) VALUES (?, ?, ?) "
        "ON CONFLICT (incident_id) DO UPDATE SET "
        "is_open = excluded.is_open, body = excluded.body",
        (incident_id, is_open, body),
    )


def _prune(history_limit: int, db: sqlite3.Connection) -> None:
    """Keep the last ``history_limit`` closed incidents."""
    db.execute(
        "DELETE FROM incidents WHERE is_open = 0 AND incident_id NOT IN "
        "(SELECT incident_id FROM incidents WHERE is_open = 0 "
        "ORDER BY incident_id DESC LIMIT ?)",
        (history_limit,),
    )
