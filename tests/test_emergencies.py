"""Emergencies in HA: the buttons, the trigger action's field, the police, the texts."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import EVENT_INCIDENT
from custom_components.mi_frente_seguro.frente.dispatch.cap import to_cap
from custom_components.mi_frente_seguro.frente.incident import Emergency
from custom_components.mi_frente_seguro.runtime.notifications import build_notification
from custom_components.mi_frente_seguro.services import TRIGGER_SCHEMA
from custom_components.mi_frente_seguro.texts import async_load_texts
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .frente.dispatch.receiver import Receiver
from .helpers import call, entity_id, state_of, wait_for
from .police import police_front
from .test_blueprints import escalation_sms


@pytest.mark.parametrize(
    ("key", "emergency"),
    [("medical_button", "medical"), ("fire_button", "fire")],
)
async def test_each_emergency_has_its_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, key: str, emergency: str
) -> None:
    """Emergencia médica and Incendio open an audible alarm asking for that help."""
    events = async_capture_events(hass, EVENT_INCIDENT)
    await hass.services.async_call(
        "button", "press", {"entity_id": entity_id(hass, "button", key)}, blocking=True
    )
    incident = init_integration.runtime_data.incidents.book.open_incident
    assert incident is not None
    assert incident.emergencies == (Emergency(emergency),)
    assert not incident.exercise
    (opened,) = events
    assert opened.data["emergency"] == emergency
    assert opened.data["press"]["emergency"] == emergency
    assert state_of(hass, "event", "press").attributes["emergency"] == emergency
    sensor = state_of(hass, "sensor", "incident")
    assert (sensor.attributes["emergency"], sensor.attributes["emergencies"]) == (
        emergency,
        [emergency],
    )
    assert state_of(hass, "alarm_control_panel", "alarm").state == "triggered"


async def test_a_medical_press_joins_the_open_panic(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The action's ``emergency``: a medical press raises the open panic's list."""
    first = await call(hass, "trigger", init_integration.entry_id)
    second = await call(hass, "trigger", init_integration.entry_id, emergency="medical")
    assert first is not None and second is not None
    assert second["incident_id"] == first["incident_id"]
    assert second["opened"] is False
    sensor = state_of(hass, "sensor", "incident")
    assert sensor.attributes["emergencies"] == ["security", "medical"]
    assert sensor.attributes["presses"] == 2


async def test_a_silent_medical_or_fire_call_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Duress is a security alarm: silent + fire raises a translated error, opens nothing."""
    with pytest.raises(ServiceValidationError) as raised:
        await call(
            hass, "trigger", init_integration.entry_id, kind="silent", emergency="fire"
        )
    assert raised.value.translation_key == "silent_security_only"
    assert init_integration.runtime_data.incidents.book.open_incident is None


async def test_a_fire_drill(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A drill keeps its meaning for every emergency: an exercise, fire."""
    await call(
        hass, "trigger", init_integration.entry_id, kind="drill", emergency="fire"
    )
    incident = init_integration.runtime_data.incidents.book.open_incident
    assert incident is not None
    assert incident.exercise
    assert incident.emergencies == (Emergency.FIRE,)


async def test_the_police_hear_which_emergency(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """A medical press: the JSON says medical, its CAP rendering is category Health."""
    entry = await police_front(hass, receiver.url)
    await call(hass, "trigger", entry.entry_id, emergency="medical")
    await wait_for(hass, lambda: receiver.accepted)
    message = json.loads(receiver.requests[0].body)
    assert (message["kind"], message["emergency"]) == ("panic", "medical")
    assert b"<category>Health</category>" in to_cap(message)
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("language", "fire", "both"),
    [
        ("es", "🚨 Incendio — Calle Real", "Emergencias: Incendio, Emergencia médica."),
        ("en", "🚨 Fire — Calle Real", "Emergencies: Fire, Medical emergency."),
    ],
)
async def test_notifications_say_which_emergency(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    language: str,
    fire: str,
    both: str,
) -> None:
    """The members' alarm says Incendio / Fire, and every emergency asked for."""
    await hass.config.async_update(language=language)
    await async_load_texts(hass)
    await call(hass, "trigger", init_integration.entry_id, emergency="fire")
    book = init_integration.runtime_data.incidents.book
    assert book.open_incident is not None
    alarm = build_notification(
        hass, init_integration, book.open_incident, coordinator=False
    )
    assert alarm["title"] == fire
    assert "Emergenc" not in alarm["message"]
    await call(hass, "trigger", init_integration.entry_id, emergency="medical")
    alarm = build_notification(
        hass, init_integration, book.open_incident, coordinator=False
    )
    assert alarm["message"].endswith(both)


KINDS = ("panic", "silent", "drill")
EMERGENCIES = ("security", "medical", "fire")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(
    kind=st.one_of(st.sampled_from(["panic", "silent", "drill"]), st.text(max_size=8)),
    emergency=st.one_of(
        st.sampled_from(["security", "medical", "fire"]),
        st.text(max_size=12),
        st.integers(),
        st.none(),
        st.lists(st.text(max_size=3), max_size=2),
    ),
)
def test_hostile_emergency_fields_are_refused_at_the_door(
    kind: object, emergency: object
) -> None:
    """The action's schema takes one of the three emergencies, or refuses the call."""
    try:
        data = TRIGGER_SCHEMA(
            {"config_entry_id": "x", "kind": kind, "emergency": emergency}
        )
    except probatio.Invalid:
        assert kind not in KINDS or emergency not in EMERGENCIES
    else:
        assert data["emergency"] in EMERGENCIES
        assert data["emergency"] == emergency


async def test_the_escalation_blueprint_names_the_emergencies(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The text to the quadrant's phone says which help is waiting (es / en)."""
    sms = await escalation_sms(
        hass,
        init_integration.entry_id,
        emergency="security",
        emergencies=["security", "medical"],
    )
    assert "(pánico / panic, emergencia médica / medical)" in sms.data["message"]
    await hass.config_entries.async_unload(init_integration.entry_id)
