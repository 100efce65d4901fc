"""Logbook lines for incident events, in HA's language (Spanish or English)."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_INCIDENT
from .texts import state_name, texts


def describe_incident_event(hass: HomeAssistant, event: Event) -> dict[str, str]:
    """Return the logbook line of one ``mi_frente_seguro_incident`` event."""
    text = texts(hass, "logbook")
    data = event.data
    press = data.get("press") or {}
    response = data.get("response") or {}
    values = {
        "responder": response.get("name") or text("someone"),
        "action": text(f"action.{response.get('action', '')}"),
        "incident_id": data["incident_id"],
        "kind": text(f"kind.{data['kind']}"),
        "source": text(f"source.{press.get('source', data['source'])}"),
        "sender": press.get("sender_name") or press.get("device") or text("someone"),
        "presses": data["presses"],
        "state": state_name(hass, data["state"]),
    }
    return {
        LOGBOOK_ENTRY_NAME: data["front_name"],
        LOGBOOK_ENTRY_MESSAGE: text(data["change"]).format(**values),
    }


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's events for the logbook."""
    async_describe_event(
        DOMAIN, EVENT_INCIDENT, lambda event: describe_incident_event(hass, event)
    )
