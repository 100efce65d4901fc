"""The base entities of a front: identity, device, and one way to be updated.

Every entity is pushed, never polled: it connects to its front's dispatcher signals in
``async_added_to_hass`` (``async_on_remove`` disconnects it) and, on each signal, reads
what it shows and writes its state only when that changed, under the context of the
change that caused it. The front's own entities sit on the front's device; the street
kit's on the kit's device under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.util.signal_type import SignalType

from .const import DOMAIN, FIRST_DESTINATION, SIGNAL_POLICE
from .frente.change import IncidentChange
from .frente.dispatch.outbox import Outbox
from .runtime import FrenteConfigEntry
from .runtime.incidents import FrontIncidents
from .runtime.kit import FrontKit
from .runtime.police_settings import DestinationSettings


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

    _follows_incidents = True  # the kit's entities show the kit, not the incidents

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the front's incident changes, and the signals of what it shows."""
        await super().async_added_to_hass()
        if self._follows_incidents:
            self.async_on_remove(
                async_dispatcher_connect(
                    self.hass, self.incidents.signal, self._on_incident_change
                )
            )
        for signal in self._signals():
            self.async_on_remove(
                async_dispatcher_connect(self.hass, signal, self._refresh)
            )
        self._update_from_incidents()
        self._last_shown = self._shown()  # HA writes this state once it is added

    def _signals(self) -> list[SignalType[()]]:
        """Return the other signals that change what the entity shows (override)."""
        return []

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
    """An entity about the front's police link (outbox and status updates).

    While a silent incident is open it shows nothing new: its queue, latency or refusals
    would tell that an alarm went out (``frente/duress.py``).
    """

    @override
    def _signals(self) -> list[SignalType[()]]:
        return [SIGNAL_POLICE.format(self.entry.runtime_data.front.front_id)]

    @override
    @callback
    def _refresh(self, change: IncidentChange | None = None) -> None:
        if not self.incidents.duress_open:
            super()._refresh(change)


class FrenteDestinationEntity(FrenteDispatchEntity):
    """An entity of one destination (its queue, latency, refusals, link).

    The ``police`` destination (the police link of before) keeps its entities' ids on
    the front's device; every other destination has a device of its own under it.
    """

    def __init__(
        self,
        entry: FrenteConfigEntry,
        description: EntityDescription,
        destination: DestinationSettings,
    ) -> None:
        """Put the entity on its destination's device (the front's for ``police``)."""
        super().__init__(entry, description)
        self.destination_id = destination.destination_id
        front = entry.runtime_data.front
        if destination.destination_id == FIRST_DESTINATION:
            return
        self._attr_unique_id = (
            f"{front.front_id}-{destination.destination_id}-{description.key}"
        )
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{front.front_id}-{destination.destination_id}")},
            name=destination.name,
            manufacturer="Mi Frente Seguro",
            model=f"Destino ({destination.kind})",
            via_device_id=entry.runtime_data.device_id,
        )

    @property
    def outbox(self) -> Outbox | None:
        """Return the destination's outbox."""
        return self.entry.runtime_data.dispatch.destinations.outboxes.get(
            self.destination_id
        )


class FrenteKitEntity(FrenteEntity):
    """An entity of the street kit; unavailable while the broker or the kit is away."""

    def __init__(
        self, entry: FrenteConfigEntry, description: EntityDescription
    ) -> None:
        """Put the entity on the kit's device, linked to the front's device."""
        super().__init__(entry, description)
        self.kit: FrontKit = entry.runtime_data.kit
        front = entry.runtime_data.front
        self._attr_unique_id = f"{front.front_id}-kit-{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{front.front_id}-kit")},
            translation_key="kit",
            translation_placeholders={"name": front.name},
            manufacturer="Mi Frente Seguro",
            model="Kit de calle (MQTT)",
            via_device_id=entry.runtime_data.device_id,
        )

    _follows_incidents = False

    @override
    def _signals(self) -> list[SignalType[()]]:
        """Follow the kit (its link, availability, siren and telemetry)."""
        return [self.kit.signal]

    @property
    @override
    def available(self) -> bool:
        """Return True while the link is up and the kit says it is online."""
        return self.kit.available


def kit_entities[E: FrenteKitEntity, D: EntityDescription](
    entry: FrenteConfigEntry,
    entity: Callable[[FrenteConfigEntry, D], E],
    descriptions: Iterable[D],
) -> list[E]:
    """Return the kit's entities of a platform: none when the front has no MQTT kit."""
    if entry.runtime_data.kit.client is None:  # no broker: no MQTT kit
        return []
    return [entity(entry, description) for description in descriptions]


def destinations_with_outbox(
    entry: FrenteConfigEntry,
) -> list[tuple[DestinationSettings, str | None]]:
    """Return the destinations that have an outbox, and the subentry their entities join.

    None for the ``police`` destination (its entities stay the front's, as before).
    """
    dispatch = entry.runtime_data.dispatch
    return [
        (
            destination,
            None
            if destination.destination_id == FIRST_DESTINATION
            else destination.subentry_id,
        )
        for destination in dispatch.destinations.settings.values()
        if destination.destination_id in dispatch.destinations.outboxes
    ]
