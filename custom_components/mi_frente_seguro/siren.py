"""The street kit's siren: state as the kit reports it, commands over MQTT."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.siren import SirenEntity, SirenEntityDescription
from homeassistant.components.siren.const import (
    ATTR_DURATION,
    ATTR_TONE,
    SirenEntityFeature,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FrenteKitEntity, kit_entities
from .frente.incident import IncidentKind
from .frente.kit.protocol import SIREN_TONES
from .runtime import FrenteConfigEntry
from .runtime.people import async_require_manager

PARALLEL_UPDATES = 1  # one siren command at a time

SIREN = SirenEntityDescription(key="siren", translation_key="siren")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the kit's siren when the front has an MQTT kit."""
    async_add_entities(kit_entities(entry, FrenteKitSiren, [SIREN]))


class FrenteKitSiren(FrenteKitEntity, SirenEntity):
    """The siren on the street."""

    _attr_supported_features = (
        SirenEntityFeature.TURN_ON
        | SirenEntityFeature.TURN_OFF
        | SirenEntityFeature.DURATION
        | SirenEntityFeature.TONES
    )
    _attr_available_tones = list(SIREN_TONES)

    @property
    @override
    def is_on(self) -> bool | None:
        """Return what the kit last reported (None until it reports)."""
        return self.kit.siren_on

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Sound the siren (for the given or the front's duration)."""
        await self.kit.async_siren(
            True, kwargs.get(ATTR_DURATION), kwargs.get(ATTR_TONE)
        )

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Silence the siren; during an open panic, only a coordinator or an admin may."""
        incident = self.incidents.book.open_incident
        if incident is not None and incident.kind is IncidentKind.PANIC:
            await async_require_manager(
                self.hass,
                self.entry.runtime_data.settings,
                self._context or Context(),
                "siren off during a panic",
            )
        await self.kit.async_siren(False)
