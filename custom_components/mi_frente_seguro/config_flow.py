"""Config, reconfigure, reauth and options flows: a coordinator sets up a front from the UI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, override

import probatio

from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import callback

from .const import (
    CONF_BARRIO,
    CONF_BROKER_PASSWORD,
    CONF_BROKER_USERNAME,
    CONF_FRONT_ID,
    CONF_LOCATION,
    DOMAIN,
    SUBENTRY_MEMBER,
    PoliceField,
)
from .flows.broker import (
    async_check_broker,
    broker_schema,
    credentials_schema,
    validate_broker,
)
from .flows.cameras import async_validate_cameras, cameras_schema
from .flows.destination_fields import police_schema
from .flows.destinations import DESTINATION_FLOWS
from .flows.fields import check
from .flows.front import (
    data_schema,
    location_value,
    options_schema,
    validate_data,
    validate_options,
)
from .flows.kit import kit_schema, validate_kit
from .flows.members import MemberSubentryFlow
from .flows.police import current_police, save_police, validate_police
from .flows.uplink import async_validate_uplink, current_uplink, uplink_schema
from .frente.front import make_front_id
from .frente.uplink.settings import SETTINGS_KEY
from .migration import MINOR_VERSION, VERSION
from .police_url import police_webhook_text
from .runtime import FrenteConfigEntry


class FrenteConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a security front, change it, or renew its broker password."""

    VERSION = VERSION
    MINOR_VERSION = MINOR_VERSION

    def __init__(self) -> None:
        """Start with nothing entered."""
        self._data: dict[str, Any] = {}
        self._options: dict[str, Any] = {}

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the front, its quadrant and its coordinator."""
        errors: dict[str, str] = {}
        home = {
            CONF_LATITUDE: self.hass.config.latitude,
            CONF_LONGITUDE: self.hass.config.longitude,
        }
        defaults: dict[str, Any] = {CONF_LOCATION: location_value(home)}
        if user_input is not None:
            defaults = user_input
            data, errors = validate_data(user_input)
            options, option_errors = validate_options(user_input)
            errors |= option_errors
            if not errors:
                data[CONF_FRONT_ID] = check(
                    errors,
                    CONF_NAME,
                    lambda: make_front_id(data[CONF_BARRIO], data[CONF_NAME]),
                )
            if not errors:
                await self.async_set_unique_id(data[CONF_FRONT_ID])
                self._abort_if_unique_id_configured()
                self._data, self._options = data, options
                return await self.async_step_broker()
        schema = data_schema(defaults).extend(options_schema(defaults).schema)
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_broker(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask where the kit's MQTT broker is (optional) and test it before saving."""
        errors: dict[str, str] = {}
        if user_input is not None:
            broker, errors = validate_broker(user_input)
            if not errors:
                errors = await async_check_broker({**self._data, **broker})
            if not errors:
                return self.async_create_entry(
                    title=self._data[CONF_NAME],
                    data={**self._data, **broker},
                    options=self._options,
                )
        return self.async_show_form(
            step_id="broker", data_schema=broker_schema(user_input or {}), errors=errors
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start re-authentication: the broker refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the broker's username and password again, and test them."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = {
                CONF_BROKER_USERNAME: str(user_input.get(CONF_BROKER_USERNAME, "")),
                CONF_BROKER_PASSWORD: str(user_input.get(CONF_BROKER_PASSWORD, "")),
            }
            errors = await async_check_broker({**entry.data, **credentials})
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data_updates=credentials
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=credentials_schema(entry.data),
            errors=errors,
            description_placeholders={"front": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the front's name, place or quadrant; its id stays the same."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = {
            **entry.data,
            CONF_LOCATION: location_value(entry.data),
        }
        if user_input is not None:
            defaults = user_input
            self._data, errors = validate_data(user_input)
            if not errors:
                return await self.async_step_reconfigure_broker()
        return self.async_show_form(
            step_id="reconfigure", data_schema=data_schema(defaults), errors=errors
        )

    async def async_step_reconfigure_broker(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the kit's broker (tested before saving)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = entry.data
        if user_input is not None:
            defaults = user_input
            broker, errors = validate_broker(user_input)
            if not broker[CONF_BROKER_PASSWORD]:
                broker[CONF_BROKER_PASSWORD] = entry.data.get(CONF_BROKER_PASSWORD, "")
            if not errors:
                errors = await async_check_broker({**entry.data, **broker})
            if not errors:
                return self.async_update_reload_and_abort(
                    entry,
                    title=self._data[CONF_NAME],
                    data_updates={**self._data, **broker},
                )
        return self.async_show_form(
            step_id="reconfigure_broker",
            data_schema=broker_schema(defaults),
            errors=errors,
        )

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: FrenteConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Members and destinations are added to a front as subentries."""
        return {SUBENTRY_MEMBER: MemberSubentryFlow, **DESTINATION_FLOWS}

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: FrenteConfigEntry) -> FrenteOptionsFlow:
        """Return the options flow of a front."""
        return FrenteOptionsFlow()


class FrenteOptionsFlow(OptionsFlow):
    """Change a front's contacts, kit, cameras or police link."""

    _police: dict[str, Any]

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the two groups of options."""
        return self.async_show_menu(
            step_id="init",
            menu_options=["contacts", "kit", "cameras", "police", "city_uplink"],
        )

    async def async_step_contacts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the contacts: quadrant phone, coordinator, coordinators in HA."""
        return await self._form(
            "contacts", user_input, options_schema, validate_options
        )

    async def async_step_kit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the kit's behaviour, topics and adopted HA devices."""
        return await self._form("kit", user_input, kit_schema, validate_kit)

    async def async_step_cameras(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set up to four cameras (each must answer with a frame) and evidence options."""
        errors: dict[str, str] = {}
        placeholders = {"reasons": "-"}
        defaults: Mapping[str, Any] = self.config_entry.options
        if user_input is not None:
            defaults = user_input
            options, errors, placeholders = await async_validate_cameras(
                self.hass, user_input, get_ffmpeg_manager(self.hass).binary
            )
            if not errors:
                return self.async_create_entry(
                    data={**self.config_entry.options, **options}
                )
        return self.async_show_form(
            step_id="cameras",
            data_schema=cameras_schema(defaults),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_police(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set the first destination (the police endpoint) and the escalation delay.

        The endpoint is saved as the ``police`` destination subentry; a generated secret
        is shown once before saving.
        """
        errors: dict[str, str] = {}
        options = current_police(self.config_entry)
        if user_input is not None:
            self._police, errors, generated = validate_police(user_input, options)
            if not errors and generated is not None:
                return self.async_show_form(
                    step_id="police_secret",
                    description_placeholders={
                        "secret": generated,
                        "webhook": self._webhook_url(self._police),
                    },
                )
            if not errors:
                return self._save_police()
        return self.async_show_form(
            step_id="police",
            data_schema=police_schema(user_input or options),
            errors=errors,
            description_placeholders={"webhook": self._webhook_url(options)},
        )

    async def async_step_police_secret(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Save once the coordinator has seen (and copied) the new secret."""
        return self._save_police()

    def _save_police(self) -> ConfigFlowResult:
        """Save the endpoint as the ``police`` destination, the rest in the options."""
        options = save_police(self.hass, self.config_entry, self._police)
        return self.async_create_entry(data=options)

    async def async_step_city_uplink(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set the city MQTT broker (an empty host turns the uplink off)."""
        errors: dict[str, str] = {}
        options = self.config_entry.options
        defaults: Mapping[str, Any] = current_uplink(options)
        if user_input is not None:
            defaults = {k: v for k, v in user_input.items() if k != "password"}
            uplink, errors = await async_validate_uplink(self.hass, user_input, options)
            if not errors:
                saved = {k: v for k, v in options.items() if k != SETTINGS_KEY}
                if uplink is not None:
                    saved[SETTINGS_KEY] = uplink
                return self.async_create_entry(data=saved)
        return self.async_show_form(
            step_id="city_uplink", data_schema=uplink_schema(defaults), errors=errors
        )

    def _webhook_url(self, options: Mapping[str, Any]) -> str:
        return police_webhook_text(self.hass, options.get(PoliceField.WEBHOOK_ID))

    async def _form(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        schema: Callable[[Mapping[str, Any]], probatio.Schema],
        validate: Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, str]]],
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = self.config_entry.options
        if user_input is not None:
            defaults = user_input
            options, errors = validate(user_input)
            if not errors:
                return self.async_create_entry(
                    data={**self.config_entry.options, **options}
                )
        return self.async_show_form(
            step_id=step_id, data_schema=schema(defaults), errors=errors
        )
