"""The street kit in HA against a real Mosquitto: presses, siren, supervision, outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import json
from typing import Any

import aiomqtt
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import DOMAIN, EVENT_INCIDENT
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from scripts.harness.mosquitto import Mosquitto

from .const import FRONT_ID
from .frente.kit.test_protocol import fuzz_payloads
from .helpers import call, entity_id, kit_front_entry, set_up, state_of, wait_for
from .logs import problems

BASE = f"mfs/{FRONT_ID}"


class Kit:
    """The street kit, played by an MQTT client: publishes presses, hears siren commands."""

    def __init__(self, client: aiomqtt.Client) -> None:
        """Use a connected client."""
        self.client = client
        self.commands: list[dict[str, Any]] = []

    async def publish(self, topic: str, payload: str, retain: bool = False) -> None:
        """Publish under the front's base topic, QoS 1."""
        await self.client.publish(f"{BASE}/{topic}", payload, qos=1, retain=retain)

    async def listen(self) -> None:
        """Record every siren command."""
        async for message in self.client.messages:
            assert isinstance(message.payload, bytes)
            self.commands.append(json.loads(message.payload))


@pytest.fixture
async def kit(broker: Mosquitto) -> AsyncGenerator[Kit]:
    """Connect the simulated kit to the broker and listen for siren commands."""
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="kit-sim") as client:
        await client.subscribe(f"{BASE}/siren/set", qos=1)
        simulated = Kit(client)
        listener = asyncio.create_task(simulated.listen())
        await simulated.publish("availability", "online", retain=True)
        yield simulated
        listener.cancel()


@pytest.fixture
async def kit_entry(
    hass: HomeAssistant, broker: Mosquitto, kit: Kit
) -> AsyncGenerator[MockConfigEntry]:
    """Return a front whose kit talks to the real broker, loaded and linked."""
    # Short times so the test waits on the real clock (1 s siren, 1 s keepalive).
    entry = kit_front_entry(broker.port, siren_duration=1, kit_keepalive=1)
    yield await set_up(hass, entry, lambda front: front.runtime_data.kit.available)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_press_opens_incident_and_sounds_siren(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry
) -> None:
    """Physical press -> incident + siren ON for the configured time -> siren OFF."""
    incident_events = async_capture_events(hass, EVENT_INCIDENT)
    await kit.publish("panic", '{"button": "b1", "seq": 17, "kind": "panic"}')
    await wait_for(hass, lambda: kit.commands)
    assert kit.commands[0] == {"state": "ON", "duration": 1, "tone": "alarm"}
    incident = kit_entry.runtime_data.incidents.book.open_incident
    assert incident is not None
    assert incident.source.value == "physical_button"
    assert incident.presses[0].key == "b1:17"
    kit_button = state_of(hass, "event", "kit-button")
    assert kit_button.attributes["button"] == "b1"
    # One context covers the press: the incident change and the kit's press event.
    (opened,) = incident_events
    assert kit_button.context is opened.context
    assert state_of(hass, "sensor", "incident").context is opened.context

    # The siren entity shows what the kit reports, not what we asked for.
    assert state_of(hass, "siren", "kit-siren").state == "unknown"
    await kit.publish("siren/state", "ON", retain=True)
    await wait_for(hass, lambda: state_of(hass, "siren", "kit-siren").state == "on")

    await wait_for(hass, lambda: len(kit.commands) == 2)  # after the 1 s duration
    assert kit.commands[1] == {"state": "OFF"}


async def test_medical_and_fire_presses_sound_their_own_tones(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry
) -> None:
    """Kit protocol 2: a medical press sounds the medical tone; a fire joining, fire."""
    await kit.publish("panic", '{"button": "b1", "seq": 1, "kind": "medical"}')
    await wait_for(hass, lambda: kit.commands)
    assert kit.commands[0] == {
        "state": "ON",
        "duration": 1,
        "tone": "medical",
        "emergency": "medical",
    }
    incident = kit_entry.runtime_data.incidents.book.open_incident
    assert incident is not None
    assert incident.presses[0].kind.value == "panic"
    assert state_of(hass, "event", "kit-button").attributes["event_type"] == "medical"
    await kit.publish("panic", '{"button": "b2", "seq": 1, "kind": "fire"}')
    await wait_for(
        hass, lambda: any(item.get("tone") == "fire" for item in kit.commands)
    )
    incident = kit_entry.runtime_data.incidents.book.open_incident
    assert incident is not None
    assert [item.value for item in incident.emergencies] == ["medical", "fire"]


