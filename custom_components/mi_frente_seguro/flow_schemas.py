"""Form schemas and field validation of the config, reconfigure and options flows."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import partial
import re
from typing import Any
from urllib.parse import urlsplit

import probatio

from homeassistant import data_entry_flow
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME, CONF_RADIUS
from homeassistant.helpers import selector

from .const import (
    CONF_ADDRESS,
    CONF_ADOPTED_BUTTONS,
    CONF_ADOPTED_SIREN,
    CONF_BARRIO,
    CONF_BROKER_HOST,
    CONF_BROKER_PASSWORD,
    CONF_BROKER_PORT,
    CONF_BROKER_TLS,
    CONF_BROKER_USERNAME,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PERSONS,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_CODE,
    CONF_CUADRANTE_NAME,
    CONF_CUADRANTE_PHONE,
    CONF_KIT_KEEPALIVE,
    CONF_LOCATION,
    CONF_SIREN_DURATION,
    CONF_SIREN_PLAIN,
    CONF_SIREN_TONE,
    CONF_TOPIC_BASE,
    CONF_TOPIC_OVERRIDES,
    DEFAULT_BROKER_PORT,
    DEFAULT_KIT_KEEPALIVE,
    DEFAULT_RADIUS,
    DEFAULT_SIREN_DURATION,
    DEFAULT_SIREN_TONE,
)
from .frente.front import (
    InvalidFrontError,
    clean_cuadrante_code,
    clean_number,
    clean_text,
)
from .frente.kit.protocol import DEFAULT_BASE, SIREN_TONES
from .frente.phone import InvalidPhoneError, normalize_phone
from .frente.text import text_problem

TEXT = selector.TextSelector()
PHONE = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
)
LOCATION = selector.LocationSelector(selector.LocationSelectorConfig(radius=True))
PERSONS = selector.EntitySelector(
    selector.EntitySelectorConfig(domain="person", multiple=True)
)

# Fields kept in entry.data (identity and place; reconfigure flow) ...
DATA_TEXT_FIELDS = (CONF_NAME, CONF_BARRIO, CONF_ADDRESS, CONF_CUADRANTE_NAME)


def data_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the front's identity and place."""
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME, default=defaults.get(CONF_NAME, "")): TEXT,
            probatio.Required(CONF_BARRIO, default=defaults.get(CONF_BARRIO, "")): TEXT,
            probatio.Required(
                CONF_ADDRESS, default=defaults.get(CONF_ADDRESS, "")
            ): TEXT,
            probatio.Required(CONF_LOCATION, default=defaults[CONF_LOCATION]): LOCATION,
            probatio.Required(
                CONF_CUADRANTE_CODE, default=defaults.get(CONF_CUADRANTE_CODE, "")
            ): TEXT,
            probatio.Required(
                CONF_CUADRANTE_NAME, default=defaults.get(CONF_CUADRANTE_NAME, "")
            ): TEXT,
        }
    )


def options_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the front's contacts."""
    return probatio.Schema(
        {
            probatio.Required(
                CONF_CUADRANTE_PHONE, default=defaults.get(CONF_CUADRANTE_PHONE, "")
            ): PHONE,
            probatio.Required(
                CONF_COORDINATOR_NAME, default=defaults.get(CONF_COORDINATOR_NAME, "")
            ): TEXT,
            probatio.Required(
                CONF_COORDINATOR_PHONE, default=defaults.get(CONF_COORDINATOR_PHONE, "")
            ): PHONE,
            probatio.Optional(
                CONF_COORDINATOR_PERSONS,
                default=list(defaults.get(CONF_COORDINATOR_PERSONS, [])),
            ): PERSONS,
        }
    )


def check(errors: dict[str, str], field: str, clean: Callable[[], Any]) -> Any | None:
    """Run one field's cleaner; on failure record the field's error and return None."""
    try:
        return clean()
    except InvalidFrontError as err:
        errors[field] = err.reason
    except InvalidPhoneError:
        errors[field] = "invalid_phone"
    return None


