"""The street kit's options: siren, keepalive, adopted HA devices and the topics of an adopted kit."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

import probatio

from homeassistant import data_entry_flow
from homeassistant.helpers import selector

from ..const import (
    CONF_ADOPTED_BUTTONS,
    CONF_ADOPTED_SIREN,
    CONF_KIT_KEEPALIVE,
    CONF_SIREN_DURATION,
    CONF_SIREN_PLAIN,
    CONF_SIREN_TONE,
    CONF_TOPIC_OVERRIDES,
    DEFAULT_KIT_KEEPALIVE,
    DEFAULT_SIREN_DURATION,
    DEFAULT_SIREN_TONE,
)
from ..frente.kit.protocol import SIREN_TONES
from .fields import BOOLEAN, SECONDS, TEXT, choice, clean_topic, required

TONES = choice(SIREN_TONES, "siren_tone")
SIREN_ENTITY = selector.EntitySelector(
    selector.EntitySelectorConfig(domain=["siren", "switch"])
)
BUTTON_ENTITIES = selector.EntitySelector(
    selector.EntitySelectorConfig(domain=["binary_sensor", "event"], multiple=True)
)
TOPIC_FIELDS = ("panic", "siren_set", "siren_state", "availability", "telemetry")
_WILDCARDS = re.compile(r"[+#\s]")


def kit_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of how the kit behaves and which HA devices act as kit."""
    topics = defaults.get(CONF_TOPIC_OVERRIDES) or {}
    # Suggested, not default: an adopted device the user clears stays cleared.
    optional_entity = {
        key: probatio.Optional(key, description={"suggested_value": defaults.get(key)})
        for key in (CONF_ADOPTED_SIREN, CONF_ADOPTED_BUTTONS)
    }
    return probatio.Schema(
        {
            required(CONF_SIREN_DURATION, defaults, DEFAULT_SIREN_DURATION): SECONDS,
            required(CONF_SIREN_TONE, defaults, DEFAULT_SIREN_TONE): TONES,
            required(CONF_SIREN_PLAIN, defaults, False): BOOLEAN,
            required(CONF_KIT_KEEPALIVE, defaults, DEFAULT_KIT_KEEPALIVE): SECONDS,
            optional_entity[CONF_ADOPTED_SIREN]: SIREN_ENTITY,
            optional_entity[CONF_ADOPTED_BUTTONS]: BUTTON_ENTITIES,
            probatio.Required(CONF_TOPIC_OVERRIDES): data_entry_flow.section(
                probatio.Schema(
                    {
                        probatio.Optional(key, default=topics.get(key, "")): TEXT
                        for key in TOPIC_FIELDS
                    }
                ),
                {"collapsed": not any(topics.values())},
            ),
        }
    )


def validate_kit(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the kit fields; return (options, errors by field)."""
    errors: dict[str, str] = {}
    topics = {
        key: clean_topic(CONF_TOPIC_OVERRIDES, str(value), errors)
        for key, value in (user_input.get(CONF_TOPIC_OVERRIDES) or {}).items()
        if str(value).strip()
    }
    options = {
        CONF_SIREN_DURATION: int(user_input[CONF_SIREN_DURATION]),
        CONF_SIREN_TONE: user_input[CONF_SIREN_TONE],
        CONF_SIREN_PLAIN: bool(user_input[CONF_SIREN_PLAIN]),
        CONF_KIT_KEEPALIVE: int(user_input[CONF_KIT_KEEPALIVE]),
        CONF_ADOPTED_SIREN: user_input.get(CONF_ADOPTED_SIREN) or None,
        CONF_ADOPTED_BUTTONS: list(user_input.get(CONF_ADOPTED_BUTTONS) or []),
        CONF_TOPIC_OVERRIDES: topics,
    }
    return options, errors
