"""The police learn when a front goes deaf (issue 17 part 5), in HA, with real parts.

A real Mosquitto (the kit's broker and the city broker), the kit simulator as a real
process with a 1 s keepalive and its last will (killed with SIGKILL: the broker gives
up on it), the JSON and CAP receivers on 127.0.0.1, the unmodified pysiaalarm receiver,
a real notify service of HA for the cuadrante's phone and a subscriber on the city
broker. Killing the kit link past its keepalive sends a trouble message to every
destination, a restart while it is still down sends none again, and its return sends
the restore everywhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import json
from pathlib import Path
import sys
from typing import Any
from xml.etree import ElementTree as ET

import aiomqtt
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from custom_components.mi_frente_seguro.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from scripts.harness.mosquitto import Mosquitto
from scripts.harness.process import ManagedProcess

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, broker_data
from .frente.dispatch.receiver import Receiver
from .frente.dispatch.sia.conftest import AES_128, PysiaReceiver, pysia_receiver
from .helpers import call, front_entry, wait_for
from .police import SECRET
from .test_destinations import ACCOUNT, destination, phone_service
from .test_uplink import uplink

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
CITY_ALERTS = f"cartagena/fronts/{FRONT_ID}/alerts"
ISSUE = f"front_deaf_{FRONT_ID}_kit"


def street_kit(broker: Mosquitto, folder: Path) -> ManagedProcess:
    """Return the kit simulator as a process: keepalive 1 s, last will ``offline``."""
    return ManagedProcess(
        "kit",
        folder / "kit.log",
        [sys.executable, "-m", "scripts.harness.kit_simulator", "--front", FRONT_ID,
         "--port", str(broker.port), "--keepalive", "1", "--exit", "--linger", "600"],
        ready_line="online at",
    )  # fmt: skip


class City:
    """What the city broker carried on the front's alerts topic."""

    def __init__(self) -> None:
        """Start with nothing heard."""
        self.messages: list[dict[str, Any]] = []

    async def listen(self, client: aiomqtt.Client) -> None:
        """Record every message published to the alerts topic."""
        async for message in client.messages:
            assert isinstance(message.payload, bytes)
            self.messages.append(json.loads(message.payload))


@pytest.fixture
async def city(broker: Mosquitto) -> AsyncGenerator[City]:
    """Subscribe to the front's alerts topic on the city broker (before the front)."""
    heard = City()
    async with aiomqtt.Client(
        "127.0.0.1", broker.port, identifier="city-police",
        protocol=aiomqtt.ProtocolVersion.V5,
    ) as client:  # fmt: skip
        await client.subscribe(CITY_ALERTS, qos=1)
        listener = asyncio.create_task(heard.listen(client))
        yield heard
        listener.cancel()


def front(
    broker: Mosquitto, json_url: str, cap_url: str, sia_port: int
) -> MockConfigEntry:
    """Return the front: kit on the broker, JSON, CAP, SIA, phone and city destinations."""
    return front_entry(
        data={**ENTRY_DATA, **broker_data(broker.port)},
        options={**ENTRY_OPTIONS, "kit_keepalive": 1, "escalation_delay": 60,
                 "police_webhook_id": "", "city_uplink": uplink(broker)},
        minor_version=2,
        subentries_data=[
            destination("json", "Policía", destination_id="police",
                        police_url=json_url, police_secret=SECRET),
            destination("cap", "Centro CAP", police_url=cap_url, police_secret=SECRET),
            destination("sia", "Monitoreo", sia_host="127.0.0.1", sia_port=sia_port,
                        sia_account=ACCOUNT, sia_key=AES_128, sia_key_format="text",
                        sia_protocol="tcp", sia_content="SIA-DCS",
                        sia_link_test_interval=300),
            destination("phone", "Cuadrante", phone_target="notify.cuadrante"),
        ],
    )  # fmt: skip


def bodies(receiver: Receiver, kind: str) -> list[dict[str, Any]]:
    """Return the verified JSON bodies of type ``kind`` the receiver took, once each."""
    found: dict[str, dict[str, Any]] = {}
    for request in receiver.requests:
        if request.verified and request.answer == "200":
            body = json.loads(request.body)
            if body.get("type") == kind:
                found.setdefault(body["id"], body)
    return list(found.values())


def caps(receiver: Receiver, message_type: str) -> list[ET.Element]:
    """Return the verified CAP alerts whose ``message_type`` parameter is given."""
    alerts: dict[str, ET.Element] = {}
    for request in receiver.requests:
        if not request.verified:
            continue
        alert = ET.fromstring(request.body)  # noqa: S314  (our own test receiver's bytes)
        for parameter in alert.iter(f"{CAP}parameter"):
            if parameter.findtext(f"{CAP}value") == message_type:
                alerts[alert.findtext(f"{CAP}identifier") or ""] = alert
    return list(alerts.values())


async def sia_codes(sia: PysiaReceiver, wanted: str, codes: list[str]) -> None:
    """Read the receiver's events into ``codes`` until ``wanted`` arrives (zone 001)."""
    while wanted not in codes:
        event = await sia.next_event()
        codes.append(str(event.code))
        if event.code == wanted:  # SIA-DCS: area 1, the kit's zone
            assert (event.account, event.ri, event.message) == (ACCOUNT, "1", "001")


