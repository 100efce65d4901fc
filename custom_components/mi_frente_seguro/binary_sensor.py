"""The street kit's connectivity and tamper sensors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import (
    FrenteDestinationEntity,
    FrenteKitEntity,
    destinations_with_outbox,
    kit_entities,
)
from .runtime import FrenteConfigEntry
from .runtime.kit import FrontKit

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FrenteKitBinaryDescription(BinarySensorEntityDescription):
    """A kit binary sensor and how to read it."""

    value_fn: Callable[[FrontKit], bool | None]
    available_fn: Callable[[FrontKit], bool]


BINARY_SENSORS = (
    FrenteKitBinaryDescription(
        key="connectivity",
        translation_key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda kit: kit.kit_online,
        available_fn=lambda kit: kit.link_up,
    ),
    FrenteKitBinaryDescription(
        key="tamper",
        translation_key="tamper",
        device_class=BinarySensorDeviceClass.TAMPER,
        value_fn=lambda kit: kit.telemetry.tamper,
        available_fn=lambda kit: kit.available,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the kit's binary sensors when the front has an MQTT kit."""
    async_add_entities(kit_entities(entry, FrenteKitBinarySensor, BINARY_SENSORS))
    for destination, subentry_id in destinations_with_outbox(entry):
        entity = FrenteEndpointProblem(entry, ENDPOINT_PROBLEM, destination)
        if subentry_id is None:
            async_add_entities([entity])
        else:
            async_add_entities([entity], config_subentry_id=subentry_id)


class FrenteKitBinarySensor(FrenteKitEntity, BinarySensorEntity):
    """Connectivity (the kit's last will) or tamper."""

    entity_description: FrenteKitBinaryDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the kit's reported value."""
        return self.entity_description.value_fn(self.kit)

    @property
    @override
    def available(self) -> bool:
        """Connectivity needs only the broker link; tamper needs the kit too."""
        return self.entity_description.available_fn(self.kit)


ENDPOINT_PROBLEM = BinarySensorEntityDescription(
    key="endpoint_problem",
    translation_key="endpoint_problem",
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class FrenteEndpointProblem(FrenteDestinationEntity, BinarySensorEntity):
    """On while a destination cannot be reached (said 410 Gone, or its link is down)."""

    @override
    def _update_from_incidents(self) -> None:
        destinations = self.entry.runtime_data.dispatch.destinations
        self._attr_is_on = destinations.problem(self.destination_id)
