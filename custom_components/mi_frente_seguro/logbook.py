"""Logbook lines for incident events, in HA's language (Spanish or English)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_INCIDENT, EVENT_MEMBER
from .frente.incident import Incident
from .texts import state_name, texts


def _incident(hass: HomeAssistant, data: Mapping[str, Any]) -> Incident | None:
    """Return the event's incident from its front's store, if the front still holds it."""
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not ConfigEntryState.LOADED
    ):
        return None
    try:
        incident: Incident = entry.runtime_data.incidents.book.get(data["incident_id"])
    except LookupError:
        return None
    return incident


def _names(hass: HomeAssistant, data: Mapping[str, Any]) -> tuple[str | None, ...]:
    """Return who pressed and who answered, read from the store (never the event).

    The event the recorder keeps carries no names; the logbook finds them again in the
    front's incident store, by the time of the press or of the answer.
    """
    incident = _incident(hass, data)
    press = data.get("press") or {}
    response = data.get("response") or {}
    if incident is None:
        return None, None
    try:  # parsed once, compared as a time: no string per press of a long incident
        pressed_at = datetime.fromisoformat(str(press.get("at")))
    except ValueError:
        pressed_at = None
    sender = next(
        (
            item.sender.name or item.sender.device
            for item in reversed(incident.presses)
            if item.at == pressed_at
        ),
        None,
    )
    responder = next(
        (
            item.name
            for item in incident.responses
            if (item.at.isoformat(), item.action)
            == (response.get("at"), response.get("action"))
        ),
        None,
    )
    return sender, responder


def describe_incident_event(hass: HomeAssistant, event: Event) -> dict[str, str]:
    """Return the logbook line of one ``mi_frente_seguro_incident`` event."""
    text = texts(hass, "logbook")
    data = event.data
    press = data.get("press") or {}
    response = data.get("response") or {}
    sender, responder = _names(hass, data)
    values = {
        "responder": responder or text("someone"),
        "action": text(f"action.{response.get('action', '')}"),
        "incident_id": data["incident_id"],
        "kind": text(f"kind.{data['kind']}"),
        "source": text(f"source.{press.get('source', data['source'])}"),
        "sender": sender or press.get("device") or text("someone"),
        "presses": data["presses"],
        "state": state_name(hass, data["state"]),
        "destination": data.get("destination_name") or data.get("destination") or "",
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
    async_describe_event(
        DOMAIN, EVENT_MEMBER, lambda event: describe_member_event(hass, event)
    )


def describe_member_event(hass: HomeAssistant, event: Event) -> dict[str, str]:
    """Return the logbook line of a member's suspension or its end (no names)."""
    text = texts(hass, "logbook")
    data = event.data
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    change = "reinstated" if data.get("change") == "reinstated" else "suspended"
    line = {
        LOGBOOK_ENTRY_NAME: entry.title if entry is not None else DOMAIN,
        LOGBOOK_ENTRY_MESSAGE: text(f"member_{change}"),
    }
    if isinstance(person := data.get("person"), str):
        line["entity_id"] = person  # the logbook links the member's person
    return line
