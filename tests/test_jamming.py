"""Several devices silent at once, in HA: a real kit's last will and cameras going down."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from scripts.harness.mosquitto import Mosquitto

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, broker_data
from .helpers import front_entry, member, wait_for
from .push import PushGateway
from .test_companion_app import gateway, phones  # noqa: F401  (shared fixtures)
from .test_kit import Kit, kit  # noqa: F401  (shared fixtures)

CAMERAS = [
    {"camera_id": f"cam{n}", "name": name, "url": f"rtsp://127.0.0.1:9/{n}"}
    for n, name in ((1, "Esquina"), (2, "Parque"), (3, "Calle 26"))
]
ISSUE = f"possible_jamming_{FRONT_ID}"


@pytest.fixture
async def watched(
    hass: HomeAssistant,
    broker: Mosquitto,
    kit: Kit,  # noqa: F811
    phones: dict[str, tuple[str, str]],  # noqa: F811
) -> MockConfigEntry:
    """Return a front with its kit on the real broker, three cameras and a coordinator."""
    entry = front_entry(
        data={**ENTRY_DATA, **broker_data(broker.port)},
        options={
            **ENTRY_OPTIONS,
            "cameras": CAMERAS,
            "keyframe_buffer": False,
            "evidence_clip": False,
            "kit_keepalive": 1,
            "coordinator_persons": [],
        },
        subentries_data=[
            member("person.luis_gomez", "Luis Gómez"),
            member("person.ana_perez", "Ana Pérez", "coordinator"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(hass, lambda: entry.runtime_data.kit.available)
    return entry


def _down(entry: MockConfigEntry, index: int, down: bool = True) -> None:
    """Mark camera ``index`` down or back, as its keyframe buffer's health check does."""
    cameras = entry.runtime_data.cameras
    cameras.set_down(cameras.cameras[index], "no frame for 10 s" if down else None)


async def test_kit_and_two_cameras_silent_tell_the_coordinators_only(
    hass: HomeAssistant,
    kit: Kit,  # noqa: F811
    watched: MockConfigEntry,
    gateway: PushGateway,  # noqa: F811
    phones: dict[str, tuple[str, str]],  # noqa: F811
) -> None:
    """The kit's last will and two cameras down: a critical issue and Ana's phone."""
    issues = ir.async_get(hass)
    _down(watched, 0)
    await kit.publish("availability", "offline", retain=True)
    await wait_for(hass, lambda: watched.runtime_data.kit.kit_online is False)
    assert issues.async_get_issue(DOMAIN, ISSUE) is None  # one camera: not yet
    _down(watched, 1)
    issue = issues.async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.CRITICAL
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["cameras"] == "Esquina, Parque"
    ana_token, luis_token = phones["ana"][1], phones["luis"][1]
    await wait_for(hass, lambda: gateway.to(ana_token))
    (push,) = gateway.to(ana_token)
    assert push["title"] == "⚠️ Possible jamming — Calle Real"
    assert "Esquina, Parque" in push["message"]
    assert gateway.to(luis_token) == []  # residents are not told
    _down(watched, 2)  # a third camera: the same silence, no second notice
    await hass.async_block_till_done()
    assert len(gateway.to(ana_token)) == 1

    await kit.publish("availability", "online", retain=True)
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, ISSUE) is None)
    assert await hass.config_entries.async_unload(watched.entry_id)


async def test_cameras_alone_are_each_their_own_trouble(
    hass: HomeAssistant, watched: MockConfigEntry
) -> None:
    """Three cameras down with the kit online: their own issues, no jamming."""
    for index in range(3):
        _down(watched, index)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, ISSUE) is None
    assert issues.async_get_issue(DOMAIN, f"camera_down_{FRONT_ID}_cam1") is not None
    assert await hass.config_entries.async_unload(watched.entry_id)
