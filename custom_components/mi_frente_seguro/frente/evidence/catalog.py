"""Reading bundles back: which fronts and incidents have evidence, and which file a path names.

Evidence is addressed as ``<front_id>/<incident_id>/<file>`` (the media source's identifier
and the evidence view's URL). :meth:`EvidencePath.parse` accepts only components that
``check_path_id`` allows (letters, digits, ``_.-``, never a leading dot nor ``..``), so no
input can name anything outside the evidence folder. :func:`bundle_file` serves only the
manifest and the files it lists: a clip still being recorded, a temporary file or anything
dropped into the folder is never served.

Everything here touches files and blocks (except the parser): call it through an executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .bundle import bundle_dir
from .manifest import MANIFEST_NAME, Manifest, read_manifest
from .source import check_path_id, is_path_id

# What a bundle holds, by suffix: anything else is never served.
EVIDENCE_TYPES = {
    ".jpg": "image/jpeg",
    ".mp4": "video/mp4",
    ".json": "application/json",
}


_PARTS = ("front id", "incident id", "file name")


@dataclass(frozen=True, slots=True)
class EvidencePath:
    """A place in the evidence tree: everything, a front, an incident, or one file."""

    front_id: str | None = None
    incident_id: str | None = None
    file: str | None = None

    @classmethod
    def parse(cls, identifier: str) -> EvidencePath:
        """Read ``front/incident/file`` (each part optional from the right).

        Raises ``ValueError`` for more than three parts or any part unsafe as a file name.
        """
        return cls.of(*(identifier.split("/") if identifier else ()))

    @classmethod
    def of(cls, *parts: str) -> EvidencePath:
        """Return the path of ``parts`` (front, incident, file), each checked."""
        if len(parts) > len(_PARTS):
            raise ValueError("an evidence path has at most three parts")
        checked = [check_path_id(part, _PARTS[n]) for n, part in enumerate(parts)]
        if len(checked) == 3 and mime_type(checked[2]) is None:
            raise ValueError(f"{checked[2]!r} is not an evidence file")
        return cls(*checked)

    @property
    def identifier(self) -> str:
        """Return the path as ``front/incident/file`` (as far as it goes)."""
        parts = (self.front_id, self.incident_id, self.file)
        return "/".join(part for part in parts if part is not None)


def mime_type(file: str) -> str | None:
    """Return the content type of a bundle file, or None if bundles hold no such file."""
    return EVIDENCE_TYPES.get(PurePosixPath(file).suffix.lower())


def list_fronts(base: Path) -> list[str]:
    """Return the ids of the fronts with an evidence folder under ``base``."""
    if not base.is_dir():
        return []
    return sorted(
        folder.name
        for folder in base.iterdir()
        if is_path_id(folder.name) and folder.is_dir() and not folder.is_symlink()
    )


def list_bundles(base: Path, front_id: str) -> list[Manifest]:
    """Return the manifests of a front's bundles, the latest press first.

    Folders without a readable manifest (cut off before their first write) are left out.
    """
    folder = base / check_path_id(front_id, "front id")
    if not folder.is_dir() or folder.is_symlink():
        return []
    manifests = []
    for directory in folder.iterdir():
        if not is_path_id(directory.name) or directory.is_symlink():
            continue
        try:
            manifests.append(read_manifest(directory))
        except OSError, ValueError, KeyError, TypeError:
            continue
    return sorted(manifests, key=lambda item: item.pressed_at, reverse=True)


def read_bundle(base: Path, front_id: str, incident_id: str) -> Manifest:
    """Return the manifest of one bundle; ``FileNotFoundError`` when there is none."""
    directory = bundle_dir(base, front_id, incident_id)
    if directory.is_symlink():
        raise FileNotFoundError(directory.name)
    try:
        return read_manifest(directory)
    except (ValueError, KeyError, TypeError) as err:
        raise FileNotFoundError(f"no readable manifest in {incident_id}") from err


def bundle_file(base: Path, path: EvidencePath) -> Path:
    """Return the file ``path`` names if the bundle's manifest lists it (or it is the manifest).

    Raises ``FileNotFoundError`` otherwise, and for anything that is not a regular file
    inside ``base`` (symbolic links are not followed out of it).
    """
    if path.front_id is None or path.incident_id is None or path.file is None:
        raise FileNotFoundError("not a file of a bundle")
    manifest = read_bundle(base, path.front_id, path.incident_id)
    if path.file != MANIFEST_NAME and path.file not in {
        item.file for item in manifest.files
    }:
        raise FileNotFoundError(path.file)
    file = bundle_dir(base, path.front_id, path.incident_id) / path.file
    if file.is_symlink() or not file.is_file():
        raise FileNotFoundError(path.file)
    if not file.resolve().is_relative_to(base.resolve()):
        raise FileNotFoundError(path.file)
    return file
