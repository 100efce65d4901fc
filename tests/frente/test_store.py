"""Tests of the durable incident store on a real SQLite file."""

from __future__ import annotations

import asyncio
from contextlib import closing
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sqlite3

import pytest

from custom_components.mi_frente_seguro.frente.change import Change, IncidentChange
from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Location,
)
from custom_components.mi_frente_seguro.frente.store import IncidentStore

from .presses import app_press

T0 = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def incident(n: int) -> Incident:
    """Return incident number ``n`` (ids sort by n)."""
    press = app_press(T0 + timedelta(minutes=n))
    return Incident.open(f"01INC{n:05d}", "front", press)


async def test_saved_incidents_come_back(tmp_path: Path) -> None:
    """Open and closed incidents survive closing and reopening the file."""
    path = tmp_path / "front.db"
    store = IncidentStore(path)
    assert await store.async_open() == []
    closed, _ = incident(1).advanced(
        IncidentState.CLOSED, T0 + timedelta(hours=1), by="police"
    )
    still_open = incident(2)
    await asyncio.gather(store.async_save(closed), store.async_save(still_open))
    await store.async_close()

    # What is on disk is committed: a plain sqlite3 reader sees it.
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM incidents").fetchone() == (2,)
    reopened = IncidentStore(path)
    loaded = {item.incident_id: item for item in await reopened.async_open()}
    await reopened.async_close()
    assert loaded == {closed.incident_id: closed, still_open.incident_id: still_open}


async def test_burst_is_group_committed(tmp_path: Path) -> None:
    """100 concurrent saves all return durable, in far fewer transactions."""
    store = IncidentStore(tmp_path / "front.db")
    await store.async_open()
    items = [incident(n) for n in range(100)]
    await asyncio.gather(*(store.async_save(item) for item in items))
    assert store.commits < 100
    await store.async_close()
    reopened = IncidentStore(tmp_path / "front.db")
    assert len(await reopened.async_open()) == 100
    await reopened.async_close()


async def test_history_is_pruned_on_disk(tmp_path: Path) -> None:
    """Only the last N closed incidents stay in the file; open ones always do."""
    store = IncidentStore(tmp_path / "front.db", history_limit=3)
    await store.async_open()
    await store.async_save(incident(0))  # stays open
    for n in range(1, 8):
        item, _ = incident(n).advanced(IncidentState.CLOSED, T0)
        await store.async_save(item)
    await store.async_close()
    reopened = IncidentStore(tmp_path / "front.db", history_limit=3)
    ids = sorted(item.incident_id for item in await reopened.async_open())
    await reopened.async_close()
    assert ids == ["01INC00000", "01INC00005", "01INC00006", "01INC00007"]


async def test_save_on_closed_store_fails(tmp_path: Path) -> None:
    """Saving without an open file is an error, not a silent loss."""
    store = IncidentStore(tmp_path / "front.db")
    with pytest.raises(RuntimeError, match="not open"):
        await store.async_save(incident(1))


async def test_a_growing_incident_writes_one_press_row_each(tmp_path: Path) -> None:
    """Each press adds one press row and rewrites a small incident row: all come back."""
    store = IncidentStore(tmp_path / "front.db")
    await store.async_open()
    item = incident(1)
    await store.async_save(item)
    sizes = []
    for n in range(1, 30):
        item, _ = item.joined(app_press(T0 + timedelta(seconds=n)))
        writes = store.writes(IncidentChange(Change.JOINED, item, item.presses[-1]))
        assert len(writes) == 2  # the incident row and one press row
        await asyncio.shield(store.committer.stage(*writes))
        sizes.append(_row_size(tmp_path / "front.db", item.incident_id))
    assert max(sizes) == min(sizes)  # the incident row does not grow with its presses
    item, _ = item.advanced(
        IncidentState.CANCELLED, T0 + timedelta(minutes=5), by="ana"
    )
    await asyncio.shield(
        store.committer.stage(*store.writes(IncidentChange(Change.ADVANCED, item)))
    )
    await store.async_close()
    reopened = IncidentStore(tmp_path / "front.db")
    (loaded,) = await reopened.async_open()
    await reopened.async_close()
    assert loaded == item
    assert len(loaded.presses) == 30
    with closing(sqlite3.connect(tmp_path / "front.db")) as db:
        assert db.execute("SELECT count(*) FROM presses").fetchone() == (30,)


def _row_size(path: Path, incident_id: str) -> int:
    with closing(sqlite3.connect(path)) as db:
        (size,) = db.execute(
            "SELECT length(body) FROM incidents WHERE incident_id = ?", (incident_id,)
        ).fetchone()
        return int(size)


async def test_unstorable_text_fails_before_anything_is_staged(tmp_path: Path) -> None:
    """A lone surrogate fails the encoding, synchronously: nothing reaches the file."""
    store = IncidentStore(tmp_path / "front.db")
    await store.async_open()
    bad = Incident.open(
        "01BAD",
        "front",
        app_press(T0, note="\ud83d"),
    )
    with pytest.raises(UnicodeEncodeError):
        store.writes(IncidentChange(Change.OPENED, bad, bad.presses[0]))
    nan = Incident.open(
        "01NAN",
        "front",
        app_press(T0, location=Location(float("nan"), 0.0)),
    )
    with pytest.raises(ValueError, match="JSON"):
        store.writes(IncidentChange(Change.OPENED, nan, nan.presses[0]))
    await store.async_save(incident(2))  # and the next good one is stored
    await store.async_close()
    with closing(sqlite3.connect(tmp_path / "front.db")) as db:
        assert db.execute("SELECT incident_id FROM incidents").fetchall() == [
            ("01INC00002",)
        ]


async def test_a_version_0_file_is_converted(tmp_path: Path) -> None:
    """A file whose rows hold their presses (version 0) is read and converted once."""
    path = tmp_path / "front.db"
    item, _ = incident(1).joined(
        app_press(T0 + timedelta(seconds=3), IncidentKind.SILENT)
    )
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TABLE incidents (incident_id TEXT PRIMARY KEY, "
            "is_open INTEGER NOT NULL, body TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO incidents VALUES (?, 1, ?)",
            (item.incident_id, json.dumps(item.to_dict())),
        )
        db.commit()
    store = IncidentStore(path)
    (loaded,) = await store.async_open()
    await store.async_close()
    assert loaded == item
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM presses").fetchone() == (2,)
        (body,) = db.execute("SELECT body FROM incidents").fetchone()
        assert "presses" not in json.loads(body)
