"""Members (subentries) and the digital panic buttons: who pressed and where they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.mi_frente_seguro.const import (
    DOMAIN,
    EVENT_INCIDENT,
    PRIVACY_NOTICE_VERSION,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .helpers import call, entity_id, member, members_front, state_of

FRONT = (10.4139, -75.5364)  # the front's location in tests/const.py (radius 150 m)


@pytest.fixture
async def front(hass: HomeAssistant, people: dict[str, MockUser]) -> MockConfigEntry:
    """Return a front where Luis is a resident member and Ana a coordinator member."""
    return await members_front(
        hass,
        member("person.luis_gomez", "Luis Gómez"),
        member("person.ana_perez", "Ana Pérez", "coordinator"),
        coordinator_persons=[],
    )


async def _luis_at(
    hass: HomeAssistant, latitude: float, longitude: float, accuracy: int
) -> None:
    """Put Luis's phone (its GPS fix) at ``latitude``, ``longitude``."""
    hass.states.async_set(
        "device_tracker.pixel_luis",
        "not_home",
        {"source_type": "gps", "latitude": latitude, "longitude": longitude,
         "gps_accuracy": accuracy},
    )  # fmt: skip
    await hass.async_block_till_done()


async def _press(hass: HomeAssistant, key: str, user: MockUser) -> None:
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", key)},
        blocking=True,
        context=Context(user_id=user.id),
    )


