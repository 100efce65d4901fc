"""The front's press events: every recorded press, typed by kind; never a silent one.

A silent (duress) press fires nothing here, from the app or the kit (``frente/duress.py``).
"""

from __future__ import annotations

from typing import override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import SIGNAL_KIT_PRESS
from .entity import FrenteEntity, FrenteKitEntity, kit_entities
from .frente.change import IncidentChange
from .frente.incident import IncidentKind, shown
from .frente.kit.protocol import PRESS_KINDS, PressMessage
from .runtime import FrenteConfigEntry

PARALLEL_UPDATES = 0

PRESS = EventEntityDescription(
    key="press",
    translation_key="press",
    event_types=[
        kind.value for kind in IncidentKind if kind is not IncidentKind.SILENT
    ],
)


KIT_PRESS = EventEntityDescription(
    key="button",
    translation_key="kit_button",
    event_types=sorted(PRESS_KINDS - {IncidentKind.SILENT.value}),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the front's press event, and the kit button's when it has an MQTT kit."""
    entities: list[EventEntity] = [FrentePressEvent(entry, PRESS)]
    entities += kit_entities(entry, FrenteKitButtonEvent, [KIT_PRESS])
    async_add_entities(entities)


class FrentePressEvent(FrenteEntity, EventEntity):
    """A panic button press on the front, from any source."""

    _unrecorded_attributes = frozenset({"incident_id"})

    @override
    @callback
    def _on_incident_change(self, change: IncidentChange | None) -> None:
        """Fire for a recorded press (never a silent one); other changes fire nothing."""
        if change is None or change.press is None or not change.is_press:
            return
        if not shown(change.press):
            return
        press = change.press
        self._trigger_event(
            press.kind.value,
            {
                "incident_id": change.incident.incident_id,
                "opened": change.opened,
                "source": press.source.value,
                "emergency": press.emergency.value,
                "sender": press.sender.name or press.sender.device,
            },
        )
        self.write_state(change)


class FrenteKitButtonEvent(FrenteKitEntity, EventEntity):
    """A press of the street kit's physical button (after it was stored)."""

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the kit's presses."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_KIT_PRESS.format(self.kit.incidents.front.front_id),
                self._on_press,
            )
        )

    @callback
    def _on_press(self, press: PressMessage, context: Context) -> None:
        if press.kind == IncidentKind.SILENT:
            return
        self._trigger_event(press.kind, {"button": press.button, "seq": press.seq})
        self.async_set_context(context)
        self.async_write_ha_state()
