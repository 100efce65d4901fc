"""Cameras in HA against a real RTSP stream and real ffmpeg: flow, entity, evidence."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import DOMAIN, EVENT_INCIDENT
from custom_components.mi_frente_seguro.frente.evidence import verify_manifest
from homeassistant.components.camera import async_get_image
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from scripts.harness.rtsp import RtspServer

from .const import FRONT_ID
from .helpers import call, members_front, options_step, refused_then_saved, wait_for


async def _front(hass: HomeAssistant, cameras: list[dict[str, str]]) -> MockConfigEntry:
    assert await async_setup_component(hass, "ffmpeg", {})
    return await members_front(hass, cameras=cameras, evidence_clip=False)


async def test_cameras_step_checks_for_a_frame(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    rtsp_server: RtspServer,
    closed_port: int,
) -> None:
    """A live URL saves; a dead one and a bad address show errors on their cameras."""
    assert await async_setup_component(hass, "ffmpeg", {})
    result = await options_step(hass, init_integration, "cameras")
    assert result["step_id"] == "cameras"
    form = {
        "cam1": {"name": "Esquina", "url": rtsp_server.url(1)},
        "cam2": {"name": "Muerta", "url": f"rtsp://user:pw@127.0.0.1:{closed_port}/x"},
        "cam3": {"name": "Mala", "url": "ftp://127.0.0.1/x"},
        "cam4": {},
        "keyframe_buffer": False,
        "evidence_clip": False,
        "retention_days": 30,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["errors"] == {"cam2": "no_frame", "cam3": "invalid_url"}
    assert "Muerta" in result["description_placeholders"]["reasons"]
    assert ":pw@" not in result["description_placeholders"]["reasons"]
    form |= {"cam2": {"name": "", "url": ""}, "cam3": {"name": "", "url": ""}}
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result.get("errors") is None, result.get("errors")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["cameras"] == [
        {
            "camera_id": "cam1",
            "name": "Esquina",
            "url": rtsp_server.url(1),
            "entity_id": None,
        }
    ]
    await hass.config_entries.async_unload(init_integration.entry_id)


async def test_incident_gets_a_verified_bundle_and_a_dead_camera_is_missing(
    hass: HomeAssistant, rtsp_server: RtspServer, closed_port: int
) -> None:
    """Still from the entity; a press gets a bundle whose hashes match; dead cam noted."""
    entry = await _front(
        hass,
        [
            {"camera_id": "cam1", "name": "Esquina", "url": rtsp_server.url(1)},
            {"camera_id": "cam2", "name": "Parque", "url": rtsp_server.url(2)},
            {
                "camera_id": "cam3",
                "name": "Muerta",
                "url": f"rtsp://127.0.0.1:{closed_port}/x",
            },
        ],
    )
    cameras = entry.runtime_data.cameras
    await wait_for(
        hass,
        lambda: cameras.cameras[0].buffer and cameras.cameras[0].buffer.latest(),
        30,
    )
    entity_ids = hass.states.async_entity_ids("camera")
    assert len(entity_ids) == 3
    image = await async_get_image(hass, min(entity_ids))
    assert image.content[:2] == b"\xff\xd8"

    events = async_capture_events(hass, EVENT_INCIDENT)
    response = await call(hass, "trigger", entry.entry_id)
    assert response is not None
    book = entry.runtime_data.incidents.book
    opened = book.open_incident
    assert opened is not None
    # The incident exists before any evidence: the alarm never waits for cameras.
    assert events[0].data["change"] == "opened"
    assert opened.evidence == ()
    await wait_for(
        hass,
        lambda: (
            {
                item["camera"]
                for item in book.get(opened.incident_id).evidence
                if item["kind"] == "plus15"
            }
            == {"cam1", "cam2"}
        ),
        timeout=60,
    )
    incident = book.get(opened.incident_id)
    # Kept in our private folder, never in HA's media (which every user can browse).
    folder = Path(hass.config.path(DOMAIN, "evidence", FRONT_ID, incident.incident_id))
    await wait_for(hass, (folder / "manifest.json").exists)
    assert not (Path(hass.config.media_dirs["local"]) / DOMAIN).exists()
    prefix = f"media-source://{DOMAIN}/{FRONT_ID}/{incident.incident_id}/"
    assert all(item["media"].startswith(prefix) for item in incident.evidence)
    problems = await hass.async_add_executor_job(verify_manifest, folder)
    assert problems == []
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["incident_id"] == incident.incident_id
    assert any(item["camera"] == "cam3" for item in manifest["missing"])
    assert {e.data["change"] for e in events} >= {"opened", "evidence"}
    assert incident.state.value == "triggered"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"camera_down_{FRONT_ID}_cam3")
    assert issue is not None
    assert issue.translation_placeholders["camera"] == "Muerta"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_cameras_step_with_ha_camera_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An HA camera entity can be a front camera; one that does not exist is refused."""
    assert await async_setup_component(hass, "ffmpeg", {})
    hass.states.async_set("camera.portal", "idle")
    result = await options_step(hass, init_integration, "cameras")
    form = {
        "cam1": {"name": "Portal", "url": "", "entity_id": "camera.portal"},
        "cam2": {"name": "Fantasma", "url": "", "entity_id": "camera.no_existe"},
        "cam3": {},
        "cam4": {},
        "keyframe_buffer": True,
        "evidence_clip": True,
        "retention_days": 15,
    }
    await refused_then_saved(
        hass, result, form, "cam2", "unknown_camera", {"name": "", "url": ""}
    )
    assert init_integration.options["cameras"] == [
        {"camera_id": "cam1", "name": "Portal", "url": "", "entity_id": "camera.portal"}
    ]
    assert init_integration.options["retention_days"] == 15
    await hass.config_entries.async_unload(init_integration.entry_id)
