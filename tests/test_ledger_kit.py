"""No input can lose, invent or stall an alarm: the kit's path, on a real broker and receiver.

Each test is a case of issue "The alarm ledger": an unstorable payload, a retained press,
a full disk. The kit is a real MQTT client on a real Mosquitto, the police a real HTTP
receiver that checks signatures with the reference library, the file a real SQLite file
filled up for real (``tests/disk.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import json
import logging

import aiomqtt
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from custom_components.mi_frente_seguro.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from scripts.harness.mosquitto import Mosquitto

from .const import FRONT_ID
from .disk import fill_up, make_room
from .frente.dispatch.receiver import Receiver
from .helpers import call, entity_id, kit_front_entry, members_front, set_up, wait_for
from .police import SECRET, WEBHOOK_ID

PANIC = f"mfs/{FRONT_ID}/panic"


@pytest.fixture
async def kit(broker: Mosquitto) -> AsyncGenerator[aiomqtt.Client]:
    """Return the street kit: an MQTT client on the real broker."""
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="kit") as client:
        await client.publish(
            f"mfs/{FRONT_ID}/availability", "online", qos=1, retain=True
        )
        yield client


@pytest.fixture
async def front(
    hass: HomeAssistant, broker: Mosquitto, receiver: Receiver
) -> AsyncGenerator[MockConfigEntry]:
    """Return a front with its kit on the broker and its police link on the receiver."""
    entry = kit_front_entry(
        broker.port,
        police_url=receiver.url,
        police_format="json",
        police_secret=SECRET,
        police_webhook_id=WEBHOOK_ID,
    )
    yield await set_up(hass, entry, lambda front: front.runtime_data.kit.link_up)
    if entry.state.recoverable:
        await hass.config_entries.async_unload(entry.entry_id)


def _devices(receiver: Receiver) -> list[str]:
    """Return the devices of every press in the last message of each incident."""
    last: dict[str, dict[str, object]] = {}
    for request in receiver.requests:
        if request.answer == "200":
            message = json.loads(request.body)
            last[message["incident_id"]] = message
    return [
        press["sender"]["device"]  # type: ignore[index]
        for message in last.values()
        for press in message["presses"]  # type: ignore[attr-defined]
    ]


async def test_an_unstorable_press_is_counted_and_the_next_one_reaches_the_police(
    hass: HomeAssistant,
    front: MockConfigEntry,
    kit: aiomqtt.Client,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A lone surrogate in ``button`` changes nothing; the normal press after it is sent."""
    bad = '{"button": "b\\ud83d", "seq": 1}'  # a firmware cut a string mid-emoji
    for seq in range(3):
        await kit.publish(PANIC, bad.replace('"seq": 1', f'"seq": {seq}'), qos=1)
    await kit.publish(PANIC, '{"button": "b1", "seq": 10}', qos=1)
    await wait_for(hass, lambda: _devices(receiver) == ["b1"])
    book = front.runtime_data.incidents.book
    assert book.open_incident is not None
    assert [p.key for p in book.open_incident.presses] == ["b1:10"]
    diagnostics = await async_get_config_entry_diagnostics(hass, front)
    problems = diagnostics["kit"]["malformed_payloads"]
    assert sum(problems.values()) == 3
    assert caplog.text.count("Ignoring a malformed message") == 1  # logged once
    # And after a restart of the front the incident is there, whole.
    await hass.config_entries.async_reload(front.entry_id)
    await hass.async_block_till_done()
    reloaded = front.runtime_data.incidents.book.open_incident
    assert reloaded is not None and len(reloaded.presses) == 1


async def test_a_retained_press_and_three_restarts_make_one_press(
    hass: HomeAssistant, front: MockConfigEntry, kit: aiomqtt.Client
) -> None:
    """Tasmota's ButtonRetain: the live press counts; its retained copy never does."""
    await kit.publish(PANIC, "PRESS", qos=1, retain=True)
    book = front.runtime_data.incidents.book
    await wait_for(hass, lambda: book.open_incident is not None)
    for _ in range(3):  # each reload reconnects and subscribes again: the copy comes
        await hass.config_entries.async_reload(front.entry_id)
        await wait_for(hass, lambda: front.runtime_data.kit.link_up)
        client = front.runtime_data.kit.client
        assert client is not None
        await wait_for(hass, lambda c=client: c.problems[f"{PANIC}:retained"] >= 1)
    incidents = front.runtime_data.incidents.book.all()
    assert [len(incident.presses) for incident in incidents] == [1]


async def test_a_full_disk_refuses_presses_until_space_returns(
    hass: HomeAssistant,
    front: MockConfigEntry,
    kit: aiomqtt.Client,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Disk full: not acknowledged (sent again), the app errs, a repair; space: delivered."""
    incidents = front.runtime_data.incidents
    await call(hass, "trigger", front.entry_id)  # an alarm already open and sent
    await wait_for(hass, lambda: len(receiver.accepted) == 1)
    await incidents.ledger.committer.run(fill_up)
    caplog.set_level(logging.INFO)

    await kit.publish(PANIC, '{"button": "b7", "seq": 7}', qos=1)
    client = front.runtime_data.kit.client
    assert client is not None
    await wait_for(hass, lambda: client.unstored >= 2)  # refused, sent again, refused
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"storage_{FRONT_ID}")
    assert issue is not None and issue.translation_key == "storage_full"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": entity_id(hass, "button", "panic_button")},
            blocking=True,
        )
    assert err.value.translation_key == "storage_failed"
    open_incident = incidents.book.open_incident
    assert open_incident is not None and len(open_incident.presses) == 1
    assert caplog.text.count("Could not write to") == 1  # once per failing streak
    assert caplog.text.count("A press could not be stored") == 1

    await incidents.ledger.committer.run(make_room)
    await wait_for(hass, lambda: "b7" in _devices(receiver), timeout=30)
    open_incident = incidents.book.open_incident
    assert open_incident is not None
    assert [p.key for p in open_incident.presses][1:] == ["b7:7"]  # once, not thrice
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"storage_{FRONT_ID}") is None
    # The police may have the alert before the kit client resumes and logs the recovery.
    await wait_for(hass, lambda: "Presses are stored again" in caplog.text)
    await asyncio.sleep(0.2)
    assert _devices(receiver).count("b7") == 1


async def test_an_adopted_press_waits_for_the_disk(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """An adopted button cannot send its press again: it is retried until stored."""
    hass.states.async_set("binary_sensor.boton", "off", {"friendly_name": "Tienda"})
    entry = await members_front(hass, adopted_buttons=["binary_sensor.boton"])
    incidents = entry.runtime_data.incidents
    await incidents.ledger.committer.run(fill_up)
    hass.states.async_set("binary_sensor.boton", "on", {"friendly_name": "Tienda"})
    await wait_for(hass, lambda: "waits until it can be stored" in caplog.text)
    assert incidents.book.open_incident is None
    await incidents.ledger.committer.run(make_room)
    await wait_for(hass, lambda: incidents.book.open_incident is not None, timeout=15)
    assert incidents.book.open_incident.presses[0].sender.device == "Tienda"
    assert caplog.text.count("waits until it can be stored") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
