"""Mi Frente Seguro: Cartagena's neighbourhood security fronts in Home Assistant.

Set-up and unload only: the front's run time is built, started and stopped by
:class:`~.runtime.FrenteRuntime` (runtime/), its entities live in the platform modules.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import CONF_FRONT_ID, DOMAIN
from .migration import async_migrate_entry
from .runtime import FrenteConfigEntry, FrenteRuntime
from .runtime.devices import current_identifiers
from .runtime.notifications import async_listen_for_answers
from .runtime.settings import incident_db_path
from .services import async_setup_services
from .texts import async_load_texts
from .views import async_register_views

PLATFORMS: list[Platform] = [
    Platform.ALARM_CONTROL_PANEL,
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SIREN,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
__all__ = ["async_migrate_entry"]  # HA calls it for an entry older than the flow


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the notification answers and the evidence view, front or not."""
    async_setup_services(hass)
    async_register_views(hass)
    async_listen_for_answers(hass)
    await async_load_texts(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> bool:
    """Set up one front: its run time (restored from disk), then its entities."""
    runtime = await FrenteRuntime.async_build(hass, entry)
    entry.runtime_data = runtime
    entry.async_on_unload(runtime.async_stop)
    # HA stops without unloading entries: the same stop ends the links and the file.
    entry.async_on_unload(
        hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, runtime.async_stop)
    )
    await runtime.async_start(hass)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # New options or members (subentries) take effect by reloading the front.
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    return True


async def _async_reload(hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> bool:
    """Unload a front's entities (its run time stops with the entry's unload)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: FrenteConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let a device the front no longer has be deleted from its page."""
    return not device.identifiers & current_identifiers(entry.runtime_data.settings)


async def async_remove_entry(hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
    """Delete the front's incident file when the front itself is deleted."""
    path = incident_db_path(hass, entry.data[CONF_FRONT_ID])

    def remove() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    await hass.async_add_executor_job(remove)
