"""The front's cameras as HA camera entities: live view from the stream, stills via ffmpeg."""

from __future__ import annotations

from datetime import timedelta
from typing import override

from homeassistant.components.camera import Camera
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .cameras import FrontCamera, FrontCameras
from .const import DOMAIN
from .frente.evidence import CameraDownError
from .runtime import FrenteConfigEntry

PARALLEL_UPDATES = 0
SCAN_INTERVAL = timedelta(seconds=30)  # how often the buffer's health is looked at


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
            self._attr_available = False
            return None
        self.cameras.set_down(self.camera, None)
        self._attr_available = True
        return frame.jpeg

    async def async_update(self) -> None:
        """Follow the keyframe buffer's health: unavailable (and a repair) when it fails."""
        buffer = self.camera.buffer
        if buffer is None:
            return
        if buffer.healthy:
            self.cameras.set_down(self.camera, None)
            self._attr_available = True
        elif buffer.last_error:
            self.cameras.set_down(self.camera, buffer.last_error)
            self._attr_available = False
