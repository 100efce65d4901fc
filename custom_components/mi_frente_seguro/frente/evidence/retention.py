"""Delete evidence bundles once they are past their keeping time.

Real incidents are kept ``keep_days`` (30 by default), drills ``keep_drill_days`` (7). A
bundle's age counts from the press recorded in its manifest; a bundle whose manifest cannot
be read (e.g. cut off before its first write) counts from its folder's modification time
and is kept like a real incident. Blocking: call it through an executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import shutil

from .manifest import read_manifest

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgedBundle:
    """A bundle that was deleted."""

    path: Path
    front_id: str
    incident_id: str
    drill: bool
    captured_at: datetime  # the press, or the folder's time without a readable manifest


def _bundle_age(directory: Path) -> tuple[datetime, bool]:
    """Return when ``directory``'s bundle was captured and whether it is a drill."""
    try:
        manifest = read_manifest(directory)
    except (OSError, ValueError, KeyError, TypeError) as err:
        _LOGGER.debug(
            "No readable manifest in %s (%s): using its mtime", directory, err
        )
        return datetime.fromtimestamp(directory.stat().st_mtime, UTC), False
    return manifest.pressed_at, manifest.drill


def purge_bundles(
    base: Path,
    now: datetime,
    *,
    keep_days: float = 30,
    keep_drill_days: float = 7,
    front_id: str | None = None,
) -> list[PurgedBundle]:
    """Delete the bundles under ``base/<front>/<incident>/`` that are too old.

    With ``front_id``, only that front's bundles are considered (each front has its own
    retention setting). Returns what was deleted. Symbolic links are never followed nor
    deleted.
    """
    purged: list[PurgedBundle] = []
    if not base.is_dir():
        return purged
    for front in sorted(base.iterdir()):
        if front.is_symlink() or not front.is_dir():
            continue
        if front_id is not None and front.name != front_id:
            continue
        for directory in sorted(front.iterdir()):
            if directory.is_symlink() or not directory.is_dir():
                continue
            captured_at, drill = _bundle_age(directory)
            keep = timedelta(days=keep_drill_days if drill else keep_days)
            if now - captured_at <= keep:
                continue
            shutil.rmtree(directory)
            purged.append(
                PurgedBundle(directory, front.name, directory.name, drill, captured_at)
            )
    return purged
