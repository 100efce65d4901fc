"""What integrators read (services.yaml, docs/events.md) matches what the code does."""

from __future__ import annotations

import json
from pathlib import Path
import re

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import DOMAIN, EVENT_INCIDENT
from homeassistant.core import Context, HomeAssistant
from homeassistant.util import yaml as yaml_util

from .helpers import call

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / DOMAIN
EVENTS_DOC = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")


def _documented_event_fields() -> set[str]:
    table = EVENTS_DOC.split("## Event", 1)[1].split("## Actions", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))


async def test_services_yaml_matches_registered_actions(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every registered action is described, with the same fields as its schema."""
    described = yaml_util.load_yaml(COMPONENT / "services.yaml")
    registered = hass.services.async_services_for_domain(DOMAIN)
    assert set(described) == set(registered)
    for name, service in registered.items():
        assert service.schema is not None
        schema_fields = {str(key) for key in service.schema.schema}
        assert set(described[name]["fields"]) == schema_fields, name
        assert f"`{DOMAIN}.{name}`" in EVENTS_DOC
    for language in ("en", "es"):
        texts = json.loads(
            (COMPONENT / "translations" / f"{language}.json").read_text(
                encoding="utf-8"
            )
        )["services"]
        for name, service in described.items():
            assert set(texts[name]["fields"]) == set(service["fields"]), name


async def test_events_doc_matches_fired_events(
    hass: HomeAssistant, init_integration: MockConfigEntry, people: dict[str, MockUser]
) -> None:
    """Every field the event carries is documented, and nothing documented is missing."""
    events = async_capture_events(hass, EVENT_INCIDENT)
    entry_id = init_integration.entry_id
    await call(hass, "trigger", entry_id, people["luis"].id, kind="drill")
    await call(hass, "trigger", entry_id, kind="drill")
    await call(hass, "trigger", entry_id, kind="panic")
    await call(hass, "police_update", entry_id, status="dispatched", unit="P1")
    incident_id = events[0].data["incident_id"]
    # Ana (the coordinator) answers from her registered phone.
    MockConfigEntry(
        domain="mobile_app", data={"user_id": people["ana"].id}
    ).add_to_hass(hass)
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"MFS|on_my_way|{incident_id}"},
        context=Context(user_id=people["ana"].id),
    )
    await hass.async_block_till_done()
    summary = {"camera": "cam1", "stage": "press", "files": 1, "missing": []}
    await init_integration.runtime_data.incidents.async_add_evidence(
        incident_id, [], summary
    )
    fired = {key for event in events for key in event.data}
    assert fired == _documented_event_fields()
    changes = {event.data["change"] for event in events}
    assert changes == {
        "opened",
        "joined",
        "kind_upgraded",
        "state",
        "response",
        "evidence",
    }
    for change in changes:
        assert f"`{change}`" in EVENTS_DOC
    press_fields = set(events[0].data["press"])
    documented_press = EVENTS_DOC.split("| `press` |", 1)[1].split("\n", 1)[0]
    assert all(f"`{field}`" in documented_press for field in press_fields)
