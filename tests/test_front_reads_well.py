"""A front that reads well: short names, stable entity ids, the dashboard, the webhook URL."""

from __future__ import annotations

import json

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import yaml

from custom_components.mi_frente_seguro.const import DOMAIN
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .const import ENTRY_DATA, ENTRY_OPTIONS, FRONT_ID
from .helpers import call, front_entry, members_front, options_step
from .police import SECRET, WEBHOOK_ID

# Entity ids a front set up by an earlier version registered, by unique id (the long
# names of before): they must stay what automations and dashboards use.
EARLIER = {
    (Platform.EVENT, "press"): "event.calle_real_panic_button_press",
    (Platform.SENSOR, "last_response_time"): "sensor.calle_real_last_response",
    (Platform.BUTTON, "panic_button"): "button.calle_real_panico",
    (Platform.BUTTON, "drill_button"): "button.calle_real_simulacro",
}


async def test_spanish_cards_show_short_names(hass: HomeAssistant) -> None:
    """In Spanish, every button and the press event are named for what they are."""
    await hass.config.async_update(language="es")
    entry = await members_front(hass)
    registry = er.async_get(hass)
    names = {
        item.unique_id.removeprefix(f"{FRONT_ID}-"): item.original_name
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert names["panic_button"] == "Pánico"
    assert names["medical_button"] == "Emergencia médica"
    assert names["fire_button"] == "Incendio"
    assert names["drill_button"] == "Simulacro"
    assert names["press"] == "Pulsación"
    assert names["last_response_time"] == "Respuesta policial"
    assert all(len(name or "") <= 30 for name in names.values()), names
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_entity_ids_of_earlier_installs_stay(hass: HomeAssistant) -> None:
    """Shorter names change no registered entity id: the unique ids are the same."""
    entry = front_entry(data=dict(ENTRY_DATA), options=dict(ENTRY_OPTIONS))
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    for (platform, key), entity_id in EARLIER.items():
        registry.async_get_or_create(
            platform,
            DOMAIN,
            f"{FRONT_ID}-{key}",
            config_entry=entry,
            suggested_object_id=entity_id.split(".", 1)[1],
        )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for (platform, key), entity_id in EARLIER.items():
        assert registry.async_get_entity_id(platform, DOMAIN, f"{FRONT_ID}-{key}") == (
            entity_id
        )
        assert hass.states.get(entity_id) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_the_ready_dashboard(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    people: dict[str, MockUser],
) -> None:
    """One action gives a dashboard of the front's real entities, Lovelace-valid."""
    config = await call(hass, "dashboard", init_integration.entry_id)
    assert config is not None
    (view,) = config["views"]  # type: ignore[call-overload]
    cards = view["cards"]
    types = [card["type"] for card in cards]
    assert types[0] == "alarm-panel"
    assert "entities" in types and "logbook" in types
    used = [
        card["entity"]
        for card in _walk(cards)
        if isinstance(card, dict) and "entity" in card
    ]
    used += [
        entity if isinstance(entity, str) else entity["entity"]
        for card in cards
        if card["type"] in {"entities", "logbook"}
        for entity in card["entities"]
    ]
    # Every row and the alarm panel carry their own short name, not the device's.
    rows = next(card for card in cards if card["type"] == "entities")["entities"]
    assert rows[0]["name"] == "Incident"
    assert cards[0]["name"] == "Alarm"
    assert all(init_integration.title not in row["name"] for row in rows)
    for entity_id in used:
        assert hass.states.get(entity_id) is not None, entity_id
    buttons = next(card for card in cards if card["type"] == "grid")["cards"]
    assert [card.get("name") for card in buttons] == [
        "Panic",
        "Silent panic",
        "Medical",  # the card's shorter label: "Medical emergency" is cut on a tile
        "Fire",
        "Drill",
    ]
    # A button's state is the time of its last press: hidden on the cards.
    assert all(card.get("hide_state") for card in buttons if card["type"] == "tile")
    assert "False alarms" in {row["name"] for row in rows}
    # A name the user gave the entity wins over the card's label.
    registry = er.async_get(hass)
    medical = next(card for card in buttons if card.get("name") == "Medical")
    registry.async_update_entity(medical["entity"], name="Médica del frente")
    again = await call(hass, "dashboard", init_integration.entry_id)
    assert again is not None
    names = [card.get("name") for card in _walk(again["views"][0]["cards"])]  # type: ignore[call-overload, index]
    assert "Médica del frente" in names
    silent = buttons[1]
    assert silent["tap_action"]["data"] == {
        "config_entry_id": init_integration.entry_id,
        "kind": "silent",
    }
    assert silent["show_state"] is False  # duress: nothing shows a press
    # What the raw configuration editor takes: YAML (or JSON) of plain values.
    text = yaml.safe_dump(config, allow_unicode=True)
    assert yaml.safe_load(text) == config
    # Residents may not ask for it: it is for whoever builds the front's dashboards.
    with pytest.raises(HomeAssistantError):
        await call(hass, "dashboard", init_integration.entry_id, people["luis"].id)


def _walk(cards: list[dict[str, object]]) -> list[object]:
    found: list[object] = []
    for card in cards:
        found.append(card)
        inner = card.get("cards")
        if isinstance(inner, list):
            found.extend(_walk(inner))
    return found


async def test_the_police_step_shows_the_full_webhook_url(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """With an external URL: the whole address; diagnostics: the host, never the id."""
    await hass.config.async_update(external_url="https://frente.example.co")
    entry = await members_front(
        hass,
        police_url="http://127.0.0.1:9/alerts",
        police_format="json",
        police_secret=SECRET,
        police_webhook_id=WEBHOOK_ID,
    )
    result = await options_step(hass, entry, "police")
    assert result["description_placeholders"] == {
        "webhook": f"https://frente.example.co/api/webhook/{WEBHOOK_ID}"
    }
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["police"]["webhook_url"] == (
        "https://frente.example.co/api/webhook/**REDACTED**"
    )
    assert WEBHOOK_ID not in json.dumps(diagnostics)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_without_an_external_url_the_step_says_so(hass: HomeAssistant) -> None:
    """No external URL: the path and a note on where to set it (never a LAN address)."""
    await hass.config.async_update(language="es")
    entry = await members_front(hass, police_webhook_id=WEBHOOK_ID)
    result = await options_step(hass, entry, "police")
    shown = result["description_placeholders"]["webhook"]
    assert shown.startswith(f"/api/webhook/{WEBHOOK_ID} (")
    assert "Ajustes → Sistema → Red" in shown
    assert await hass.config_entries.async_unload(entry.entry_id)
