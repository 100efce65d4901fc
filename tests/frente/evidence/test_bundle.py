"""Evidence bundles from four real streams: files, manifest, order of updates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
from functools import partial
import hashlib
import json
import logging
from pathlib import Path
import subprocess

import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    BundleSettings,
    BundleUpdate,
    CameraSource,
    KeyframeBuffer,
    StillCamera,
    bundle_dir,
    capture_bundle,
    verify_manifest,
)
from custom_components.mi_frente_seguro.frente.evidence.jpeg import is_jpeg, jpeg_size
from custom_components.mi_frente_seguro.frente.evidence.manifest import read_manifest

from .conftest import FFMPEG, RtspServer, ffmpeg_children, now

FFPROBE = "/usr/bin/ffprobe"
SHORT = BundleSettings(offsets=(1, 2), clip_seconds=2)  # the default is +5/+15 and 20 s


def clip_seconds(path: Path) -> float:
    """Return the duration ffprobe reads from an MP4."""
    result = subprocess.run(
        (
            FFPROBE,
            "-v",
            "error",
            "-of",
            "csv=p=0",
            "-show_entries",
            "format=duration",
            path,
        ),
        capture_output=True,
        check=True,
        text=True,
    )
    return float(result.stdout)


@pytest.fixture
async def buffered_cameras(
    rtsp_server: RtspServer,
) -> AsyncGenerator[list[StillCamera]]:
    """Four cameras with running keyframe buffers that hold at least two images."""
    cameras = []
    for number in range(1, 5):
        source = CameraSource(
            f"cam{number}",
            rtsp_server.url(number, "op:pa55word"),
            name=f"Calle {number}",
        )
        buffer = KeyframeBuffer(source, clock=now, ffmpeg_binary=FFMPEG)
        cameras.append(
            StillCamera(source, clock=now, ffmpeg_binary=FFMPEG, buffer=buffer)
        )
        buffer.start()
    try:
        async with asyncio.timeout(30):
            for camera in cameras:
                assert camera.buffer is not None
                first = await camera.buffer.wait_for_frame(timeout=30)
                second = first.captured_at + timedelta(microseconds=1)
                await camera.buffer.wait_for_frame(not_before=second, timeout=30)
        yield cameras
    finally:
        for camera in cameras:
            assert camera.buffer is not None
            await camera.buffer.stop()


async def test_bundle_of_four_streams(
    rtsp_server: RtspServer, buffered_cameras: list[StillCamera], tmp_path: Path
) -> None:
    """Every camera gives press, pre, +N and clip files; the manifest matches them."""
    updates: list[BundleUpdate] = []
    pressed_at = now()
    capture = partial(
        capture_bundle,
        tmp_path,
        "calle-real",
        "01INCIDENT",
        buffered_cameras,
        pressed_at=pressed_at,
        clock=now,
    )
    manifest = await capture(
        ffmpeg_binary=FFMPEG, settings=SHORT, on_update=updates.append
    )
    folder = tmp_path / "calle-real" / "01INCIDENT"
    assert bundle_dir(tmp_path, "calle-real", "01INCIDENT") == folder
    assert manifest.complete
    assert manifest.missing == []
    assert verify_manifest(folder) == []

    document = json.loads((folder / "manifest.json").read_text())
    assert document["incident_id"] == "01INCIDENT"
    assert document["front_id"] == "calle-real"
    assert document["drill"] is False
    assert document["complete"] is True
    assert [c["url"] for c in document["cameras"]] == [
        rtsp_server.url(number, "***") for number in range(1, 5)
    ]
    assert [c["name"] for c in document["cameras"]][0] == "Calle 1"
    assert "pa55word" not in (folder / "manifest.json").read_text()
    assert read_manifest(folder) == manifest

    kinds = {"pre", "press", "plus1", "plus2", "clip"}
    for camera in buffered_cameras:
        camera_id = camera.source.camera_id
        entries = [e for e in document["files"] if e["camera"] == camera_id]
        assert {entry["kind"] for entry in entries} == kinds
        for entry in entries:
            data = (folder / entry["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert entry["bytes"] == len(data)
            assert entry["captured_at"].endswith("-05:00")
            if entry["kind"] == "clip":
                assert data[4:8] == b"ftyp"
                assert clip_seconds(folder / entry["file"]) > 0
            else:
                assert is_jpeg(data)
                assert jpeg_size(data) == (320, 240)
        by_kind = {e.kind: e for e in manifest.files if e.camera_id == camera_id}
        assert by_kind["plus1"].captured_at >= pressed_at + timedelta(seconds=1)
        assert by_kind["plus2"].captured_at >= pressed_at + timedelta(seconds=2)
        pre = [
            e for e in manifest.files if e.camera_id == camera_id and e.kind == "pre"
        ]
        assert all(e.captured_at <= pressed_at for e in pre)

        # Each camera reports press first, then pre, then the later frames in order.
        stages = [u.stage for u in updates if u.camera_id == camera_id]
        assert stages[:2] == ["press", "pre"]
        assert [s for s in stages if s.startswith("plus")] == ["plus1", "plus2"]
        assert sorted(stages) == sorted(["press", "pre", "plus1", "plus2", "clip"])
    assert {u.incident_id for u in updates} == {"01INCIDENT"}
    assert {u.manifest_path for u in updates} == {folder / "manifest.json"}
    assert sum(len(u.files) for u in updates) == len(manifest.files)

    # Tampering with a file shows in the verification.
    press = next(e for e in manifest.files if e.kind == "press")
    (folder / press.file).write_bytes(b"edited")
    assert verify_manifest(folder) == [f"{press.file}: SHA-256 does not match"]
    (folder / press.file).unlink()
    assert verify_manifest(folder)[0].startswith(f"{press.file}: cannot read")

    # Evidence is never overwritten: the same incident's capture again is refused.
    with pytest.raises(FileExistsError):
        await capture()
    # Only the four buffers' ffmpeg are still running: every capture process was reaped.
    running = {
        camera.buffer._process.pid
        for camera in buffered_cameras
        if camera.buffer and camera.buffer._process
    }
    assert set(ffmpeg_children()) == running
    assert len(running) == 4


async def test_dead_camera_is_recorded_as_missing(
    rtsp_server: RtspServer, closed_port: int, tmp_path: Path
) -> None:
    """A camera on a closed port is listed as missing with its reason; the rest is there."""
    live = [
        StillCamera(
            CameraSource(f"cam{n}", rtsp_server.url(n)), clock=now, ffmpeg_binary=FFMPEG
        )
        for n in (1, 2, 3)
    ]
    dead_url = f"rtsp://admin:hunter22@127.0.0.1:{closed_port}/cam4"
    dead = StillCamera(CameraSource("gate", dead_url), clock=now, ffmpeg_binary=FFMPEG)
    updates: list[BundleUpdate] = []

    async def on_update(update: BundleUpdate) -> None:
        updates.append(update)

    manifest = await capture_bundle(
        tmp_path,
        "calle-real",
        "01DRILL",
        [*live, dead],
        pressed_at=now(),
        clock=now,
        drill=True,
        ffmpeg_binary=FFMPEG,
        settings=BundleSettings(offsets=(1,), clip_seconds=1),
        on_update=on_update,
    )
    folder = tmp_path / "calle-real" / "01DRILL"
    assert manifest.drill
    assert verify_manifest(folder) == []
    assert {(m.camera_id, m.kind) for m in manifest.missing} == {
        ("gate", "press"),
        ("gate", "plus1"),
        ("gate", "clip"),
    }
    for missing in manifest.missing:
        assert "Connection refused" in missing.reason
        assert missing.noted_at.utcoffset() is not None
    text = (folder / "manifest.json").read_text()
    assert "hunter22" not in text
    assert "admin" not in text
    assert json.loads(text)["drill"] is True
    # Without buffers there are no pre frames; everything else of the live cameras is there.
    assert {(f.camera_id, f.kind) for f in manifest.files} == {
        (f"cam{n}", kind) for n in (1, 2, 3) for kind in ("press", "plus1", "clip")
    }
    assert not any(f.camera_id == "gate" for f in manifest.files)
    assert [u.stage for u in updates if u.camera_id == "gate"][0] == "press"
    assert [len(u.missing) for u in updates if u.camera_id == "gate"] == [1, 1, 1]
    assert ffmpeg_children() == []


async def test_failing_callback_does_not_stop_the_bundle(
    rtsp_server: RtspServer, tmp_path: Path
) -> None:
    """An exception in the caller's callback is logged; the capture goes on."""
    camera = StillCamera(
        CameraSource("cam1", rtsp_server.url(1)), clock=now, ffmpeg_binary=FFMPEG
    )
    calls: list[str] = []

    def on_update(update: BundleUpdate) -> None:
        calls.append(update.stage)
        raise RuntimeError("police link down")

    manifest = await capture_bundle(
        tmp_path,
        "f1",
        "i1",
        [camera],
        pressed_at=now(),
        clock=now,
        ffmpeg_binary=FFMPEG,
        settings=BundleSettings(offsets=(0,), clip_seconds=None),
        on_update=on_update,
    )
    assert calls == ["press", "plus0"]
    assert manifest.complete
    assert [f.kind for f in manifest.files] == ["press", "plus0"]


