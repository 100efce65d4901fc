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
- ``commands``, ``process``, ``jpeg``, ``redact``: the pieces underneath;
- ``bench``: ``bench_press_to_stills`` for ``scripts/bench``.
"""

from __future__ import annotations

from .bundle import BundleSettings, BundleUpdate, bundle_dir, capture_bundle
from .keyframes import Backoff, KeyframeBuffer
from .manifest import EvidenceFile, Manifest, MissingEvidence, verify_manifest
from .redact import redact_text, redact_url
from .retention import PurgedBundle, purge_bundles
from .source import CameraSource, Frame
from .stills import CameraDownError, StillCamera

__all__ = [
    "Backoff",
    "BundleSettings",
    "BundleUpdate",
    "CameraDownError",
    "CameraSource",
    "EvidenceFile",
    "Frame",
    "KeyframeBuffer",
    "Manifest",
    "MissingEvidence",
    "PurgedBundle",
    "StillCamera",
    "bundle_dir",
    "capture_bundle",
    "purge_bundles",
    "redact_text",
    "redact_url",
    "verify_manifest",
]
