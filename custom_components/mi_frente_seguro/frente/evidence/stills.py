"""Still images of one camera, cheap to ask for as often as a dashboard likes.

A ``StillCamera`` answers from memory when it can: the camera's keyframe buffer when its
newest image is fresh, else the last still it fetched if that is recent. Otherwise it runs
one cold ffmpeg, and only one at a time: concurrent callers wait for that run and share its
image (or its failure, which is remembered just as briefly), so a wall of dashboards cannot
start a storm of ffmpeg processes against a camera.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import logging

from .commands import IO_TIMEOUT, still_command
from .jpeg import is_jpeg
from .keyframes import KeyframeBuffer
from .process import run_ffmpeg
from .source import CameraSource, Frame

_LOGGER = logging.getLogger(__name__)


class CameraDownError(Exception):
    """No image could be had from a camera; ``reason`` says why (credentials redacted)."""

    def __init__(self, camera_id: str, reason: str) -> None:
        """Remember which camera failed and why."""
        super().__init__(f"camera {camera_id} gave no image: {reason}")
        self.camera_id = camera_id
        self.reason = reason


class StillCamera:
    """One camera's stills: from its keyframe buffer, a short cache, or one cold ffmpeg."""

    def __init__(
        self,
        source: CameraSource,
        *,
        clock: Callable[[], datetime],
        ffmpeg_binary: str = "ffmpeg",
        buffer: KeyframeBuffer | None = None,
        cache_for: float = 2.0,
        fresh_for: float = 3.0,
        buffer_wait: float = 3.0,
        timeout: float = 10.0,
        max_width: int | None = None,
        quality: int = 3,
        io_timeout: float = IO_TIMEOUT,
    ) -> None:
        """Configure the camera; seconds throughout.

        A buffered image is used while at most ``fresh_for`` old, a fetched still (or a
        failure) is reused for ``cache_for``. Asked for an image not before a given time,
        a healthy buffer is awaited up to ``buffer_wait`` before a cold ffmpeg is run.
        A cold ffmpeg gets ``timeout`` seconds to deliver.
        """
        self.source = source
        self.buffer = buffer
        self._clock = clock
        self._command = still_command(
            ffmpeg_binary,
            source.url,
            max_width=max_width,
            quality=quality,
            io_timeout=io_timeout,
        )
        self._cache_for = timedelta(seconds=cache_for)
        self._fresh_for = timedelta(seconds=fresh_for)
        self._buffer_wait = buffer_wait
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._cached: Frame | None = None
        self._failure: tuple[datetime, str] | None = None
        self.ffmpeg_runs = 0  # cold ffmpeg processes started

    def __repr__(self) -> str:
        """Describe the camera without credentials."""
        return f"<StillCamera {self.source.camera_id} {self.source.safe_url}>"

    async def snapshot(
        self, *, not_before: datetime | None = None, timeout: float | None = None
    ) -> Frame:
        """Return an image captured at or after ``not_before`` (or a fresh one).

        Raises ``CameraDownError`` when the camera gives no image within ``timeout``
        seconds (default: the camera's), and for ``cache_for`` s after such a failure.
        """
        if (frame := self._from_memory(not_before)) is not None:
            return frame
        buffer = self.buffer
        if buffer is not None and buffer.healthy and not_before is not None:
            try:
                return await buffer.wait_for_frame(
                    not_before=not_before, timeout=self._buffer_wait
                )
            except TimeoutError:
                pass  # the buffer fell behind: fetch one ourselves
        async with self._lock:
            # Whoever held the lock before us may have fetched what we need.
            if (frame := self._from_memory(not_before)) is not None:
                return frame
            if (reason := self._recent_failure(not_before)) is not None:
                raise CameraDownError(self.source.camera_id, reason)
            return await self._fetch(self._timeout if timeout is None else timeout)

    def _from_memory(self, not_before: datetime | None) -> Frame | None:
        """Return the newest acceptable image already in memory, if any."""
        now = self._clock()
        candidates: list[Frame] = []
        if self.buffer is not None and (latest := self.buffer.latest()) is not None:
            if latest.captured_at >= now - self._fresh_for:
                candidates.append(latest)
        if (
            self._cached is not None
            and self._cached.captured_at >= now - self._cache_for
        ):
            candidates.append(self._cached)
        if not_before is not None:
            candidates = [item for item in candidates if item.captured_at >= not_before]
        return max(candidates, key=lambda item: item.captured_at, default=None)

    def _recent_failure(self, not_before: datetime | None) -> str | None:
        """Return the reason of a failure still within ``cache_for``, if any."""
        if self._failure is None:
            return None
        failed_at, reason = self._failure
        if failed_at < self._clock() - self._cache_for:
            return None
        if not_before is not None and failed_at < not_before:
            return None
        return reason

    async def _fetch(self, timeout: float) -> Frame:
        """Run one cold ffmpeg; remember and return its image, or raise why there is none."""
        self.ffmpeg_runs += 1
        try:
            result = await run_ffmpeg(self._command, timeout=timeout)
        except TimeoutError:
            reason = f"no image within {timeout:g} s"
        except OSError as err:  # ffmpeg missing or not executable
            reason = f"cannot run ffmpeg: {err}"
        else:
            if result.returncode == 0 and is_jpeg(result.stdout):
                frame = Frame(result.stdout, self._clock(), self.source.camera_id)
                self._cached, self._failure = frame, None
                return frame
            last_line = result.stderr.splitlines()[-1] if result.stderr else ""
            reason = last_line or f"ffmpeg exited with {result.returncode} and no image"
        reason = self.source.redact(reason)
        self._failure = (self._clock(), reason)
        _LOGGER.debug("%s: no still: %s", self.source.camera_id, reason)
        raise CameraDownError(self.source.camera_id, reason)
