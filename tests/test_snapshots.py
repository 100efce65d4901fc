"""Entity snapshots of every platform, with an open incident (review with the diff)."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .helpers import call


@pytest.mark.parametrize(
    "platform",
    [Platform.ALARM_CONTROL_PANEL, Platform.BUTTON, Platform.EVENT, Platform.SENSOR],
)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    people: dict[str, MockUser],
    platform: Platform,
) -> None:
    """Names, unique ids, device classes, states and attributes of each platform."""
    freezer.move_to("2026-11-26T20:15:00-05:00")
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.mi_frente_seguro.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    with patch(
        "custom_components.mi_frente_seguro.frente.ulid.random.Random.getrandbits",
        return_value=0,
    ):
        await call(hass, "trigger", mock_config_entry.entry_id, people["luis"].id)
    freezer.tick(95)
    await call(
        hass,
        "police_update",
        mock_config_entry.entry_id,
        status="dispatched",
        unit="MECAR-E1-C3-12",
        eta_minutes=4,
    )
    await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)
