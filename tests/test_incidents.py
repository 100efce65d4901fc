"""Incidents in HA: the actions, every transition, dedupe of concurrent presses, events."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import DOMAIN, EVENT_INCIDENT
from homeassistant.components.alarm_control_panel.const import AlarmControlPanelState
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr

from .const import FRONT_ID
from .helpers import call, state_of


async def test_trigger_opens_incident_seen_everywhere(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """A press by a resident: durable incident, event, alarm panel, sensor, press event."""
    events = async_capture_events(hass, EVENT_INCIDENT)
    response = await call(
        hass,
        "trigger",
        init_integration.entry_id,
        people["luis"].id,
        note="Dos hombres forzando una reja",
        location={"latitude": 10.414, "longitude": -75.536, "radius": 12},
    )
    assert response is not None
    assert response["opened"] is True
    incident_id = response["incident_id"]
    assert len(incident_id) == 26

    assert len(events) == 1
    data = events[0].data
    assert data["change"] == "opened"
    assert data["incident_id"] == incident_id
    assert data["front_id"] == FRONT_ID
    assert (data["state"], data["kind"], data["source"]) == (
        "triggered",
        "panic",
        "action",
    )
    assert data["exercise"] is False
    # The bus (and so the recorder) hears kinds and flags; who and where stay in the
    # incident store, which has them whole.
    assert data["press"] == {
        "at": data["press"]["at"],
        "kind": "panic",
        "emergency": "security",
        "source": "action",
        "is_member": False,
        "device": None,
        "outside_area": False,
        "repeat": False,
    }
    assert events[0].context.user_id == people["luis"].id
    stored = init_integration.runtime_data.incidents.book.get(incident_id).presses[0]
    assert stored.sender.name == "Luis Gómez"
    assert stored.sender.person_id == "person.luis_gomez"
    assert stored.location is not None
    assert stored.location.accuracy == 12

    assert state_of(hass, "alarm_control_panel", "alarm").state == (
        AlarmControlPanelState.TRIGGERED
    )
    sensor = state_of(hass, "sensor", "incident")
    assert sensor.state == "triggered"
    assert sensor.attributes["incident_id"] == incident_id
    assert sensor.attributes["senders"] == ["Luis Gómez"]
    assert sensor.attributes["note"] == "Dos hombres forzando una reja"
    press = state_of(hass, "event", "press")
    assert press.attributes["event_type"] == "panic"
    assert press.attributes["sender"] == "Luis Gómez"

    # The incident is on disk already, with the caller recorded.
    store = init_integration.runtime_data.incidents.ledger.store
    assert store.commits >= 1


async def test_hundred_concurrent_presses_make_one_incident(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """100 presses gathered at once on one front: one incident, 100 presses recorded."""
    events = async_capture_events(hass, EVENT_INCIDENT)
    responses = await asyncio.gather(
        *(call(hass, "trigger", init_integration.entry_id) for _ in range(100))
    )
    ids = {response["incident_id"] for response in responses if response}
    assert len(ids) == 1
    assert sum(bool(response and response["opened"]) for response in responses) == 1
    incidents = init_integration.runtime_data.incidents
    assert incidents.book.open_incident is not None
    assert len(incidents.book.open_incident.presses) == 100
    assert [event.data["change"] for event in events].count("opened") == 1
    assert len(events) == 100
    assert state_of(hass, "sensor", "incident").attributes["presses"] == 100
    # Group commit: far fewer fsync'd transactions than presses.
    assert incidents.ledger.store.commits < 100


async def test_full_lifecycle_through_actions(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Triggered -> received -> dispatched (unit, ETA) -> on_scene -> closed."""
    entry_id = init_integration.entry_id
    events = async_capture_events(hass, EVENT_INCIDENT)
    opened = await call(hass, "trigger", entry_id)
    assert opened is not None
    for status, extra in (
        ("received", {}),
        ("dispatched", {"unit": "MECAR-E1-C3-12", "eta_minutes": 4}),
        ("on_scene", {"note": "Patrulla en la esquina"}),
    ):
        answer = await call(hass, "police_update", entry_id, status=status, **extra)
        assert answer == {"incident_id": opened["incident_id"], "state": status}
        assert state_of(hass, "sensor", "incident").state == status
    attributes = state_of(hass, "sensor", "incident").attributes
    assert attributes["unit"] == "MECAR-E1-C3-12"
    assert attributes["eta_minutes"] == 4
    assert set(attributes["times"]) == {
        "triggered",
        "received",
        "dispatched",
        "on_scene",
    }
    assert events[-1].data["details"]["note"] == "Patrulla en la esquina"
    assert events[-1].data["by"] == "police"

    closed = await call(hass, "close", entry_id, note="Sin novedad")
    assert closed is not None
    assert closed["state"] == "closed"
    assert state_of(hass, "alarm_control_panel", "alarm").state == "disarmed"
    assert state_of(hass, "sensor", "incident").state == "closed"
    assert float(state_of(hass, "sensor", "last_response_time").state) >= 0
    assert state_of(hass, "sensor", "incidents_this_month").state == "1"


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        (["dispatched"], "received"),
        (["on_scene"], "dispatched"),
        (["received", "received"], None),
    ],
)
async def test_illegal_transition_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    steps: list[str],
    illegal: str | None,
) -> None:
    """A step backwards (or the same step twice) raises a translated error."""
    entry_id = init_integration.entry_id
    await call(hass, "trigger", entry_id)
    *ok, last = [*steps, illegal] if illegal else steps
    for status in ok:
        await call(hass, "police_update", entry_id, status=status)
    before = state_of(hass, "sensor", "incident")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "police_update", entry_id, status=last)
    assert err.value.translation_key == "illegal_transition"
    assert err.value.translation_placeholders["wanted"] == last
    after = state_of(hass, "sensor", "incident")
    assert (after.state, after.attributes) == (before.state, before.attributes)


