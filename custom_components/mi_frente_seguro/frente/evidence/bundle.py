"""An incident's evidence bundle: frames and clips of every camera, with a manifest.

``capture_bundle`` writes into ``<base>/<front_id>/<incident_id>/``. Each camera runs on its
own, so a dead or slow camera never holds up the others:

1. ``press``: the frame at the press (the camera's keyframe buffer when fresh, else a cold
   ffmpeg), written and reported on its own, first;
2. ``pre``: the buffered frames of the seconds before the press;
3. then its clip starts (``clip_seconds`` of video, copied as received), while
4. ``plusN`` frames are taken N seconds after the press (5 and 15 by default).

After each step of each camera the files are written (in the executor), the manifest is
rewritten with them, and ``on_update`` is called with what was added, so the caller can tell
the police as the bundle grows; a camera's steps are reported in the order above. A capture
that fails is recorded in the manifest as missing, with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import inspect
import logging
from pathlib import Path

from .commands import clip_command
from .manifest import (
    CLIP,
    MANIFEST_NAME,
    PRE,
    PRESS,
    EvidenceFile,
    Manifest,
    MissingEvidence,
    plus_kind,
    sha256_file,
    write_atomic,
    write_manifest,
)
from .process import Executor, default_executor, run_ffmpeg
from .redact import redact_text, redacted_traceback, url_secrets
from .source import Frame, check_path_id
from .stills import CameraDownError, StillCamera

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BundleSettings:
    """What a bundle holds and how long each capture may take (seconds)."""

    pre_seconds: float = 10.0  # buffered frames kept from before the press
    offsets: tuple[int, ...] = (5, 15)  # frames taken this long after the press
    clip_seconds: float | None = 20.0  # None: no clip
    press_timeout: float = 5.0  # a cold still at the press
    still_timeout: float = 10.0  # a cold still after the press
    clip_startup: float = 15.0  # allowed on top of clip_seconds before a clip is cut


@dataclass(frozen=True, slots=True)
class BundleUpdate:
    """What one step of one camera added to a bundle."""

    incident_id: str
    camera_id: str
    stage: str  # press, pre, plusN or clip
    files: tuple[EvidenceFile, ...]
    missing: tuple[MissingEvidence, ...]
    manifest_path: Path


type UpdateCallback = Callable[[BundleUpdate], Awaitable[None] | None]


def bundle_dir(base: Path, front_id: str, incident_id: str) -> Path:
    """Return ``<base>/<front_id>/<incident_id>``, refusing ids unsafe as file names."""
    return (
        base
        / check_path_id(front_id, "front id")
        / check_path_id(incident_id, "incident id")
    )


async def capture_bundle(
    base: Path,
    front_id: str,
    incident_id: str,
    cameras: Sequence[StillCamera],
    *,
    pressed_at: datetime,
    clock: Callable[[], datetime],
    drill: bool = False,
    ffmpeg_binary: str = "ffmpeg",
    settings: BundleSettings | None = None,
    executor: Executor | None = None,
    on_update: UpdateCallback | None = None,
) -> Manifest:
    """Capture the evidence of one incident and return its final manifest.

    Raises ``FileExistsError`` if the incident already has a bundle (evidence is never
    overwritten). Cancelling stops every ffmpeg it started; the manifest keeps what was
    written until then.
    """
    if pressed_at.utcoffset() is None:
        raise ValueError("pressed_at needs a time zone")
    ids = [camera.source.camera_id for camera in cameras]
    if len(set(ids)) != len(ids):
        raise ValueError(f"camera ids are not unique: {ids}")
    writer = _BundleWriter(
        bundle_dir(base, front_id, incident_id),
        Manifest(
            front_id,
            incident_id,
            pressed_at,
            drill=drill,
            cameras=[
                {
                    "camera": c.source.camera_id,
                    "name": c.source.name,
                    "url": c.source.safe_url,
                }
                for c in cameras
            ],
        ),
        executor or default_executor,
        on_update,
    )
    await writer.open()
    capture = _Capture(writer, clock, ffmpeg_binary, settings or BundleSettings())
    async with asyncio.TaskGroup() as group:
        for camera in cameras:
            group.create_task(
                capture.camera(camera, group),
                name=f"mfs-evidence-{camera.source.camera_id}",
            )
    return await writer.close()


class _BundleWriter:
    """Writes a bundle's files and keeps its manifest in step with them."""

    def __init__(
        self,
        directory: Path,
        manifest: Manifest,
        executor: Executor,
        on_update: UpdateCallback | None,
    ) -> None:
        self.directory = directory
        self.manifest = manifest
        self.executor = executor
        self._on_update = on_update
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Create the folder and the first manifest."""
        await self.executor(self._create)

    def _create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if (self.directory / MANIFEST_NAME).exists():
            raise FileExistsError(f"a bundle exists already in {self.directory}")
        write_manifest(self.directory, self.manifest)

    async def add(
        self,
        camera_id: str,
        stage: str,
        frames: Sequence[tuple[str, Frame]] = (),
        *,
        clip: EvidenceFile | None = None,
        missing: Sequence[MissingEvidence] = (),
    ) -> None:
        """Write ``frames`` (file name, frame) of a camera's step, record and report them."""
        files = (
            await self.executor(self._write_frames, camera_id, stage, frames)
            if frames
            else []
        )
        if clip is not None:
            files.append(clip)
        async with self._lock:
            self.manifest.files += files
            self.manifest.missing += missing
            path = await self.executor(write_manifest, self.directory, self.manifest)
        update = BundleUpdate(
            self.manifest.incident_id,
            camera_id,
            stage,
            tuple(files),
            tuple(missing),
            path,
        )
        await self._report(update)

    def _write_frames(
        self, camera_id: str, kind: str, frames: Sequence[tuple[str, Frame]]
    ) -> list[EvidenceFile]:
        files = []
        for name, frame in frames:
            write_atomic(self.directory / name, frame.jpeg)
            digest = hashlib.sha256(frame.jpeg).hexdigest()
            files.append(
                EvidenceFile(
                    name, camera_id, kind, frame.captured_at, digest, len(frame.jpeg)
                )
            )
        return files

    async def _report(self, update: BundleUpdate) -> None:
        if self._on_update is None:
            return
        try:
            result = self._on_update(update)
            if inspect.isawaitable(result):
                await result
        except Exception as err:  # noqa: BLE001  (the caller's bug must not cost evidence)
            _LOGGER.error(
                "Evidence update callback failed for %s: %s",
                update.camera_id,
                redacted_traceback(err),
            )

    async def close(self) -> Manifest:
        """Mark the manifest complete and write it a last time."""
        async with self._lock:
            self.manifest.complete = True
            await self.executor(write_manifest, self.directory, self.manifest)
        return self.manifest