def validate_data(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the identity and place fields; return (data, errors by field)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for field in DATA_TEXT_FIELDS:
        data[field] = check(
            errors, field, partial(clean_text, field, str(user_input[field]))
        )
    data[CONF_CUADRANTE_CODE] = check(
        errors,
        CONF_CUADRANTE_CODE,
        lambda: clean_cuadrante_code(str(user_input[CONF_CUADRANTE_CODE])),
    )
    location = user_input[CONF_LOCATION]
    for field, value in (
        (CONF_LATITUDE, location.get(CONF_LATITUDE)),
        (CONF_LONGITUDE, location.get(CONF_LONGITUDE)),
        (CONF_RADIUS, location.get(CONF_RADIUS) or DEFAULT_RADIUS),
    ):
        data[field] = check(errors, CONF_LOCATION, partial(clean_number, field, value))
    return data, errors


def validate_options(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the contact fields; return (options, errors by field)."""
    errors: dict[str, str] = {}
    options = {
        CONF_CUADRANTE_PHONE: check(
            errors,
            CONF_CUADRANTE_PHONE,
            lambda: normalize_phone(str(user_input[CONF_CUADRANTE_PHONE])),
        ),
        CONF_COORDINATOR_NAME: check(
            errors,
            CONF_COORDINATOR_NAME,
            lambda: clean_text(
                CONF_COORDINATOR_NAME, str(user_input[CONF_COORDINATOR_NAME])
            ),
        ),
        CONF_COORDINATOR_PHONE: check(
            errors,
            CONF_COORDINATOR_PHONE,
            lambda: normalize_phone(str(user_input[CONF_COORDINATOR_PHONE])),
        ),
        CONF_COORDINATOR_PERSONS: list(user_input.get(CONF_COORDINATOR_PERSONS, [])),
    }
    return options, errors


def location_value(source: Mapping[str, Any]) -> dict[str, float]:
    """Return the location selector's value for stored or home coordinates."""
    return {
        CONF_LATITUDE: source[CONF_LATITUDE],
        CONF_LONGITUDE: source[CONF_LONGITUDE],
        CONF_RADIUS: source.get(CONF_RADIUS, DEFAULT_RADIUS),
    }


PORT = selector.NumberSelector(
    selector.NumberSelectorConfig(
        min=1, max=65535, mode=selector.NumberSelectorMode.BOX
    )
)
PASSWORD = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)
BOOLEAN = selector.BooleanSelector()
SECONDS = selector.NumberSelector(
    selector.NumberSelectorConfig(
        min=10,
        max=900,
        step=5,
        unit_of_measurement="s",
        mode=selector.NumberSelectorMode.BOX,
    )
)
TONES = selector.SelectSelector(
    selector.SelectSelectorConfig(
        options=list(SIREN_TONES), translation_key="siren_tone"
    )
)
SIREN_ENTITY = selector.EntitySelector(
    selector.EntitySelectorConfig(domain=["siren", "switch"])
)
BUTTON_ENTITIES = selector.EntitySelector(
    selector.EntitySelectorConfig(domain=["binary_sensor", "event"], multiple=True)
)
TOPIC_FIELDS = ("panic", "siren_set", "siren_state", "availability", "telemetry")
_WILDCARDS = re.compile(r"[+#\s]")


def broker_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the kit's MQTT broker (an empty host means no MQTT kit)."""
    return probatio.Schema(
        {
            probatio.Optional(
                CONF_BROKER_HOST, default=defaults.get(CONF_BROKER_HOST, "")
            ): TEXT,
            probatio.Required(
                CONF_BROKER_PORT,
                default=defaults.get(CONF_BROKER_PORT, DEFAULT_BROKER_PORT),
            ): PORT,
            **credentials_schema(defaults).schema,
            probatio.Required(
                CONF_BROKER_TLS, default=defaults.get(CONF_BROKER_TLS, False)
            ): BOOLEAN,
            probatio.Required(
                CONF_TOPIC_BASE, default=defaults.get(CONF_TOPIC_BASE, DEFAULT_BASE)
            ): TEXT,
        }
    )


def credentials_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the broker's username and password."""
    return probatio.Schema(
        {
            probatio.Optional(
                CONF_BROKER_USERNAME, default=defaults.get(CONF_BROKER_USERNAME, "")
            ): TEXT,
            probatio.Optional(CONF_BROKER_PASSWORD, default=""): PASSWORD,
        }
    )


def clean_topic(field: str, value: str, errors: dict[str, str]) -> str:
    """Return a topic without surrounding slashes; record an error for wildcards.

    MQTT topics are UTF-8 without NUL: text that cannot be stored is refused as well.
    """
    topic = value.strip().strip("/")
    if _WILDCARDS.search(topic) or text_problem(topic) is not None:
        errors[field] = "invalid_topic"
    return topic


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
            probatio.Required(
                CONF_SIREN_DURATION,
                default=defaults.get(CONF_SIREN_DURATION, DEFAULT_SIREN_DURATION),
            ): SECONDS,
            probatio.Required(
                CONF_SIREN_TONE,
                default=defaults.get(CONF_SIREN_TONE, DEFAULT_SIREN_TONE),
            ): TONES,
            probatio.Required(
                CONF_SIREN_PLAIN, default=defaults.get(CONF_SIREN_PLAIN, False)
            ): BOOLEAN,
            probatio.Required(
                CONF_KIT_KEEPALIVE,
                default=defaults.get(CONF_KIT_KEEPALIVE, DEFAULT_KIT_KEEPALIVE),
            ): SECONDS,
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


def url_problem(url: str, schemes: Collection[str]) -> bool:
    """Return True unless ``url`` is storable text, has no spaces, one of ``schemes`` and a host.

    ``urlsplit`` raises on some malformed text (``http://[``): that is an invalid URL too.
    """
    if text_problem(url) is not None or any(char.isspace() for char in url):
        return True
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return True
    return parts.scheme not in schemes or not host
