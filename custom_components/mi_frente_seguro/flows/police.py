"""The police form's check and storage: endpoint, format, secrets, escalation delay.

Since destinations (entry 1.2) the endpoint, format and secrets are the ``police``
destination subentry's; the escalation delay and status webhook id stay in the options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ..const import (
    CONF_ESCALATION_DELAY,
    DEFAULT_ESCALATION_DELAY,
    FIRST_DESTINATION,
    PoliceField,
)
from ..migration import LINK_KEYS, police_subentry
from .fields import signed_endpoint


def validate_police(
    user_input: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Return (options, errors, new secret to show once or None)."""
    errors: dict[str, str] = {}
    link, generated = signed_endpoint(user_input, current, errors, url_required=False)
    options = {
        **link,
        PoliceField.FORMAT: user_input.get(PoliceField.FORMAT, "json"),
        CONF_ESCALATION_DELAY: int(
            user_input.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY)
        ),
        PoliceField.WEBHOOK_ID: current.get(PoliceField.WEBHOOK_ID)
        or webhook.async_generate_id(),
    }
    return options, errors, generated


def current_police(entry: ConfigEntry) -> dict[str, Any]:
    """Return the options with the ``police`` destination's endpoint, format and secrets."""
    current = dict(entry.options)
    for subentry in entry.subentries.values():
        if subentry.unique_id == FIRST_DESTINATION:
            current.update(subentry.data)
            current[PoliceField.FORMAT] = subentry.subentry_type
    return current


def save_police(
    hass: HomeAssistant, entry: ConfigEntry, police: Mapping[str, Any]
) -> dict[str, Any]:
    """Save the endpoint as the ``police`` subentry; return the options to store."""
    options = {k: v for k, v in entry.options.items() if k not in LINK_KEYS}
    options |= {k: v for k, v in police.items() if k not in LINK_KEYS}
    existing = next(
        (s for s in entry.subentries.values() if s.unique_id == FIRST_DESTINATION),
        None,
    )
    url = str(police.get(PoliceField.URL) or "")
    if not url:  # no endpoint: the secrets stay for the status webhook
        if existing is not None:
            hass.config_entries.async_remove_subentry(entry, existing.subentry_id)
        options |= {
            PoliceField.SECRET: police.get(PoliceField.SECRET, ""),
            PoliceField.SECRET_PREVIOUS: police.get(PoliceField.SECRET_PREVIOUS, ""),
        }
        return options
    new = police_subentry(
        url,
        str(police.get(PoliceField.FORMAT) or "json"),
        str(police.get(PoliceField.SECRET) or ""),
        str(police.get(PoliceField.SECRET_PREVIOUS) or ""),
        existing.title if existing is not None else "Policía",
    )
    if existing is not None and existing.subentry_type == new.subentry_type:
        hass.config_entries.async_update_subentry(entry, existing, data=dict(new.data))
    else:
        if existing is not None:
            hass.config_entries.async_remove_subentry(entry, existing.subentry_id)
        hass.config_entries.async_add_subentry(entry, new)
    return options
