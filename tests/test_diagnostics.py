"""Tests of a front's diagnostics."""

from __future__ import annotations

import json

from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from homeassistant.core import HomeAssistant
from scripts.harness.process import free_port

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, broker_data
from .helpers import call, front_entry


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
        "Calle 26 # 20-15",  # the front's address
        "person.",  # no HA person ids (coordinators, senders)
    ):
        assert str(secret) not in text
    assert diagnostics["front_id"] == FRONT_ID
    assert diagnostics["entry"]["data"]["cuadrante_code"] == "MECAR-E1-C3"
    assert diagnostics["entry"]["options"]["coordinator_phone"] == "**REDACTED**"


async def test_diagnostics_kit_without_credentials(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, socket_enabled: None
) -> None:
    """Broker credentials are redacted; the kit's link state and counters are shown."""
    entry = front_entry(
        data={**ENTRY_DATA, **broker_data(free_port(), "kit-user", "kit-secret")},
        options=dict(ENTRY_OPTIONS),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert "kit-secret" not in text
    assert "kit-user" not in text
    assert diagnostics["kit"]["mqtt"] is True
    assert diagnostics["kit"]["link_up"] is False
    assert diagnostics["kit"]["topics"]["panic"] == f"mfs/{FRONT_ID}/panic"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_never_show_police_secrets(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """The signing secrets and the status webhook id are redacted."""
    secret = "whsec_" + "A" * 44
    entry = front_entry(
        data=dict(ENTRY_DATA),
        options={
            **ENTRY_OPTIONS,
            "police_url": "http://127.0.0.1:9/alerts",
            "police_secret": secret,
            "police_webhook_id": "hook-secret-id",
            "cameras": [
                {
                    "camera_id": "cam1",
                    "name": "Esquina",
                    "url": "rtsp://u:campass@127.0.0.1:9/x",
                }
            ],
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert secret not in text
    assert "hook-secret-id" not in text
    assert "campass" not in text
    assert diagnostics["police"]["endpoint"] == "http://127.0.0.1:9"
    assert diagnostics["police"]["secrets"] == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    people: dict[str, MockUser],
    snapshot: SnapshotAssertion,
) -> None:
    """The whole document after a resident's alarm with GPS: review it with the diff.

    Only what changes from run to run is left out (the ids and times of the incident).
    """
    await call(
        hass,
        "trigger",
        init_integration.entry_id,
        people["luis"].id,
        location={"latitude": 10.41427, "longitude": -75.53611, "radius": 9},
    )
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics == snapshot(exclude=props("incident_id", "times"))
