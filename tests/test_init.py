"""Tests of setting up and unloading a front."""

from __future__ import annotations

import asyncio
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import FRONT_ID
from .helpers import call, state_of


async def test_setup_creates_front_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """One device per front, named in HA's language, in the front's barrio."""
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, FRONT_ID), entry.entry_id
    )
    assert device is not None
    assert device.name == "Security front Calle Real"
    assert device.manufacturer == "Mi Frente Seguro"
    assert device.suggested_area == "Manga"
    assert entry.runtime_data.device_id == device.id
    assert entry.runtime_data.front.cuadrante_code == "MECAR-E1-C3"


async def test_device_name_in_spanish(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """With HA in Spanish the device is 'Frente de seguridad <name>'."""
    await hass.config.async_update(language="es")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, FRONT_ID), mock_config_entry.entry_id
    )
    assert device is not None
    assert device.name == "Frente de seguridad Calle Real"


async def test_unload_leaves_nothing_running(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Unloading a front leaves no task of ours behind."""
    entry = init_integration
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    ours = [
        task
        for task in asyncio.all_tasks()
        if "mi_frente_seguro" in repr(task.get_coro())
    ]
    assert ours == []


async def test_storage_unavailable_retries_later(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """If the incident file cannot be opened, setup is retried (ConfigEntryNotReady)."""
    Path(hass.config.path(".storage")).mkdir(exist_ok=True)
    Path(hass.config.path(".storage", DOMAIN)).write_text("not a folder")
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "cannot be opened" in (mock_config_entry.reason or "")


async def test_removing_front_deletes_its_incident_file(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Deleting the front deletes its incidents (habeas data)."""
    path = init_integration.runtime_data.incidents.ledger.store.path
    await call(hass, "trigger", init_integration.entry_id)
    assert path.exists()
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert not path.exists()
    assert not Path(f"{path}-wal").exists()


async def test_month_rollover_refreshes_sensors(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """At midnight on the 1st, "this month" counts start again from zero."""
    freezer.move_to("2026-11-30T12:00:00-08:00")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await call(hass, "trigger", mock_config_entry.entry_id)
    assert state_of(hass, "sensor", "incidents_this_month").state == "1"
    freezer.move_to("2026-12-01T00:00:00-08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor", "incidents_this_month").state == "0"


async def test_stale_kit_device_is_removed(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A front that no longer has an MQTT kit drops the kit's device."""
    mock_config_entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, f"{FRONT_ID}-kit")},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        registry.async_get_device_by_identifier(
            (DOMAIN, f"{FRONT_ID}-kit"), mock_config_entry.entry_id
        )
        is None
    )
