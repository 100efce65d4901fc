"""The city uplink in HA: a front no one can call receives police answers over the broker.

A real Mosquitto on 127.0.0.1 stands for the city broker; the front has no status webhook
(no inbound call is possible); the police side publishes signed answers to the front's
answers topic, as the console does.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
from typing import Any

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.mi_frente_seguro.frente.incident import IncidentState
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from scripts.harness.mosquitto import Mosquitto

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID
from .helpers import call, front_entry, wait_for
from .police import NOWHERE, SECRET, police_front

ANSWERS = f"cartagena/fronts/{FRONT_ID}/answers"


def uplink(broker: Mosquitto, **changes: Any) -> dict[str, Any]:
    """Return ``city_uplink`` options for the test broker (plain TCP on loopback)."""
    return {"host": "127.0.0.1", "port": broker.port, "tls": False,
            "topic_prefix": "cartagena", **changes}  # fmt: skip


async def police_says(
    broker: Mosquitto, incident_id: str, status: str, webhook_id: str, **fields: Any
) -> None:
    """Publish one signed answer to the front's topic, as the console would."""
    body = json.dumps(
        {"version": "1", "incident_id": incident_id, "status": status, **fields}
    )
    now = datetime.now(UTC)
    properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    properties.UserProperty = [
        ("webhook-id", webhook_id),
        ("webhook-timestamp", str(int(now.timestamp()))),
        ("webhook-signature", Webhook(SECRET).sign(webhook_id, now, body)),
    ]
    async with aiomqtt.Client(
        "127.0.0.1", broker.port, identifier="consola-test",
        protocol=aiomqtt.ProtocolVersion.V5,
    ) as police:  # fmt: skip
        await police.publish(ANSWERS, body.encode(), qos=1, properties=properties)


def state(entry: Any, incident_id: str) -> IncidentState:
    """Return the incident's state in the front's book."""
    return entry.runtime_data.incidents.book.get(incident_id).state  # type: ignore[no-any-return]


async def test_answers_reach_a_front_behind_nat_and_survive_a_broker_restart(
    hass: HomeAssistant, broker: Mosquitto
) -> None:
    """No webhook: answers come over the broker, also those sent while front and broker were down."""
    entry = await police_front(
        hass, NOWHERE, police_webhook_id="", city_uplink=uplink(broker)
    )
    runtime = entry.runtime_data
    assert runtime.dispatch.settings.webhook_id is None  # nothing to call from outside
    assert runtime.uplink is not None
    assert await runtime.uplink.link.wait_connected(10)
    opened = await call(hass, "trigger", entry.entry_id)
    assert opened is not None
    incident_id = str(opened["incident_id"])
    await police_says(broker, incident_id, "received", "ans-1")
    await wait_for(hass, lambda: state(entry, incident_id) is IncidentState.RECEIVED)
    # HA goes away; the police answer; the broker restarts; HA comes back.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await police_says(
        broker, incident_id, "dispatched", "ans-2", unit="Patrulla 12", eta_minutes=6
    )
    await police_says(
        broker, incident_id, "dispatched", "ans-2", unit="Patrulla 12", eta_minutes=6
    )
    await broker.stop()
    await broker.start()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: state(entry, incident_id) is IncidentState.DISPATCHED)
    runtime = entry.runtime_data
    step = runtime.incidents.book.get(incident_id).transitions[-1]
    assert step.details == {"unit": "Patrulla 12", "eta_minutes": 6}
    assert runtime.uplink is not None
    await wait_for(hass, lambda: runtime.dispatch.refused["replayed"] == 1)
    assert runtime.uplink.applied == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_forged_answer_is_refused_and_counted(
    hass: HomeAssistant, broker: Mosquitto
) -> None:
    """An unsigned answer changes nothing and is counted; diagnostics hide the login."""
    entry = await police_front(
        hass, NOWHERE, police_webhook_id="",
        city_uplink=uplink(broker, username="front", password="s3cret-uplink"),
    )  # fmt: skip
    runtime = entry.runtime_data
    assert runtime.uplink is not None and await runtime.uplink.link.wait_connected(10)
    async with aiomqtt.Client(
        "127.0.0.1", broker.port, protocol=aiomqtt.ProtocolVersion.V5
    ) as other:
        await other.publish(ANSWERS, b'{"version": "1"}', qos=1)
    await wait_for(hass, lambda: runtime.dispatch.refused["unsigned"] == 1)
    found = await async_get_config_entry_diagnostics(hass, entry)
    assert found["uplink"]["connected"] is True
    assert found["uplink"]["endpoint"].startswith("mqtt://127.0.0.1:")
    assert found["entry"]["options"]["city_uplink"]["password"] == "**REDACTED**"
    assert "s3cret-uplink" not in str(found)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_hostile_or_unusable_settings_stop_the_set_up(
    hass: HomeAssistant, broker: Mosquitto
) -> None:
    """Bad ``city_uplink`` settings, missing TLS files or no secret: a set-up error."""
    for options in (
        {"city_uplink": uplink(broker, topic_prefix="city/#"), "police_secret": SECRET},
        {"city_uplink": uplink(broker, tls=True, cert_file="/nonexistent.pem",
                               key_file="/nonexistent.key"), "police_secret": SECRET},
        {"city_uplink": uplink(broker)},
    ):  # fmt: skip
        entry = front_entry(data=dict(ENTRY_DATA), options={**ENTRY_OPTIONS, **options})
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_ERROR
        await asyncio.sleep(0)


async def test_alerts_leave_over_the_city_broker_from_their_own_queue(
    hass: HomeAssistant, broker: Mosquitto
) -> None:
    """The ``city`` destination: signed alerts on the alerts topic, HTTP down or not."""
    alerts = f"cartagena/fronts/{FRONT_ID}/alerts"
    async with aiomqtt.Client(
        "127.0.0.1", broker.port, identifier="consola-alerts",
        protocol=aiomqtt.ProtocolVersion.V5,
    ) as consola:  # fmt: skip
        await consola.subscribe(alerts, qos=1)
        entry = await police_front(
            hass, NOWHERE, police_webhook_id="", city_uplink=uplink(broker)
        )
        runtime = entry.runtime_data
        assert runtime.uplink is not None
        assert await runtime.uplink.link.wait_connected(10)
        opened = await call(hass, "trigger", entry.entry_id)
        assert opened is not None
        async with asyncio.timeout(20):
            message = await anext(aiomqtt_messages(consola))
        headers = dict(message.properties.UserProperty)
        body = bytes(message.payload)
        verified = Webhook(SECRET).verify(body, headers)  # the independent library
        assert verified["type"] == "incident.created"
        assert verified["incident_id"] == opened["incident_id"]
        assert headers["webhook-id"]
        # The police's HTTP endpoint is down; the city broker took the alert: sent.
        await wait_for(
            hass,
            lambda: state(entry, str(opened["incident_id"])) is IncidentState.SENT,
        )
        found = await async_get_config_entry_diagnostics(hass, entry)
        (city,) = [d for d in found["destinations"] if d["id"] == "city"]
        assert city["endpoint"] == f"mqtt://127.0.0.1:{broker.port}/{alerts}"
        assert city["depth"] == 0
        assert await hass.config_entries.async_unload(entry.entry_id)


def aiomqtt_messages(client: aiomqtt.Client) -> Any:
    """Return the client's incoming messages (an async iterator)."""
    return aiter(client.messages)