@pytest.mark.parametrize("kind", ["silent"])
async def test_silent_press_no_siren(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry, kind: str
) -> None:
    """A duress press opens an incident and the siren stays quiet."""
    await kit.publish("panic", json.dumps({"button": "b1", "seq": 1, "kind": kind}))
    await wait_for(hass, lambda: kit_entry.runtime_data.incidents.book.open_incident)
    await kit.publish("panic", '{"button": "b9", "seq": 1, "kind": "silent"}')
    await wait_for(
        hass,
        lambda: len(kit_entry.runtime_data.incidents.book.open_incident.presses) == 2,
    )
    await asyncio.sleep(0.2)
    assert kit.commands == []
    # Duress: neither press event shows it (docs/incidents.md).
    assert state_of(hass, "event", "kit-button").state == "unknown"
    assert state_of(hass, "event", "press").state == "unknown"


async def test_drill_no_siren_and_cancel_silences(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry
) -> None:
    """A drill never sounds the siren; cancelling a panic turns it off at once."""
    await call(hass, "trigger", kit_entry.entry_id, kind="drill")
    await asyncio.sleep(0.2)
    assert kit.commands == []
    await call(hass, "trigger", kit_entry.entry_id, kind="panic")  # upgrades the drill
    await wait_for(hass, lambda: kit.commands)
    assert kit.commands[-1]["state"] == "ON"
    await call(hass, "cancel", kit_entry.entry_id, reason="prueba")
    await wait_for(hass, lambda: kit.commands[-1] == {"state": "OFF"})


async def test_duplicate_sequence_counts_once(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry
) -> None:
    """The same button and seq twice (QoS 1 redelivery) is one press."""
    for _ in range(2):
        await kit.publish("panic", '{"button": "b1", "seq": 42}')
    await kit.publish("panic", '{"button": "b1", "seq": 43}')
    book = kit_entry.runtime_data.incidents.book
    await wait_for(
        hass, lambda: book.open_incident and len(book.open_incident.presses) == 2
    )
    await asyncio.sleep(0.1)
    assert [p.key for p in book.open_incident.presses] == ["b1:42", "b1:43"]


