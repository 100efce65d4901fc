"""Duress in one HA: a silent press changes nothing any HA user can read, the police get it.

docs/incidents.md ("Duress") is the rule: a silent incident is never shown (entities,
figures, HA's incident event, the logbook), a silent press on an audible incident is not
counted or named, and the police-link entities show nothing new while a silent incident is
open. The real-HA test with a resident's own login is tests/e2e/test_duress.py.
"""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.mi_frente_seguro.const import (
    DOMAIN,
    EVENT_DURESS,
    EVENT_ESCALATION,
    EVENT_INCIDENT,
)
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .frente.dispatch.receiver import Receiver, wait_until
from .helpers import call, members_front, state_of
from .police import police_front

POLICE_LINK = {"outbox_depth", "delivery_latency", "dead_letters", "endpoint_problem"}


def _front_entities(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    return {
        item.entity_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


def _shown(hass: HomeAssistant, entity_ids: set[str]) -> dict[str, Any]:
    """Return what the state machine shows of ``entity_ids`` (state and attributes)."""
    shown: dict[str, Any] = {}
    for entity_id in sorted(entity_ids):
        if (state := hass.states.get(entity_id)) is not None:
            shown[entity_id] = (state.state, dict(state.attributes))
    return shown


def _is_police_link(hass: HomeAssistant, entity_id: str) -> bool:
    """Return True for the police link's diagnostics (queue, latency, endpoint, refusals)."""
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    return entity.unique_id.removeprefix(f"{FRONT_ID}-") in POLICE_LINK


def _kinds(receiver: Receiver) -> list[str]:
    return [json.loads(item.body)["kind"] for item in receiver.requests]


async def test_a_silent_incident_changes_nothing_anyone_sees(
    hass: HomeAssistant, people: dict[str, MockUser], receiver: Receiver
) -> None:
    """From the silent press to its close: no state, no public event, figures as before.

    The police get the alert and answer; the coordinator closes it; through all of it
    every entity of the front (incident, figures, alarm panel, press event, police
    status, queue and latency) shows what it showed before. A panic afterwards shows at
    once, so the check is not blind.
    """
    entry = await police_front(hass, receiver.url)
    entities = _front_entities(hass, entry)
    assert len(entities) >= 10
    before = _shown(hass, entities)
    changed = async_capture_events(hass, EVENT_STATE_CHANGED)
    public = async_capture_events(hass, EVENT_INCIDENT)
    duress = async_capture_events(hass, EVENT_DURESS)

    opened = await call(
        hass, "trigger", entry.entry_id, people["luis"].id, kind="silent"
    )
    assert opened is not None
    await wait_until(lambda: receiver.accepted)
    assert _kinds(receiver) == ["silent"]
    await call(hass, "police_update", entry.entry_id, status="dispatched", unit="P1")
    await hass.async_block_till_done()
    assert [event for event in changed if event.data["entity_id"] in entities] == []
    assert _shown(hass, entities) == before

    await call(hass, "close", entry.entry_id, people["admin"].id, note="ok")
    await hass.async_block_till_done()
    book = entry.runtime_data.incidents.book
    assert book.get(opened["incident_id"]).state.value == "closed"
    # Once it has ended only the police link's own diagnostics catch up (docs).
    link = {entity for entity in entities if _is_police_link(hass, entity)}
    assert link
    assert {
        event.data["entity_id"]
        for event in changed
        if event.data["entity_id"] in entities
    } <= link
    assert {
        key: value for key, value in _shown(hass, entities).items() if key not in link
    } == {key: value for key, value in before.items() if key not in link}
    assert public == []
    assert duress[0].data["change"] == "opened"
    steps = [event.data["state"] for event in duress[1:]]
    assert {event.data["change"] for event in duress[1:]} == {"state"}
    assert steps[-2:] == ["dispatched", "closed"]  # "sent" before, if it was in time
    for event in duress:  # ids and kinds of change only
        assert set(event.data) == {
            "entry_id",
            "front_id",
            "incident_id",
            "change",
            "state",
        }

    await call(hass, "trigger", entry.entry_id, people["luis"].id, kind="panic")
    await hass.async_block_till_done()
    assert state_of(hass, "sensor", "incident").state in {"triggered", "sent"}
    assert state_of(hass, "sensor", "incidents_this_month").state == "1"
    assert [event.data["change"] for event in public][0] == "opened"
    assert any(event.data["entity_id"] in entities for event in changed)


async def test_a_silent_press_on_a_panic_is_neither_counted_nor_named(
    hass: HomeAssistant, people: dict[str, MockUser], receiver: Receiver
) -> None:
    """Ana's panic is shown; Luis's silent press on it is told to the police only."""
    entry = await police_front(hass, receiver.url)
    public = async_capture_events(hass, EVENT_INCIDENT)
    await call(hass, "trigger", entry.entry_id, people["ana"].id, kind="panic")
    await hass.async_block_till_done()
    shown = state_of(hass, "sensor", "incident")
    press_event = state_of(hass, "event", "press")
    await call(hass, "trigger", entry.entry_id, people["luis"].id, kind="silent")
    await hass.async_block_till_done()

    assert "joined" not in [event.data["change"] for event in public]
    assert all(
        "press" not in event.data or event.data["press"]["kind"] == "panic"
        for event in public
    )
    incident = state_of(hass, "sensor", "incident")
    assert incident.attributes["presses"] == 1
    assert incident.attributes["senders"] == ["Ana Pérez"]
    assert incident.attributes == shown.attributes
    assert state_of(hass, "event", "press") == press_event
    await wait_until(lambda: len(receiver.accepted) >= 2)
    update = json.loads(receiver.requests[-1].body)
    assert "presses" in update["changes"]
    assert [press["kind"] for press in update["presses"]] == [
        "panic",
        "silent",
    ]


async def test_a_silent_incident_is_escalated_out_of_sight(
    hass: HomeAssistant, people: dict[str, MockUser], socket_enabled: None
) -> None:
    """Unconfirmed duress fires no escalation event (an automation would show it).

    The same wait on a panic does fire it, so the clock did move.
    """
    entry = await police_front(hass, "http://127.0.0.1:9/alerts", escalation_delay=60)
    escalations = async_capture_events(hass, EVENT_ESCALATION)
    await call(hass, "trigger", entry.entry_id, people["luis"].id, kind="silent")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()
    assert escalations == []
    await call(hass, "cancel", entry.entry_id, reason="test")

    await call(hass, "trigger", entry.entry_id, people["luis"].id, kind="panic")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=122))
    await hass.async_block_till_done()
    assert [event.data["kind"] for event in escalations] == ["panic"]


