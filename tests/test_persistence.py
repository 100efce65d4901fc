"""Incidents survive an HA restart: open ones stay open, closed ones stay closed."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import ENTRY_DATA, ENTRY_OPTIONS
from .helpers import call, front_entry, set_up, state_of


async def _start_front(hass: HomeAssistant) -> MockConfigEntry:
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
    entry = front_entry(
        entry_id="01FRONTENTRY", data=dict(ENTRY_DATA), options=dict(ENTRY_OPTIONS)
    )
    return await set_up(hass, entry)


async def test_restart_keeps_every_incident_and_timestamp(
    hass: HomeAssistant,
) -> None:
    """Stop HA with one closed and one open incident; a new HA restores both exactly."""
    entry = await _start_front(hass)
    first = await call(hass, "trigger", entry.entry_id, note="Robo de moto")
    await call(hass, "police_update", entry.entry_id, status="dispatched", unit="P-7")
    await call(hass, "close", entry.entry_id, note="Recuperada")
    second = await call(hass, "trigger", entry.entry_id, kind="silent")
    await call(hass, "trigger", entry.entry_id, kind="panic")  # upgrades the kind
    await call(hass, "police_update", entry.entry_id, status="received")
    assert first is not None
    assert second is not None
    before = {
        item.incident_id: item.to_dict()
        for item in entry.runtime_data.incidents.book.all()
    }
    config_dir = hass.config.config_dir
    await hass.async_stop()

    async with async_test_home_assistant(config_dir=config_dir) as hass2:
        entry2 = await _start_front(hass2)
        assert entry2.state is ConfigEntryState.LOADED
        book = entry2.runtime_data.incidents.book
        after = {item.incident_id: item.to_dict() for item in book.all()}
        assert after == before
        assert book.open_incident is not None
        assert book.open_incident.incident_id == second["incident_id"]
        assert state_of(hass2, "sensor", "incident").state == "received"
        assert state_of(hass2, "alarm_control_panel", "alarm").state == "triggered"

        # The closed incident is not re-triggered; a press joins the open one.
        again = await call(hass2, "trigger", entry2.entry_id)
        assert again is not None
        assert (again["incident_id"], again["opened"]) == (second["incident_id"], False)
        closed = book.get(first["incident_id"])
        assert closed.state.value == "closed"
        assert len(closed.presses) == 1
        await hass2.config_entries.async_unload(entry2.entry_id)
        await hass2.async_stop()


async def test_unload_and_reload_keeps_open_incident(
    hass: HomeAssistant,
) -> None:
    """Reloading the front (e.g. after the options flow) keeps the open incident."""
    entry = await _start_front(hass)
    opened = await call(hass, "trigger", entry.entry_id)
    assert opened is not None
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    book = entry.runtime_data.incidents.book
    assert book.open_incident is not None
    assert book.open_incident.incident_id == opened["incident_id"]
