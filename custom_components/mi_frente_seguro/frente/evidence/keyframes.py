"""A camera's latest keyframes, kept in memory by one long-running ffmpeg.

A cold snapshot costs an RTSP handshake plus the wait for the next keyframe (0.4 s to
several seconds per camera). A ``KeyframeBuffer`` pays that once: ffmpeg stays connected,
decodes only keyframes (cheap) and pipes each one as a JPEG, so at a press the image of every
camera is already in memory, together with a short ring of the seconds before the press.

When the stream drops or ffmpeg exits, the buffer starts ffmpeg again after a jittered,
growing delay (reset once images flow again); a stream that stays silent for
``stall_timeout`` seconds counts as dropped.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import datetime
import logging
import random
from typing import Any

from .commands import IO_TIMEOUT, keyframe_stream_command
from .jpeg import JpegSplitter
from .process import Executor, cpu_seconds, default_executor, spawn, stop_process, tail
from .source import CameraSource, Frame

_LOGGER = logging.getLogger(__name__)
READ_SIZE = 256 * 1024
STDERR_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between restarts: doubling from ``initial`` up to ``maximum``, jittered.

    Each delay is drawn between half and all of its step ("equal jitter"), so buffers of
    cameras behind one failed switch do not all reconnect at the same instant.
    """

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Return the delay in seconds before restart number ``attempt`` (from 0)."""
        step = min(self.maximum, self.initial * self.factor ** min(attempt, 64))
        return step / 2 + rng.random() * step / 2


class KeyframeBuffer:
    """The latest keyframes of one camera, kept fresh by a supervised ffmpeg."""

    def __init__(
        self,
        source: CameraSource,
        *,
        clock: Callable[[], datetime],
        ffmpeg_binary: str = "ffmpeg",
        max_width: int | None = None,
        quality: int = 5,
        ring_size: int = 30,
        stale_after: float = 5.0,
        stall_timeout: float = 10.0,
        io_timeout: float = IO_TIMEOUT,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        executor: Executor | None = None,
        on_health: Callable[[str | None], None] | None = None,
    ) -> None:
        """Configure the buffer; nothing runs until ``start`` (or ``run``).

        ``clock`` returns aware datetimes and stamps each image as it arrives.
        ``ring_size`` images are kept (one per keyframe interval of the camera).
        The buffer is ``healthy`` while its newest image is at most ``stale_after`` s old.
        ``on_health`` hears when images start flowing (None) and when a stream ends or
        stalls (why, redacted): once per change, so nobody needs to poll the buffer.
        """
        self.source = source
        self._clock = clock
        self._command = keyframe_stream_command(
            ffmpeg_binary,
            source.url,
            max_width=max_width,
            quality=quality,
            io_timeout=io_timeout,
        )
        self._ring: deque[Frame] = deque(maxlen=ring_size)
        self._stale_after = stale_after
        self._stall_timeout = stall_timeout
        self._backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        self._executor = executor or default_executor
        self._task: asyncio.Task[None] | None = None
        self._active = False
        self._process: asyncio.subprocess.Process | None = None
        self._new_frame = asyncio.Event()
        self._sequence = 0
        self._cpu_finished = 0.0
        self.restarts = 0  # times ffmpeg ended and was started again
        self.processes_started = 0
        self.last_error: str | None = None  # why the last ffmpeg ended (redacted)
        self._on_health = on_health
        self._flowing: bool | None = None  # None until the first image or failure

    def __repr__(self) -> str:
        """Describe the buffer without credentials."""
        return (
            f"<KeyframeBuffer {self.source.camera_id} {self.source.safe_url} "
            f"running={self.running} healthy={self.healthy} restarts={self.restarts}>"
        )

    @property
    def running(self) -> bool:
        """Return whether the supervisor is active (even while waiting to restart)."""
        return self._active or (self._task is not None and not self._task.done())

    @property
    def healthy(self) -> bool:
        """Return whether images are arriving: the newest is at most ``stale_after`` old."""
        frame = self.latest()
        return (
            self.running
            and frame is not None
            and (self._clock() - frame.captured_at).total_seconds() <= self._stale_after
        )

    def latest(self) -> Frame | None:
        """Return the newest image, or ``None`` before the first."""
        return self._ring[-1] if self._ring else None

    def frames_since(self, since: datetime) -> list[Frame]:
        """Return the kept images captured at or after ``since``, oldest first."""
        return [frame for frame in self._ring if frame.captured_at >= since]

    async def wait_for_frame(
        self, *, not_before: datetime | None = None, timeout: float
    ) -> Frame:
        """Return the first image captured at or after ``not_before`` (any, if ``None``).

        Raises ``TimeoutError`` if none arrives within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while True:
                frame = self.latest()
                if frame is not None and (
                    not_before is None or frame.captured_at >= not_before
                ):
                    return frame
                await self._new_frame.wait()

    def start(self) -> None:
        """Start supervising ffmpeg in a task of the running loop (no-op if running).

        Pair it with ``stop``. A caller that prefers to own the task (e.g. Home Assistant's
        ``entry.async_create_background_task``) runs ``run()`` instead and cancels it.
        """
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(
                self.run(), name=f"mfs-keyframes-{self.source.camera_id}"
            )

    async def stop(self) -> None:
        """Stop ffmpeg and the supervisor; return once both are gone."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """Keep ffmpeg running until cancelled (for callers that own the task)."""
        if self._active:
            raise RuntimeError(f"{self!r} is already running")
        self._active = True
        attempt = 0
        try:
            while True:
                if await self._run_once():
                    # Images flowed: the next failure starts the backoff anew.
                    attempt = 0
                delay = self._backoff.delay(attempt, self._rng)
                attempt += 1
                _LOGGER.debug(
                    "%s: keyframe stream ended (%s); restarting in %.1f s",
                    self.source.camera_id,
                    self.last_error,
                    delay,
                )
                await asyncio.sleep(delay)
                self.restarts += 1
        finally:
            self._active = False

    async def _run_once(self) -> bool:
        """Run one ffmpeg until its stream ends or stalls; return whether images came."""
        try:
            process = await spawn(self._command, capture_stdout=True)
        except OSError as err:  # ffmpeg missing or not executable: keep retrying
            self.last_error = f"cannot run ffmpeg: {err}"
            self._health(False)
            return False
        self.processes_started += 1
        self._process = process
        stderr = bytearray()
        stderr_task = asyncio.get_running_loop().create_task(
            _collect_tail(process, stderr),
            name=f"mfs-keyframes-stderr-{self.source.camera_id}",
        )
        got_images = False
        reason = "stream ended"
        try:
            assert process.stdout is not None
            splitter = JpegSplitter()
            while True:
                try:
                    async with asyncio.timeout(self._stall_timeout):
                        chunk = await process.stdout.read(READ_SIZE)
                except TimeoutError:
                    reason = f"no image for {self._stall_timeout:g} s"
                    break
                if not chunk:
                    break
                for image in splitter.feed(chunk):
                    self._add(image)
                    got_images = True
        finally:
            await asyncio.shield(self._finish(process, stderr_task))
        detail = tail(bytes(stderr)).replace("\n", " | ")
        self.last_error = self.source.redact(
            f"{reason} (ffmpeg exit {process.returncode}){': ' + detail if detail else ''}"
        )
        self._health(False)
        return got_images

    def _health(self, flowing: bool) -> None:
        """Tell ``on_health`` when images start or stop flowing (not on every image)."""
        if flowing == self._flowing:
            return
        self._flowing = flowing
        if self._on_health is not None:
            self._on_health(None if flowing else self.last_error)

    async def _finish(
        self, process: asyncio.subprocess.Process, stderr_task: asyncio.Task[None]
    ) -> None:
        """Account the CPU of ``process``, stop and reap it, and end its stderr reader."""
        if process.returncode is None:
            try:
                self._cpu_finished += await self._executor(cpu_seconds, process.pid)
            except Exception as err:  # noqa: BLE001  (a figure for benchmarks only)
                _LOGGER.debug("%s: CPU not measured: %s", self.source.camera_id, err)
        await stop_process(process)
        self._process = None
        try:
            async with asyncio.timeout(1):
                await stderr_task
        except TimeoutError:  # something else holds the pipe open: stop reading it
            stderr_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stderr_task

    def _add(self, image: bytes) -> None:
        """Keep ``image`` as the newest frame and wake whoever waits for one."""
        self._sequence += 1
        self._ring.append(
            Frame(image, self._clock(), self.source.camera_id, self._sequence)
        )
        event, self._new_frame = self._new_frame, asyncio.Event()
        event.set()
        self._health(True)

    async def cpu_seconds(self) -> float:
        """Return the CPU seconds used by this buffer's ffmpeg processes so far.

        Counts the running process and those the buffer stopped itself; a process that
        died on its own before it could be measured is not counted.
        """
        process = self._process
        current = 0.0
        if process is not None and process.returncode is None:
            current = await self._executor(cpu_seconds, process.pid)
        return self._cpu_finished + current

    def diagnostics(self) -> dict[str, Any]:
        """Return the buffer's state for diagnostics (no credentials, no image bytes)."""
        frame = self.latest()
        return {
            "camera_id": self.source.camera_id,
            "url": self.source.safe_url,
            "running": self.running,
            "healthy": self.healthy,
            "restarts": self.restarts,
            "processes_started": self.processes_started,
            "frames_kept": len(self._ring),
            "last_frame_at": frame.captured_at.isoformat() if frame else None,
            "last_error": self.last_error,
        }


async def _collect_tail(process: asyncio.subprocess.Process, into: bytearray) -> None:
    """Read ``process``'s stderr to its end, keeping its last ``STDERR_BYTES`` in ``into``."""
    assert process.stderr is not None
    while chunk := await process.stderr.read(STDERR_BYTES):
        into += chunk
        del into[:-STDERR_BYTES]
