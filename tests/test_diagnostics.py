"""Tests of a front's diagnostics."""

from __future__ import annotations

import json

from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant

from .const import FRONT_ID
from .helpers import call


async def test_diagnostics_redact_personal_data(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    people: dict[str, MockUser],
) -> None:
    """Phones, names and coordinates never appear in diagnostics; the incident does."""
    await call(
        hass,
        "trigger",
        init_integration.entry_id,
        people["luis"].id,
        location={"latitude": 10.4139, "longitude": -75.5364},
    )
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    text = json.dumps(diagnostics)
    assert diagnostics["incidents"]["current"]["state"] == "triggered"
    assert diagnostics["incidents"]["current"]["presses"] == 1
    assert diagnostics["incidents"]["stats"]["incidents_this_month"] == 1
    for secret in (
        "Luis Gómez",
        "+573001234567",
        "+573107654321",
        "Ana Pérez",
        "10.4139",
        "-75.5364",
    ):
        assert str(secret) not in text
    assert diagnostics["front_id"] == FRONT_ID
    assert diagnostics["entry"]["data"]["cuadrante_code"] == "MECAR-E1-C3"
    assert diagnostics["entry"]["options"]["coordinator_phone"] == "**REDACTED**"