class _Capture:
    """The steps of one bundle, per camera."""

    def __init__(
        self,
        writer: _BundleWriter,
        clock: Callable[[], datetime],
        ffmpeg_binary: str,
        settings: BundleSettings,
    ) -> None:
        self.writer = writer
        self.clock = clock
        self.ffmpeg_binary = ffmpeg_binary
        self.settings = settings
        self.pressed_at = writer.manifest.pressed_at

    def _missing(self, camera: StillCamera, kind: str, reason: str) -> MissingEvidence:
        return MissingEvidence(camera.source.camera_id, kind, reason, self.clock())

    async def camera(self, camera: StillCamera, group: asyncio.TaskGroup) -> None:
        """Press and pre steps, then the clip in the background and the later frames."""
        camera_id = camera.source.camera_id
        press = await self._guard(camera, PRESS, self._press(camera))
        await self._guard(camera, PRE, self._pre(camera, press))
        if self.settings.clip_seconds:
            group.create_task(
                self._guard(
                    camera, CLIP, self._clip(camera, self.settings.clip_seconds)
                ),
                name=f"mfs-evidence-clip-{camera_id}",
            )
        for offset in self.settings.offsets:
            await self._guard(camera, plus_kind(offset), self._later(camera, offset))

    async def _guard[T](
        self, camera: StillCamera, kind: str, step: Coroutine[None, None, T]
    ) -> T | None:
        """Run one step; a bug or a full disk there must not cost the other cameras."""
        try:
            return await step
        except Exception as err:  # noqa: BLE001  (logged, redacted, recorded)
            secrets = url_secrets(camera.source.url)
            reason = redact_text(f"{type(err).__name__}: {err}", *secrets)
            _LOGGER.error(
                "Evidence step %s of camera %s failed: %s",
                kind,
                camera.source.camera_id,
                redacted_traceback(err, *secrets),
            )
            try:
                missing = [self._missing(camera, kind, reason)]
                await self.writer.add(camera.source.camera_id, kind, missing=missing)
            except Exception as again:  # noqa: BLE001
                _LOGGER.error(
                    "Cannot record the failed step in the manifest: %s",
                    redacted_traceback(again, *secrets),
                )
            return None

    async def _press(self, camera: StillCamera) -> Frame | None:
        camera_id = camera.source.camera_id
        try:
            press = await camera.snapshot(timeout=self.settings.press_timeout)
        except CameraDownError as err:
            missing = [self._missing(camera, PRESS, err.reason)]
            await self.writer.add(camera_id, PRESS, missing=missing)
            return None
        await self.writer.add(camera_id, PRESS, [(f"{camera_id}-{PRESS}.jpg", press)])
        return press

    async def _pre(self, camera: StillCamera, press: Frame | None) -> None:
        if camera.buffer is None:
            return
        since = self.pressed_at - timedelta(seconds=self.settings.pre_seconds)
        frames = [
            frame
            for frame in camera.buffer.frames_since(since)
            if frame.captured_at <= self.pressed_at and frame is not press
        ]
        if frames:
            camera_id = camera.source.camera_id
            named = [
                (f"{camera_id}-{PRE}-{number:02d}.jpg", frame)
                for number, frame in enumerate(frames, start=1)
            ]
            await self.writer.add(camera_id, PRE, named)

    async def _later(self, camera: StillCamera, offset: int) -> None:
        kind = plus_kind(offset)
        target = self.pressed_at + timedelta(seconds=offset)
        if (wait := (target - self.clock()).total_seconds()) > 0:
            await asyncio.sleep(wait)
        try:
            frame = await camera.snapshot(
                not_before=target, timeout=self.settings.still_timeout
            )
        except CameraDownError as err:
            missing = [self._missing(camera, kind, err.reason)]
            await self.writer.add(camera.source.camera_id, kind, missing=missing)
        else:
            name = f"{camera.source.camera_id}-{kind}.jpg"
            await self.writer.add(camera.source.camera_id, kind, [(name, frame)])

    async def _clip(self, camera: StillCamera, seconds: float) -> None:
        camera_id = camera.source.camera_id
        name = f"{camera_id}-{CLIP}.mp4"
        path = self.writer.directory / name
        command = clip_command(
            self.ffmpeg_binary, camera.source.url, path, seconds=seconds
        )
        started = self.clock()
        reason = ""
        try:
            result = await run_ffmpeg(
                command,
                timeout=seconds + self.settings.clip_startup,
                capture_stdout=False,
            )
        except TimeoutError:
            reason = (
                f"clip not finished within {seconds + self.settings.clip_startup:g} s"
            )
        except OSError as err:
            reason = f"cannot run ffmpeg: {err}"
        else:
            if result.returncode != 0:
                detail = result.stderr.splitlines()[-1] if result.stderr else ""
                reason = detail or f"ffmpeg exited with {result.returncode}"
        # A clip cut short is still evidence: keep whatever was recorded.
        digest, size = await self.writer.executor(_hash_if_any, path)
        if size:
            clip = EvidenceFile(name, camera_id, CLIP, started, digest, size)
            await self.writer.add(camera_id, CLIP, clip=clip)
        else:
            reason = camera.source.redact(reason or "no video received")
            await self.writer.add(
                camera_id, CLIP, missing=[self._missing(camera, CLIP, reason)]
            )


def _hash_if_any(path: Path) -> tuple[str, int]:
    """Return the SHA-256 and size of ``path``, or ``("", 0)`` if it does not exist."""
    try:
        return sha256_file(path)
    except FileNotFoundError:
        return "", 0
