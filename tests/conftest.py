"""Fixtures shared by the integration's tests."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.core import HomeAssistant

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> None:
    """Let every test load custom integrations."""


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """Return the config entry of the Calle Real front in Manga."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Calle Real",
        unique_id=FRONT_ID,
        data=dict(ENTRY_DATA),
        options=dict(ENTRY_OPTIONS),
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the front and return its loaded config entry."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry
