"""Logbook lines for incident events, in HA's language (Spanish or English)."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import DOMAIN, EVENT_INCIDENT

CATEGORY = "logbook"
PREFIX = f"component.{DOMAIN}.{CATEGORY}."
LANGUAGES = ("es", "en")


async def async_load_logbook_texts(hass: HomeAssistant) -> None:
    """Load the logbook phrases so the (synchronous) describer finds them cached."""
    for language in {hass.config.language, *LANGUAGES}:
        await async_get_translations(hass, language, CATEGORY, {DOMAIN})


def _texts(hass: HomeAssistant) -> Callable[[str], str]:
    phrases = async_get_cached_translations(
        hass, hass.config.language, CATEGORY, DOMAIN
    ) or async_get_cached_translations(hass, "en", CATEGORY, DOMAIN)
    return lambda key: phrases.get(PREFIX + key, key)


def describe_incident_event(hass: HomeAssistant, event: Event) -> dict[str, str]:
    """Return the logbook line of one ``mi_frente_seguro_incident`` event."""
    text = _texts(hass)
    data = event.data
    press = data.get("press") or {}
    values = {
        "incident_id": data["incident_id"],
        "kind": text(f"kind.{data['kind']}"),
        "source": text(f"source.{press.get('source', data['source'])}"),
        "sender": press.get("sender_name") or press.get("device") or text("someone"),
        "presses": data["presses"],
        "state": _state_name(hass, data["state"]),
    }
    return {
        LOGBOOK_ENTRY_NAME: data["front_name"],
        LOGBOOK_ENTRY_MESSAGE: text(data["change"]).format(**values),
    }


def _state_name(hass: HomeAssistant, state: str) -> str:
    names = async_get_cached_translations(hass, hass.config.language, "entity", DOMAIN)
    key = f"component.{DOMAIN}.entity.sensor.incident.state.{state}"
    return names.get(key, state)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's events for the logbook."""
    async_describe_event(
        DOMAIN, EVENT_INCIDENT, lambda event: describe_incident_event(hass, event)
    )