async def test_nothing_after_close(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A closed incident cannot be cancelled or updated; a new press opens a new one."""
    entry_id = init_integration.entry_id
    first = await call(hass, "trigger", entry_id)
    assert first is not None
    await call(hass, "close", entry_id)
    for action, data in (
        ("cancel", {"reason": "tarde"}),
        ("police_update", {"status": "received"}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, action, entry_id, incident_id=first["incident_id"], **data)
        assert err.value.translation_key == "illegal_transition"
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, action, entry_id, **data)
        assert err.value.translation_key == "no_open_incident"
    second = await call(hass, "trigger", entry_id)
    assert second is not None
    assert second["opened"] is True
    assert second["incident_id"] > first["incident_id"]


async def test_cancel_is_a_false_alarm(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Cancel records the reason; the false-alarm sensor counts it."""
    entry_id = init_integration.entry_id
    await call(hass, "trigger", entry_id)
    await call(hass, "cancel", entry_id, reason="Un niño jugó con el botón")
    sensor = state_of(hass, "sensor", "incident")
    assert sensor.state == "cancelled"
    assert sensor.attributes["cancel_reason"] == "Un niño jugó con el botón"
    assert state_of(hass, "sensor", "false_alarms_this_month").state == "1"


async def test_unknown_incident_id(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An id the front does not have is a clear error."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "close", init_integration.entry_id, incident_id="01NOPE")
    assert err.value.translation_key == "unknown_incident"


async def test_drill_is_an_exercise(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A drill goes through the lifecycle marked as an exercise, not counted as real."""
    entry_id = init_integration.entry_id
    events = async_capture_events(hass, EVENT_INCIDENT)
    await call(hass, "trigger", entry_id, kind="drill")
    assert events[0].data["exercise"] is True
    await call(hass, "police_update", entry_id, status="dispatched")
    await call(hass, "close", entry_id)
    assert state_of(hass, "sensor", "incidents_this_month").state == "0"
    assert state_of(hass, "sensor", "last_response_time").state == "unknown"


async def test_front_by_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The front can be named by its device instead of its config entry."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, FRONT_ID), init_integration.entry_id
    )
    assert device is not None
    response = await hass.services.async_call(
        DOMAIN, "trigger", {"device_id": device.id}, blocking=True, return_response=True
    )
    assert response is not None
    assert response["opened"] is True


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "front_required"),
        ({"device_id": "not-a-device"}, "unknown_device"),
        ({"config_entry_id": "not-an-entry"}, "service_config_entry_not_found"),
    ],
)
async def test_front_must_exist(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Naming no front, or a wrong one, is a translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "trigger", data, blocking=True)
    assert err.value.translation_key == key


async def test_entities_write_only_what_changed(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An incident change rewrites only the entities whose state or attributes moved."""
    entry = init_integration
    reported: list[str] = []
    changed: list[str] = []

    @callback
    def _any(_data: Mapping[str, Any]) -> bool:
        return True

    hass.bus.async_listen(
        EVENT_STATE_REPORTED, lambda e: reported.append(e.data["entity_id"]), _any
    )
    hass.bus.async_listen(
        EVENT_STATE_CHANGED, lambda e: changed.append(e.data["entity_id"])
    )
    await call(hass, "trigger", entry.entry_id)
    await call(hass, "cancel", entry.entry_id, reason="Falsa alarma")
    await hass.async_block_till_done()
    assert reported == []  # no entity was written with the state it already had
    incident = state_of(hass, "sensor", "incident").entity_id
    assert changed.count(incident) == 2  # triggered, then cancelled
