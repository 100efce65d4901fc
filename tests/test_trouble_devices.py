"""A camera and the broker link going deaf, in HA: trouble and restore to the police.

Real parts: Mosquitto on 127.0.0.1 (stopped to cut the front's broker link), the HTTP
receiver for the JSON destination, the kit played by an MQTT client. A camera goes down
and back as its health check reports it (``set_down``, as the jamming tests do).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
import json
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from scripts.harness.mosquitto import Mosquitto

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID, broker_data
from .frente.dispatch.receiver import Receiver
from .helpers import front_entry, set_up, wait_for
from .police import SECRET
from .test_destinations import destination
from .test_kit import Kit, kit  # noqa: F401  (shared fixture)

CAMERAS = [{"camera_id": "cam2", "name": "Parque", "url": "rtsp://127.0.0.1:9/2"}]


def notices(receiver: Receiver) -> list[tuple[str, str]]:
    """Return (type, device kind) of the trouble messages taken, once each, in order."""
    seen: dict[str, tuple[str, str]] = {}
    for request in receiver.requests:
        body: dict[str, Any] = json.loads(request.body)
        if request.verified and body["type"].startswith("front."):
            seen.setdefault(body["id"], (body["type"], body["device"]["id"]))
    return list(seen.values())


@pytest.fixture
async def watched(
    hass: HomeAssistant,
    broker: Mosquitto,
    kit: Kit,  # noqa: F811
    receiver: Receiver,
) -> AsyncGenerator[MockConfigEntry]:
    """Set up a front with its kit on ``broker``, one camera and a JSON destination.

    The destination is the receiver; the kit is connected and online.
    """
    entry = front_entry(
        data={**ENTRY_DATA, **broker_data(broker.port)},
        options={**ENTRY_OPTIONS, "kit_keepalive": 1, "cameras": CAMERAS,
                 "keyframe_buffer": False, "evidence_clip": False},
        minor_version=2,
        subentries_data=[destination("json", "Policía", destination_id="police",
                                     police_url=receiver.url, police_secret=SECRET)],
    )  # fmt: skip
    yield await set_up(hass, entry, lambda front: front.runtime_data.kit.available)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_camera_down_past_supervision_and_back(
    hass: HomeAssistant, watched: MockConfigEntry, receiver: Receiver
) -> None:
    """A camera without picture for the supervision time: trouble, issue; back: restore."""
    cameras = watched.runtime_data.cameras
    issues = ir.async_get(hass)
    issue_id = f"front_deaf_{FRONT_ID}_camera:cam2"
    cameras.set_down(cameras.cameras[0], "no frame for 10 s")
    await wait_for(hass, lambda: notices(receiver))
    assert notices(receiver) == [("front.trouble", "cam2")]
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_key == "front_deaf_camera"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["camera"] == "Parque"
    cameras.set_down(cameras.cameras[0], None)  # seen down and back in this run
    await wait_for(hass, lambda: len(notices(receiver)) == 2)
    assert notices(receiver)[1] == ("front.restore", "cam2")
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id) is None)


@pytest.mark.usefixtures("watched")
async def test_the_broker_link_down_past_supervision_and_back(
    hass: HomeAssistant, broker: Mosquitto, receiver: Receiver
) -> None:
    """The front's broker goes away: the link's trouble (not the kit's); back: restore."""
    await broker.stop()
    await wait_for(hass, lambda: notices(receiver), timeout=20)
    assert notices(receiver) == [
        ("front.trouble", "link")
    ]  # the kit is unknown, not down
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"front_deaf_{FRONT_ID}_link")
    assert issue is not None
    await broker.start()
    await wait_for(hass, lambda: len(notices(receiver)) == 2, timeout=30)
    assert notices(receiver)[1] == ("front.restore", "link")
