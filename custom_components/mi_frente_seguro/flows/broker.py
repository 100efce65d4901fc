"""The street kit's broker step: where the MQTT broker is, its login, tested before saving."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio

from homeassistant.util import ssl as ssl_util

from ..const import (
    CONF_BROKER_HOST,
    CONF_BROKER_PASSWORD,
    CONF_BROKER_PORT,
    CONF_BROKER_TLS,
    CONF_BROKER_USERNAME,
    CONF_TOPIC_BASE,
    DEFAULT_BROKER_PORT,
)
from ..frente.kit.client import KitAuthError, KitConnectError, async_test_broker
from ..frente.kit.protocol import DEFAULT_BASE
from ..frente.text import text_problem
from ..runtime.settings import broker_settings
from .fields import BOOLEAN, PASSWORD, PORT, TEXT, clean_topic, optional, required


def broker_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the kit's MQTT broker (an empty host means no MQTT kit)."""
    return probatio.Schema(
        {
            optional(CONF_BROKER_HOST, defaults): TEXT,
            required(CONF_BROKER_PORT, defaults, DEFAULT_BROKER_PORT): PORT,
            **credentials_schema(defaults).schema,
            required(CONF_BROKER_TLS, defaults, False): BOOLEAN,
            required(CONF_TOPIC_BASE, defaults, DEFAULT_BASE): TEXT,
        }
    )


def credentials_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the broker's username and password."""
    return probatio.Schema(
        {
            optional(CONF_BROKER_USERNAME, defaults): TEXT,
            probatio.Optional(CONF_BROKER_PASSWORD, default=""): PASSWORD,
        }
    )


def validate_broker(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the broker fields; return (data, errors by field)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        CONF_BROKER_HOST: str(user_input.get(CONF_BROKER_HOST, "")).strip(),
        CONF_BROKER_PORT: int(user_input[CONF_BROKER_PORT]),
        CONF_BROKER_USERNAME: str(user_input.get(CONF_BROKER_USERNAME, "")).strip(),
        CONF_BROKER_PASSWORD: str(user_input.get(CONF_BROKER_PASSWORD, "")),
        CONF_BROKER_TLS: bool(user_input[CONF_BROKER_TLS]),
        CONF_TOPIC_BASE: clean_topic(
            CONF_TOPIC_BASE, str(user_input[CONF_TOPIC_BASE]), errors
        ),
    }
    if not data[CONF_TOPIC_BASE]:
        errors[CONF_TOPIC_BASE] = "required"
    for field in (CONF_BROKER_HOST, CONF_BROKER_USERNAME):
        text: str = data[field]
        if text_problem(text) is not None or " " in text:
            errors[field] = "invalid_text"
    return data, errors


async def async_check_broker(data: Mapping[str, Any]) -> dict[str, str]:
    """Connect to the broker in ``data`` once; return form errors (empty when fine)."""
    settings = broker_settings(data)
    if settings is None:
        return {}
    context = ssl_util.client_context() if settings.tls else None
    try:
        await async_test_broker(settings, context)
    except KitAuthError:
        return {"base": "invalid_auth"}
    except KitConnectError:
        return {"base": "cannot_connect"}
    return {}
