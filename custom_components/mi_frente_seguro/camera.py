"""The front's cameras as HA camera entities: live view from the stream, stills via ffmpeg.

Pushed, not polled: a camera is available while its images flow; the front's cameras
signal when one goes down or comes back (its keyframe buffer reports it, or a still that
fails), and the entity writes its availability then.
"""

from __future__ import annotations

from typing import override

from homeassistant.components.camera import Camera
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .frente.evidence import CameraDownError
from .runtime import FrenteConfigEntry
from .runtime.cameras import FrontCamera, FrontCameras

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a camera entity for every stream-URL camera (HA cameras already have one)."""
    cameras = entry.runtime_data.cameras
    async_add_entities(
        FrenteCamera(entry, cameras, camera)
        for camera in cameras.cameras
        if camera.settings.url is not None
    )


class FrenteCamera(Camera):
    """One of the front's CCTV cameras."""

    _attr_has_entity_name = True
    _attr_name = None  # the device (the camera) names the entity
    _attr_should_poll = False
    _attr_supported_features = CameraEntityFeature.STREAM

    def __init__(
        self, entry: FrenteConfigEntry, cameras: FrontCameras, camera: FrontCamera
    ) -> None:
        """Put the camera on its own device, linked to the front's."""
        super().__init__()
        self.cameras = cameras
        self.camera = camera
        front_id = entry.runtime_data.front.front_id
        self._attr_unique_id = f"{front_id}-{camera.settings.camera_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, self._attr_unique_id)},
            name=camera.settings.name,
            manufacturer="Mi Frente Seguro",
            model="Cámara del frente",
            via_device_id=entry.runtime_data.device_id,
        )

    @override
    async def stream_source(self) -> str | None:
        """Return the stream URL, for HA's live view."""
        return self.camera.settings.url

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """Return a still: from the keyframe buffer, or one (serialised) ffmpeg run."""
        if self.camera.still is None:
            return None
        try:
            frame = await self.camera.still.snapshot()
        except CameraDownError as err:
            self.cameras.set_down(self.camera, err.reason)
            return None
        self.cameras.set_down(self.camera, None)
        return frame.jpeg

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the cameras' health (pushed by the front's cameras)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, self.cameras.signal, self.async_write_ha_state
            )
        )

    @property
    @override
    def available(self) -> bool:
        """Return True while the camera gives images (or nothing said otherwise)."""
        return self.camera.down_reason is None
