"""No input can lose, invent or stall an alarm: the police's side, in a real HA.

The status webhook reads whole bodies however they are split, answers an explicit status
for everything (2xx only once committed); a message the receiver refuses for good never
holds the queue; ``nan`` never reaches a message; escalation follows a drill that becomes
real and survives a restart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
import json
import logging

import probatio
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.mi_frente_seguro.const import DOMAIN
from custom_components.mi_frente_seguro.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.mi_frente_seguro.frente.dispatch.inbound import MAX_BODY
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .disk import fill_up, make_room
from .frente.dispatch.receiver import Receiver
from .helpers import call, state_of, wait_for
from .police import WEBHOOK_ID, Alarm, police_front, signed, unconfirmed_front

URL = f"/api/webhook/{WEBHOOK_ID}"


def _update(incident_id: str, status: str = "dispatched", **extra: object) -> bytes:
    return json.dumps(
        {"version": "1", "incident_id": incident_id, "status": status, **extra}
    ).encode()


async def _in_two_segments(body: bytes) -> AsyncIterator[bytes]:
    """Yield a body in two writes (a chunked request: two TCP segments)."""
    middle = len(body) // 2
    yield body[:middle]
    yield body[middle:]


async def test_an_update_in_two_segments_is_stored_and_a_huge_one_is_413(
    hass: HomeAssistant, alarm: Alarm
) -> None:
    """The whole body is read up to its cap, however split; past the cap, 413."""
    client, incident_id = alarm.client, alarm.incident_id
    body = _update(incident_id, unit="MECAR-12", eta_minutes=4)
    response = await client.post(
        URL, data=_in_two_segments(body), headers=signed(body, msg_id="split")
    )
    assert (response.status, await response.json()) == (200, {"status": "stored"})
    assert state_of(hass, "sensor", "incident").attributes["unit"] == "MECAR-12"

    huge = _update(incident_id, "on_scene", note="x" * MAX_BODY)
    chunked = await client.post(
        URL, data=_in_two_segments(huge), headers=signed(huge, msg_id="huge-1")
    )
    assert chunked.status == 413
    sized = await client.post(URL, data=huge, headers=signed(huge, msg_id="huge-2"))
    assert sized.status == 413
    tall = {**signed(body, msg_id="tall"), "webhook-signature": "v1," + "A" * 2000}
    assert (await client.post(URL, data=body, headers=tall)).status == 431
    assert state_of(hass, "sensor", "incident").state == "dispatched"


async def test_a_failed_commit_answers_500_and_the_retry_is_stored(
    hass: HomeAssistant, alarm: Alarm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full: 500 and nothing changed; the police's retry (same id) is then stored."""
    client, incident_id = alarm.client, alarm.incident_id
    ledger = alarm.entry.runtime_data.incidents.ledger
    body = _update(incident_id, unit="P1")
    headers = signed(body, msg_id="retry-me")
    await ledger.committer.run(fill_up)
    response = await client.post(URL, data=body, headers=headers)
    assert (response.status, await response.json()) == (
        500,
        {"error": "storage_unavailable"},
    )
    assert state_of(hass, "sensor", "incident").state in ("triggered", "sent")
    assert not ledger.replay.seen("retry-me")
    await ledger.committer.run(make_room)
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 200
    assert state_of(hass, "sensor", "incident").state == "dispatched"

    # Whatever breaks inside, the answer is an explicit 500 (never HA's default 200).
    async def broken(_update: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ledger, "police_update", broken)
    closing = _update(incident_id, "closed")
    response = await client.post(
        URL, data=closing, headers=signed(closing, msg_id="boom")
    )
    assert (response.status, await response.json()) == (
        500,
        {"error": "internal_error"},
    )


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": float("nan"), "longitude": -75.5},
        {"latitude": 10.4, "longitude": float("inf")},
        {"latitude": 10.4, "longitude": -75.5, "radius": float("nan")},
        {"latitude": "nan", "longitude": -75.5},
        {"latitude": 91, "longitude": -75.5},
    ],
)
async def test_a_location_that_is_not_a_finite_number_is_refused(
    hass: HomeAssistant, receiver: Receiver, location: dict[str, object]
) -> None:
    """``nan`` is refused with a clear error; nothing is opened, nothing is queued."""
    entry = await police_front(hass, receiver.url)
    with pytest.raises(probatio.Invalid, match="not a finite number"):
        await call(hass, "trigger", entry.entry_id, location=location)
    with pytest.raises(probatio.Invalid, match="cannot be stored"):
        await call(hass, "trigger", entry.entry_id, note="cut \ud83d")
    assert entry.runtime_data.incidents.book.open_incident is None
    outbox = entry.runtime_data.dispatch.outbox
    assert outbox is not None and outbox.depth == 0
    await call(
        hass, "trigger", entry.entry_id, location={"latitude": 10.4, "longitude": -75.5}
    )
    await wait_for(hass, lambda: receiver.accepted)
    sent = json.loads(receiver.requests[0].body)
    assert sent["presses"][0]["location"]["lat"] == 10.4
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_refused_message_is_set_aside_and_the_next_alarm_flows(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """A 400 makes a dead letter (entity, repair, diagnostics); the next alarm is sent."""
    entry = await police_front(hass, receiver.url)
    receiver.plan.append("422")
    await call(hass, "trigger", entry.entry_id)
    await call(hass, "cancel", entry.entry_id, reason="Prueba")
    await call(hass, "trigger", entry.entry_id)
    await wait_for(hass, lambda: len(receiver.accepted) == 2)
    kinds = [json.loads(r.body)["type"] for r in receiver.requests]
    assert kinds == ["incident.created", "incident.cancelled", "incident.created"]
    await wait_for(hass, lambda: state_of(hass, "sensor", "dead_letters").state == "1")
    dead = state_of(hass, "sensor", "dead_letters")
    assert dead.attributes["reason"].startswith("HTTP 422")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"endpoint_refused_{FRONT_ID}")
    assert issue is not None and issue.is_fixable
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (letter,) = diagnostics["police"]["dead_letters"]
    assert letter["type"] == "incident.created"
    assert state_of(hass, "binary_sensor", "endpoint_problem").state == "off"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_gone_pauses_and_a_signed_police_call_resumes(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    receiver: Receiver,
) -> None:
    """410: paused, a repair issue; a signed call from the police: delivered, cleared."""
    entry = await police_front(hass, receiver.url)
    receiver.plan.append("410")
    opened = await call(hass, "trigger", entry.entry_id)
    assert opened is not None
    registry = ir.async_get(hass)
    await wait_for(
        hass, lambda: registry.async_get_issue(DOMAIN, f"endpoint_gone_{FRONT_ID}")
    )
    assert receiver.accepted == []
    client = await hass_client_no_auth()
    body = _update(opened["incident_id"], "received")
    response = await client.post(URL, data=body, headers=signed(body, msg_id="hi"))
    assert response.status == 200
    await wait_for(hass, lambda: receiver.accepted)
    await wait_for(
        hass, lambda: not registry.async_get_issue(DOMAIN, f"endpoint_gone_{FRONT_ID}")
    )
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_the_endpoint_going_away_and_back_is_logged_once_each(
    hass: HomeAssistant, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Many failed attempts: one warning; the first delivery after them: one info line."""
    caplog.set_level(logging.INFO)
    await receiver.stop()
    entry = await police_front(hass, receiver.url)
    outbox = entry.runtime_data.dispatch.outbox
    assert outbox is not None
    failures: list[object] = []
    original = outbox.on_event

    def count(event: object) -> None:
        if getattr(event, "kind", None) == "failed":
            failures.append(event)
        if original is not None:
            original(event)  # type: ignore[arg-type]

    outbox.on_event = count
    await call(hass, "trigger", entry.entry_id)
    await wait_for(hass, lambda: len(failures) >= 3, timeout=20)
    await receiver.start()
    outbox.retry_now()
    await wait_for(hass, lambda: receiver.accepted, timeout=20)
    # The receiver has the alert a moment before the outbox reads its answer and logs.
    await wait_for(hass, lambda: "is reachable again" in caplog.text, timeout=20)
    await wait_for(hass, lambda: outbox.depth == 0, timeout=20)  # its answer was read
    assert caplog.text.count("cannot be reached") == 1
    assert caplog.text.count("is reachable again") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_escalation_follows_a_drill_that_becomes_real_and_a_restart(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """A drill never escalates; a real press on it arms it; a restart arms it again."""
    entry, events = await unconfirmed_front(hass, escalation_delay=30)
    await call(hass, "trigger", entry.entry_id, kind="drill")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=40))
    await hass.async_block_till_done()
    assert events == []
    await call(hass, "trigger", entry.entry_id, kind="panic")  # the drill becomes real
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=80))
    await hass.async_block_till_done()
    assert len(events) == 1

    await hass.config_entries.async_reload(entry.entry_id)  # a restart of the front
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=120))
    await hass.async_block_till_done()
    assert len(events) == 2  # re-armed: still unconfirmed, past its delay
    assert events[1].data["kind"] == "panic"
    assert await hass.config_entries.async_unload(entry.entry_id)