async def test_the_former_silent_button_is_removed(hass: HomeAssistant) -> None:
    """A front set up by an older version loses its silent panic button."""
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "button", DOMAIN, f"{FRONT_ID}-silent_button", suggested_object_id="old_silent"
    )
    front = await members_front(hass)
    assert registry.async_get(old.entity_id) is None
    assert {
        item.unique_id
        for item in er.async_entries_for_config_entry(registry, front.entry_id)
        if item.domain == "button"
    } == {
        f"{FRONT_ID}-panic_button",
        f"{FRONT_ID}-medical_button",
        f"{FRONT_ID}-fire_button",
        f"{FRONT_ID}-drill_button",
    }


async def test_a_refused_duress_alert_raises_no_repair_issue_until_it_ends(
    hass: HomeAssistant, people: dict[str, MockUser], receiver: Receiver
) -> None:
    """Every user can list repair issues: the link's trouble waits for the duress to end."""
    entry = await police_front(hass, receiver.url)
    receiver.plan.append("410")
    await call(hass, "trigger", entry.entry_id, people["luis"].id, kind="silent")
    await wait_until(lambda: receiver.requests)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    assert [key for key in issues.issues if key[0] == DOMAIN] == []
    await call(hass, "cancel", entry.entry_id, reason="prueba")
    await hass.async_block_till_done()
    assert (DOMAIN, f"endpoint_gone_{FRONT_ID}") in issues.issues
