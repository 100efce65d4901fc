"""Retention: old bundles go after 30 days, drills after 7, recent ones stay."""

from __future__ import annotations

from datetime import datetime, timedelta
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from custom_components.mi_frente_seguro.frente.evidence import Manifest, purge_bundles
from custom_components.mi_frente_seguro.frente.evidence.manifest import write_manifest

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=ZoneInfo("America/Bogota"))


def make_bundle(
    base: Path, front: str, incident: str, age: timedelta, drill: bool
) -> Path:
    """Write a bundle pressed ``age`` before NOW with one file and its manifest."""
    folder = base / front / incident
    folder.mkdir(parents=True)
    (folder / "cam1-press.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    write_manifest(
        folder, Manifest(front, incident, NOW - age, drill=drill, complete=True)
    )
    return folder


def test_purge(tmp_path: Path) -> None:
    """Exactly the bundles past their keeping time are deleted and reported."""
    day = timedelta(days=1)
    keep = [
        make_bundle(tmp_path, "f1", "real-29d", 29 * day, drill=False),
        make_bundle(tmp_path, "f1", "drill-6d", 6 * day, drill=True),
        make_bundle(tmp_path, "f2", "real-today", timedelta(hours=1), drill=False),
        make_bundle(
            tmp_path, "f2", "real-30d", 30 * day, drill=False
        ),  # exactly 30: kept
    ]
    gone = [
        make_bundle(tmp_path, "f1", "real-31d", 31 * day, drill=False),
        make_bundle(tmp_path, "f1", "drill-8d", 8 * day, drill=True),
        make_bundle(tmp_path, "f2", "drill-40d", 40 * day, drill=True),
    ]
    # A bundle cut off before its manifest: aged by its folder's time, kept as real.
    unreadable_old = tmp_path / "f2" / "no-manifest-old"
    unreadable_old.mkdir()
    stamp = (NOW - 45 * day).timestamp()
    os.utime(unreadable_old, (stamp, stamp))
    unreadable_new = tmp_path / "f2" / "no-manifest-new"
    unreadable_new.mkdir()
    (unreadable_new / "manifest.json").write_text("{not json")
    os.utime(unreadable_new, ((NOW - day).timestamp(),) * 2)
    # Links are never followed: the target of this one must survive.
    outside = make_bundle(tmp_path / "outside", "f9", "old", 90 * day, drill=False)
    (tmp_path / "f2" / "link").symlink_to(outside, target_is_directory=True)
    (tmp_path / "stray-file").write_text("x")

    purged = purge_bundles(tmp_path, NOW)

    assert sorted((p.front_id, p.incident_id, p.drill) for p in purged) == [
        ("f1", "drill-8d", True),
        ("f1", "real-31d", False),
        ("f2", "drill-40d", True),
        ("f2", "no-manifest-old", False),
    ]
    assert all(not path.exists() for path in [*gone, unreadable_old])
    assert all(path.exists() for path in [*keep, unreadable_new, outside])
    purged_at = {p.incident_id: p.captured_at for p in purged}
    assert purged_at["real-31d"] == NOW - 31 * day


def test_custom_periods_and_missing_base(tmp_path: Path) -> None:
    """The periods are parameters; a base folder that does not exist yet is fine."""
    make_bundle(tmp_path, "f1", "real-3d", timedelta(days=3), drill=False)
    make_bundle(tmp_path, "f1", "drill-2d", timedelta(days=2), drill=True)
    assert purge_bundles(tmp_path / "absent", NOW) == []
    purged = purge_bundles(tmp_path, NOW, keep_days=2, keep_drill_days=1)
    assert sorted(p.incident_id for p in purged) == ["drill-2d", "real-3d"]
