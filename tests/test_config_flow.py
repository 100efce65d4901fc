"""Tests of the config, reconfigure and options flows."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import (
    CONF_ADDRESS,
    CONF_BARRIO,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_CODE,
    CONF_CUADRANTE_PHONE,
    CONF_LOCATION,
    DOMAIN,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME, CONF_RADIUS
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, NO_BROKER, USER_INPUT

NO_BROKER_INPUT = {k: v for k, v in NO_BROKER.items() if k != "broker_password"}


async def test_user_flow_creates_front(hass: HomeAssistant) -> None:
    """A coordinator fills in the form and gets one entry with clean data."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    # The location defaults to HA's home.
    location = result["data_schema"]({**USER_INPUT})[CONF_LOCATION]
    assert location[CONF_LATITUDE] == USER_INPUT[CONF_LOCATION][CONF_LATITUDE]
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if str(key) == CONF_LOCATION
    }
    assert defaults[CONF_LOCATION] == {
        CONF_LATITUDE: hass.config.latitude,
        CONF_LONGITUDE: hass.config.longitude,
        CONF_RADIUS: 200,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "broker"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NO_BROKER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Calle Real"
    assert result["data"] == ENTRY_DATA
    # The default drill day and own-cancel window.
    assert result["options"] == {**ENTRY_OPTIONS, "drill_day": 1, "cancel_window": 120}
    assert result["result"].unique_id == FRONT_ID


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_NAME: "   "}, {CONF_NAME: "required"}),
        ({CONF_NAME: "x" * 101}, {CONF_NAME: "too_long"}),
        # Only punctuation leaves no id to derive: shown on the name.
        ({CONF_NAME: "¡¡!!", CONF_BARRIO: "¿?"}, {CONF_NAME: "invalid_name"}),
        ({CONF_BARRIO: ""}, {CONF_BARRIO: "required"}),
        ({CONF_ADDRESS: ""}, {CONF_ADDRESS: "required"}),
        (
            {CONF_CUADRANTE_CODE: "C3 / Manga"},
            {CONF_CUADRANTE_CODE: "invalid_cuadrante"},
        ),
        ({CONF_CUADRANTE_PHONE: "12345"}, {CONF_CUADRANTE_PHONE: "invalid_phone"}),
        ({CONF_COORDINATOR_NAME: ""}, {CONF_COORDINATOR_NAME: "required"}),
        (
            {CONF_COORDINATOR_PHONE: "+57 123", CONF_CUADRANTE_PHONE: "abc"},
            {
                CONF_COORDINATOR_PHONE: "invalid_phone",
                CONF_CUADRANTE_PHONE: "invalid_phone",
            },
        ),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    """Bad input shows the error on its field; fixing it creates the entry."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, **changes}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["step_id"] == "broker"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NO_BROKER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == ENTRY_DATA


async def test_user_flow_default_radius(hass: HomeAssistant) -> None:
    """A location without a radius gets the default front radius."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    location = {CONF_LATITUDE: 10.4, CONF_LONGITUDE: -75.5}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_LOCATION: location}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NO_BROKER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_RADIUS] == 200.0


async def test_same_front_twice_aborts(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The same barrio and name again aborts, whatever the spelling."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**USER_INPUT, CONF_NAME: "  CALLE  REAL ", CONF_BARRIO: "mánga"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Reconfigure changes name and place, keeps the id and reloads the entry."""
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    new_input = {
        key: value
        for key, value in USER_INPUT.items()
        if key in result["data_schema"].schema
    }
    assert set(new_input) == {
        CONF_NAME,
        CONF_BARRIO,
        CONF_ADDRESS,
        CONF_LOCATION,
        CONF_CUADRANTE_CODE,
        "cuadrante_name",
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new_input, CONF_CUADRANTE_CODE: "no/valid"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_CUADRANTE_CODE: "invalid_cuadrante"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**new_input, CONF_NAME: "Calle Real Norte", CONF_ADDRESS: "Calle 27 # 21-1"},
    )
    assert result["step_id"] == "reconfigure_broker"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NO_BROKER_INPUT
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.title == "Calle Real Norte"
    assert entry.data[CONF_ADDRESS] == "Calle 27 # 21-1"
    assert entry.unique_id == FRONT_ID
    assert entry.data["front_id"] == FRONT_ID
    assert entry.runtime_data.front.name == "Calle Real Norte"


async def test_options_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The options flow validates and stores the contacts, then reloads."""
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "contacts",
        "kit",
        "cameras",
        "police",
        "city_uplink",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "contacts"}
    )
    assert result["step_id"] == "contacts"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_CUADRANTE_PHONE: "3001234567",
            CONF_COORDINATOR_NAME: "Luis Gómez",
            CONF_COORDINATOR_PHONE: "not a phone",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_COORDINATOR_PHONE: "invalid_phone"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_CUADRANTE_PHONE: "3001234567",
            CONF_COORDINATOR_NAME: "Luis Gómez",
            CONF_COORDINATOR_PHONE: "605 660 1234",
            "coordinator_persons": ["person.luis"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == {
        CONF_CUADRANTE_PHONE: "+573001234567",
        CONF_COORDINATOR_NAME: "Luis Gómez",
        CONF_COORDINATOR_PHONE: "+576056601234",
        "coordinator_persons": ["person.luis"],
        "drill_day": 1,
        "cancel_window": 120,
    }
    assert entry.runtime_data.front.coordinator_name == "Luis Gómez"
