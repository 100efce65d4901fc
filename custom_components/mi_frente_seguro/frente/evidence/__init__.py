"""Camera evidence: stills, keyframe buffers, incident bundles with a manifest, retention.

Pure Python over asyncio subprocesses of ffmpeg (command lines built with ffmpeg-python);
the ffmpeg binary, the clock and the executor for file work are the caller's. Camera URLs
may hold credentials: they are redacted in every log line, exception, repr and manifest.

- ``source``: ``CameraSource`` (id, name, URL) and ``Frame`` (JPEG bytes + capture time);
- ``keyframes``: ``KeyframeBuffer``, a camera's latest keyframes kept by one ffmpeg;
- ``stills``: ``StillCamera``, serialised and briefly cached stills; ``CameraDownError``;
- ``bundle``: ``capture_bundle``, an incident's frames and clips, reported as they land;
- ``manifest``: the bundle's ``manifest.json`` and ``verify_manifest``;
- ``retention``: ``purge_bundles``, deleting old bundles and older drills;
- ``catalog``: ``EvidencePath`` and ``bundle_file``, reading bundles back for serving;
- ``migrate``: ``move_bundles``, moving bundles from the old (public) folder, crash-safe;
- ``commands``, ``process``, ``jpeg``, ``redact``: the pieces underneath;
- ``bench``: ``bench_press_to_stills`` for ``scripts/bench``.
"""

from __future__ import annotations

from .bundle import BundleSettings, BundleUpdate, bundle_dir, capture_bundle
from .catalog import (
    EvidencePath,
    bundle_file,
    list_bundles,
    list_fronts,
    mime_type,
    read_bundle,
)
from .keyframes import Backoff, KeyframeBuffer
from .manifest import (
    MANIFEST_NAME,
    EvidenceFile,
    Manifest,
    MissingEvidence,
    verify_manifest,
)
from .migrate import move_bundles
from .redact import redact_text, redact_url
from .retention import PurgedBundle, purge_bundles
from .source import CameraSource, Frame
from .stills import CameraDownError, StillCamera

__all__ = [
    "MANIFEST_NAME",
    "Backoff",
    "BundleSettings",
    "BundleUpdate",
    "CameraDownError",
    "CameraSource",
    "EvidenceFile",
    "EvidencePath",
    "Frame",
    "KeyframeBuffer",
    "Manifest",
    "MissingEvidence",
    "PurgedBundle",
    "StillCamera",
    "bundle_dir",
    "bundle_file",
    "capture_bundle",
    "list_bundles",
    "list_fronts",
    "mime_type",
    "move_bundles",
    "purge_bundles",
    "read_bundle",
    "redact_text",
    "redact_url",
    "verify_manifest",
]
