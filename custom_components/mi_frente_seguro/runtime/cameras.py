"""A front's four cameras in HA: keyframe buffers, stills, and evidence for each incident.

Cameras are stream URLs, or existing HA camera entities whose stream source is used the
same way. When an incident opens, the evidence bundle is captured in the background into the
private evidence folder (``runtime/evidence.py``: ``<config>/mi_frente_seguro/evidence/
<front>/<incident>/``, never HA's public media) after the incident is stored and announced:
a slow or dead camera never delays the alarm. Each buffer reports when its
images stop or start flowing; that news (a repair issue naming the camera, the camera
entity's availability) is pushed, never polled. Bundles past their retention are deleted
every night. On start, bundles an older version left in HA's media folder are moved out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
import hashlib
from typing import Any

from homeassistant.components.camera import async_get_stream_source
from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util
from homeassistant.util.signal_type import SignalType

from ..const import (
    CAP_INLINE_MAX_BYTES,
    DOMAIN,
    DRILL_RETENTION_DAYS,
    LOGGER,
    SIGNAL_CAMERAS,
)
from ..frente.change import IncidentChange
from ..frente.evidence import (
    BundleSettings,
    BundleUpdate,
    CameraSource,
    EvidencePath,
    KeyframeBuffer,
    StillCamera,
    capture_bundle,
    purge_bundles,
    redact_url,
)
from ..frente.incident import Incident
from ..repairs import async_clear_issue, async_raise_issue
from .evidence import async_move_old_evidence, evidence_base, media_source_id
from .incidents import FrontIncidents
from .police_evidence import PoliceEvidence
from .settings import CameraSettings, FrontSettings


@dataclass(slots=True)
class FrontCamera:
    """A camera at run time."""

    settings: CameraSettings
    still: StillCamera | None = None
    buffer: KeyframeBuffer | None = None
    down_reason: str | None = None


@dataclass(slots=True)
class FrontCameras:
    """The cameras of one loaded front."""

    hass: HomeAssistant
    settings: FrontSettings = field(repr=False)
    incidents: FrontIncidents = field(repr=False)
    cameras: list[FrontCamera] = field(default_factory=list)
    captures: int = 0
    police: PoliceEvidence | None = field(default=None, repr=False)
    _unsubs: list[CALLBACK_TYPE] = field(default_factory=list, repr=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    @property
    def front_id(self) -> str:
        """Return the front's id."""
        return self.settings.front.front_id

    @property
    def signal(self) -> SignalType[()]:
        """Return the signal sent when a camera goes down or comes back."""
        return SIGNAL_CAMERAS.format(self.front_id)

    @property
    def ffmpeg_binary(self) -> str:
        """Return HA's ffmpeg setting."""
        return get_ffmpeg_manager(self.hass).binary

    async def async_start(self) -> None:
        """Move old bundles; start the buffers; capture for every new incident; purge."""
        await async_move_old_evidence(self.hass, self.front_id)
        for settings in self.settings.cameras:
            camera = FrontCamera(settings)
            self.cameras.append(camera)
            url = settings.url
            if url is None and settings.entity_id is not None:
                url = await async_get_stream_source(self.hass, settings.entity_id)
            if not url:
                camera.down_reason = "no stream source"
                continue
            source = CameraSource(settings.camera_id, url, settings.name)
            if self.settings.evidence.keyframe_buffer:
                camera.buffer = KeyframeBuffer(
                    source,
                    clock=dt_util.now,
                    ffmpeg_binary=self.ffmpeg_binary,
                    executor=self.hass.async_add_executor_job,
                    on_health=partial(self.set_down, camera),
                )
                camera.buffer.start()
            camera.still = StillCamera(
                source,
                clock=dt_util.now,
                ffmpeg_binary=self.ffmpeg_binary,
                buffer=camera.buffer,
            )
        if self.cameras:
            self._unsubs.append(
                async_dispatcher_connect(
                    self.hass, self.incidents.signal, self._on_change
                )
            )
            self._unsubs.append(
                async_track_time_change(
                    self.hass, self.async_purge, hour=3, minute=30, second=0
                )
            )

    async def async_stop(self) -> None:
        """Stop every keyframe buffer (no ffmpeg is left running) and the timers."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for task in list(self._tasks):  # a bundle being captured: the rest is dropped
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        for camera in self.cameras:
            if camera.buffer is not None:
                await camera.buffer.stop()

    @callback
    def set_down(self, camera: FrontCamera, reason: str | None) -> None:
        """Record a camera as down (repair issue naming it) or back up; tell its entity."""
        issue_id = f"camera_down_{self.front_id}_{camera.settings.camera_id}"
        was = camera.down_reason
        camera.down_reason = reason
        if reason is None:
            if was is not None:
                LOGGER.info(
                    "Camera %s of %s is back",
                    camera.settings.name,
                    self.settings.front.name,
                )
                async_dispatcher_send(self.hass, self.signal)
            async_clear_issue(self.hass, issue_id)
            return
        if was is None:
            LOGGER.warning(
                "Camera %s of %s is down: %s",
                camera.settings.name,
                self.settings.front.name,
                reason,
            )
            async_dispatcher_send(self.hass, self.signal)
        async_raise_issue(
            self.hass,
            issue_id,
            "camera_down",
            self.settings.front.name,
            camera=camera.settings.name,
            reason=redact_url(reason),
        )

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if change is not None and change.opened:
            task = self.hass.async_create_background_task(
                self.async_capture(change.incident),
                f"{DOMAIN} evidence {change.incident.incident_id}",
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def async_capture(self, incident: Incident) -> None:
        """Capture the incident's evidence bundle (run as a background task)."""
        stills = [camera.still for camera in self.cameras if camera.still is not None]
        if not stills:
            return
        self.captures += 1
        clip = self.settings.evidence.clip
        try:
            await capture_bundle(
                evidence_base(self.hass),
                self.front_id,
                incident.incident_id,
                stills,
                pressed_at=incident.opened_at,
                clock=dt_util.now,
                drill=incident.exercise,
                ffmpeg_binary=self.ffmpeg_binary,
                settings=BundleSettings(clip_seconds=20 if clip else None),
                executor=self.hass.async_add_executor_job,
                on_update=self._on_update,
            )
        except FileExistsError:
            LOGGER.debug("Incident %s already has its evidence", incident.incident_id)

    async def _on_update(self, update: BundleUpdate) -> None:
        """Attach the files one stage of a bundle added; note the cameras that failed."""
        for missing in update.missing:
            for camera in self.cameras:
                if camera.settings.camera_id == missing.camera_id:
                    self.set_down(camera, missing.reason)
        summary = {
            "camera": update.camera_id,
            "stage": update.stage,
            "files": len(update.files),
            "missing": [item.reason for item in update.missing],
        }
        links = evidence_links(update)
        stills = await self.hass.async_add_executor_job(read_digests, update, links)
        if self.police is not None:
            for media, data in stills.items():
                self.police.remember_still(media, data)
        await self.incidents.async_add_evidence(update.incident_id, links, summary)

    async def async_purge(self, now: datetime) -> None:
        """Delete bundles past their retention (drills after 7 days)."""
        keep = self.settings.evidence.retention_days
        purged = await self.hass.async_add_executor_job(
            lambda: purge_bundles(
                evidence_base(self.hass),
                now,
                keep_days=keep,
                keep_drill_days=min(keep, DRILL_RETENTION_DAYS),
                front_id=self.front_id,
            )
        )
        if purged:
            LOGGER.info(
                "Deleted %s old evidence bundles of %s",
                len(purged),
                self.settings.front.name,
            )


def read_digests(update: BundleUpdate, links: list[dict[str, Any]]) -> dict[str, bytes]:
    """Add each file's SHA-1 (CAP's digest) and size to ``links`` (blocking).

    Return the stills small enough to go inline in CAP, by media link.
    """
    folder = update.manifest_path.parent
    stills: dict[str, bytes] = {}
    for link in links:
        try:
            data = (folder / link["file"]).read_bytes()
        except OSError:
            continue
        link["sha1"] = hashlib.sha1(data).hexdigest()  # noqa: S324  (CAP 1.2's digest)
        link["bytes"] = len(data)
        if link["kind"] != "clip" and len(data) <= CAP_INLINE_MAX_BYTES:
            stills[link["media"]] = data
    return stills


def evidence_links(update: BundleUpdate) -> list[dict[str, Any]]:
    """Return the incident's evidence entries for the files one update added."""
    folder = update.manifest_path.parent
    return [
        {
            "camera": item.camera_id,
            "kind": item.kind,
            "file": item.file,
            "sha256": item.sha256,
            "captured_at": item.captured_at.isoformat(),
            "media": media_source_id(
                EvidencePath.of(folder.parent.name, folder.name, item.file)
            ),
        }
        for item in update.files
    ]
