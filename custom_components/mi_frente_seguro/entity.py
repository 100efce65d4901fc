"""The base entity of a front: identity, device and updates from the front's signal."""

from __future__ import annotations

from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN, SIGNAL_POLICE
from .frente.change import IncidentChange
from .incidents import FrontIncidents
from .runtime import FrenteConfigEntry


class FrenteEntity(Entity):
    """An entity of one front, pushed by its incident changes (never polled)."""

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
        self._last_shown: tuple[Any, ...] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the front's incident changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, self.incidents.signal, self._on_incident_change
            )
        )
        self._update_from_incidents()
        self._last_shown = (
            self._shown()
        )  # HA writes this state once the entity is added

    @callback
    def _on_incident_change(self, change: IncidentChange | None) -> None:
        """Show a stored change (None: read the book again)."""
        self._refresh(change)

    @callback
    def _refresh(self, change: IncidentChange | None = None) -> None:
        """Write the state only when what the entity shows changed.

        Every incident and police-link change reaches every entity of the front; most
        leave an entity as it was. Writing anyway costs a state-machine update and an
        event each (about 47 of them per alarm raised and cancelled), and that work and
        its garbage compete with the next alarm for the event loop. The write carries the
        change's context, so the logbook ties the state to its cause.
        """
        self._update_from_incidents()
        shown = self._shown()
        if shown != self._last_shown:
            self._last_shown = shown
            self.write_state(change)

    def write_state(self, change: IncidentChange | None) -> None:
        """Write the state, under the context of ``change`` when there is one."""
        if change is not None and change.context is not None:
            self.async_set_context(change.context)
        self.async_write_ha_state()

    def _shown(self) -> tuple[Any, ...]:
        """Return what the state machine would show of this entity."""
        return (self.available, self.state, self.extra_state_attributes)

    def _update_from_incidents(self) -> None:
        """Read what the entity shows from the incidents (override)."""


class FrenteDispatchEntity(FrenteEntity):
    """An entity about the front's police link (outbox and status updates)."""

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the police link as well as the incidents."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_POLICE.format(self.entry.runtime_data.front.front_id),
                self._refresh,
            )
        )
