"""Moving bundles out of HA's media folder: nothing lost, idempotent, safe after a crash."""

from __future__ import annotations

from datetime import datetime
import errno
import os
from pathlib import Path
import shutil
from zoneinfo import ZoneInfo

import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    EvidenceFile,
    Manifest,
    migrate,
    move_bundles,
    verify_manifest,
)
from custom_components.mi_frente_seguro.frente.evidence.manifest import (
    sha256_file,
    write_manifest,
)

PRESSED = datetime(2026, 11, 26, 20, 0, tzinfo=ZoneInfo("America/Bogota"))


def _bundle(base: Path, front: str, incident: str) -> Path:
    """Write a bundle of two files and its manifest."""
    folder = base / front / incident
    folder.mkdir(parents=True)
    files = []
    for name, body in (
        ("cam1-press.jpg", b"\xff\xd8a\xff\xd9"),
        ("cam1-clip.mp4", b"v"),
    ):
        (folder / name).write_bytes(body)
        digest, size = sha256_file(folder / name)
        files.append(EvidenceFile(name, "cam1", "press", PRESSED, digest, size))
    write_manifest(folder, Manifest(front, incident, PRESSED, files=files))
    return folder


@pytest.fixture
def across_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every rename of a bundle folder fail as it does across filesystems."""

    def rename(source: Path, target: Path) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(migrate, "_rename", rename)


def _check_moved(old: Path, new: Path, front: str, incidents: list[str]) -> None:
    for incident in incidents:
        assert verify_manifest(new / front / incident) == []
        assert not (old / front / incident).exists()
    assert sorted(p.name for p in (new / front).iterdir()) == sorted(incidents)


def test_move_on_one_filesystem_then_nothing(tmp_path: Path) -> None:
    """Bundles are renamed into place; the old folders go; a second run does nothing."""
    old, new = tmp_path / "media" / "mi_frente_seguro", tmp_path / "evidence"
    _bundle(old, "f1", "i1")
    _bundle(old, "f1", "i2")
    other = _bundle(old, "f2", "i3")
    assert move_bundles(old, new, "f1") == ["i1", "i2"]
    _check_moved(old, new, "f1", ["i1", "i2"])
    assert not (old / "f1").exists()
    assert other.exists()  # another front moves on its own start
    assert move_bundles(old, new, "f1") == []
    assert move_bundles(old, new, "f2") == ["i3"]
    assert not old.exists()
    assert move_bundles(old, new, "f2") == []


@pytest.mark.usefixtures("across_devices")
def test_move_across_filesystems_copies_then_deletes(tmp_path: Path) -> None:
    """Copied file by file (times kept), renamed into place, and only then deleted."""
    old, new = tmp_path / "media", tmp_path / "evidence"
    source = _bundle(old, "f1", "i1")
    (
        source / "not-a-file"
    ).mkdir()  # bundles hold files only: left behind, then deleted
    stamp = (source / "cam1-press.jpg").stat().st_mtime
    assert move_bundles(old, new, "f1") == ["i1"]
    _check_moved(old, new, "f1", ["i1"])
    assert (new / "f1" / "i1" / "cam1-press.jpg").stat().st_mtime == stamp
    assert not (new / "f1" / "i1" / "not-a-file").exists()
    assert not old.exists()


@pytest.mark.usefixtures("across_devices")
def test_a_crash_mid_copy_or_before_the_delete_is_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A half copy is thrown away and copied again; a finished one only loses the old."""
    old, new = tmp_path / "media", tmp_path / "evidence"
    _bundle(old, "f1", "i1")
    _bundle(old, "f1", "i2")
    # A crash while copying i1: a partial staging folder is left.
    staging = new / "f1" / ".i1.moving"
    staging.mkdir(parents=True)
    (staging / "cam1-press.jpg").write_bytes(b"\xff")
    # A crash after i2 was in place but before its old folder was deleted.
    shutil.copytree(old / "f1" / "i2", new / "f1" / "i2")
    deleted: list[str] = []
    real_rmtree = shutil.rmtree

    def rmtree(path: Path) -> None:
        deleted.append(Path(path).name)
        real_rmtree(path)

    monkeypatch.setattr(migrate.shutil, "rmtree", rmtree)
    assert move_bundles(old, new, "f1") == ["i1", "i2"]
    assert deleted == [".i1.moving", "i1", "i2"]
    _check_moved(old, new, "f1", ["i1", "i2"])


def test_a_real_move_to_another_filesystem(tmp_path: Path) -> None:
    """With /dev/shm on another filesystem, the copy path runs for real."""
    shm = Path("/dev/shm")  # noqa: S108  (a private folder made below)
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second filesystem here")
    new = shm / f"mfs-evidence-{os.getpid()}-{tmp_path.name}"
    old = tmp_path / "media"
    try:
        _bundle(old, "f1", "i1")
        assert move_bundles(old, new, "f1") == ["i1"]
        _check_moved(old, new, "f1", ["i1"])
        assert not old.exists()
    finally:
        shutil.rmtree(new, ignore_errors=True)


def test_links_strays_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Links and stray files stay put; a front without old bundles is no work; errors rise."""
    old, new = tmp_path / "media", tmp_path / "evidence"
    outside = _bundle(tmp_path / "outside", "f9", "i9")
    (old / "f1").mkdir(parents=True)
    (old / "f1" / "linked").symlink_to(outside, target_is_directory=True)
    (old / "f1" / "notes.txt").write_text("x")
    (old / "f1" / ".hidden").mkdir()
    assert move_bundles(old, new, "f1") == []
    assert (old / "f1" / "linked").is_symlink()
    assert outside.exists()
    assert move_bundles(old, new, "f2") == []
    (old / "f3").symlink_to(outside.parent, target_is_directory=True)
    assert move_bundles(old, new, "f3") == []
    with pytest.raises(ValueError):
        move_bundles(old, new, "../f1")

    def rename(source: Path, target: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    _bundle(old, "f4", "i4")
    monkeypatch.setattr(migrate, "_rename", rename)
    with pytest.raises(PermissionError):
        move_bundles(old, new, "f4")
    assert verify_manifest(old / "f4" / "i4") == []
