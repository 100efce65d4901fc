"""Every blueprint loads with HA's blueprint schema and runs once for real in HA."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
    async_mock_service,
)

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Context, Event, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util

from .helpers import call, wait_for

BLUEPRINTS = (
    Path(__file__).parent.parent / "blueprints" / "automation" / "mi_frente_seguro"
)
NAMES = sorted(path.name for path in BLUEPRINTS.glob("*.yaml"))


def test_there_are_six_blueprints() -> None:
    """The six blueprints of the residents issue exist."""
    assert NAMES == [
        "escalate_to_cuadrante.yaml",
        "notify_coordinator_on_trouble.yaml",
        "notify_members_on_alarm.yaml",
        "notify_members_on_police_update.yaml",
        "trigger_from_notification.yaml",
        "trigger_from_sensor.yaml",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_blueprint_schema(name: str) -> None:
    """HA's schema accepts it; it has both languages, a source URL and a minimum HA."""
    data = yaml_util.load_yaml(BLUEPRINTS / name)
    blueprint = models.Blueprint(
        data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    meta = blueprint.metadata
    assert meta["source_url"].endswith(
        f"/blueprints/automation/mi_frente_seguro/{name}"
    )
    assert meta["homeassistant"]["min_version"] == "2026.10.0"
    assert "ES:" in meta["description"]
    assert "EN:" in meta["description"]
    for spec in meta["input"].values():
        selector = spec["selector"]
        if "config_entry" in selector:
            assert selector["config_entry"]["integration"] == "mi_frente_seguro"


async def _automation(hass: HomeAssistant, *uses: tuple[str, dict[str, Any]]) -> None:
    """Create one automation from each (blueprint, inputs), as the UI would."""
    target = Path(hass.config.path("blueprints", "automation", "mi_frente_seguro"))
    await hass.async_add_executor_job(
        lambda: shutil.copytree(BLUEPRINTS, target, dirs_exist_ok=True)
    )
    configs = [
        {"use_blueprint": {"path": f"mi_frente_seguro/{name}", "input": inputs}}
        for name, inputs in uses
    ]
    assert await async_setup_component(hass, "automation", {"automation": configs})
    await hass.async_block_till_done()


async def escalation_sms(
    hass: HomeAssistant, entry_id: str, **event: object
) -> ServiceCall:
    """Escalate (the event, with ``event`` over the usual) through the blueprint.

    Return the text it makes ``notify.sms_gateway`` send to the quadrant.
    """
    sms = async_mock_service(hass, "notify", "sms_gateway")
    inputs = {"front": entry_id, "notify_action": "notify.sms_gateway"}
    await _automation(hass, ("escalate_to_cuadrante.yaml", inputs))
    hass.bus.async_fire(
        "mi_frente_seguro_escalation",
        {
            "entry_id": entry_id,
            "front_name": "Calle Real",
            "incident_id": "01INC",
            "cuadrante_code": "MECAR-E1-C3",
            "cuadrante_phone": "+573001234567",
            "delay": 60,
            **event,
        },
    )
    await wait_for(hass, lambda: sms)
    text: ServiceCall = sms[0]
    return text


def service_calls(
    events: list[Event], domain: str, service: str
) -> list[dict[str, Any]]:
    """Return the data of the captured calls of one action."""
    return [
        dict(event.data["service_data"])
        for event in events
        if (event.data["domain"], event.data["service"]) == (domain, service)
    ]


async def test_alarm_and_police_update_notify_members(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """(a) and (b): an alarm and a police answer each call notify_members."""
    entry_id = init_integration.entry_id
    await _automation(
        hass,
        ("notify_members_on_alarm.yaml", {"front": entry_id}),
        ("notify_members_on_police_update.yaml", {"front": entry_id}),
    )
    events = async_capture_events(hass, EVENT_CALL_SERVICE)

    def calls() -> list[dict[str, Any]]:
        return service_calls(events, "mi_frente_seguro", "notify_members")

    opened = await call(hass, "trigger", entry_id)
    assert opened is not None
    await wait_for(hass, calls)
    assert calls()[0] == {
        "config_entry_id": entry_id,
        "incident_id": opened["incident_id"],
        "image": "",
    }
    await call(
        hass, "police_update", entry_id, status="dispatched", unit="P-1", eta_minutes=4
    )
    await wait_for(hass, lambda: len(calls()) == 2)
    assert calls()[1] == {
        "config_entry_id": entry_id,
        "incident_id": opened["incident_id"],
    }
    await hass.config_entries.async_unload(entry_id)


async def test_escalation_messages_the_cuadrante(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """(c): the escalation event makes the chosen notify action text the quadrant."""
    sms = await escalation_sms(hass, init_integration.entry_id)
    assert sms.data["target"] == ["+573001234567"]
    assert "Calle Real" in sms.data["message"]
    assert "01INC" in sms.data["message"]
    await hass.config_entries.async_unload(init_integration.entry_id)


async def test_trouble_tells_the_coordinator(hass: HomeAssistant) -> None:
    """(d): tamper on, kit offline, camera unavailable each notify the coordinator."""
    push = async_mock_service(hass, "notify", "mobile_app_pixel_ana")
    hass.states.async_set("binary_sensor.kit_conexion", "on")
    hass.states.async_set("binary_sensor.kit_sabotaje", "off")
    hass.states.async_set("camera.esquina", "idle", {"friendly_name": "Esquina"})
    inputs = {
        "connectivity": "binary_sensor.kit_conexion",
        "tamper": "binary_sensor.kit_sabotaje",
        "cameras": ["camera.esquina"],
        "minutes": 0,
        "notify_action": "notify.mobile_app_pixel_ana",
    }
    await _automation(hass, ("notify_coordinator_on_trouble.yaml", inputs))
    hass.states.async_set("binary_sensor.kit_sabotaje", "on")
    hass.states.async_set("binary_sensor.kit_conexion", "off")
    hass.states.async_set("camera.esquina", "unavailable", {"friendly_name": "Esquina"})
    await wait_for(hass, lambda: len(push) == 3)
    messages = " ".join(c.data["message"] for c in push)
    assert "tampered" in messages
    assert "offline" in messages
    assert "Esquina" in messages


async def test_sensor_and_button_raise_alarms(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """(e): a Zigbee button turning on opens a silent incident (source sensor)."""
    hass.states.async_set(
        "binary_sensor.boton_zigbee", "off", {"friendly_name": "Tienda"}
    )
    inputs = {
        "front": init_integration.entry_id,
        "entities": ["binary_sensor.boton_zigbee"],
        "kind": "silent",
    }
    await _automation(hass, ("trigger_from_sensor.yaml", inputs))
    hass.states.async_set(
        "binary_sensor.boton_zigbee", "on", {"friendly_name": "Tienda"}
    )
    book = init_integration.runtime_data.incidents.book
    await wait_for(hass, lambda: book.open_incident)
    press = book.open_incident.presses[0]
    assert (press.kind.value, press.source.value, press.note) == (
        "silent",
        "sensor",
        "Tienda",
    )
    hass.states.async_set(
        "binary_sensor.boton_zigbee", "off", {"friendly_name": "Tienda"}
    )
    await hass.async_block_till_done()
    assert len(book.open_incident.presses) == 1  # turning off is not a press
    await hass.config_entries.async_unload(init_integration.entry_id)


async def test_notification_action_raises_alarm_for_the_phone_user(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """(f): tapping the panic action of a notification raises the alarm as that user."""
    inputs = {"front": init_integration.entry_id}
    await _automation(hass, ("trigger_from_notification.yaml", inputs))
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": "MFS_PANIC"},
        context=Context(user_id=people["luis"].id),
    )
    book = init_integration.runtime_data.incidents.book
    await wait_for(hass, lambda: book.open_incident)
    press = book.open_incident.presses[0]
    assert (press.source.value, press.sender.name) == ("app", "Luis Gómez")
    await hass.config_entries.async_unload(init_integration.entry_id)
