"""A sender's own cancel, PINs and the duress PIN, through HA's actions and alarm panel.

docs/incidents.md ("Cancelling"): the person who pressed cancels their own alarm within
the front's window (with their PIN when they set one); a duress PIN looks exactly like a
cancel to HA and to the phone, while the police receiver gets the cancel and a silent
alarm that ``continues`` it.
"""

from __future__ import annotations

from datetime import timedelta
import json

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import EVENT_DURESS, EVENT_INCIDENT
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .frente.dispatch.receiver import Receiver, wait_until
from .helpers import call, entity_id, member, members_front, state_of
from .police import SECRET, WEBHOOK_ID

LUIS = "person.luis_gomez"


async def _front(hass: HomeAssistant, url: str | None = None) -> MockConfigEntry:
    police = (
        {
            "police_url": url,
            "police_format": "json",
            "police_secret": SECRET,
            "police_webhook_id": WEBHOOK_ID,
        }
        if url
        else {}
    )
    return await members_front(hass, member(LUIS, "Luis Gómez"), **police)


async def _set_pin(
    hass: HomeAssistant, entry: MockConfigEntry, user: MockUser, **pins: str
) -> None:
    await call(hass, "set_pin", entry.entry_id, user.id, **pins)
    await hass.async_block_till_done()  # the front reloads with the new member data


async def _disarm(hass: HomeAssistant, user: MockUser, code: str | None) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_disarm",
        {"entity_id": entity_id(hass, "alarm_control_panel", "alarm")}
        | ({"code": code} if code else {}),
        blocking=True,
        context=Context(user_id=user.id),
    )


async def test_the_sender_cancels_their_own_alarm_in_time(
    hass: HomeAssistant, people: dict[str, MockUser], freezer: FrozenDateTimeFactory
) -> None:
    """Luis cancels his own press; too late, or with Ana's press on it, he cannot."""
    entry = await _front(hass)
    luis, ana = people["luis"], people["ana"]
    await call(hass, "trigger", entry.entry_id, luis.id)
    answer = await call(hass, "cancel", entry.entry_id, luis.id)
    assert answer is not None and answer["state"] == "cancelled"
    incident = entry.runtime_data.incidents.book.history[-1]
    step = incident.transitions[-1]
    assert (step.by, step.details["reason"]) == (luis.id, "sender")

    await call(hass, "trigger", entry.entry_id, luis.id)
    freezer.tick(timedelta(seconds=121))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cancel", entry.entry_id, luis.id)
    assert err.value.translation_key == "cancel_too_late"
    await call(hass, "cancel", entry.entry_id, ana.id, reason="coordinadora")

    await call(hass, "trigger", entry.entry_id, luis.id)
    await call(hass, "trigger", entry.entry_id, ana.id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cancel", entry.entry_id, luis.id)
    assert err.value.translation_key == "cancel_not_yours"
    assert entry.runtime_data.incidents.book.open_incident is not None


async def test_a_pin_is_asked_and_guessing_locks_it(
    hass: HomeAssistant, people: dict[str, MockUser]
) -> None:
    """With a PIN: no code or a wrong one refuses; three wrong ones lock the cancel."""
    entry = await _front(hass)
    luis = people["luis"]
    await _set_pin(hass, entry, luis, pin="4821", duress_pin="9137")
    stored = next(iter(entry.subentries.values())).data
    assert "4821" not in json.dumps(dict(stored))
    assert "9137" not in json.dumps(dict(stored))
    assert stored["pin_hash"].startswith("scrypt$")
    panel = hass.states.get(entity_id(hass, "alarm_control_panel", "alarm"))
    assert panel is not None and panel.attributes["code_format"] == "number"

    await call(hass, "trigger", entry.entry_id, luis.id)
    for code in (None, "0000", "1111"):
        with pytest.raises(ServiceValidationError) as err:
            await _disarm(hass, luis, code)
        assert err.value.translation_key == "wrong_code"
    with pytest.raises(ServiceValidationError) as err:
        await _disarm(hass, luis, "4821")
    assert err.value.translation_key == "cancel_locked"

    await call(hass, "trigger", entry.entry_id, luis.id)  # joins the open one
    await call(hass, "cancel", entry.entry_id, people["ana"].id, reason="x")
    await call(hass, "trigger", entry.entry_id, luis.id)
    await _disarm(hass, luis, "4821")
    assert state_of(hass, "alarm_control_panel", "alarm").state == "disarmed"

    for pins, key in (
        ({"pin": "12"}, "pin_format"),
        ({"pin": "1234", "duress_pin": "1234"}, "pin_same"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, "set_pin", entry.entry_id, luis.id, **pins)
        assert err.value.translation_key == key
    with pytest.raises(ServiceValidationError) as err:  # not a member: no PIN to set
        await call(hass, "set_pin", entry.entry_id, people["admin"].id, pin="1234")
    assert err.value.translation_key == "not_a_member"


async def test_a_duress_pin_looks_cancelled_and_the_police_get_a_silent_alarm(
    hass: HomeAssistant, people: dict[str, MockUser], receiver: Receiver
) -> None:
    """The phone shows "cancelled"; the receiver gets the cancel and a silent alarm."""
    entry = await _front(hass, receiver.url)
    luis = people["luis"]
    await _set_pin(hass, entry, luis, pin="4821", duress_pin="9137")
    public = async_capture_events(hass, EVENT_INCIDENT)
    duress = async_capture_events(hass, EVENT_DURESS)
    opened = await call(hass, "trigger", entry.entry_id, luis.id)
    assert opened is not None
    await _disarm(hass, luis, "9137")
    await hass.async_block_till_done()

    assert state_of(hass, "alarm_control_panel", "alarm").state == "disarmed"
    assert state_of(hass, "sensor", "incident").state == "cancelled"
    cancelled = entry.runtime_data.incidents.book.get(opened["incident_id"])
    assert cancelled.transitions[-1].details["reason"] == "alarm_panel"
    assert {event.data["incident_id"] for event in public} == {opened["incident_id"]}
    assert [event.data["state"] for event in public][-1] == "cancelled"
    assert [event.data["change"] for event in duress][0] == "opened"
    silent = entry.runtime_data.incidents.book.open_incident
    assert silent is not None and silent.kind.value == "silent"

    await wait_until(lambda: len(receiver.accepted_once()) >= 3)
    bodies = [json.loads(item.body) for item in receiver.requests]
    by_type = {(body["type"], body["incident_id"]): body for body in bodies}
    assert ("incident.cancelled", opened["incident_id"]) in by_type
    alarm = by_type[("incident.created", silent.incident_id)]
    assert alarm["kind"] == "silent"
    assert alarm["continues"] == opened["incident_id"]
    assert alarm["presses"][0]["sender"]["name"] == "Luis Gómez"
    # What HA's users see of the duress cancel equals an ordinary one: the same details.
    assert set(cancelled.transitions[-1].details) == {"reason", "by_name"}
