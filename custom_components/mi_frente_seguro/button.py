"""The digital panic buttons of a front: Pánico, Emergencia médica, Incendio, Simulacro.

Residents press them from a dashboard, an Android widget or quick-settings tile, an iOS
widget or a watch (docs/guia-residentes.md). Who pressed comes from the call's context
(user -> person -> member), where they are from that person's phone.

There is no silent panic button: HA writes a button's state (the time of its last press)
before it runs the press, so any user would see that it was pressed. The silent panic is
the ``mi_frente_seguro.trigger`` action with ``kind: silent``, which leaves no state
(``frente/duress.py``); the button of older versions is removed from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .entity import FrenteEntity
from .errors import incident_errors
from .frente.incident import Emergency, IncidentKind, IncidentSource
from .runtime import FrenteConfigEntry
from .runtime.presses import async_make_press

PARALLEL_UPDATES = 0
FORMER_SILENT_BUTTON = "silent_button"  # its presses showed as state changes


@dataclass(frozen=True, kw_only=True)
class FrentePanicButtonDescription(ButtonEntityDescription):
    """A panic button, the kind of alarm it raises and what the help is for."""

    kind: IncidentKind
    emergency: Emergency = Emergency.SECURITY


BUTTONS = (
    FrentePanicButtonDescription(
        key="panic_button", translation_key="panic", kind=IncidentKind.PANIC
    ),
    FrentePanicButtonDescription(
        key="medical_button",
        translation_key="medical",
        kind=IncidentKind.PANIC,
        emergency=Emergency.MEDICAL,
    ),
    FrentePanicButtonDescription(
        key="fire_button",
        translation_key="fire",
        kind=IncidentKind.PANIC,
        emergency=Emergency.FIRE,
    ),
    FrentePanicButtonDescription(
        key="drill_button", translation_key="drill", kind=IncidentKind.DRILL
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the front's panic buttons; remove the silent one of older versions."""
    registry = er.async_get(hass)
    front_id = entry.runtime_data.front.front_id
    if former := registry.async_get_entity_id(
        Platform.BUTTON, DOMAIN, f"{front_id}-{FORMER_SILENT_BUTTON}"
    ):
        registry.async_remove(former)
    async_add_entities(FrentePanicButton(entry, description) for description in BUTTONS)


class FrentePanicButton(FrenteEntity, ButtonEntity):
    """A digital panic button."""

    entity_description: FrentePanicButtonDescription
    # It shows when it was last pressed (HA writes that), nothing of the incidents: no
    # refresh on each of their changes (one callback per button and change, for nothing).
    _follows_incidents = False

    @override
    async def async_press(self) -> None:
        """Raise the alarm as the user who pressed, from where their phone is."""
        press = await async_make_press(
            self.hass,
            self.entry.runtime_data.settings,
            self.entity_description.kind,
            context=self._context,
            source=IncidentSource.APP,
            emergency=self.entity_description.emergency,
        )
        with incident_errors(self.entry.title):
            await self.incidents.async_press(press, self._context)
