"""The police form: endpoint, format, signing secrets, escalation delay.

Since destinations (entry 1.2) the endpoint, format and secrets are the ``police``
destination subentry's; the escalation delay and status webhook id stay in the options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ..const import (
    CONF_ESCALATION_DELAY,
    CONF_POLICE_FORMAT,
    CONF_POLICE_SECRET,
    CONF_POLICE_SECRET_PREVIOUS,
    CONF_POLICE_URL,
    CONF_POLICE_WEBHOOK_ID,
    DEFAULT_ESCALATION_DELAY,
    FIRST_DESTINATION,
)
from ..migration import LINK_KEYS, police_subentry
from .fields import (
    PASSWORD,
    URL,
    choice,
    number_box,
    optional,
    required,
    signed_endpoint,
)

FORMATS = ["json", "cap"]


def police_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the police form; secrets are never pre-filled (they are not shown again)."""
    return probatio.Schema(
        {
            optional(CONF_POLICE_URL, defaults): URL,
            required(CONF_POLICE_FORMAT, defaults, "json"): choice(FORMATS, "police_format"),
            probatio.Optional(CONF_POLICE_SECRET, default=""): PASSWORD,
            probatio.Optional(CONF_POLICE_SECRET_PREVIOUS, default=""): PASSWORD,
            required(CONF_ESCALATION_DELAY, defaults, DEFAULT_ESCALATION_DELAY): number_box(10, 900, "s"),
        }
    )  # fmt: skip


def validate_police(
    user_input: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """Return (options, errors, new secret to show once or None)."""
    errors: dict[str, str] = {}
    link, generated = signed_endpoint(user_input, current, errors, url_required=False)
    options = {
        **link,
        CONF_POLICE_FORMAT: user_input.get(CONF_POLICE_FORMAT, "json"),
        CONF_ESCALATION_DELAY: int(
            user_input.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY)
        ),
        CONF_POLICE_WEBHOOK_ID: current.get(CONF_POLICE_WEBHOOK_ID)
        or webhook.async_generate_id(),
    }
    return options, errors, generated


def current_police(entry: ConfigEntry) -> dict[str, Any]:
    """Return the options with the ``police`` destination's endpoint, format and secrets."""
    current = dict(entry.options)
    for subentry in entry.subentries.values():
        if subentry.unique_id == FIRST_DESTINATION:
            current.update(subentry.data)
            current[CONF_POLICE_FORMAT] = subentry.subentry_type
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
    url = str(police.get(CONF_POLICE_URL) or "")
    if not url:  # no endpoint: the secrets stay for the status webhook
        if existing is not None:
            hass.config_entries.async_remove_subentry(entry, existing.subentry_id)
        options |= {
            CONF_POLICE_SECRET: police.get(CONF_POLICE_SECRET, ""),
            CONF_POLICE_SECRET_PREVIOUS: police.get(CONF_POLICE_SECRET_PREVIOUS, ""),
        }
        return options
    new = police_subentry(
        url,
        str(police.get(CONF_POLICE_FORMAT) or "json"),
        str(police.get(CONF_POLICE_SECRET) or ""),
        str(police.get(CONF_POLICE_SECRET_PREVIOUS) or ""),
        existing.title if existing is not None else "Policía",
    )
    if existing is not None and existing.subentry_type == new.subentry_type:
        hass.config_entries.async_update_subentry(entry, existing, data=dict(new.data))
    else:
        if existing is not None:
            hass.config_entries.async_remove_subentry(entry, existing.subentry_id)
        hass.config_entries.async_add_subentry(entry, new)
    return options
