"""Duress in a real HA: a resident's silent press leaves no trace a non-admin can read.

Issue #16's acceptance. Luis (a resident) and Ana (the front's coordinator) are non-admin
HA users with persons and companion apps registered through HA's mobile_app API; pushes go
to a real push gateway, and the front's police link to a real signed-JSON receiver, both
on 127.0.0.1. Luis logs in through HA's login flow and opens his own websocket, as the
companion app does: it listens to all a non-admin may (state changes, entity
subscriptions, every allow-listed bus event, the logbook stream, persistent
notifications, his phone's local push channel). Over it he presses silently
(``mi_frente_seguro.trigger``, kind ``silent``).

The police get the alert and Ana's phone the critical notice (and its escalation when the
police do not confirm); Luis's phone gets nothing, and nothing he may ask (states,
history, logbook, repairs) tells of it: not while it is open, not after Ana closes it
(only the police-link diagnostics may catch up then). Then the control: an audible panic
from Luis shows where he looks, so the looking was not blind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from scripts.harness.demo_front import DEMO_FRONT, FRONT_ID
from scripts.harness.ha import prepare_config
from scripts.harness.ha_client import HaClient
from tests.frente.dispatch.receiver import Receiver
from tests.push import PushGateway

from .conftest import ADMIN
from .listeners import CommandError, UserSocket
from .sight import DOMAIN, Front, Watch, eventually

pytestmark = pytest.mark.e2e

QUIET = 3.0  # s: the bounded window in which nothing may arrive
# What may catch up once the duress has ended (docs/incidents.md, "Duress").
POLICE_LINK = ("outbox_depth", "delivery_latency", "dead_letters", "endpoint_problem")


@dataclass
class Resident:
    """A non-admin HA user with a person, a phone and a logged-in client."""

    client: HaClient
    person: str
    token: str  # the phone's push token
    webhook_id: str


@dataclass
class Scene:
    """The front, its police, Luis's and Ana's phones, and Luis's watch."""

    admin: HaClient
    front: Front
    police: Receiver
    gateway: PushGateway
    luis: Resident
    ana: Resident
    watch: Watch

    def police_message(self, kind: str, message_type: str) -> dict[str, Any] | None:
        """Return the first signed police message of ``message_type`` and ``kind``."""
        messages = [json.loads(r.body) for r in self.police.requests if r.verified]
        return next(
            (m for m in messages if (m["type"], m["kind"]) == (message_type, kind)),
            None,
        )


async def call(sock: UserSocket, service: str, entry_id: str, **data: Any) -> str:
    """Call one of our actions over a user's own websocket; return its context id."""
    result = await sock.command(
        "call_service",
        domain=DOMAIN,
        service=service,
        service_data={"config_entry_id": entry_id, **data},
    )
    return str(result["context"]["id"])


async def sign_up(
    admin: HaClient, session: aiohttp.ClientSession, name: str, gateway: PushGateway
) -> Resident:
    """Create a non-admin user and person, log in as them, register their phone."""
    first = name.split(maxsplit=1)[0]
    username, password = first.lower(), f"{first}-secret-pw"
    user_id = await admin.create_user(name, username, password)
    person = await admin.create_person(name, user_id)
    client = HaClient(session, admin.url)
    await client.login(username, password)  # HA's login flow, as the app does
    token, device = f"push-token-{username}", f"Pixel {first}"
    phone = await client.register_phone(device, gateway.url, token)
    tracker = await eventually(lambda: admin.phone_tracker(device))
    await admin.set_person_trackers(person, [tracker])  # how the front finds phones
    return Resident(client, person, token, phone["webhook_id"])


async def reloaded(admin: HaClient, entry_id: str, key: str) -> dict[str, str]:
    """Wait until the front shows the entity of ``key``; return its entities by key.

    A change made while the previous one's reload runs can be missed by it (as
    ``DemoStack`` notes): after 20 s the front is reloaded once more.
    """
    loop = asyncio.get_running_loop()
    reload_at = loop.time() + 20

    async def shown() -> dict[str, str] | None:
        nonlocal reload_at
        if loop.time() > reload_at:
            reload_at += 1000
            url = f"/api/config/config_entries/entry/{entry_id}/reload"
            await admin.rest("POST", url)
        entities = {
            item["unique_id"].removeprefix(f"{FRONT_ID}-"): item["entity_id"]
            for item in await admin.ws("config/entity_registry/list")
            if item["config_entry_id"] == entry_id
        }
        states = {s["entity_id"] for s in await admin.rest("GET", "/api/states")}
        ready = key in entities and entities[key] in states
        return entities if ready and await admin.police_linked(entry_id) else None

    return await eventually(shown, timeout=90)


async def add_front(
    admin: HaClient, police: Receiver, secret: str, luis: Resident, ana: Resident
) -> Front:
    """Add the front, its police link and members; return it once it has reloaded."""
    created = await admin.add_front(DEMO_FRONT)
    entry_id = str(created["result"]["entry_id"])
    police_step = {"police_url": police.url, "police_format": "json"}
    await admin.options_flow(
        entry_id,
        "police",
        {**police_step, "police_secret": secret, "escalation_delay": 10},
    )  # 10 s, the shortest: the duress escalation happens within the test
    await admin.wait_for_police_link(entry_id)
    for member, house, role in (
        (luis, "Casa 12", "resident"),
        (ana, "Casa 3", "coordinator"),
    ):  # one at a time: each member reloads the front
        await admin.add_member(entry_id, member.person, house, "300 111 2233", role)
        entities = await reloaded(admin, entry_id, f"false_alarms-{member.person}")
    devices = [
        device["id"]
        for device in await admin.ws("config/device_registry/list")
        if entry_id in device["config_entries"]
    ]
    return Front(entry_id, entities, devices)


