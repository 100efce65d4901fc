"""What one incident change leaves in HA: one context for all of it, lean history rows."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
import logging

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from sqlalchemy import select

from custom_components.mi_frente_seguro.const import EVENT_INCIDENT
from custom_components.mi_frente_seguro.frente.incident import (
    IncidentKind,
    IncidentSource,
    Press,
    Sender,
)
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.db_schema import (
    EventData,
    Events,
    EventTypes,
    StateAttributes,
    States,
    StatesMeta,
)
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.components.recorder.util import session_scope
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .helpers import call, entity_id, member, members_front, state_of


@pytest.fixture
def mock_recorder_before_hass(recorder_db_url: str) -> Generator[None]:
    """Prepare the recorder's database before ``hass`` (the plugin's ordering hook).

    The plugin sets SQLAlchemy's engine logger to INFO (every statement); the recorder's
    thread would print them into the test run's output. Quiet until ``hass`` is gone.
    """
    engine = logging.getLogger("sqlalchemy.engine")
    level = engine.level
    engine.setLevel(logging.WARNING)
    yield
    engine.setLevel(level)


def _ours(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    keys = (
        ("alarm_control_panel", "alarm"),
        ("sensor", "incident"),
        ("sensor", "incidents_this_month"),
        ("event", "press"),
    )
    return {entity_id(hass, platform, key) for platform, key in keys}


async def test_a_press_by_a_user_carries_their_context_everywhere(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """The event and every state the press changed carry the caller's context."""
    ours = _ours(hass, init_integration)
    incident_events = async_capture_events(hass, EVENT_INCIDENT)
    state_events = async_capture_events(hass, EVENT_STATE_CHANGED)
    await call(hass, "trigger", init_integration.entry_id, people["luis"].id)
    await hass.async_block_till_done()

    (event,) = incident_events
    assert event.context.user_id == people["luis"].id
    changed = {
        e.data["entity_id"]: e for e in state_events if e.data["entity_id"] in ours
    }
    assert set(changed) == ours  # the alarm, the sensors and the press event moved
    assert {e.context.id for e in changed.values()} == {event.context.id}
    # Nothing ambient: the context travels with the change, not on the object.
    assert not hasattr(init_integration.runtime_data.incidents, "context")


async def test_a_press_with_no_caller_gets_one_context_for_all(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A street-kit press has no HA caller: one new context covers all it changes.

    HA ties a context to the first event fired with it, a reference cycle; one context per
    change (not one per event and per state) leaves one such cycle for the collector.
    """
    incidents = init_integration.runtime_data.incidents
    ours = _ours(hass, init_integration)
    incident_events = async_capture_events(hass, EVENT_INCIDENT)
    state_events = async_capture_events(hass, EVENT_STATE_CHANGED)
    press = Press(
        dt_util.now(),
        IncidentKind.PANIC,
        IncidentSource.PHYSICAL_BUTTON,
        Sender(device="kit-b1"),
    )
    await incidents.async_press(press)
    await hass.async_block_till_done()

    (event,) = incident_events
    assert event.context.user_id is None
    changed = [e for e in state_events if e.data["entity_id"] in ours]
    assert {e.data["entity_id"] for e in changed} == ours
    assert all(e.context is event.context for e in changed)  # one object, one origin
    assert not hasattr(incidents, "context")


async def test_history_keeps_states_not_the_incident_book(
    recorder_mock: Recorder, hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Recorded rows leave out what differs per incident; the live state keeps it all.

    The incident book (the front's own store) keeps every incident whole; HA's history
    keeps the states and the attributes that repeat, so an alarm adds state rows but not
    a new attributes row each.
    """
    start = dt_util.utcnow() - timedelta(seconds=1)
    entry_id = init_integration.entry_id
    await call(hass, "trigger", entry_id, note="Reja forzada")
    await call(hass, "cancel", entry_id, reason="Falsa alarma")
    await call(hass, "trigger", entry_id, note="Otra vez")
    live = state_of(hass, "sensor", "incident")
    assert live.attributes["incident_id"]
    assert live.attributes["note"] == "Otra vez"
    await async_wait_recording_done(hass)

    wanted = [
        entity_id(hass, "sensor", "incident"),
        entity_id(hass, "alarm_control_panel", "alarm"),
        entity_id(hass, "event", "press"),
    ]
    history = await recorder_mock.async_add_executor_job(
        lambda: get_significant_states(hass, start, None, wanted)
    )
    sensor = [s for s in history[wanted[0]] if s.state != "none"]
    assert [s.state for s in sensor] == ["triggered", "cancelled", "triggered"]
    for state in sensor:
        assert state.attributes["kind"] == "panic"
        for attribute in ("incident_id", "times", "senders", "note", "cancel_reason"):
            assert attribute not in state.attributes
    panel = [s for s in history[wanted[1]] if s.state == "triggered"]
    assert len(panel) == 2
    assert all("incident_id" not in s.attributes for s in panel)
    presses = [s for s in history[wanted[2]] if s.attributes.get("event_type")]
    assert len(presses) == 2
    assert all("incident_id" not in s.attributes for s in presses)
    assert all(s.attributes["opened"] is True for s in presses)


async def test_the_recorder_keeps_nothing_personal_of_an_alarm(
    recorder_mock: Recorder, hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """After a member's alarm with GPS: no GPS, phone, house or user id in our rows.

    Read straight from the recorder's tables: the incident events' data and the front's
    entities' states and attributes. (HA's own person and tracker entities hold a user id
    and GPS by design; they are not ours to change.)
    """
    entry = await members_front(hass, member("person.luis_gomez", "Luis Gómez"))
    where = {"latitude": 10.41427, "longitude": -75.53611, "radius": 17}
    await call(hass, "trigger", entry.entry_id, people["luis"].id, location=where)
    await call(hass, "police_update", entry.entry_id, status="dispatched", unit="P1")
    await call(hass, "cancel", entry.entry_id, people["ana"].id, reason="Prueba")
    await async_wait_recording_done(hass)
    ours = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }

    def read() -> list[str]:
        with session_scope(hass=hass, read_only=True) as session:
            events = session.execute(
                select(EventData.shared_data)
                .join(Events, Events.data_id == EventData.data_id)
                .join(EventTypes, Events.event_type_id == EventTypes.event_type_id)
                .where(EventTypes.event_type == EVENT_INCIDENT)
            ).all()
            states = session.execute(
                select(States.state, StateAttributes.shared_attrs)
                .join(StatesMeta, States.metadata_id == StatesMeta.metadata_id)
                .outerjoin(
                    StateAttributes,
                    States.attributes_id == StateAttributes.attributes_id,
                )
                .where(StatesMeta.entity_id.in_(ours))
            ).all()
        return [str(value) for row in (*events, *states) for value in row]

    rows = await recorder_mock.async_add_executor_job(read)
    assert len(rows) > 10  # the events and states were recorded
    text = "\n".join(rows)
    for personal in (
        "10.41427",
        "-75.53611",
        "Casa 12",  # the member's house
        "3001112233",  # the member's phone
        people["luis"].id,
        people["ana"].id,
    ):
        assert personal not in text, personal
