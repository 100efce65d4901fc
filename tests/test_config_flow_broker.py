"""The broker step, re-authentication, broker reconfiguration and kit options, on a real broker."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from scripts.harness.mosquitto import Mosquitto
from scripts.harness.process import free_port

from .const import ENTRY_OPTIONS, USER_INPUT, broker_data
from .helpers import kit_front_entry, options_step, refused_then_saved


def _form(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value for key, value in data.items() if key.startswith(("broker", "topic"))
    }


async def _broker_step(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["step_id"] == "broker"
    return str(result["flow_id"])


async def _reconfigure_broker(
    hass: HomeAssistant, broker: Mosquitto, password: str
) -> tuple[MockConfigEntry, str]:
    """Add the front (kit on ``broker`` as "kit", ``password``); reconfigure to its broker.

    The front's own step is sent unchanged; return the entry and the broker step's flow.
    """
    entry = kit_front_entry(broker.port, "kit", password)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    front = {key: USER_INPUT[key] for key in result["data_schema"].schema}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], front)
    assert result["step_id"] == "reconfigure_broker"
    return entry, str(result["flow_id"])


async def _unload_with_the_right_password(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Check the front stored the broker's password; let it reload, then unload it."""
    assert entry.data["broker_password"] == "s3cret-pass"
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_broker_tested_before_saving(
    hass: HomeAssistant, auth_broker: Mosquitto
) -> None:
    """Wrong password and unreachable broker show errors; the right one creates the front."""
    flow_id = await _broker_step(hass)
    for data, error in (
        (broker_data(auth_broker.port, "kit", "wrong"), "invalid_auth"),
        (broker_data(free_port(), "kit", "s3cret-pass"), "cannot_connect"),
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, _form(data))
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**_form(broker_data(auth_broker.port, "kit", "s3cret-pass"))}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["broker_host"] == "127.0.0.1"
    assert result["data"]["broker_username"] == "kit"
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


@pytest.mark.parametrize("base", ["mfs/#", "a b", "  "])
async def test_topic_base_must_be_plain(hass: HomeAssistant, base: str) -> None:
    """Wildcards, spaces or nothing in the topic base are refused on the field."""
    flow_id = await _broker_step(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**_form(broker_data(1883)), "broker_host": "", "topic_base": base}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        "topic_base": "required" if not base.strip() else "invalid_topic"
    }


async def test_reauth(hass: HomeAssistant, auth_broker: Mosquitto) -> None:
    """New credentials are tested; the right ones are stored and the front reloads."""
    entry = kit_front_entry(auth_broker.port, "kit", "old-password")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["front"] == "Calle Real"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"broker_username": "kit", "broker_password": "nope"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"broker_username": "kit", "broker_password": "s3cret-pass"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await _unload_with_the_right_password(hass, entry)


async def test_reconfigure_broker_keeps_password(
    hass: HomeAssistant, auth_broker: Mosquitto
) -> None:
    """Leaving the password empty when changing the front keeps the stored one."""
    entry, flow_id = await _reconfigure_broker(hass, auth_broker, "s3cret-pass")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {**_form(entry.data), "broker_password": "", "topic_base": "cartagena"},
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["topic_base"] == "cartagena"
    await _unload_with_the_right_password(hass, entry)


async def test_kit_options(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The kit options: siren, keepalive, adopted devices and topic overrides."""
    result = await options_step(hass, init_integration, "kit")
    assert result["step_id"] == "kit"
    kit = {
        "siren_duration": 120,
        "siren_tone": "fire",
        "siren_plain_payload": True,
        "kit_keepalive": 30,
        "adopted_siren": "switch.sirena_tienda",
        "adopted_buttons": ["binary_sensor.boton_zigbee"],
        "topics": {"siren_set": "cmnd/sirena/POWER", "panic": "zigbee2mqtt/boton #"},
    }
    topics = {"siren_set": "/cmnd/sirena/POWER/", "panic": ""}  # cleaned, not refused
    await refused_then_saved(hass, result, kit, "topics", "invalid_topic", topics)
    options = init_integration.options
    assert options["topics"] == {"siren_set": "cmnd/sirena/POWER"}
    assert options["siren_duration"] == 120
    assert options["coordinator_phone"] == ENTRY_OPTIONS["coordinator_phone"]
    settings = init_integration.runtime_data.kit.settings
    assert settings.topics.siren_set == "cmnd/sirena/POWER"
    assert settings.adopted_siren == "switch.sirena_tienda"

    # Clearing the adopted siren (the field sent empty) really clears it.
    result = await options_step(hass, init_integration, "kit")
    del kit["adopted_siren"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], kit)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["adopted_siren"] is None


async def test_reconfigure_broker_errors_then_new_password(
    hass: HomeAssistant, auth_broker: Mosquitto
) -> None:
    """A bad topic base and a refused password show errors; a new password is saved."""
    entry, flow_id = await _reconfigure_broker(hass, auth_broker, "old")
    form = _form(entry.data)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**form, "topic_base": "mfs/+"}
    )
    assert result["errors"] == {"topic_base": "invalid_topic"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**form, "broker_password": "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**form, "broker_password": "s3cret-pass"}
    )
    assert result["reason"] == "reconfigure_successful"
    await _unload_with_the_right_password(hass, entry)
