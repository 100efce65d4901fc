"""Devices already in HA adopted as the front's kit: a Zigbee button and a switch siren."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import async_mock_service

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import ENTRY_DATA, ENTRY_OPTIONS
from .helpers import call, front_entry, wait_for


async def test_adopted_button_and_siren(hass: HomeAssistant) -> None:
    """binary_sensor off->on and a new event state press; the switch is the siren."""
    hass.states.async_set(
        "binary_sensor.boton_tienda", "off", {"friendly_name": "Tienda"}
    )
    hass.states.async_set("event.boton_zigbee", "unknown")
    turn_on = async_mock_service(hass, "switch", "turn_on")
    turn_off = async_mock_service(hass, "switch", "turn_off")
    entry = front_entry(
        data=dict(ENTRY_DATA),
        options={
            **ENTRY_OPTIONS,
            "adopted_siren": "switch.sirena",
            "adopted_buttons": ["binary_sensor.boton_tienda", "event.boton_zigbee"],
            "siren_duration": 1,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    book = entry.runtime_data.incidents.book

    hass.states.async_set(
        "binary_sensor.boton_tienda", "on", {"friendly_name": "Tienda"}
    )
    await wait_for(hass, lambda: book.open_incident)
    press = book.open_incident.presses[0]
    assert (press.source.value, press.sender.device) == ("physical_button", "Tienda")
    await wait_for(hass, lambda: turn_on)
    assert turn_on[0].data == {"entity_id": "switch.sirena"}
    await wait_for(hass, lambda: turn_off, timeout=5)  # after the 1 s duration

    # Staying on, an unavailable blip, and coming back on from it are not new presses.
    hass.states.async_set("binary_sensor.boton_tienda", "on", {"friendly_name": "T"})
    hass.states.async_set("binary_sensor.boton_tienda", "unavailable")
    hass.states.async_set("binary_sensor.boton_tienda", "on")
    hass.states.async_set("binary_sensor.boton_tienda", "unknown")
    hass.states.async_set("binary_sensor.boton_tienda", "on")
    # An event entity restoring its last, old event after a restart is not a press.
    hass.states.async_set("event.boton_zigbee", "unavailable")
    hass.states.async_set("event.boton_zigbee", "2026-11-26T20:00:00.000+00:00")
    await hass.async_block_till_done()
    assert len(book.open_incident.presses) == 1
    pressed = dt_util.utcnow().isoformat(timespec="milliseconds")
    hass.states.async_set("event.boton_zigbee", pressed)  # a new event: a press
    await wait_for(hass, lambda: len(book.open_incident.presses) == 2)
    hass.states.async_set("event.boton_zigbee", pressed, {"x": 1})
    await hass.async_block_till_done()
    assert len(book.open_incident.presses) == 2
    assert book.open_incident.presses[1].key == f"event.boton_zigbee:{pressed}"
    # No MQTT kit: no kit entities.
    assert entry.runtime_data.kit.client is None
    assert not hass.states.async_entity_ids("siren")
    await call(hass, "close", entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
