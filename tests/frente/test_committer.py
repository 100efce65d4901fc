"""Tests of the shared group committer on a real SQLite file."""

from __future__ import annotations

import asyncio
from contextlib import closing
from pathlib import Path
import sqlite3

import pytest

from custom_components.mi_frente_seguro.frente.committer import Committer, StorageError


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


async def test_groups_staged_together_share_one_transaction(tmp_path: Path) -> None:
    """Groups staged with no await between them share one transaction, in order."""
    committer = await _opened(tmp_path / "front.db")
    told: list[str] = []
    first = committer.stage(
        lambda db: _insert("press", db),
        lambda db: _insert("alert", db),
        after=lambda: told.append("a"),
    )
    second = committer.stage(
        lambda db: _insert("other", db), after=lambda: told.append("b")
    )
    await asyncio.gather(asyncio.shield(first), asyncio.shield(second))
    assert committer.commits == 1
    assert told == ["a", "b"]
    assert _values(tmp_path / "front.db") == ["press", "alert", "other"]
    await committer.close()


async def test_a_failing_group_fails_alone(tmp_path: Path) -> None:
    """A group whose write raises is rolled back whole; the others of its batch commit."""
    path = tmp_path / "front.db"
    committer = await _opened(path)
    told: list[str] = []
    await asyncio.shield(committer.stage(lambda db: _insert("one", db)))
    before = committer.stage(
        lambda db: _insert("a", db), after=lambda: told.append("a")
    )
    failing = committer.stage(
        lambda db: _insert("half", db),  # rolled back with the rest of its group
        lambda db: _insert("one", db),  # UNIQUE violation
        after=lambda: told.append("x"),
    )
    after = committer.stage(lambda db: _insert("b", db), after=lambda: told.append("b"))
    with pytest.raises(sqlite3.IntegrityError):
        await asyncio.shield(failing)
    await asyncio.gather(asyncio.shield(before), asyncio.shield(after))
    assert committer.commits == 2
    assert told == ["a", "b"]
    assert _values(path) == ["one", "a", "b"]
    assert committer.last_error is None  # the data failed, not the file
    await committer.close()


async def test_upkeep_staged_once(tmp_path: Path) -> None:
    """A group staged ``once`` under a waiting key is not staged again."""
    path = tmp_path / "front.db"
    committer = await _opened(path)
    first = committer.stage(lambda db: _insert("prune", db), once="prune")
    committer.stage(lambda db: _insert("other", db))
    again = committer.stage(lambda db: _insert("prune-again", db), once="prune")
    assert again is first
    await asyncio.shield(first)
    assert _values(path) == ["prune", "other"]
    await committer.close()


async def test_a_full_file_fails_the_batch_and_says_so_once(tmp_path: Path) -> None:
    """SQLite's page limit makes the file full for real: every group fails, once told."""
    path = tmp_path / "front.db"
    health: list[object] = []
    committer = Committer(path, on_health=health.append)
    await committer.open()
    await committer.run(
        lambda db: db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT)")
    )
    pages = await committer.run(
        lambda db: db.execute("PRAGMA page_count").fetchone()[0]
    )
    await committer.run(lambda db: db.execute(f"PRAGMA max_page_count = {pages}"))
    big = "x" * 20_000
    for _ in range(2):
        with pytest.raises(StorageError) as err:
            await asyncio.shield(committer.stage(lambda db: _insert(big, db)))
        assert err.value.reason == "full"
    assert committer.failures == 2
    assert [type(item) for item in health] == [StorageError]  # told once
    await committer.run(lambda db: db.execute("PRAGMA max_page_count = 1000000"))
    await asyncio.shield(committer.stage(lambda db: _insert(big, db)))
    assert health[-1] is None  # and told when it works again
    assert _values(path) == [big]
    await committer.close()


async def test_a_read_only_file_fails_with_its_reason(tmp_path: Path) -> None:
    """A file that cannot be written (a disk remounted read-only) is a StorageError."""
    committer = await _opened(tmp_path / "front.db")
    await committer.run(lambda db: db.execute("PRAGMA query_only = ON"))
    with pytest.raises(StorageError) as err:
        await asyncio.shield(committer.stage(lambda db: _insert("x", db)))
    assert err.value.reason == "read_only"
    await committer.run(lambda db: db.execute("PRAGMA query_only = OFF"))
    await asyncio.shield(committer.stage(lambda db: _insert("x", db)))
    await committer.close()


async def test_a_file_locked_by_another_process_fails_then_works(
    tmp_path: Path,
) -> None:
    """Another writer holding the file: the commit fails as locked, nothing half-done."""
    path = tmp_path / "front.db"
    committer = await _opened(path)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError) as err:
            await asyncio.shield(committer.stage(lambda db: _insert("x", db)))
        assert err.value.reason == "locked"
    finally:
        other.execute("ROLLBACK")
        other.close()
    await asyncio.shield(committer.stage(lambda db: _insert("y", db)))
    assert _values(path) == ["y"]
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