async def test_killing_the_kit_link_tells_every_destination_and_its_return_too(
    hass: HomeAssistant,
    broker: Mosquitto,
    receiver: Receiver,
    city: City,
    tmp_path: Path,
) -> None:
    """The acceptance of issue 17 part 5: trouble everywhere, once; restore everywhere."""
    calls = phone_service(hass)
    cap_receiver = Receiver([SECRET])
    await cap_receiver.start()
    kit = street_kit(broker, tmp_path)
    await kit.start()
    sia_seen: list[str] = []
    async with pysia_receiver(AES_128) as sia:
        entry = front(broker, receiver.url, cap_receiver.url, sia.port)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await wait_for(hass, lambda: entry.runtime_data.kit.available)
        issues = ir.async_get(hass)

        kit.kill()  # the kit's link dies: no DISCONNECT, the broker waits 1.5 x keepalive
        await kit.wait()
        await wait_for(hass, lambda: bodies(receiver, "front.trouble"), timeout=20)
        (trouble,) = bodies(receiver, "front.trouble")
        assert trouble["device"] == {
            "kind": "kit",
            "id": "kit",
            "name": "Kit de la calle",
        }
        assert trouble["version"] == "1" and trouble["exercise"] is False
        assert trouble["front"]["id"] == FRONT_ID
        assert trouble["supervision_s"] == 1.5
        await wait_for(hass, lambda: caps(cap_receiver, "front.trouble"))
        (alert,) = caps(cap_receiver, "front.trouble")
        assert alert.findtext(f"{CAP}msgType") == "Alert"
        assert alert.findtext(f"{CAP}status") == "Actual"
        assert alert.findtext(f"{CAP}identifier") == trouble["id"]  # one id everywhere
        await sia_codes(sia, "ET", sia_seen)  # expansion trouble, zone 001: the kit
        await wait_for(hass, lambda: calls)
        assert (
            calls[0].data["message"].startswith("FRENTE SIN SUPERVISIÓN - Calle Real")
        )
        assert "kit de la calle" in calls[0].data["message"]
        await wait_for(
            hass, lambda: [m for m in city.messages if m["type"] == "front.trouble"]
        )
        assert issues.async_get_issue(DOMAIN, ISSUE) is not None

        # HA restarts while the kit is still down: it told the police already.
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert await hass.config_entries.async_setup(entry.entry_id)
        runtime = entry.runtime_data
        troubles = runtime.trouble.troubles
        assert set(troubles.reported) == {"kit"}  # read from the front's file
        shown = await async_get_config_entry_diagnostics(hass, entry)
        assert shown["troubles"]["kit"]["message_id"] == trouble["id"]
        await wait_for(hass, lambda: runtime.kit.kit_online is False)  # retained will
        down = troubles.watch.down_since["kit"][1]
        supervision = troubles.watch.supervision
        await wait_for(hass, lambda: dt_util.now() >= down + supervision)
        troubles.check()  # past the supervision time again: nothing is due
        await troubles.settled()
        assert issues.async_get_issue(DOMAIN, ISSUE) is not None

        # A real alarm meanwhile still reaches the police before anything else.
        await call(hass, "trigger", entry.entry_id, note="Robo")
        await wait_for(hass, lambda: bodies(receiver, "incident.created"))

        await kit.start()  # the kit is back: retained "online"
        await wait_for(hass, lambda: bodies(receiver, "front.restore"), timeout=20)
        (restore,) = bodies(receiver, "front.restore")
        assert restore["references"]["id"] == trouble["id"]
        assert restore["since"] == trouble["since"]
        assert restore["down_s"] >= 1
        await wait_for(hass, lambda: caps(cap_receiver, "front.restore"))
        (cap_restore,) = caps(cap_receiver, "front.restore")
        assert cap_restore.findtext(f"{CAP}msgType") == "Update"
        assert trouble["id"] in (cap_restore.findtext(f"{CAP}references") or "")
        await sia_codes(sia, "ER", sia_seen)
        await wait_for(hass, lambda: any(
            c.data["message"].startswith("RESTABLECIDO") for c in calls
        ))  # fmt: skip
        await wait_for(
            hass, lambda: [m for m in city.messages if m["type"] == "front.restore"]
        )
        await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, ISSUE) is None)
        assert troubles.reported == {}

        # Once each: the restart sent no second trouble anywhere.
        assert len(bodies(receiver, "front.trouble")) == 1
        assert len(caps(cap_receiver, "front.trouble")) == 1
        assert sia_seen.count("ET") == 1 and sia_seen.count("ER") == 1
        texts = [c.data["message"] for c in calls]
        assert sum(t.startswith("FRENTE SIN SUPERVISIÓN") for t in texts) == 1
        city_types = [
            m["type"] for m in city.messages if m["type"].startswith("front.")
        ]
        assert city_types == ["front.trouble", "front.restore"]
        assert await hass.config_entries.async_unload(entry.entry_id)
    await kit.stop()
    await cap_receiver.stop()
