"""The base entity of a front's street kit: a device under the front, following the link."""

from __future__ import annotations

from typing import override

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .kit import FrontKit
from .runtime import FrenteConfigEntry


class FrenteKitEntity(Entity):
    """An entity of the street kit; unavailable while the broker or the kit is away."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: FrenteConfigEntry, description: EntityDescription
    ) -> None:
        """Put the entity on the kit's device, linked to the front's device."""
        self.entity_description = description
        self.kit: FrontKit = entry.runtime_data.kit
        front_id = entry.runtime_data.front.front_id
        self._attr_unique_id = f"{front_id}-kit-{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{front_id}-kit")},
            translation_key="kit",
            translation_placeholders={"name": entry.runtime_data.front.name},
            manufacturer="Mi Frente Seguro",
            model="Kit de calle (MQTT)",
            via_device_id=entry.runtime_data.device_id,
        )

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the kit."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, self.kit.signal, self.async_write_ha_state
            )
        )

    @property
    @override
    def available(self) -> bool:
        """Return True while the link is up and the kit says it is online."""
        return self.kit.available


def has_mqtt_kit(entry: FrenteConfigEntry) -> bool:
    """Return True when the front has an MQTT kit (a broker is configured)."""
    return entry.runtime_data.kit.client is not None
