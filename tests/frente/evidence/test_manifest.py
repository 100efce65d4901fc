"""The manifest: JSON round trip, refused inputs, and what verification catches."""

from __future__ import annotations

from datetime import datetime
import hashlib
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    EvidenceFile,
    Manifest,
    MissingEvidence,
    verify_manifest,
)
from custom_components.mi_frente_seguro.frente.evidence.manifest import (
    read_manifest,
    write_manifest,
)

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=ZoneInfo("America/Bogota"))


def test_manifest_round_trip_and_checks(tmp_path: Path) -> None:
    """Naive times, unknown versions, escaping paths and wrong sizes are caught."""
    with pytest.raises(ValueError, match="without an offset"):
        Manifest("f", "i", datetime(2026, 1, 1)).to_dict()  # noqa: DTZ001
    folder = tmp_path / "f" / "i"
    folder.mkdir(parents=True)
    (folder / "a.jpg").write_bytes(b"abc")
    (tmp_path / "f" / "secret.txt").write_bytes(b"abc")
    digest = hashlib.sha256(b"abc").hexdigest()
    manifest = Manifest(
        "f",
        "i",
        NOW,
        missing=[MissingEvidence("cam2", "press", "Connection refused", NOW)],
        files=[
            EvidenceFile("a.jpg", "cam1", "press", NOW, digest, 4),
            EvidenceFile("../secret.txt", "cam1", "press", NOW, digest, 3),
        ],
    )
    write_manifest(folder, manifest)
    assert read_manifest(folder) == manifest
    assert verify_manifest(folder) == [
        "a.jpg: size does not match",
        "../secret.txt: outside the bundle",
    ]
    document = json.loads((folder / "manifest.json").read_text())
    document["version"] = 99
    (folder / "manifest.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match="unknown manifest version 99"):
        read_manifest(folder)
