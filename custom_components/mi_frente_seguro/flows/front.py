"""The front's own forms: who and where it is (entry data), and its contacts (options)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import probatio

from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME, CONF_RADIUS

from ..const import (
    CONF_ADDRESS,
    CONF_BARRIO,
    CONF_CANCEL_WINDOW,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PERSONS,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_CODE,
    CONF_CUADRANTE_NAME,
    CONF_CUADRANTE_PHONE,
    CONF_DRILL_DAY,
    CONF_LOCATION,
    DEFAULT_CANCEL_WINDOW,
    DEFAULT_DRILL_DAY,
    DEFAULT_RADIUS,
)
from ..frente.front import clean_cuadrante_code, clean_number, clean_text
from ..frente.phone import normalize_phone
from .fields import (
    CANCEL_SECONDS,
    DAY_OF_MONTH,
    LOCATION,
    PERSONS,
    PHONE,
    TEXT,
    check,
    required,
)

# Fields kept in entry.data (identity and place; reconfigure flow) ...
DATA_TEXT_FIELDS = (CONF_NAME, CONF_BARRIO, CONF_ADDRESS, CONF_CUADRANTE_NAME)


def data_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the front's identity and place."""
    return probatio.Schema(
        {
            required(CONF_NAME, defaults): TEXT,
            required(CONF_BARRIO, defaults): TEXT,
            required(CONF_ADDRESS, defaults): TEXT,
            probatio.Required(CONF_LOCATION, default=defaults[CONF_LOCATION]): LOCATION,
            required(CONF_CUADRANTE_CODE, defaults): TEXT,
            required(CONF_CUADRANTE_NAME, defaults): TEXT,
        }
    )


def options_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """Return the schema of the front's contacts."""
    return probatio.Schema(
        {
            required(CONF_CUADRANTE_PHONE, defaults): PHONE,
            required(CONF_COORDINATOR_NAME, defaults): TEXT,
            required(CONF_COORDINATOR_PHONE, defaults): PHONE,
            probatio.Optional(
                CONF_COORDINATOR_PERSONS,
                default=list(defaults.get(CONF_COORDINATOR_PERSONS, [])),
            ): PERSONS,
            probatio.Optional(
                CONF_DRILL_DAY, default=defaults.get(CONF_DRILL_DAY, DEFAULT_DRILL_DAY)
            ): DAY_OF_MONTH,
            probatio.Optional(
                CONF_CANCEL_WINDOW,
                default=defaults.get(CONF_CANCEL_WINDOW, DEFAULT_CANCEL_WINDOW),
            ): CANCEL_SECONDS,
        }
    )


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
        CONF_DRILL_DAY: check(
            errors,
            CONF_DRILL_DAY,
            lambda: int(
                clean_number(
                    CONF_DRILL_DAY, user_input.get(CONF_DRILL_DAY, DEFAULT_DRILL_DAY)
                )
            ),
        ),
        CONF_CANCEL_WINDOW: check(
            errors,
            CONF_CANCEL_WINDOW,
            lambda: int(
                clean_number(
                    CONF_CANCEL_WINDOW,
                    user_input.get(CONF_CANCEL_WINDOW, DEFAULT_CANCEL_WINDOW),
                )
            ),
        ),
    }
    return options, errors


def location_value(source: Mapping[str, Any]) -> dict[str, float]:
    """Return the location selector's value for stored or home coordinates."""
    return {
        CONF_LATITUDE: source[CONF_LATITUDE],
        CONF_LONGITUDE: source[CONF_LONGITUDE],
        CONF_RADIUS: source.get(CONF_RADIUS, DEFAULT_RADIUS),
    }
