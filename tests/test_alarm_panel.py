"""The alarm panel: trigger opens an incident, disarm cancels it (coordinators, admins)."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .helpers import entity_id, state_of


async def _panel(
    hass: HomeAssistant, service: str, user: MockUser | None = None
) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        service,
        {"entity_id": entity_id(hass, "alarm_control_panel", "alarm")},
        blocking=True,
        context=Context(user_id=user.id if user else None),
    )


async def test_trigger_and_disarm(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """A resident triggers; a resident who did not press cannot disarm; a coordinator can.

    (The resident who pressed may, in the front's window: tests/test_own_cancel.py.)
    """
    await _panel(hass, "alarm_trigger", people["luis"])
    assert state_of(hass, "alarm_control_panel", "alarm").state == "triggered"
    press = init_integration.runtime_data.incidents.book.open_incident.presses[0]
    assert (press.sender.name, press.source.value) == ("Luis Gómez", "action")
    await _panel(hass, "alarm_trigger")  # an automation presses too: not Luis's alone

    with pytest.raises(ServiceValidationError) as err:
        await _panel(hass, "alarm_disarm", people["luis"])
    assert err.value.translation_key == "cancel_not_yours"
    assert state_of(hass, "alarm_control_panel", "alarm").state == "triggered"

    await _panel(hass, "alarm_disarm", people["ana"])
    assert state_of(hass, "alarm_control_panel", "alarm").state == "disarmed"
    incident = init_integration.runtime_data.incidents.book.history[-1]
    assert incident.details_of(incident.state)["reason"] == "alarm_panel"
    assert incident.details_of(incident.state)["by_name"] == "Ana Pérez"


async def test_disarm_without_incident(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Disarming a quiet front is a clear error."""
    with pytest.raises(ServiceValidationError) as err:
        await _panel(hass, "alarm_disarm")
    assert err.value.translation_key == "no_open_incident"


async def test_automation_trigger(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A trigger with no user counts as an automation."""
    await _panel(hass, "alarm_trigger")
    press = init_integration.runtime_data.incidents.book.open_incident.presses[0]
    assert press.source.value == "automation"