async def test_unexpected_error_in_a_step_is_recorded(
    rtsp_server: RtspServer, tmp_path: Path
) -> None:
    """A step that fails for an unforeseen reason becomes a missing entry, not a crash."""
    camera = StillCamera(
        CameraSource("cam2", rtsp_server.url(2)), clock=now, ffmpeg_binary=FFMPEG
    )
    (tmp_path / "f1" / "i2").mkdir(parents=True)
    # The clip's output path is a folder: ffmpeg cannot write it.
    (tmp_path / "f1" / "i2" / "cam2-clip.mp4").mkdir()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("custom_components.mi_frente_seguro.frente.evidence")
    logger.addHandler(handler)
    try:
        manifest = await capture_bundle(
            tmp_path,
            "f1",
            "i2",
            [camera],
            pressed_at=now(),
            clock=now,
            ffmpeg_binary=FFMPEG,
            settings=BundleSettings(offsets=(), clip_seconds=1),
        )
    finally:
        logger.removeHandler(handler)
    assert [f.kind for f in manifest.files] == ["press"]
    assert [(m.kind, m.reason.split(":")[0]) for m in manifest.missing] == [
        ("clip", "IsADirectoryError")
    ]
    errors = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith("Evidence step clip of camera cam2 failed: Traceback")


