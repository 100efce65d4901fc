"""Diagnostics of a front, with phone numbers and coordinates redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE
from homeassistant.core import HomeAssistant

from .const import CONF_COORDINATOR_NAME, CONF_COORDINATOR_PHONE, CONF_CUADRANTE_PHONE
from .runtime import FrenteConfigEntry

TO_REDACT = {
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_PHONE,
    CONF_LATITUDE,
    CONF_LONGITUDE,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FrenteConfigEntry
) -> dict[str, Any]:
    """Return what support needs to see of a front, without personal data."""
    return {
        "entry": {
            "title": entry.title,
            "version": f"{entry.version}.{entry.minor_version}",
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "front_id": entry.runtime_data.front.front_id,
    }
