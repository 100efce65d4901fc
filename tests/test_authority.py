"""One rule for every act that silences, cancels, answers or broadcasts (issue 16, 2).

A coordinator of the front or an administrator may; a resident may not. A notification
answer counts only from a member's (or a coordinator's) registered phone, once per answer,
member and incident; an answer without a user counts for nothing.
"""

from __future__ import annotations

import logging

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .helpers import call, member, members_front

ANSWER = "mobile_app_notification_action"


@pytest.fixture
async def front(hass: HomeAssistant, people: dict[str, MockUser]) -> MockConfigEntry:
    """Set up Calle Real: Luis a resident member, Ana its coordinator (the options)."""
    return await members_front(hass, member("person.luis_gomez", "Luis Gómez"))


def _register_phone(hass: HomeAssistant, user: MockUser) -> None:
    """Give ``user`` a companion-app registration, as the app's sign-up leaves one."""
    MockConfigEntry(
        domain="mobile_app",
        data={"user_id": user.id, "device_name": f"Pixel {user.name}"},
    ).add_to_hass(hass)


async def _answer(
    hass: HomeAssistant, answer: str, incident_id: str, user: MockUser | None
) -> None:
    """Fire the companion app's answer event as ``user``'s phone would (None: no user)."""
    context = Context(user_id=user.id if user else None)
    hass.bus.async_fire(
        ANSWER, {"action": f"MFS|{answer}|{incident_id}"}, context=context
    )
    await hass.async_block_till_done()


async def test_a_resident_cannot_broadcast_critical_notifications(
    hass: HomeAssistant,
    front: MockConfigEntry,
    people: dict[str, MockUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """notify_members: refused for Luis (logged without his name), sent for Ana and admin."""
    await call(hass, "trigger", front.entry_id, people["luis"].id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "notify_members", front.entry_id, people["luis"].id)
    assert err.value.translation_key == "not_allowed"
    refusals = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("custom_components")
    ]
    refused = "Refused notify_members on front manga_calle_real: not a coordinator"
    assert [r.getMessage() for r in refusals] == [
        f"{refused} of the front or an administrator"
    ]
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert not [r for r in ours if "Luis" in r.getMessage()]
    for who in ("ana", "admin"):
        answer = await call(hass, "notify_members", front.entry_id, people[who].id)
        assert answer is not None
        assert answer["notified"] == []  # nobody has a phone here: nothing to send
    assert await call(hass, "notify_members", front.entry_id) is not None  # automation


async def test_answers_count_from_members_phones_once(
    hass: HomeAssistant, front: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """No user, no phone or no membership: ignored. The same answer twice: once."""
    opened = await call(hass, "trigger", front.entry_id, people["ana"].id)
    assert opened is not None
    incident_id = opened["incident_id"]
    book = front.runtime_data.incidents.book

    await _answer(hass, "on_my_way", incident_id, None)  # an event without a user
    await _answer(hass, "on_my_way", incident_id, people["luis"])  # no registered phone
    _register_phone(hass, people["admin"])
    await _answer(hass, "on_my_way", incident_id, people["admin"])  # not of the front
    assert book.get(incident_id).responses == ()

    _register_phone(hass, people["luis"])
    await _answer(hass, "on_my_way", incident_id, people["luis"])
    await _answer(hass, "on_my_way", incident_id, people["luis"])  # tapped again
    responses = book.get(incident_id).responses
    assert [(r.action, r.name) for r in responses] == [("on_my_way", "Luis Gómez")]

    # Luis is a resident: his "false alarm" is recorded but cancels nothing.
    await _answer(hass, "false_alarm", incident_id, people["luis"])
    assert book.get(incident_id).is_open
    # Ana coordinates: hers cancels.
    _register_phone(hass, people["ana"])
    await _answer(hass, "false_alarm", incident_id, people["ana"])
    assert book.get(incident_id).state.value == "cancelled"
    assert [r.name for r in book.get(incident_id).responses] == [
        "Luis Gómez",
        "Luis Gómez",
        "Ana Pérez",
    ]
