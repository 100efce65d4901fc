"""Config, reconfigure and options flows: a coordinator adds and edits a front from the UI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import probatio

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME, CONF_RADIUS
from homeassistant.core import callback
from homeassistant.helpers import selector

from .const import (
    CONF_ADDRESS,
    CONF_BARRIO,
    CONF_COORDINATOR_NAME,
    CONF_COORDINATOR_PERSONS,
    CONF_COORDINATOR_PHONE,
    CONF_CUADRANTE_CODE,
    CONF_CUADRANTE_NAME,
    CONF_CUADRANTE_PHONE,
    CONF_FRONT_ID,
    CONF_LOCATION,
    DEFAULT_RADIUS,
    DOMAIN,
)
from .frente.front import (
    InvalidFrontError,
    clean_cuadrante_code,
    clean_text,
    make_front_id,
)
from .frente.phone import InvalidPhoneError, normalize_phone
from .runtime import FrenteConfigEntry

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


def _data_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
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


def _options_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
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


def _check(errors: dict[str, str], field: str, clean: Callable[[], Any]) -> Any | None:
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
        data[field] = _check(
            errors, field, partial(clean_text, field, str(user_input[field]))
        )
    data[CONF_CUADRANTE_CODE] = _check(
        errors,
        CONF_CUADRANTE_CODE,
        lambda: clean_cuadrante_code(str(user_input[CONF_CUADRANTE_CODE])),
    )
    location = user_input[CONF_LOCATION]
    data[CONF_LATITUDE] = float(location[CONF_LATITUDE])
    data[CONF_LONGITUDE] = float(location[CONF_LONGITUDE])
    data[CONF_RADIUS] = float(location.get(CONF_RADIUS) or DEFAULT_RADIUS)
    return data, errors


def validate_options(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the contact fields; return (options, errors by field)."""
    errors: dict[str, str] = {}
    options = {
        CONF_CUADRANTE_PHONE: _check(
            errors,
            CONF_CUADRANTE_PHONE,
            lambda: normalize_phone(str(user_input[CONF_CUADRANTE_PHONE])),
        ),
        CONF_COORDINATOR_NAME: _check(
            errors,
            CONF_COORDINATOR_NAME,
            lambda: clean_text(
                CONF_COORDINATOR_NAME, str(user_input[CONF_COORDINATOR_NAME])
            ),
        ),
        CONF_COORDINATOR_PHONE: _check(
            errors,
            CONF_COORDINATOR_PHONE,
            lambda: normalize_phone(str(user_input[CONF_COORDINATOR_PHONE])),
        ),
        CONF_COORDINATOR_PERSONS: list(user_input.get(CONF_COORDINATOR_PERSONS, [])),
    }
    return options, errors


def _location(source: Mapping[str, Any]) -> dict[str, float]:
    """Return the location selector's value for stored or home coordinates."""
    return {
        CONF_LATITUDE: source[CONF_LATITUDE],
        CONF_LONGITUDE: source[CONF_LONGITUDE],
        CONF_RADIUS: source.get(CONF_RADIUS, DEFAULT_RADIUS),
    }


class FrenteConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a security front, or change where it is."""

    VERSION = 1
    MINOR_VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the front, its quadrant and its coordinator."""
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = {
            CONF_LOCATION: _location(
                {
                    CONF_LATITUDE: self.hass.config.latitude,
                    CONF_LONGITUDE: self.hass.config.longitude,
                }
            )
        }
        if user_input is not None:
            defaults = user_input
            data, errors = validate_data(user_input)
            options, option_errors = validate_options(user_input)
            errors |= option_errors
            if not errors:
                data[CONF_FRONT_ID] = _check(
                    errors,
                    CONF_NAME,
                    lambda: make_front_id(data[CONF_BARRIO], data[CONF_NAME]),
                )
            if not errors:
                await self.async_set_unique_id(data[CONF_FRONT_ID])
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=data[CONF_NAME], data=data, options=options
                )
        schema = probatio.Schema(
            {**_data_schema(defaults).schema, **_options_schema(defaults).schema}
        )
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the front's name, place or quadrant; its id stays the same."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = {**entry.data, CONF_LOCATION: _location(entry.data)}
        if user_input is not None:
            defaults = user_input
            data, errors = validate_data(user_input)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, title=data[CONF_NAME], data_updates=data
                )
        return self.async_show_form(
            step_id="reconfigure", data_schema=_data_schema(defaults), errors=errors
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: FrenteConfigEntry) -> FrenteOptionsFlow:
        """Return the options flow of a front."""
        return FrenteOptionsFlow()


class FrenteOptionsFlow(OptionsFlowWithReload):
    """Change a front's contacts: quadrant phone and coordinator."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the contact fields."""
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = self.config_entry.options
        if user_input is not None:
            defaults = user_input
            options, errors = validate_options(user_input)
            if not errors:
                return self.async_create_entry(
                    data={**self.config_entry.options, **options}
                )
        return self.async_show_form(
            step_id="init", data_schema=_options_schema(defaults), errors=errors
        )
