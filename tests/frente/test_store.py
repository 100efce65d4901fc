"""Tests of the durable incident store on a real SQLite file."""

from __future__ import annotations

import asyncio
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3

import pytest

from custom_components.mi_frente_seguro.frente.incident import (
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentState,
    Press,
)
from custom_components.mi_frente_seguro.frente.store import IncidentStore

T0 = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def incident(n: int) -> Incident:
    """Return incident number ``n`` (ids sort by n)."""
    press = Press(T0 + timedelta(minutes=n), IncidentKind.PANIC, IncidentSource.APP)
    return Incident.open(f"01INC{n:05d}", "front", press)


async def test_saved_incidents_come_back(tmp_path: Path) -> None:
    """Open and closed incidents survive closing and reopening the file."""
    path = tmp_path / "front.db"
    store = IncidentStore(path)
    assert await store.async_open() == []
    closed, still_open = incident(1), incident(2)
    closed.advance(IncidentState.CLOSED, T0 + timedelta(hours=1), by="police")
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
        item = incident(n)
        item.advance(IncidentState.CLOSED, T0)
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


async def test_a_growing_incident_is_stored_whole(tmp_path: Path) -> None:
    """Presses encoded once and kept: every save still writes every press, in order."""
    store = IncidentStore(tmp_path / "front.db")
    await store.async_open()
    item = incident(1)
    for n in range(1, 30):
        item.join(
            Press(T0 + timedelta(seconds=n), IncidentKind.PANIC, IncidentSource.APP)
        )
        await store.async_save(item)
    item.advance(IncidentState.CANCELLED, T0 + timedelta(minutes=5), by="ana")
    await store.async_save(item)
    await store.async_close()
    reopened = IncidentStore(tmp_path / "front.db")
    (loaded,) = await reopened.async_open()
    await reopened.async_close()
    assert loaded == item
    assert len(loaded.presses) == 30
