"""Stills from real RTSP streams through real ffmpeg: one process per camera at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import io
from pathlib import Path

from PIL import Image
import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    CameraDownError,
    CameraSource,
    KeyframeBuffer,
    StillCamera,
)
from custom_components.mi_frente_seguro.frente.evidence.jpeg import EOI, SOI, jpeg_size

from .conftest import FFMPEG, RtspServer, ffmpeg_children, now, spy_calls


async def test_still_is_a_valid_jpeg(rtsp_server: RtspServer) -> None:
    """A cold still of a real stream is a whole JPEG of the stream's size."""
    camera = StillCamera(
        CameraSource("cam1", rtsp_server.url(1)), clock=now, ffmpeg_binary=FFMPEG
    )
    before = now()
    frame = await camera.snapshot()
    assert frame.jpeg.startswith(SOI)
    assert frame.jpeg.endswith(EOI)
    assert jpeg_size(frame.jpeg) == (320, 240)
    with Image.open(io.BytesIO(frame.jpeg)) as image:
        image.load()  # decodes every byte: a cut image would raise
        assert image.size == (320, 240)
        assert image.format == "JPEG"
    assert frame.camera_id == "cam1"
    assert before <= frame.captured_at <= now()
    assert frame.captured_at.utcoffset() is not None
    assert camera.ffmpeg_runs == 1
    assert ffmpeg_children() == []


async def test_still_can_be_scaled_down(rtsp_server: RtspServer) -> None:
    """``max_width`` shrinks the image and keeps its aspect ratio."""
    camera = StillCamera(
        CameraSource("cam2", rtsp_server.url(2)),
        clock=now,
        ffmpeg_binary=FFMPEG,
        max_width=160,
    )
    frame = await camera.snapshot()
    assert jpeg_size(frame.jpeg) == (160, 120)


async def test_concurrent_requests_start_one_ffmpeg(
    rtsp_server: RtspServer, ffmpeg_spy: tuple[str, Path]
) -> None:
    """Twenty dashboards asking at once cost one ffmpeg; all get the same image."""
    binary, calls = ffmpeg_spy
    camera = StillCamera(
        CameraSource("cam3", rtsp_server.url(3)), clock=now, ffmpeg_binary=binary
    )
    frames = await asyncio.gather(*(camera.snapshot() for _ in range(20)))
    assert {id(frame) for frame in frames} == {id(frames[0])}
    assert camera.ffmpeg_runs == 1
    assert spy_calls(calls) == 1
    # Within the cache time a later request is answered from memory too.
    assert await camera.snapshot() is frames[0]
    assert spy_calls(calls) == 1


async def test_still_comes_from_a_fresh_buffer(
    rtsp_server: RtspServer, ffmpeg_spy: tuple[str, Path]
) -> None:
    """With a running keyframe buffer a still costs no ffmpeg at all."""
    binary, calls = ffmpeg_spy
    source = CameraSource("cam4", rtsp_server.url(4))
    buffer = KeyframeBuffer(source, clock=now, ffmpeg_binary=FFMPEG)
    buffer.start()
    try:
        await buffer.wait_for_frame(timeout=20)
        camera = StillCamera(source, clock=now, ffmpeg_binary=binary, buffer=buffer)
        frame = await camera.snapshot()
        assert frame is buffer.latest()
        assert await camera.snapshot(not_before=frame.captured_at) is frame
        # Asked for an image newer than the buffer's, it waits for the next keyframe.
        newer = await camera.snapshot(not_before=now())
        assert newer.sequence > frame.sequence
    finally:
        await buffer.stop()
    assert camera.ffmpeg_runs == 0
    assert spy_calls(calls) == 0


async def test_buffer_that_falls_behind_gives_way_to_ffmpeg(
    rtsp_server: RtspServer,
) -> None:
    """If the buffer has no image new enough within ``buffer_wait``, ffmpeg is run."""
    source = CameraSource("cam4", rtsp_server.url(4))
    buffer = KeyframeBuffer(source, clock=now, ffmpeg_binary=FFMPEG)
    camera = StillCamera(
        source, clock=now, ffmpeg_binary=FFMPEG, buffer=buffer, buffer_wait=0.05
    )
    buffer.start()
    try:
        await buffer.wait_for_frame(timeout=20)
        # No keyframe can be captured a minute from now within 0.05 s.
        frame = await camera.snapshot(not_before=now() + timedelta(minutes=1))
    finally:
        await buffer.stop()
    assert camera.ffmpeg_runs == 1
    assert frame.sequence == 0  # a cold still, not a buffered one


async def test_dead_camera_raises_with_a_redacted_reason(
    closed_port: int, ffmpeg_spy: tuple[str, Path]
) -> None:
    """A closed port gives ``CameraDownError`` with ffmpeg's reason, minus the password."""
    binary, calls = ffmpeg_spy
    url = f"rtsp://admin:hunter22@127.0.0.1:{closed_port}/cam1"
    offset = timedelta()
    camera = StillCamera(
        CameraSource("door", url), clock=lambda: now() + offset, ffmpeg_binary=binary
    )
    with pytest.raises(CameraDownError) as caught:
        await camera.snapshot()
    assert caught.value.camera_id == "door"
    assert "Connection refused" in caught.value.reason
    assert "hunter22" not in str(caught.value)
    assert "admin" not in str(caught.value)
    # The failure is remembered briefly: a second caller does not start another ffmpeg.
    with pytest.raises(CameraDownError, match="Connection refused"):
        await camera.snapshot()
    assert spy_calls(calls) == 1
    # Asked for an image newer than the failure, it tries again.
    with pytest.raises(CameraDownError):
        await camera.snapshot(not_before=now())
    assert spy_calls(calls) == 2
    # Once the failure is older than ``cache_for`` (2 s), it is tried again too.
    offset = timedelta(seconds=3)
    with pytest.raises(CameraDownError):
        await camera.snapshot()
    assert spy_calls(calls) == 3
    assert "hunter22" not in repr(camera)
    assert ffmpeg_children() == []


async def test_silent_camera_times_out_and_leaves_no_process(
    silent_server: int,
) -> None:
    """A camera that accepts and never answers costs ``timeout``; ffmpeg is reaped."""
    camera = StillCamera(
        CameraSource("mute", f"rtsp://127.0.0.1:{silent_server}/cam1"),
        clock=now,
        ffmpeg_binary=FFMPEG,
        timeout=0.5,
    )
    with pytest.raises(CameraDownError, match=r"no image within 0\.5 s"):
        await camera.snapshot()
    assert ffmpeg_children() == []


async def test_missing_ffmpeg_is_a_camera_error(rtsp_server: RtspServer) -> None:
    """A wrong ffmpeg path is reported as the reason, not as a crash."""
    camera = StillCamera(
        CameraSource("cam1", rtsp_server.url(1)),
        clock=now,
        ffmpeg_binary="/nonexistent/ffmpeg",
    )
    with pytest.raises(CameraDownError, match="cannot run ffmpeg"):
        await camera.snapshot()
