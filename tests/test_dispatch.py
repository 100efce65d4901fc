"""The police link in HA: signed alerts to a real receiver, status webhook, escalation."""

from __future__ import annotations

import json
import time

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_test_home_assistant,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .const import FRONT_ID
from .frente.dispatch.receiver import Receiver
from .helpers import call, options_step, refused_then_saved, state_of, wait_for
from .police import (
    SECRET,
    WEBHOOK_ID,
    Alarm,
    link_of,
    police_front,
    signed,
    unconfirmed_front,
)


async def test_press_reaches_the_police_signed_and_marks_sent(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """A press: signed incident.created at the receiver, then the incident is 'sent'."""
    entry = await police_front(hass, receiver.url)
    response = await call(hass, "trigger", entry.entry_id, note="Robo en curso")
    assert response is not None
    await wait_for(hass, lambda: receiver.accepted)
    request = receiver.requests[0]
    assert request.verified
    message = json.loads(request.body)
    assert message["type"] == "incident.created"
    assert message["incident_id"] == response["incident_id"]
    assert message["front"]["cuadrante"]["code"] == "MECAR-E1-C3"
    assert message["exercise"] is False
    await wait_for(hass, lambda: state_of(hass, "sensor", "incident").state == "sent")
    assert state_of(hass, "sensor", "outbox_depth").state == "0"
    assert state_of(hass, "binary_sensor", "endpoint_problem").state == "off"
    await call(hass, "cancel", entry.entry_id, reason="Falsa alarma")
    await wait_for(hass, lambda: len(receiver.accepted) == 2)
    assert json.loads(receiver.requests[-1].body)["type"] == "incident.cancelled"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_alert_is_queued_before_the_change_is_announced(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """The police message is on disk before events and entities hear of the change.

    So the alert leaves while the event loop is still free of that work (the benchmark's
    press -> police figure halved when this order was introduced).
    """
    entry = await police_front(hass, receiver.url)
    outbox = entry.runtime_data.dispatch.outbox
    assert outbox is not None
    queued_when_told: dict[str, int] = {}

    def told(event: Event) -> None:
        # Committed messages wait in the queue until delivered (and none was yet).
        queued_when_told.setdefault(event.data["change"], outbox.depth)

    hass.bus.async_listen("mi_frente_seguro_incident", told)
    await call(hass, "trigger", entry.entry_id)
    await wait_for(hass, lambda: receiver.accepted)
    assert queued_when_told["opened"] == 1
    await wait_for(hass, lambda: outbox.depth == 0)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_drained_backlog_refreshes_the_entities_once_a_second(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """Delivering a backlog does not write the outbox sensor once per message."""
    await receiver.stop()  # the police endpoint is down
    entry = await police_front(hass, receiver.url)
    for _ in range(10):
        await call(hass, "trigger", entry.entry_id)
        await call(hass, "cancel", entry.entry_id, reason="Falsa alarma")
    depth = state_of(hass, "sensor", "outbox_depth").entity_id
    await wait_for(hass, lambda: hass.states.get(depth).state == "20")
    writes = async_capture_events(hass, EVENT_STATE_CHANGED)
    await receiver.start()
    await wait_for(hass, lambda: len(receiver.accepted) == 20)
    await wait_for(hass, lambda: hass.states.get(depth).state == "0")
    depth_writes = [e for e in writes if e.data["entity_id"] == depth]
    assert 1 <= len(depth_writes) <= 4  # 20 deliveries, at most about one a second
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_status_webhook(hass: HomeAssistant, alarm: Alarm) -> None:
    """Valid 'dispatched' shows unit and ETA; forged, stale, replayed, bad: 4xx, no change."""
    incident_id = alarm.incident_id
    url = f"/api/webhook/{WEBHOOK_ID}"
    update = json.dumps(
        {"version": "1", "incident_id": incident_id, "status": "dispatched",
         "unit": "MECAR-12", "eta_minutes": 4}
    ).encode()  # fmt: skip

    async def post(body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        response = await alarm.client.post(url, data=body, headers=headers)
        return response.status, await response.json()

    forged = {**signed(update), "webhook-signature": "v1,AAAA"}
    assert (await post(update, forged))[0] == 401
    stale = signed(update, msg_id="old", at=time.time() - 120)
    assert (await post(update, stale))[0] == 401
    unsigned = {"content-type": "application/json"}
    assert (await post(update, unsigned))[0] == 401
    bad = b'{"status": 7}'
    assert (await post(bad, signed(bad, msg_id="bad")))[0] == 400
    unknown = update.replace(incident_id.encode(), b"01NOTANINCIDENT0000000000")
    assert (await post(unknown, signed(unknown, msg_id="unk")))[0] == 404
    assert state_of(hass, "sensor", "incident").state in ("triggered", "sent")

    status, body = await post(update, signed(update, msg_id="ok-1"))
    assert (status, body) == (200, {"status": "stored"})
    incident = state_of(hass, "sensor", "incident")
    assert incident.state == "dispatched"
    assert (incident.attributes["unit"], incident.attributes["eta_minutes"]) == (
        "MECAR-12",
        4,
    )
    assert state_of(hass, "sensor", "police_status").state == "dispatched"
    # The same signed request again is a replay.
    assert (await post(update, signed(update, msg_id="ok-1")))[0] == 409
    # Going back is refused and changes nothing.
    back = update.replace(b'"dispatched"', b'"received"')
    assert (await post(back, signed(back, msg_id="back")))[0] == 409
    assert state_of(hass, "sensor", "incident").state == "dispatched"


async def test_a_signed_police_call_retries_waiting_alerts_at_once(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A verified status call means the police system is up: the outbox tries now.

    A forged call proves nothing and does not touch the outbox.
    """
    entry = await police_front(hass, receiver.url)
    outbox = entry.runtime_data.dispatch.outbox
    assert outbox is not None
    kicks: list[bool] = []
    retry_now = outbox.retry_now
    monkeypatch.setattr(outbox, "retry_now", lambda: (kicks.append(True), retry_now()))
    client = await hass_client_no_auth()
    update = json.dumps(
        {
            "version": "1",
            "incident_id": "01NOTANINCIDENT0000000000",
            "status": "received",
        }
    ).encode()
    forged = {**signed(update), "webhook-signature": "v1,AAAA"}
    response = await client.post(
        f"/api/webhook/{WEBHOOK_ID}", data=update, headers=forged
    )
    assert response.status == 401
    assert kicks == []
    response = await client.post(
        f"/api/webhook/{WEBHOOK_ID}", data=update, headers=signed(update, msg_id="k-1")
    )
    assert response.status == 404  # signed, about no incident of ours: still a sign
    assert kicks == [True]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_escalation_when_police_do_not_confirm(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """No 'received' within the delay: mi_frente_seguro_escalation with the quadrant phone."""
    entry, events = await unconfirmed_front(hass, escalation_delay=1)
    await call(hass, "trigger", entry.entry_id)
    await wait_for(hass, lambda: events, timeout=5)
    assert events[0].data["cuadrante_phone"] == "+573001234567"
    assert events[0].data["front_id"] == FRONT_ID
    assert state_of(hass, "sensor", "outbox_depth").state == "1"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_police_options_generate_a_secret_shown_once(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An empty secret is generated and shown once; then kept when left empty."""
    result = await options_step(hass, init_integration, "police")
    form = {"police_url": "ftp://x", "police_format": "cap", "escalation_delay": 60}
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["errors"] == {"police_url": "invalid_police_url"}
    form["police_url"] = "https://cuadrante.example/alerts"
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["step_id"] == "police_secret"
    secret = result["description_placeholders"]["secret"]
    assert WebhookSecret.parse(secret)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    options = link_of(init_integration)  # the police link is a destination subentry
    assert options["police_secret"] == secret
    assert options["police_webhook_id"]
    assert options["police_format"] == "cap"
    await hass.config_entries.async_unload(init_integration.entry_id)


async def test_pending_alerts_survive_an_ha_restart(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """Receiver down; HA stops with alerts queued; a new HA delivers them, in order."""
    await receiver.stop()
    entry = await police_front(hass, receiver.url)
    first = await call(hass, "trigger", entry.entry_id)
    await call(hass, "cancel", entry.entry_id, reason="prueba")
    assert first is not None
    await wait_for(hass, lambda: state_of(hass, "sensor", "outbox_depth").state == "2")
    config_dir = hass.config.config_dir
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_stop()
    await receiver.start()

    async with async_test_home_assistant(config_dir=config_dir) as hass2:
        hass2.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        entry2 = await police_front(hass2, receiver.url)
        await wait_for(hass2, lambda: len(receiver.accepted_once()) == 2, timeout=15)
        types = [
            json.loads(r.body)["type"] for r in receiver.requests if r.answer == "200"
        ]
        assert types == ["incident.created", "incident.cancelled"]
        assert all(request.verified for request in receiver.requests)
        assert await hass2.config_entries.async_unload(entry2.entry_id)
        await hass2.async_stop()


async def test_police_options_with_a_given_secret(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A secret typed in is checked and saved directly (nothing to show)."""
    result = await options_step(hass, init_integration, "police")
    form = {
        "police_url": "https://cuadrante.example/alerts",
        "police_format": "json",
        "police_secret": "not-a-secret",
        "escalation_delay": 30,
    }
    await refused_then_saved(
        hass, result, form, "police_secret", "invalid_secret", SECRET
    )
    assert link_of(init_integration)["police_secret"] == SECRET
    assert init_integration.options["escalation_delay"] == 30
    await hass.config_entries.async_unload(init_integration.entry_id)