async def test_button_press_records_member_and_gps(
    hass: HomeAssistant, front: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """Luis presses Pánico from his phone: member, house, phone and GPS on the incident."""
    await _luis_at(hass, 10.4145, -75.5360, 15)
    events = async_capture_events(hass, EVENT_INCIDENT)
    await _press(hass, "panic_button", people["luis"])
    incident = front.runtime_data.incidents.book.open_incident
    assert incident is not None
    press = incident.presses[0]
    assert press.source.value == "app"
    assert (press.sender.name, press.sender.house, press.sender.role) == (
        "Luis Gómez",
        "Casa 12",
        "resident",
    )
    assert press.sender.phone == "+573001112233"
    assert press.sender.is_member
    assert press.location is not None
    assert (press.location.latitude, press.location.longitude) == (10.4145, -75.536)
    assert press.location.accuracy == 15
    assert press.location.fix_time is not None
    assert press.location.outside_area is False  # about 80 m from the front
    assert events[0].data["press"]["is_member"] is True
    assert events[0].data["press"]["repeat"] is False
    assert "phone" not in events[0].data["press"]


async def test_non_member_far_away_is_flagged(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """A user who is not a member, pressing 2 km away: both flagged on the incident."""
    await _luis_at(hass, 10.4300, -75.5500, 30)
    await _press(hass, "panic_button", people["luis"])
    press = init_integration.runtime_data.incidents.book.open_incident.presses[0]
    assert press.kind.value == "panic"
    assert press.sender.is_member is False
    assert press.location is not None
    assert press.location.distance is not None
    assert press.location.distance > 2000
    assert press.location.outside_area is True


async def test_repeats_are_recorded_and_marked(
    hass: HomeAssistant, front: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """A resident hammering the button: every press kept, the repeats marked."""
    events = async_capture_events(hass, EVENT_INCIDENT)
    for _ in range(3):
        await _press(hass, "panic_button", people["luis"])
    await _press(hass, "panic_button", people["ana"])
    incident = front.runtime_data.incidents.book.open_incident
    assert len(incident.presses) == 4
    assert [event.data["press"]["repeat"] for event in events] == [
        False,
        True,
        True,
        False,
    ]


async def test_member_coordinator_and_false_alarm_tally(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    front: MockConfigEntry,
    people: dict[str, MockUser],
) -> None:
    """A coordinator member cancels; the opener's false-alarm sensor counts it."""
    await _press(hass, "panic_button", people["luis"])
    await call(hass, "cancel", front.entry_id, people["ana"].id, reason="Niño jugando")
    await _press(hass, "drill_button", people["luis"])
    await call(hass, "cancel", front.entry_id, people["ana"].id, reason="Fin")
    sensors = {
        state.attributes["friendly_name"]: state.state
        for state in hass.states.async_all("sensor")
        if "false_alarms_by" in state.entity_id or "falsas" in state.entity_id
    }
    assert sensors == {
        "Security front Calle Real False alarms by Luis Gómez": "1",
        "Security front Calle Real False alarms by Ana Pérez": "0",
    }
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, front)
    # Counts only: who the members are is personal data, shown by the sensors above.
    assert diagnostics["incidents"]["false_alarms_by_member"] == [1]


async def test_add_and_changemember(
    hass: HomeAssistant, front: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """Add a member from the front's page; errors on the field; change one later."""
    hass.states.async_set("person.marta", "home", {"friendly_name": "Marta Ruiz"})
    result = await hass.config_entries.subentries.async_init(
        (front.entry_id, "member"), context={"source": "user"}
    )
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"person": "person.luis_gomez", "house": "", "phone": "12", "role": "resident"},
    )
    assert result["errors"] == {
        "person": "already_member",
        "house": "required",
        "phone": "invalid_phone",
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"person": "person.marta", "house": "Apto 301", "phone": "315 222 3344",
         "role": "coordinator"},
    )  # fmt: skip
    # Ley 1581: the privacy notice, and Marta's authorization before she is added.
    assert result["step_id"] == "privacy"
    assert result["description_placeholders"]["member"] == "Marta Ruiz"
    assert result["description_placeholders"]["version"] == PRIVACY_NOTICE_VERSION
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"authorized": False}
    )
    assert result["errors"] == {"authorized": "authorization_required"}
    assert not any(s.title == "Marta Ruiz" for s in front.subentries.values())
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"authorized": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    subentry = next(s for s in front.subentries.values() if s.title == "Marta Ruiz")
    authorization = subentry.data["authorization"]
    assert dict(subentry.data) == {
        "person": "person.marta",
        "house": "Apto 301",
        "phone": "+573152223344",
        "role": "coordinator",
        "authorization": {
            "at": authorization["at"],
            "notice_version": PRIVACY_NOTICE_VERSION,
        },
    }
    assert abs(
        dt_util.parse_datetime(authorization["at"]) - dt_util.utcnow()
    ) < timedelta(minutes=1)
    # The front reloaded: Marta has her false-alarm sensor.
    assert state_of(hass, "sensor", "false_alarms-person.marta").state == "0"

    result = await front.start_subentry_reconfigure_flow(hass, subentry.subentry_id)
    assert result["description_placeholders"]["name"] == "Marta Ruiz"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"house": "Apto 302", "phone": "bad", "role": "resident", "authorized": False},
    )
    assert result["errors"] == {
        "phone": "invalid_phone",
        "authorized": "authorization_required",
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"house": "Apto 302", "phone": "3152223344", "role": "resident",
         "authorized": True},
    )  # fmt: skip
    assert result["reason"] == "reconfigure_successful"
    changed = front.subentries[subentry.subentry_id].data
    assert changed["house"] == "Apto 302"
    assert changed["authorization"] == authorization  # recorded once, kept
    await hass.async_block_till_done()


async def test_removed_member_loses_their_sensor(
    hass: HomeAssistant, front: MockConfigEntry
) -> None:
    """Deleting a member reloads the front and drops their false-alarm sensor."""
    luis = next(s for s in front.subentries.values() if s.title == "Luis Gómez")
    assert hass.config_entries.async_remove_subentry(front, luis.subentry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id(
            "sensor", DOMAIN, f"{FRONT_ID}-false_alarms-person.luis_gomez"
        )
        is None
    )
    assert state_of(hass, "sensor", "false_alarms-person.ana_perez").state == "0"
