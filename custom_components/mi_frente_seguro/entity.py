"""The base entity of a front: identity, device and updates from the incident book."""

from __future__ import annotations

from typing import override

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .incidents import FrontIncidents
from .runtime import FrenteConfigEntry


class FrenteEntity(Entity):
    """An entity of one front, pushed by its incidents (never polled)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: FrenteConfigEntry, description: EntityDescription
    ) -> None:
        """Name the entity after its description, on the front's device."""
        self.entity_description = description
        self.entry = entry
        self.incidents: FrontIncidents = entry.runtime_data.incidents
        front_id = entry.runtime_data.front.front_id
        self._attr_unique_id = f"{front_id}-{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, front_id)})

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the front's incidents."""
        await super().async_added_to_hass()
        self.async_on_remove(self.incidents.async_add_listener(self._handle_update))
        self._update_from_incidents()

    def _handle_update(self) -> None:
        self._update_from_incidents()
        self.async_write_ha_state()

    def _update_from_incidents(self) -> None:
        """Read what the entity shows from the incidents (override)."""


class FrenteDispatchEntity(FrenteEntity):
    """An entity about the front's police link (outbox and status updates)."""

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the police link as well as the incidents."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entry.runtime_data.dispatch.async_add_listener(self._handle_update)
        )
