"""Suspending a member: actions, record, and what their presses do (frente/suspension.py).

A suspended member's press is recorded and sent with ``sender.suspended``, sounds nothing
and is held for the coordinators until someone else presses: then the siren sounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
import json

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import EVENT_INCIDENT, EVENT_MEMBER
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageType,
    build_message,
)
from custom_components.mi_frente_seguro.frente.suspension import is_held
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from scripts.harness.mosquitto import Mosquitto

from .const import ENTRY_DATA, ENTRY_OPTIONS, broker_data
from .helpers import call, front_entry, member, members_front, wait_for
from .test_kit import Kit, kit  # noqa: F401  (the simulated kit's fixture)

LUIS = "person.luis_gomez"
SUSPENDED = {"at": "2026-12-01T10:00:00-05:00", "by": "system", "reason": "abuso"}


@pytest.fixture
async def held_front(
    hass: HomeAssistant,
    broker: Mosquitto,
    kit: Kit,  # noqa: F811
) -> AsyncGenerator[MockConfigEntry]:
    """Return a front with a kit on the real broker and Luis suspended."""
    luis = member(LUIS, "Luis Gómez")
    luis["data"] = {**luis["data"], "suspended": SUSPENDED}
    entry = front_entry(
        data={**ENTRY_DATA, **broker_data(broker.port)},
        options={**ENTRY_OPTIONS, "siren_duration": 1, "kit_keepalive": 1},
        subentries_data=[luis],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(hass, lambda: entry.runtime_data.kit.available)
    yield entry
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_suspended_press_is_recorded_sent_and_held(
    hass: HomeAssistant,
    kit: Kit,  # noqa: F811
    held_front: MockConfigEntry,
    people: dict[str, MockUser],
) -> None:
    """Luis's press is stored and marked; no siren until Ana presses."""
    events = async_capture_events(hass, EVENT_INCIDENT)
    opened = await call(hass, "trigger", held_front.entry_id, people["luis"].id)
    assert opened is not None and opened["opened"] is True
    incident = held_front.runtime_data.incidents.book.open_incident
    assert incident is not None and is_held(incident)
    assert incident.presses[0].sender.suspended is True
    message = build_message(
        MessageType.CREATED,
        incident,
        held_front.runtime_data.front,
        datetime.now().astimezone(),
    )
    assert message["presses"][0]["sender"]["suspended"] is True
    await hass.async_block_till_done()
    assert events[0].data["held"] is True
    await asyncio.sleep(0.3)  # a siren command would be on the broker by now
    assert kit.commands == []

    await call(hass, "trigger", held_front.entry_id, people["ana"].id)
    await wait_for(hass, lambda: kit.commands)
    assert kit.commands[0]["state"] == "ON"
    joined = events[-1].data
    assert (joined["change"], joined["held"], joined["released"]) == (
        "joined",
        False,
        True,
    )


async def test_suspend_and_reinstate_are_kept_on_record(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """A coordinator suspends and reinstates; a resident may not; each is an event."""
    entry = await members_front(hass, member(LUIS, "Luis Gómez"))
    events = async_capture_events(hass, EVENT_MEMBER)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "suspend_member", entry.entry_id, people["luis"].id, person=LUIS
        )
    assert err.value.translation_key == "not_allowed"

    answer = await call(
        hass,
        "suspend_member",
        entry.entry_id,
        people["ana"].id,
        person=LUIS,
        reason="Pulsó tres veces sin motivo",
    )
    assert answer == {"suspended": True, "changed": True}
    await hass.async_block_till_done()
    record = next(iter(entry.subentries.values())).data
    assert record["suspended"]["reason"] == "Pulsó tres veces sin motivo"
    assert record["suspended"]["by"] == people["ana"].id
    assert entry.runtime_data.settings.member(LUIS).suspended
    again = await call(hass, "suspend_member", entry.entry_id, None, person=LUIS)
    assert again == {"suspended": True, "changed": False}

    answer = await call(hass, "reinstate_member", entry.entry_id, None, person=LUIS)
    assert answer == {"suspended": False, "changed": True}
    await hass.async_block_till_done()
    record = next(iter(entry.subentries.values())).data
    assert "suspended" not in record
    assert [item["reason"] for item in record["suspensions"]] == [
        "Pulsó tres veces sin motivo"
    ]
    assert [event.data["change"] for event in events] == ["suspended", "reinstated"]
    assert all(
        set(event.data) == {"entry_id", "front_id", "member", "person", "change"}
        for event in events
    )
    assert json.dumps([dict(event.data) for event in events]).count("Luis") == 0
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "suspend_member", entry.entry_id, None, person="person.nadie")
    assert err.value.translation_key == "not_a_member"
