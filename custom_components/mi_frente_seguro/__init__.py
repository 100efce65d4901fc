"""Mi Frente Seguro: Cartagena's neighbourhood security fronts in Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .runtime import FrenteConfigEntry, FrenteRuntime, front_from_entry

PLATFORMS: list[str] = []


async def async_setup_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> bool:
    """Set up one front: its device and runtime data."""
    front = front_from_entry(entry)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, front.front_id)},
        manufacturer="Mi Frente Seguro",
        model="Frente de seguridad",
        translation_key="front",
        translation_placeholders={"name": front.name},
        suggested_area=front.barrio,
    )
    entry.runtime_data = FrenteRuntime(front=front, device_id=device.id)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> bool:
    """Unload a front."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
