"""The manifest of an evidence bundle: what was captured, when, and its SHA-256.

``manifest.json`` sits in the bundle's folder. It names the front and the incident, says
whether the incident is a drill, lists every file (relative name, camera, kind, capture time
as ISO 8601 with offset, SHA-256, size) and every capture that failed (camera, kind,
reason). ``complete`` turns true once nothing more will be added.

Everything here touches files and blocks: call it through an executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import hashlib
import json
import os
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
PRE, PRESS, CLIP = "pre", "press", "clip"


def plus_kind(seconds: int) -> str:
    """Return the kind of a frame taken ``seconds`` after the press (``plus5``, ...)."""
    return f"plus{seconds}"


def _aware(moment: datetime) -> str:
    """Return ``moment`` as ISO 8601 with its offset; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time without an offset: {moment!r}")
    return moment.isoformat()


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """One file of a bundle."""

    file: str  # name relative to the bundle folder
    camera_id: str
    kind: str  # pre, press, plusN, clip
    captured_at: datetime  # for a clip: when recording started
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest entry."""
        return {
            "file": self.file,
            "camera": self.camera_id,
            "kind": self.kind,
            "captured_at": _aware(self.captured_at),
            "sha256": self.sha256,
            "bytes": self.size,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvidenceFile:
        """Read a manifest entry."""
        return cls(
            data["file"],
            data["camera"],
            data["kind"],
            datetime.fromisoformat(data["captured_at"]),
            data["sha256"],
            int(data["bytes"]),
        )


@dataclass(frozen=True, slots=True)
class MissingEvidence:
    """A capture that gave nothing, and why (credentials already redacted)."""

    camera_id: str
    kind: str
    reason: str
    noted_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest entry."""
        return {
            "camera": self.camera_id,
            "kind": self.kind,
            "reason": self.reason,
            "noted_at": _aware(self.noted_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MissingEvidence:
        """Read a manifest entry."""
        return cls(
            data["camera"],
            data["kind"],
            data["reason"],
            datetime.fromisoformat(data["noted_at"]),
        )


@dataclass(slots=True)
class Manifest:
    """Everything known about one incident's bundle."""

    front_id: str
    incident_id: str
    pressed_at: datetime
    drill: bool = False
    cameras: list[dict[str, str]] = field(
        default_factory=list
    )  # id, name, redacted url
    files: list[EvidenceFile] = field(default_factory=list)
    missing: list[MissingEvidence] = field(default_factory=list)
    complete: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document."""
        return {
            "version": MANIFEST_VERSION,
            "front_id": self.front_id,
            "incident_id": self.incident_id,
            "drill": self.drill,
            "pressed_at": _aware(self.pressed_at),
            "complete": self.complete,
            "cameras": self.cameras,
            "files": [item.to_dict() for item in self.files],
            "missing": [item.to_dict() for item in self.missing],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Read the JSON document."""
        if data.get("version") != MANIFEST_VERSION:
            raise ValueError(f"unknown manifest version {data.get('version')!r}")
        return cls(
            front_id=data["front_id"],
            incident_id=data["incident_id"],
            pressed_at=datetime.fromisoformat(data["pressed_at"]),
            drill=bool(data["drill"]),
            cameras=list(data["cameras"]),
            files=[EvidenceFile.from_dict(item) for item in data["files"]],
            missing=[MissingEvidence.from_dict(item) for item in data["missing"]],
            complete=bool(data["complete"]),
        )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` durably: temporary file, fsync, rename, fsync folder."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def sha256_file(path: Path) -> tuple[str, int]:
    """Return the SHA-256 (hex) and the size of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def write_manifest(directory: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` into ``directory`` atomically; return its path."""
    path = directory / MANIFEST_NAME
    body = json.dumps(manifest.to_dict(), indent=1, ensure_ascii=False)
    write_atomic(path, body.encode("utf-8"))
    return path


def read_manifest(directory: Path) -> Manifest:
    """Read ``manifest.json`` from ``directory``."""
    path = directory / MANIFEST_NAME
    return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))


def verify_manifest(directory: Path) -> list[str]:
    """Check every file listed in ``directory``'s manifest; return the problems found.

    An empty list means every listed file exists, stays inside the folder and has the
    recorded SHA-256 and size.
    """
    manifest = read_manifest(directory)
    root = directory.resolve()
    problems: list[str] = []
    for item in manifest.files:
        path = (directory / item.file).resolve()
        if not path.is_relative_to(root) or path == root:
            problems.append(f"{item.file}: outside the bundle")
            continue
        try:
            digest, size = sha256_file(path)
        except OSError as err:
            problems.append(f"{item.file}: cannot read ({err.strerror or err})")
            continue
        if digest != item.sha256:
            problems.append(f"{item.file}: SHA-256 does not match")
        elif size != item.size:
            problems.append(f"{item.file}: size does not match")
    return problems