@pytest.mark.parametrize(
    ("front_id", "incident_id"), [("..", "i"), ("f", "../../etc"), ("f/g", "i")]
)
def test_unsafe_ids_are_refused(
    tmp_path: Path, front_id: str, incident_id: str
) -> None:
    """Front and incident ids become folder names: nothing may climb out of the base."""
    with pytest.raises(ValueError, match="cannot be used as a file name"):
        bundle_dir(tmp_path, front_id, incident_id)


def test_default_settings() -> None:
    """By default: 10 s before, +5 s and +15 s after, a 20 s clip."""
    settings = BundleSettings()
    assert settings.pre_seconds == 10
    assert settings.offsets == (5, 15)
    assert settings.clip_seconds == 20


async def test_silent_camera_and_unusable_ffmpeg_for_clips(
    rtsp_server: RtspServer, silent_server: int, tmp_path: Path
) -> None:
    """Timeouts and a missing ffmpeg for clips are recorded; duplicate ids refused."""
    mute = StillCamera(
        CameraSource("mute", f"rtsp://127.0.0.1:{silent_server}/cam1"),
        clock=now,
        ffmpeg_binary=FFMPEG,
    )
    settings = BundleSettings(
        offsets=(), clip_seconds=0.2, press_timeout=0.3, clip_startup=0.3
    )
    manifest = await capture_bundle(
        tmp_path,
        "f",
        "mute",
        [mute],
        pressed_at=now(),
        clock=now,
        settings=settings,
        ffmpeg_binary=FFMPEG,
    )
    assert [(m.kind, m.reason) for m in manifest.missing] == [
        ("press", "no image within 0.3 s"),
        ("clip", "clip not finished within 0.5 s"),
    ]
    live = StillCamera(
        CameraSource("cam1", rtsp_server.url(1)), clock=now, ffmpeg_binary=FFMPEG
    )
    manifest = await capture_bundle(
        tmp_path,
        "f",
        "noclip",
        [live],
        pressed_at=now(),
        clock=now,
        ffmpeg_binary="/nonexistent/ffmpeg",  # used for clips; the still has its own
        settings=BundleSettings(offsets=(), clip_seconds=1),
    )
    assert [f.kind for f in manifest.files] == ["press"]
    assert [m.kind for m in manifest.missing] == ["clip"]
    assert manifest.missing[0].reason.startswith("cannot run ffmpeg")
    with pytest.raises(ValueError, match="not unique"):
        await capture_bundle(
            tmp_path, "f", "dup", [live, live], pressed_at=now(), clock=now
        )
    assert ffmpeg_children() == []
