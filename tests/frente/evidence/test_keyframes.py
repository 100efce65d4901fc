"""The keyframe buffer against a real RTSP stream: frames, restarts, clean stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
import random

import pytest

from custom_components.mi_frente_seguro.frente.evidence import (
    Backoff,
    CameraSource,
    KeyframeBuffer,
)
from custom_components.mi_frente_seguro.frente.evidence.jpeg import is_jpeg, jpeg_size

from .conftest import FFMPEG, RtspServer, ffmpeg_children, now

WAIT = 30.0  # s; a guard against hanging, not a speed requirement


async def until(check: Callable[[], bool], timeout: float = WAIT) -> None:
    """Wait until ``check()`` is true (polling: the state is another process's)."""
    async with asyncio.timeout(timeout):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running(buffer: KeyframeBuffer) -> AsyncIterator[KeyframeBuffer]:
    """Start ``buffer`` for the block and stop it after, whatever happens in it."""
    buffer.start()
    try:
        yield buffer
    finally:
        await buffer.stop()


async def test_buffer_yields_frames_in_order(rtsp_server: RtspServer) -> None:
    """Images arrive as JPEGs with increasing capture times; stop leaves nothing."""
    buffer = KeyframeBuffer(
        CameraSource("cam1", rtsp_server.url(1, "viewer:s3cret-pass")),
        clock=now,
        ffmpeg_binary=FFMPEG,
        max_width=160,
    )
    assert buffer.diagnostics()["running"] is False
    assert buffer.latest() is None
    started = now()
    async with running(buffer):
        buffer.start()  # a second start does nothing
        await until(lambda: len(buffer.frames_since(started)) >= 3)
        assert buffer.running
        assert buffer.healthy
        with pytest.raises(RuntimeError, match="already running"):
            await buffer.run()
        frames = buffer.frames_since(started)
        times = [frame.captured_at for frame in frames]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
        assert [f.sequence for f in frames] == list(range(1, len(frames) + 1))
        assert all(is_jpeg(frame.jpeg) for frame in frames)
        assert {jpeg_size(frame.jpeg) for frame in frames} == {(160, 120)}
        assert buffer.latest() is frames[-1]
        assert buffer.frames_since(frames[-1].captured_at) == [frames[-1]]
        assert await buffer.cpu_seconds() > 0
        assert buffer.processes_started == 1
        assert buffer.restarts == 0
        assert "s3cret-pass" not in repr(buffer)
        assert buffer.diagnostics()["url"] == rtsp_server.url(1, "***")
        assert ffmpeg_children() != []
    assert buffer.diagnostics()["running"] is False
    assert buffer.diagnostics()["healthy"] is False
    assert ffmpeg_children() == []
    await buffer.stop()  # stopping twice is harmless


async def test_buffer_restarts_when_the_stream_comes_back(
    own_rtsp_server: RtspServer,
) -> None:
    """Server gone: ffmpeg ends, restarts back off; server back: images flow again."""
    buffer = KeyframeBuffer(
        CameraSource("cam1", own_rtsp_server.url(1)),
        clock=now,
        ffmpeg_binary=FFMPEG,
        backoff=Backoff(initial=0.1, maximum=0.5),
        rng=random.Random(7),
        stall_timeout=5,
        io_timeout=2,
    )
    async with running(buffer):
        await buffer.wait_for_frame(timeout=WAIT)
        assert own_rtsp_server.stop() == 0  # exits cleanly on SIGTERM
        await until(lambda: buffer.restarts >= 2)  # it keeps trying while down
        assert buffer.running
        assert buffer.last_error is not None
        down_since: datetime = now()
        own_rtsp_server.start()  # same port
        frame = await buffer.wait_for_frame(not_before=down_since, timeout=WAIT)
        assert is_jpeg(frame.jpeg)
        assert frame.captured_at >= down_since
        assert buffer.healthy
        assert buffer.processes_started == buffer.restarts + 1
    assert ffmpeg_children() == []


async def test_backoff_grows_with_jitter_and_caps() -> None:
    """Delays double up to the cap, each drawn between half and all of its step."""
    backoff = Backoff(initial=0.5, maximum=4.0)
    rng = random.Random(1)
    steps = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    delays = [backoff.delay(attempt, rng) for attempt in range(len(steps))]
    assert all(
        step / 2 <= delay <= step for delay, step in zip(delays, steps, strict=True)
    )
    assert len({round(d / s, 6) for d, s in zip(delays, steps, strict=True)}) > 1
    assert backoff.delay(10_000, rng) <= 4.0


async def test_wait_for_frame_times_out_when_nothing_comes(closed_port: int) -> None:
    """A buffer on a dead camera has no frame, reports why, and stops cleanly."""
    buffer = KeyframeBuffer(
        CameraSource("dead", f"rtsp://admin:hunter22@127.0.0.1:{closed_port}/x"),
        clock=now,
        ffmpeg_binary=FFMPEG,
        backoff=Backoff(initial=0.05, maximum=0.1),
    )
    async with running(buffer):
        await until(lambda: buffer.restarts >= 1)
        with pytest.raises(TimeoutError):
            await buffer.wait_for_frame(timeout=0.2)
        assert not buffer.healthy
        assert buffer.last_error is not None
        assert "Connection refused" in buffer.last_error
        assert "hunter22" not in buffer.last_error
    assert ffmpeg_children() == []


async def test_stalled_stream_is_restarted(silent_server: int) -> None:
    """A camera that accepts and then says nothing is dropped after ``stall_timeout``."""
    buffer = KeyframeBuffer(
        CameraSource("mute", f"rtsp://127.0.0.1:{silent_server}/cam1"),
        clock=now,
        ffmpeg_binary=FFMPEG,
        stall_timeout=0.3,
        io_timeout=60,  # ffmpeg itself would wait a minute
        backoff=Backoff(initial=0.05, maximum=0.1),
    )
    async with running(buffer):
        await until(lambda: buffer.restarts >= 1)
        assert buffer.last_error is not None
        assert buffer.last_error.startswith("no image for 0.3 s")
    assert ffmpeg_children() == []


async def test_missing_ffmpeg_is_retried_not_fatal(rtsp_server: RtspServer) -> None:
    """A wrong ffmpeg path is reported and retried; the supervisor stays up."""
    buffer = KeyframeBuffer(
        CameraSource("cam1", rtsp_server.url(1)),
        clock=now,
        ffmpeg_binary="/nonexistent/ffmpeg",
        backoff=Backoff(initial=0.05, maximum=0.1),
    )
    async with running(buffer):
        await until(lambda: buffer.restarts >= 2)
        assert buffer.running
        assert buffer.processes_started == 0
        assert buffer.last_error is not None
        assert buffer.last_error.startswith("cannot run ffmpeg")
