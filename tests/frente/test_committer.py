"""Tests of the shared group committer on a real SQLite file."""

from __future__ import annotations

import asyncio
from contextlib import closing
from pathlib import Path
import sqlite3

import pytest

from custom_components.mi_frente_seguro.frente.committer import Committer


def _insert(value: str, db: sqlite3.Connection) -> None:
    db.execute("INSERT INTO items (value) VALUES (?)", (value,))


def _values(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [value for (value,) in db.execute("SELECT value FROM items ORDER BY id")]


async def _opened(path: Path) -> Committer:
    committer = Committer(path)
    await committer.open()
    await committer.run(
        lambda db: db.execute(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT UNIQUE)"
        )
    )
    return committer


async def test_writes_staged_together_commit_together(tmp_path: Path) -> None:
    """Writes staged with no await between them share one transaction, in order."""
    committer = await _opened(tmp_path / "front.db")
    told: list[str] = []
    first = committer.stage(
        lambda db: _insert("press", db), after=lambda: told.append("a")
    )
    second = committer.stage(
        lambda db: _insert("alert", db), after=lambda: told.append("b")
    )
    assert first is second  # one transaction, one future
    await asyncio.shield(first)
    assert committer.commits == 1
    assert told == ["a", "b"]
    assert _values(tmp_path / "front.db") == ["press", "alert"]
    await committer.close()


async def test_a_failing_write_commits_nothing_of_its_transaction(
    tmp_path: Path,
) -> None:
    """Both or neither: a write that raises rolls the whole transaction back."""
    path = tmp_path / "front.db"
    committer = await _opened(path)
    told: list[str] = []
    await asyncio.shield(committer.stage(lambda db: _insert("one", db)))
    saved = committer.stage(
        lambda db: _insert("press", db), after=lambda: told.append("x")
    )
    committer.stage(lambda db: _insert("one", db))  # UNIQUE violation
    with pytest.raises(sqlite3.IntegrityError):
        await asyncio.shield(saved)
    assert told == []
    assert _values(path) == ["one"]
    # The committer goes on working.
    await asyncio.shield(committer.stage(lambda db: _insert("two", db)))
    assert _values(path) == ["one", "two"]
    await committer.close()


async def test_a_keyed_write_is_replaced_by_a_newer_one(tmp_path: Path) -> None:
    """Only the newest write of a key is run, at the first one's place."""
    path = tmp_path / "front.db"
    committer = await _opened(path)
    committer.stage(lambda db: _insert("v1", db), key="incident")
    committer.stage(lambda db: _insert("other", db))
    await asyncio.shield(committer.stage(lambda db: _insert("v2", db), key="incident"))
    assert _values(path) == ["v2", "other"]
    await committer.close()


async def test_staging_on_a_closed_file_is_refused(tmp_path: Path) -> None:
    """A write staged after close raises at once rather than being lost silently."""
    committer = await _opened(tmp_path / "front.db")
    pending = committer.stage(lambda db: _insert("last", db))
    await committer.close()  # finishes what was staged first
    assert pending.done()
    assert _values(tmp_path / "front.db") == ["last"]
    with pytest.raises(RuntimeError, match="not open"):
        committer.stage(lambda db: _insert("late", db))
