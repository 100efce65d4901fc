"""The devices of a front: the front itself, its street kit, cameras and destinations.

The front is one device; its kit and each stream camera are devices of their own under it
(``via_device``). Devices the front no longer has (the kit after its broker was removed, a
camera slot emptied) are removed at set-up, and any other device of the entry can be
deleted from the device page.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN, FIRST_DESTINATION
from .settings import FrontSettings


def async_front_device(
    hass: HomeAssistant, entry: ConfigEntry, settings: FrontSettings
) -> dr.DeviceEntry:
    """Create (or find) the front's device and drop the devices it no longer has."""
    front = settings.front
    registry = dr.async_get(hass)
    device = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, front.front_id)},
        manufacturer="Mi Frente Seguro",
        model="Frente de seguridad",
        translation_key="front",
        translation_placeholders={"name": front.name},
        suggested_area=front.barrio,
    )
    current = current_identifiers(settings)
    for entry_device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not entry_device.identifiers & current:
            registry.async_update_device(
                entry_device.id, remove_config_entry_id=entry.entry_id
            )
    return device


def current_identifiers(settings: FrontSettings) -> set[tuple[str, str]]:
    """Return the identifiers of the devices the front has now."""
    front_id = settings.front.front_id
    identifiers = {(DOMAIN, front_id)}
    if settings.kit.broker is not None:
        identifiers.add((DOMAIN, f"{front_id}-kit"))
    identifiers |= {
        (DOMAIN, f"{front_id}-{camera.camera_id}")
        for camera in settings.cameras
        if camera.url is not None
    }
    identifiers |= {
        (DOMAIN, f"{front_id}-{destination.destination_id}")
        for destination in settings.police.destinations
        if destination.destination_id != FIRST_DESTINATION
    }
    return identifiers