@pytest.fixture
def ha_config(tmp_path: Path) -> Path:
    """HA's configuration with the companion apps (and notify) and repairs loaded."""
    config = tmp_path / "ha"
    prepare_config(config, dict([ADMIN]), extra_yaml="mobile_app:\nrepairs:\n")
    return config


@pytest.fixture
async def scene(socket_enabled: None, ha_client: HaClient) -> AsyncGenerator[Scene]:
    """Set the front up with Luis and Ana; Luis's socket listens to all it may."""
    secret = WebhookSecret.generate().export()
    police, gateway = Receiver([secret]), PushGateway()
    await police.start()
    await gateway.start()
    async with aiohttp.ClientSession() as session:
        luis = await sign_up(ha_client, session, "Luis Gómez", gateway)
        ana = await sign_up(ha_client, session, "Ana Pérez", gateway)
        front = await add_front(ha_client, police, secret, luis, ana)
        sock = await UserSocket(session, ha_client.url, luis.client.token).open()
        watch = Watch(sock, luis.client, ha_client, front)
        try:
            yield Scene(ha_client, front, police, gateway, luis, ana, watch)
        finally:
            await sock.close()
            await luis.client.close()
            await ana.client.close()
            await gateway.stop()
            await police.stop()


async def test_silent_press_leaves_no_trace_a_resident_can_read(scene: Scene) -> None:
    """Luis presses silently from his login: the police and Ana know, nothing else tells."""
    watch, front, luis, ana = scene.watch, scene.front, scene.luis, scene.ana
    for event_type in (f"{DOMAIN}_incident", f"{DOMAIN}_duress", "call_service", None):
        with pytest.raises(CommandError) as refused:  # not for a non-admin
            await watch.sock.subscribe(
                "subscribe_events", **({"event_type": event_type} if event_type else {})
            )
        assert refused.value.code == "unauthorized"
    await watch.listen(luis.webhook_id)
    await watch.start()

    # Luis presses silently, from his own login (as a dashboard card or the app).
    context_id = await call(watch.sock, "trigger", front.entry_id, kind="silent")
    alert = await eventually(lambda: scene.police_message("silent", "incident.created"))
    incident_id = alert["incident_id"]
    assert [(p["kind"], p["sender"]["name"]) for p in alert["presses"]] == [
        ("silent", "Luis Gómez")
    ]
    # Ana's critical notice, then its escalation (the police have not confirmed).
    pushes = await eventually(
        lambda: scene.gateway.to(ana.token)[1:] and scene.gateway.to(ana.token)
    )
    # HA speaks Spanish; the notice names the sender and warns not to call them.
    assert pushes[0]["title"] == "🚨 Pánico silencioso — Calle Real"
    assert pushes[0]["message"].startswith("Luis Gómez (Casa 12)")
    assert "no le llame ni le escriba" in pushes[0]["message"]
    assert pushes[0]["data"]["push"]["interruption-level"] == "critical"
    await asyncio.sleep(QUIET)  # anything on its way has arrived by now
    assert scene.gateway.to(luis.token) == []
    assert await watch.traces(incident_id, context_id) == {}

    # A resident may not end it; the coordinator closes it from her own login.
    with pytest.raises(CommandError) as refused:
        await call(watch.sock, "cancel", front.entry_id, reason="Fue sin querer")
    assert refused.value.code == "service_validation_error"
    sock = watch.sock
    ana_sock = await UserSocket(sock.session, sock.url, ana.client.token).open()
    await call(ana_sock, "close", front.entry_id, note="Todo en orden")
    await ana_sock.close()
    await eventually(lambda: scene.police_message("silent", "incident.closed"))
    await asyncio.sleep(QUIET)
    # Never shown, not after it ends: only the police-link diagnostics may catch up.
    assert scene.gateway.to(luis.token) == []
    assert await watch.traces(incident_id, context_id, POLICE_LINK) == {}

    # The control: an audible panic from Luis shows where he looks.
    await watch.start()
    context_id = await call(watch.sock, "trigger", front.entry_id, kind="panic")
    panic = await eventually(lambda: scene.police_message("panic", "incident.created"))
    await eventually(lambda: watch.heard(panic["incident_id"]))
    shown = await watch.traces(panic["incident_id"], context_id)
    assert {
        "subscriptions",
        "get_states",
        "GET /api/states",
        "history/history_during_period",
        "GET /api/history/period",
        "logbook/get_events",
        "GET /api/logbook",
        "logbook/get_events by the press's context",
    } <= shown.keys()


async def test_police_refusing_a_silent_alert_tells_no_resident(scene: Scene) -> None:
    """The police endpoint answers 410 Gone to the silent alert: still nothing shows."""
    watch, luis = scene.watch, scene.luis
    await watch.listen(luis.webhook_id)
    await watch.start()
    scene.police.plan.append("410")
    context_id = await call(watch.sock, "trigger", scene.front.entry_id, kind="silent")
    alert = await eventually(lambda: scene.police_message("silent", "incident.created"))
    await eventually(lambda: scene.gateway.to(scene.ana.token))  # Ana is told
    await asyncio.sleep(QUIET)
    assert await watch.traces(alert["incident_id"], context_id) == {}
