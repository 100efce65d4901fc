"""A front's four cameras in HA: keyframe buffers, stills, and evidence for each incident.

Cameras are stream URLs, or existing HA camera entities whose stream source is used the
same way. When an incident opens, the evidence bundle is captured in the background under
HA's media folder (``mi_frente_seguro/<front>/<incident>/``, browsable in the media browser)
after the incident is stored and announced: a slow or dead camera never delays the alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.components.camera import async_get_stream_source
from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .frente.evidence import (
    BundleSettings,
    BundleUpdate,
    CameraSource,
    KeyframeBuffer,
    StillCamera,
    capture_bundle,
    purge_bundles,
    redact_url,
)
from .frente.evidence.bundle import UpdateCallback
from .frente.incident import Incident

CONF_CAMERAS = "cameras"
CONF_KEYFRAME_BUFFER = "keyframe_buffer"
CONF_EVIDENCE_CLIP = "evidence_clip"
CONF_RETENTION_DAYS = "retention_days"
DEFAULT_RETENTION_DAYS = 30
DRILL_RETENTION_DAYS = 7
MAX_CAMERAS = 4
MEDIA_FOLDER = DOMAIN


@dataclass(slots=True)
class CameraSettings:
    """One configured camera: a stream URL or an HA camera entity."""

    camera_id: str  # cam1..cam4, also the file-name prefix in bundles
    name: str
    url: str | None = None
    entity_id: str | None = None


@dataclass(slots=True)
class FrontCamera:
    """A camera at run time."""

    settings: CameraSettings
    still: StillCamera | None = None
    buffer: KeyframeBuffer | None = None
    down_reason: str | None = None


def camera_settings(options: Mapping[str, Any]) -> list[CameraSettings]:
    """Return the cameras configured in a front's options."""
    return [
        CameraSettings(
            camera_id=item["camera_id"],
            name=item.get("name") or item["camera_id"],
            url=item.get("url") or None,
            entity_id=item.get("entity_id") or None,
        )
        for item in options.get(CONF_CAMERAS, [])[:MAX_CAMERAS]
    ]


def evidence_base(hass: HomeAssistant) -> Path:
    """Return the folder under HA's local media where bundles are stored."""
    media = hass.config.media_dirs.get("local") or hass.config.path("media")
    return Path(media) / MEDIA_FOLDER


@dataclass(slots=True)
class FrontCameras:
    """The cameras of one loaded front."""

    hass: HomeAssistant
    front_id: str
    front_name: str
    options: Mapping[str, Any] = field(repr=False)  # holds secrets of other features
    cameras: list[FrontCamera] = field(default_factory=list)
    captures: int = 0

    @property
    def ffmpeg_binary(self) -> str:
        """Return HA's ffmpeg setting."""
        return get_ffmpeg_manager(self.hass).binary

    async def async_start(self) -> None:
        """Resolve entity cameras to their streams and start the keyframe buffers."""
        use_buffer = self.options.get(CONF_KEYFRAME_BUFFER, True)
        for settings in camera_settings(self.options):
            camera = FrontCamera(settings)
            self.cameras.append(camera)
            url = settings.url
            if url is None and settings.entity_id is not None:
                url = await async_get_stream_source(self.hass, settings.entity_id)
            if not url:
                camera.down_reason = "no stream source"
                continue
            source = CameraSource(settings.camera_id, url, settings.name)
            if use_buffer:
                camera.buffer = KeyframeBuffer(
                    source,
                    clock=dt_util.now,
                    ffmpeg_binary=self.ffmpeg_binary,
                    executor=self.hass.async_add_executor_job,
                )
                camera.buffer.start()
            camera.still = StillCamera(
                source,
                clock=dt_util.now,
                ffmpeg_binary=self.ffmpeg_binary,
                buffer=camera.buffer,
            )

    async def async_stop(self) -> None:
        """Stop every keyframe buffer (no ffmpeg is left running)."""
        for camera in self.cameras:
            if camera.buffer is not None:
                await camera.buffer.stop()

    @callback
    def set_down(self, camera: FrontCamera, reason: str | None) -> None:
        """Record a camera as down (repair issue naming it) or back up."""
        issue_id = f"camera_down_{self.front_id}_{camera.settings.camera_id}"
        if reason is None:
            if camera.down_reason is not None:
                LOGGER.info(
                    "Camera %s of %s is back", camera.settings.name, self.front_name
                )
            camera.down_reason = None
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        if camera.down_reason is None:
            LOGGER.warning(
                "Camera %s of %s is down: %s",
                camera.settings.name,
                self.front_name,
                reason,
            )
        camera.down_reason = reason
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="camera_down",
            translation_placeholders={
                "front": self.front_name,
                "camera": camera.settings.name,
                "reason": redact_url(reason),
            },
        )

    async def async_capture(
        self, incident: Incident, on_update: UpdateCallback
    ) -> None:
        """Capture the incident's evidence bundle (run as a background task)."""
        stills = [camera.still for camera in self.cameras if camera.still is not None]
        if not stills:
            return
        self.captures += 1
        clip = self.options.get(CONF_EVIDENCE_CLIP, True)
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
                on_update=on_update,
            )
        except FileExistsError:
            LOGGER.debug("Incident %s already has its evidence", incident.incident_id)

    async def async_purge(self, now: datetime) -> None:
        """Delete bundles past their retention (drills after 7 days)."""
        keep = int(self.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
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
                "Deleted %s old evidence bundles of %s", len(purged), self.front_name
            )


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
            "media": f"media-source://media_source/local/{MEDIA_FOLDER}/"
            f"{folder.parent.name}/{folder.name}/{item.file}",
        }
        for item in update.files
    ]