async def test_broker_outage(
    hass: HomeAssistant,
    broker: Mosquitto,
    kit_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Broker down: entities unavailable, one log line; back: presses sent meanwhile arrive."""
    await broker.stop()
    await wait_for(hass, lambda: not kit_entry.runtime_data.kit.link_up)
    assert state_of(hass, "siren", "kit-siren").state == "unavailable"
    assert state_of(hass, "binary_sensor", "kit-connectivity").state == "unavailable"
    assert caplog.text.count("Lost the MQTT link of Calle Real") == 1
    # The app keeps working while the kit is away.
    assert await call(hass, "trigger", kit_entry.entry_id, kind="silent")

    await broker.start()
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="kit-again") as kit:
        await kit.publish(f"{BASE}/availability", "online", qos=1, retain=True)
        await kit.publish(f"{BASE}/panic", '{"button": "b1", "seq": 77}', qos=1)
    book = kit_entry.runtime_data.incidents.book
    await wait_for(
        hass,
        lambda: any(p.key == "b1:77" for p in book.open_incident.presses),
        timeout=40,
    )
    await wait_for(hass, lambda: kit_entry.runtime_data.kit.available)
    assert state_of(hass, "binary_sensor", "kit-connectivity").state == "on"
    assert caplog.text.count("MQTT link of Calle Real is up") == 1  # since the drop


async def test_telemetry_and_offline_repair(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry
) -> None:
    """Battery and tamper show; offline past 1.5 x keepalive raises a repair issue."""
    await kit.publish("telemetry", '{"battery": 87, "tamper": true, "rssi": -61}')
    await wait_for(hass, lambda: state_of(hass, "sensor", "kit-battery").state == "87")
    assert state_of(hass, "binary_sensor", "kit-tamper").state == "on"

    await kit.publish("availability", "offline", retain=True)
    await wait_for(
        hass, lambda: state_of(hass, "sensor", "kit-battery").state == "unavailable"
    )
    assert state_of(hass, "binary_sensor", "kit-connectivity").state == "off"
    issues = ir.async_get(hass)
    issue_id = f"kit_offline_{FRONT_ID}"
    assert issues.async_get_issue(DOMAIN, issue_id) is None  # not before 1.5 s
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id))
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"front": "Calle Real", "seconds": "2"}

    await kit.publish("availability", "online", retain=True)
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id) is None)


async def test_fuzzed_payloads_open_nothing(
    hass: HomeAssistant, kit: Kit, kit_entry: MockConfigEntry
) -> None:
    """200+ generated bad payloads through the real broker: no crash, no incident."""
    from .frente.kit.test_protocol import is_valid_press

    bad = [payload for payload in fuzz_payloads(400) if not is_valid_press(payload)]
    assert len(bad) >= 200
    for payload in bad:
        await kit.client.publish(f"{BASE}/panic", payload, qos=1)
    await kit.publish("telemetry", '{"battery": 50}')  # a marker after the junk
    await wait_for(
        hass, lambda: state_of(hass, "sensor", "kit-battery").state == "50", timeout=20
    )
    incidents = kit_entry.runtime_data.incidents
    assert incidents.book.open_incident is None
    assert incidents.book.history == type(incidents.book.history)()
    assert kit_entry.runtime_data.kit.client is not None
    assert sum(kit_entry.runtime_data.kit.client.problems.values()) == len(bad)
    assert kit_entry.runtime_data.kit.link_up


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, auth_broker: Mosquitto
) -> None:
    """A refused password keeps the front loaded and asks the user to re-authenticate."""
    entry = await set_up(
        hass,
        kit_front_entry(auth_broker.port, "kit", "wrong"),
        lambda _: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
    )
    # The alarm path still works without the kit.
    response = await call(hass, "trigger", entry.entry_id)
    assert response is not None
    assert response["opened"] is True
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reload_stops_the_link_without_errors(
    hass: HomeAssistant, kit_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Reloading a front (every options change does) logs no lost link and no error."""
    caplog.clear()
    assert await hass.config_entries.async_reload(kit_entry.entry_id)
    await wait_for(hass, lambda: kit_entry.runtime_data.kit.available)
    # Reload again at once, while the new link may still be connecting.
    assert await hass.config_entries.async_reload(kit_entry.entry_id)
    await wait_for(hass, lambda: kit_entry.runtime_data.kit.available)
    assert not problems(caplog.records)


async def test_only_a_coordinator_silences_the_siren_during_a_panic(
    hass: HomeAssistant,
    kit: Kit,
    kit_entry: MockConfigEntry,
    people: dict[str, MockUser],
) -> None:
    """Luis (a resident) cannot turn the siren off in a panic; Ana (coordinator) can."""
    hass.config_entries.async_update_entry(
        kit_entry, options={**kit_entry.options, "siren_duration": 600}
    )
    await hass.async_block_till_done()  # the front reloads with the long siren
    await wait_for(hass, lambda: kit_entry.runtime_data.kit.available)
    await kit.publish("panic", '{"button": "b1", "seq": 1, "kind": "panic"}')
    await wait_for(hass, lambda: kit.commands)
    siren = entity_id(hass, "siren", "kit-siren")

    async def turn_off(who: str) -> None:
        await hass.services.async_call(
            "siren",
            "turn_off",
            {"entity_id": siren},
            blocking=True,
            context=Context(user_id=people[who].id),
        )

    with pytest.raises(ServiceValidationError) as err:
        await turn_off("luis")
    assert err.value.translation_key == "not_allowed"
    # Refused before any command: nothing is on its way to the kit.
    assert kit.commands == [{"state": "ON", "duration": 600, "tone": "alarm"}]
    await turn_off("ana")
    await wait_for(hass, lambda: len(kit.commands) == 2)
    assert kit.commands[1] == {"state": "OFF"}
