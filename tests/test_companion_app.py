"""Phones registered through HA's real mobile_app API press the button and get the alarm.

The push gateway is a real HTTP receiver on 127.0.0.1: what it receives is exactly what the
companion app would get (message, data, critical-sound settings, actions).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest
from pytest_homeassistant_custom_component.common import MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .helpers import call, entity_id, member, members_front, wait_for
from .push import PushGateway


@pytest.fixture
async def gateway(socket_enabled: None) -> AsyncGenerator[PushGateway]:
    """Run the push gateway for the test."""
    gateway = PushGateway()
    await gateway.start()
    yield gateway
    await gateway.stop()


async def _register_phone(
    hass: HomeAssistant,
    client_for: ClientSessionGenerator,
    user: MockUser,
    name: str,
    gateway: PushGateway,
) -> tuple[str, str]:
    """Register a phone for ``user`` through the real API; return (webhook id, token)."""
    refresh = await hass.auth.async_create_refresh_token(
        user, "https://home-assistant.io/android"
    )
    client = await client_for(hass.auth.async_create_access_token(refresh))
    token = f"token-{name}"
    response = await client.post(
        "/api/mobile_app/registrations",
        json={
            "app_id": "io.homeassistant.companion.android",
            "app_name": "Home Assistant",
            "app_version": "2026.11",
            "device_name": name,
            "manufacturer": "Google",
            "model": "Pixel 9",
            "os_name": "Android",
            "os_version": "16",
            "supports_encryption": False,
            "app_data": {"push_url": gateway.url, "push_token": token},
        },
    )
    assert response.status == 201
    webhook_id = (await response.json())["webhook_id"]
    return webhook_id, token


@pytest.fixture
async def phones(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    people: dict[str, MockUser],
    gateway: PushGateway,
) -> dict[str, tuple[str, str]]:
    """Register Luis's and Ana's phones; return each one's (webhook id, push token).

    What the companion app talks to is loaded first, before any HTTP client freezes the
    router.
    """
    for component in ("api", "notify", "mobile_app"):
        assert await async_setup_component(hass, component, {})
    await hass.async_block_till_done()
    return {
        person: await _register_phone(
            hass, hass_client, people[person], f"Pixel {person.title()}", gateway
        )
        for person in ("luis", "ana")
    }


async def test_phone_presses_and_members_get_the_critical_alarm(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    people: dict[str, MockUser],
    gateway: PushGateway,
    phones: dict[str, tuple[str, str]],
) -> None:
    """Luis presses from his phone (GPS from the app); Ana's phone rings and answers."""
    (luis_hook, luis_token), (ana_hook, ana_token) = phones["luis"], phones["ana"]
    await hass.async_block_till_done()
    web_client = await hass_client_no_auth()
    location = {
        "type": "update_location",
        "data": {"gps": [10.4142, -75.5361], "gps_accuracy": 12, "battery": 80},
    }
    response = await web_client.post(f"/api/webhook/{luis_hook}", json=location)
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get("person.luis_gomez").attributes["source"] == (
        "device_tracker.pixel_luis"
    )

    # Ana is the front's coordinator as a member (not through the options).
    entry = await members_front(
        hass,
        member("person.luis_gomez", "Luis Gómez"),
        member("person.ana_perez", "Ana Pérez", "coordinator"),
        coordinator_persons=[],
    )

    # Luis presses "Pánico" through the REST API with his own login (as the app's widget).
    refresh = await hass.auth.async_create_refresh_token(
        people["luis"], "https://home-assistant.io/android"
    )
    luis_client = await hass_client(hass.auth.async_create_access_token(refresh))
    response = await luis_client.post(
        "/api/services/button/press",
        json={"entity_id": entity_id(hass, "button", "panic_button")},
    )
    assert response.status == 200
    incident = entry.runtime_data.incidents.book.open_incident
    assert incident is not None
    press = incident.presses[0]
    assert (press.sender.name, press.sender.is_member) == ("Luis Gómez", True)
    assert press.location is not None
    assert (press.location.latitude, press.location.accuracy) == (10.4142, 12)

    answer = await call(hass, "notify_members", entry.entry_id)
    assert answer is not None
    assert sorted(answer["notified"]) == [
        "mobile_app_pixel_ana",
        "mobile_app_pixel_luis",
    ]
    await wait_for(hass, lambda: gateway.to(ana_token) and gateway.to(luis_token))
    push = gateway.to(ana_token)[0]
    assert push["title"] == "🚨 Panic — Calle Real"
    assert push["message"].startswith("Luis Gómez (Casa 12) raised the alarm")
    data = push["data"]
    assert data["push"]["interruption-level"] == "critical"
    assert data["push"]["sound"]["critical"] == 1
    assert (data["channel"], data["priority"], data["ttl"]) == (
        "alarm_stream",
        "high",
        0,
    )
    titles = [action["title"] for action in data["actions"]]
    assert titles == ["On my way", "See cameras", "False alarm"]  # Ana coordinates
    luis_titles = [a["title"] for a in gateway.to(luis_token)[0]["data"]["actions"]]
    assert luis_titles == ["On my way", "See cameras"]

    async def ana_taps(action: dict[str, str]) -> int:
        """Tap ``action`` on Ana's phone: the app fires the event through her webhook."""
        response = await web_client.post(
            f"/api/webhook/{ana_hook}",
            json={
                "type": "fire_event",
                "data": {
                    "event_type": "mobile_app_notification_action",
                    "event_data": {"action": action["action"]},
                },
            },
        )
        status: int = response.status
        return status

    # Ana taps "On my way" on her phone.
    assert await ana_taps(data["actions"][0]) == 200
    book = entry.runtime_data.incidents.book
    await wait_for(hass, lambda: book.get(incident.incident_id).responses)
    response_ = book.get(incident.incident_id).responses[0]
    assert (response_.action, response_.name) == ("on_my_way", "Ana Pérez")

    # Then "False alarm": Ana is a coordinator, so the incident is cancelled.
    await ana_taps(data["actions"][2])
    await wait_for(hass, lambda: not book.get(incident.incident_id).is_open)
    assert book.get(incident.incident_id).state.value == "cancelled"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_duress_reaches_the_coordinators_never_the_sender(
    hass: HomeAssistant,
    people: dict[str, MockUser],
    gateway: PushGateway,
    phones: dict[str, tuple[str, str]],
) -> None:
    """Duress: the integration tells the coordinators itself; the sender's phone stays dark.

    Luis (a resident) presses silently: Ana (the coordinator) gets a critical notice that
    names him and warns not to call him; Luis gets nothing, and no alarm notification
    goes to the other residents. Ana pressing silently: nobody is left to tell (one log
    line), and her phone gets nothing either.
    """
    luis_token, ana_token = phones["luis"][1], phones["ana"][1]
    entry = await members_front(
        hass,
        member("person.luis_gomez", "Luis Gómez"),
        member("person.ana_perez", "Ana Pérez", "coordinator"),
        coordinator_persons=[],
    )
    await call(hass, "trigger", entry.entry_id, people["luis"].id, kind="silent")
    await wait_for(hass, lambda: gateway.to(ana_token))
    push = gateway.to(ana_token)[0]
    assert push["title"] == "🚨 Silent panic — Calle Real"
    assert push["message"].startswith("Luis Gómez (Casa 12) raised the alarm")
    assert "do not call or text them" in push["message"]
    assert push["data"]["push"]["interruption-level"] == "critical"
    titles = [action["title"] for action in push["data"]["actions"]]
    assert titles == ["On my way", "See cameras", "False alarm"]
    # The coordinator asks for the members' notification: still only coordinators.
    answer = await call(hass, "notify_members", entry.entry_id)
    assert answer is not None
    assert answer["notified"] == ["mobile_app_pixel_ana"]
    await hass.async_block_till_done()
    assert gateway.to(luis_token) == []
    await call(hass, "cancel", entry.entry_id, reason="test")

    await call(hass, "trigger", entry.entry_id, people["ana"].id, kind="silent")
    await hass.async_block_till_done()
    assert len(gateway.to(ana_token)) == 2  # the two above, nothing for her own press
    assert gateway.to(luis_token) == []
    assert await hass.config_entries.async_unload(entry.entry_id)
