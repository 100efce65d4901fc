"""What every action of the integration shares: the front it names, safe fields, Action.

Every action names its front by ``config_entry_id`` or ``device_id``; every text field is
checked for what the ledger could not store (lone surrogates, control characters) and
every number for being finite and in range, before any handler runs (hostile input gets a
clear validation error and changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import probatio

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    service,
)

from .const import DOMAIN
from .errors import translated
from .frente.text import InvalidInputError, checked_text, finite_number
from .runtime import FrenteConfigEntry


def storable(*, multiline: bool = False) -> Callable[[Any], str]:
    """Return a validator of text that can be stored (no lone surrogates, no controls)."""

    def validate(value: Any) -> str:
        try:
            return checked_text(value, "text", multiline=multiline)
        except InvalidInputError as err:
            raise probatio.Invalid(
                f"text that cannot be stored ({err.problem})"
            ) from err

    return validate


def finite(low: float, high: float) -> Callable[[Any], float]:
    """Return a validator of a finite number in ``[low, high]`` (``nan`` is refused)."""

    def validate(value: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError) as err:
            raise probatio.Invalid("not a number") from err
        try:
            return finite_number(number, "number", low=low, high=high)
        except InvalidInputError as err:
            raise probatio.Invalid(
                f"not a finite number in range ({err.problem})"
            ) from err

    return validate


TEXT = probatio.All(cv.string, storable())
FRONT_FIELDS = {
    probatio.Exclusive(ATTR_CONFIG_ENTRY_ID, "front"): TEXT,
    probatio.Exclusive(ATTR_DEVICE_ID, "front"): TEXT,
}


@dataclass(frozen=True, slots=True)
class Action:
    """One action: its name, schema and handler; ``answers`` when its response is all."""

    name: str
    handler: Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]
    schema: probatio.Schema
    answers: bool = False  # exports, reports, a dashboard: the response is their point

    def register(self, hass: HomeAssistant) -> None:
        """Register the action under the integration's domain."""
        hass.services.async_register(
            DOMAIN,
            self.name,
            self.handler,
            schema=self.schema,
            supports_response=SupportsResponse.ONLY
            if self.answers
            else SupportsResponse.OPTIONAL,
        )


def front_entry(call: ServiceCall) -> FrenteConfigEntry:
    """Return the loaded front named by the call's config entry or device."""
    hass = call.hass
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None and (device_id := call.data.get(ATTR_DEVICE_ID)) is not None:
        device = dr.async_get(hass).async_get(device_id)
        entry_ids = device.config_entries if device is not None else set()
        entry_id = next(
            (
                item
                for item in entry_ids
                if (entry := hass.config_entries.async_get_entry(item))
                and entry.domain == DOMAIN
            ),
            None,
        )
        if entry_id is None:
            raise translated(
                ServiceValidationError, "unknown_device", device_id=device_id
            )
    if entry_id is None:
        raise translated(ServiceValidationError, "front_required")
    front: FrenteConfigEntry = service.async_get_config_entry(hass, DOMAIN, entry_id)
    return front
