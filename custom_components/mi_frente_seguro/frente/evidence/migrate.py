"""Moving a front's bundles from an old folder to a new one, once, without losing any.

Bundles used to live in Home Assistant's local media (where every HA user can browse them);
:func:`move_bundles` moves one front's bundles to the private evidence folder. It is
idempotent and survives a crash at any point:

- on the same filesystem each bundle folder is renamed into place (atomic);
- across filesystems (e.g. HA OS mounts ``/media`` apart from ``/config``) the files are
  copied into ``.<incident>.moving`` beside the target, each fsync'd, the folder is fsync'd
  and renamed into place, and only then is the old folder deleted;
- a target that already exists was completed by an earlier run (it only ever appears by a
  rename): the old copy left behind by a crash is deleted; a half-copied ``.moving`` folder
  is thrown away and copied again.

Symbolic links and stray files are left where they are. Blocking: call it in an executor.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
import shutil

from .source import check_path_id, is_path_id

_rename = os.rename  # replaced in tests to play a move across filesystems
MOVING_SUFFIX = ".moving"


def move_bundles(old_base: Path, new_base: Path, front_id: str) -> list[str]:
    """Move ``old_base/<front_id>/*`` to ``new_base/<front_id>/``; return the incident ids.

    The front's old folder, then ``old_base``, are removed once empty.
    """
    old_front = old_base / check_path_id(front_id, "front id")
    if old_front.is_symlink() or not old_front.is_dir():
        return []
    new_front = new_base / front_id
    new_front.mkdir(parents=True, exist_ok=True)
    moved = []
    for old in sorted(old_front.iterdir()):
        if old.is_symlink() or not old.is_dir() or not is_path_id(old.name):
            continue
        target = new_front / old.name
        if target.exists():
            shutil.rmtree(old)  # a crash came after the copy was in place
        else:
            _move(old, target)
        moved.append(old.name)
    for folder in (old_front, old_base):
        try:
            folder.rmdir()
        except OSError:
            break  # not empty: something of someone else's stays
    return moved


def _move(old: Path, target: Path) -> None:
    """Move one bundle folder to ``target`` (which does not exist yet)."""
    try:
        _rename(old, target)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
    else:
        _fsync_dir(target.parent)
        _fsync_dir(old.parent)
        return
    staging = target.with_name(f".{target.name}{MOVING_SUFFIX}")
    if staging.exists():
        shutil.rmtree(staging)  # a copy cut off by a crash: start it again
    staging.mkdir()
    for file in sorted(old.iterdir()):
        if file.is_file() and not file.is_symlink():
            _copy(file, staging / file.name)
    _fsync_dir(staging)
    staging.rename(target)
    _fsync_dir(target.parent)
    shutil.rmtree(old)


def _copy(source: Path, target: Path) -> None:
    """Copy one file with its times and fsync it."""
    shutil.copy2(source, target)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
