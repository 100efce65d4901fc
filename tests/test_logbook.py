"""Logbook lines for incident events, in Spanish and English."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.mi_frente_seguro.const import DOMAIN, EVENT_INCIDENT
from custom_components.mi_frente_seguro.logbook import async_describe_events
from homeassistant.core import Event, HomeAssistant

from .helpers import call


def _describer(hass: HomeAssistant) -> Callable[[Event], dict[str, str]]:
    found: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}

    def register(
        domain: str, event_type: str, describe: Callable[[Event], dict[str, str]]
    ) -> None:
        found[(domain, event_type)] = describe

    async_describe_events(hass, register)
    return found[(DOMAIN, EVENT_INCIDENT)]


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "es",
            [
                "drill_open:simulacro activado por Luis Gómez (acción): incidente {id}",
                "joined:otra pulsación de alguien en el incidente {id} (2 pulsaciones)",
                "kind_upgraded:el incidente {id} pasó a pánico tras una pulsación de alguien",
                "state:incidente {id}: Patrulla en camino",
            ],
        ),
        (
            "en",
            [
                "drill_open:drill triggered by Luis Gómez (action): incident {id}",
                "joined:another press by someone on incident {id} (2 presses)",
                "kind_upgraded:incident {id} became panic after a press by someone",
                "state:incident {id}: Patrol en route",
            ],
        ),
    ],
)
async def test_logbook_lines(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    people: dict[str, MockUser],
    language: str,
    lines: list[str],
) -> None:
    """Each change of an incident reads as a sentence in HA's language.

    The silent press (duress) leaves no line, and is not counted.
    """
    await hass.config.async_update(language=language)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_INCIDENT)
    entry_id = mock_config_entry.entry_id
    opened = await call(hass, "trigger", entry_id, people["luis"].id, kind="drill")
    await call(hass, "trigger", entry_id, kind="drill")
    await call(hass, "trigger", entry_id, kind="silent")
    await call(hass, "trigger", entry_id, kind="panic")
    await call(hass, "police_update", entry_id, status="dispatched")
    assert opened is not None
    describe = _describer(hass)
    described = [describe(event) for event in events]
    assert {line["name"] for line in described} == {"Calle Real"}
    expected = [
        line.split(":", 1)[1].format(id=opened["incident_id"]) for line in lines
    ]
    assert [line["message"] for line in described] == expected
