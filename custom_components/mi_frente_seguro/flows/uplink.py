"""The options step of the city uplink: the city MQTT broker, checked before saving.

The form writes ``options["city_uplink"]`` (docs/city-uplink.md). An empty host turns the
uplink off (the key is removed). An empty password keeps the stored one; the stored
password is never put into the form. Every value goes through :func:`parse_uplink`, and
the certificate files must exist and be readable on the HA box.
"""

from __future__ import annotations

from collections.abc import Mapping
import os
from pathlib import Path
from typing import Any, Final

import probatio

from homeassistant.core import HomeAssistant

from ..frente.uplink.settings import (
    DEFAULT_KEEPALIVE,
    DEFAULT_PORT,
    KEEPALIVE_RANGE,
    SETTINGS_KEY,
    InvalidUplinkError,
    parse_uplink,
)
from .fields import BOOLEAN, PASSWORD, PORT, TEXT, number_box, optional, required

FILES: Final = ("ca_file", "cert_file", "key_file")
TEXTS: Final = ("host", "topic_prefix", *FILES, "username")
KEEPALIVE: Final = number_box(*KEEPALIVE_RANGE, "s")


def current_uplink(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the stored uplink settings as form defaults, without the password."""
    stored = options.get(SETTINGS_KEY)
    if not isinstance(stored, Mapping):
        return {}
    return {key: value for key, value in stored.items() if key != "password"}


def uplink_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the uplink form (the password field is always empty)."""
    return probatio.Schema(
        {
            optional("host", defaults): TEXT,
            required("port", defaults, DEFAULT_PORT): PORT,
            required("tls", defaults, True): BOOLEAN,
            optional("topic_prefix", defaults): TEXT,
            optional("ca_file", defaults): TEXT,
            optional("cert_file", defaults): TEXT,
            optional("key_file", defaults): TEXT,
            optional("username", defaults): TEXT,
            probatio.Optional("password", default=""): PASSWORD,
            required("keepalive", defaults, DEFAULT_KEEPALIVE): KEEPALIVE,
        }
    )


def _unreadable(path: str) -> bool:
    """Return True when ``path`` is not a readable file (runs in the executor)."""
    return not Path(path).is_file() or not os.access(path, os.R_OK)


async def async_validate_uplink(
    hass: HomeAssistant, user_input: Mapping[str, Any], options: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Check the form; return (settings to store or None to turn off, errors by field)."""
    raw: dict[str, Any] = {}
    for key in TEXTS:
        value = user_input.get(key, "")
        if value != "":
            raw[key] = value  # parse_uplink refuses spaces around, odd characters
    if not str(user_input.get("host", "")).strip():
        return None, {}  # an empty host turns the uplink off
    raw["tls"] = user_input.get("tls", True)
    for key in ("port", "keepalive"):
        number = user_input.get(key)
        if isinstance(number, float) and number.is_integer():
            number = int(number)  # the number selector sends floats
        raw[key] = number
    password = user_input.get("password", "")
    stored = options.get(SETTINGS_KEY)
    if password:
        raw["password"] = password
    elif isinstance(stored, Mapping) and stored.get("password"):
        raw["password"] = stored["password"]
    try:
        parse_uplink(raw)
    except InvalidUplinkError as err:
        field = str(err.field).removeprefix(f"{SETTINGS_KEY}.")
        return None, {field if field in user_input else "base": str(err.reason)}
    for key in FILES:
        path = raw.get(key)
        if path and await hass.async_add_executor_job(_unreadable, path):
            return None, {key: "file_not_found"}
    return raw, {}
