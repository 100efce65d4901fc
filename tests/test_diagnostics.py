"""Tests of a front's diagnostics."""

from __future__ import annotations

import json

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant

from .const import ENTRY_OPTIONS, FRONT_ID


async def test_diagnostics_redact_personal_data(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """Phones, the coordinator's name and coordinates never appear in diagnostics."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    text = json.dumps(diagnostics)
    for secret in (*ENTRY_OPTIONS.values(), "10.4139", "-75.5364"):
        assert str(secret) not in text
    assert diagnostics["front_id"] == FRONT_ID
    assert diagnostics["entry"]["data"]["cuadrante_code"] == "MECAR-E1-C3"
    assert diagnostics["entry"]["options"]["coordinator_phone"] == "**REDACTED**"
