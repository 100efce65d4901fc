"""The front's alarm panel: triggered while an audible incident is open.

There is nothing to arm: a front's alarm is always armed. ``alarm_trigger`` opens a panic
incident; ``alarm_disarm`` cancels the open one: a coordinator or an admin, or the person who
pressed it within the front's cancel window (with their PIN when they set one: the panel then
shows a keypad; a duress PIN seems to disarm and calls the police silently, ``cancels.py``).
A silent (duress) incident leaves the panel disarmed, so nothing shows on the sender's phone.
"""

from __future__ import annotations

from typing import override

from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntity,
    AlarmControlPanelEntityDescription,
)
from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
    CodeFormat,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FrenteEntity
from .errors import incident_errors
from .frente.incident import IncidentKind
from .runtime import FrenteConfigEntry
from .runtime.cancels import async_cancel_incident
from .runtime.presses import async_make_press

PARALLEL_UPDATES = 0
DISARM_REASON = "alarm_panel"

ALARM = AlarmControlPanelEntityDescription(key="alarm", translation_key="alarm")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FrenteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the front's alarm panel."""
    async_add_entities([FrenteAlarmPanel(entry, ALARM)])


class FrenteAlarmPanel(FrenteEntity, AlarmControlPanelEntity):
    """The alarm of a front."""

    _attr_code_arm_required = False
    _unrecorded_attributes = frozenset({"incident_id"})
    _attr_supported_features = AlarmControlPanelEntityFeature.TRIGGER

    @override
    def _update_from_incidents(self) -> None:
        incident = self.incidents.book.open_incident
        visible = incident is not None and incident.kind is not IncidentKind.SILENT
        self._attr_alarm_state = (
            AlarmControlPanelState.TRIGGERED
            if visible
            else AlarmControlPanelState.DISARMED
        )
        self._attr_extra_state_attributes = {
            "incident_id": incident.incident_id if visible and incident else None
        }

    @override
    async def async_alarm_trigger(self, code: str | None = None) -> None:
        """Open (or join) a panic incident."""
        press = await async_make_press(
            self.hass,
            self.entry.runtime_data.settings,
            IncidentKind.PANIC,
            context=self._context,
        )
        with incident_errors(self.entry.title):
            await self.incidents.async_press(press, self._context)

    @property
    @override
    def code_format(self) -> CodeFormat | None:
        """Ask for a number when any member of the front set a PIN (``frente/pins.py``)."""
        members = self.entry.runtime_data.settings.members.values()
        return CodeFormat.NUMBER if any(m.pin_hash for m in members) else None

    @override
    async def async_alarm_disarm(self, code: str | None = None) -> None:
        """Cancel the open incident: coordinators, admins, or its sender (``cancels.py``)."""
        await async_cancel_incident(
            self.hass, self.entry, self._context, None, reason=DISARM_REASON, code=code
        )
