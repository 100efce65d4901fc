"""The destination subentry flows: add or change a JSON, CAP, SIA or phone destination.

Each destination is a config subentry of the front (types ``json``, ``cap``, ``sia``,
``phone``), with its own durable queue, entities and repair issues. Every field is
checked (``destination_fields.py``) before anything is saved; a JSON/CAP destination's
generated signing secret is shown once; a phone destination's target must be a
``notify.*`` entity or action that exists in this HA. Saving reloads the front.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
import uuid

import probatio

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult

from ..const import (
    CONF_DESTINATION_ID,
    CONF_NAME_DESTINATION,
    CONF_PHONE_TARGET,
    SUBENTRY_CAP,
    SUBENTRY_JSON,
    SUBENTRY_PHONE,
    SUBENTRY_SIA,
)
from .destination_fields import (
    clean_name,
    phone_schema,
    sia_schema,
    validate_phone_target,
    validate_sia,
    validate_webhook,
    webhook_schema,
)


class DestinationSubentryFlow(ConfigSubentryFlow):
    """Add or change one destination of a front (the type says which form)."""

    kind: str = SUBENTRY_JSON
    _pending: dict[str, Any]
    _title: str

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for a new destination."""
        return await self._form("user", user_input, {})

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a destination (an empty secret or key keeps the stored one)."""
        subentry = self._get_reconfigure_subentry()
        current = {**subentry.data, CONF_NAME_DESTINATION: subentry.title}
        return await self._form("reconfigure", user_input, current)

    async def async_step_secret(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Save once the coordinator has seen (and copied) the generated secret."""
        return self._save()

    async def _form(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        current: Mapping[str, Any],
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = user_input or current
        if user_input is not None:
            data, errors, generated = self._validate(user_input, current)
            if not errors:
                self._title = str(user_input[CONF_NAME_DESTINATION]).strip()
                self._pending = data
                if generated is not None:
                    return self.async_show_form(
                        step_id="secret",
                        description_placeholders={"secret": generated},
                    )
                return self._save()
        return self.async_show_form(
            step_id=step_id, data_schema=self._schema(defaults), errors=errors
        )

    def _save(self) -> SubentryFlowResult:
        if self.source == "reconfigure":
            subentry = self._get_reconfigure_subentry()
            return self.async_update_and_abort(
                self._get_entry(),
                subentry,
                title=self._title,
                data_updates=self._pending,
            )
        destination_id = uuid.uuid4().hex[:12]
        return self.async_create_entry(
            title=self._title,
            data={CONF_DESTINATION_ID: destination_id, **self._pending},
            unique_id=destination_id,
        )

    def _schema(self, defaults: Mapping[str, Any]) -> probatio.Schema:
        if self.kind == SUBENTRY_SIA:
            return sia_schema(defaults)
        if self.kind == SUBENTRY_PHONE:
            return phone_schema(defaults)
        return webhook_schema(defaults)

    def _validate(
        self, user_input: Mapping[str, Any], current: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str], str | None]:
        if self.kind == SUBENTRY_SIA:
            data, errors = validate_sia(user_input, current)
            return data, errors, None
        if self.kind == SUBENTRY_PHONE:
            return (*self._validate_phone(user_input), None)
        return validate_webhook(user_input, current)

    def _validate_phone(
        self, user_input: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        clean_name(user_input, errors)
        target, error = validate_phone_target(user_input.get(CONF_PHONE_TARGET))
        if error is None:
            _, _, name = target.partition(".")
            exists = self.hass.states.get(target) is not None or (
                self.hass.services.has_service("notify", name)
            )
            if not exists:
                error = "unknown_phone_target"
        if error is not None:
            errors[CONF_PHONE_TARGET] = error
        return {CONF_PHONE_TARGET: target}, errors


class JsonDestinationFlow(DestinationSubentryFlow):
    """A police centre's endpoint taking our signed JSON."""

    kind = SUBENTRY_JSON


class CapDestinationFlow(DestinationSubentryFlow):
    """An endpoint taking CAP 1.2 alerts, signed."""

    kind = SUBENTRY_CAP


class SiaDestinationFlow(DestinationSubentryFlow):
    """A monitoring centre's SIA DC-09 receiver."""

    kind = SUBENTRY_SIA


class PhoneDestinationFlow(DestinationSubentryFlow):
    """The cuadrante's phone through an HA notify entity or action."""

    kind = SUBENTRY_PHONE


DESTINATION_FLOWS: dict[str, type[ConfigSubentryFlow]] = {
    SUBENTRY_JSON: JsonDestinationFlow,
    SUBENTRY_CAP: CapDestinationFlow,
    SUBENTRY_SIA: SiaDestinationFlow,
    SUBENTRY_PHONE: PhoneDestinationFlow,
}
