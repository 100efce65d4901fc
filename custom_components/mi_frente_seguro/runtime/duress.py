"""A front's duress in HA: the coordinators are told, and nobody else sees a thing.

A duress change (``frente/duress.py``) fires no ``mi_frente_seguro_incident`` event, so no
automation, blueprint or logbook line reacts to it where every HA user can see it. The
integration itself sends the notices an automation would: a critical notification to the
front's coordinators (never to the phones of whoever pressed silently) for each new duress,
for each police answer on a silent incident, and again when the police have not confirmed
it in time (the escalation). The police message itself already left through the outbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback

from ..const import BY_POLICE, LOGGER
from ..frente.change import IncidentChange
from ..frente.duress import alerts_coordinators, hides, is_hidden
from ..frente.incident import Incident, Press
from .follower import IncidentFollower
from .notifications import async_notify_members

if TYPE_CHECKING:
    from . import FrenteConfigEntry


class FrontDuress(IncidentFollower):
    """Tells a front's coordinators of its duress alarms, out of everyone else's sight.

    Pending notices are cancelled with the entry.
    """

    def __init__(self, hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
        """Serve the front of ``entry`` (its runtime data is set before the start)."""
        super().__init__(hass)
        self.entry = entry

    @callback
    def async_start(self) -> None:
        """Follow the front's incident changes."""
        self.follow(self.entry.runtime_data.incidents.signal)

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if change is None or not hides(change):
            return
        if alerts_coordinators(change):
            self._tell(change.incident, change.press)
        elif (
            change.step is not None
            and change.step.by == BY_POLICE
            and is_hidden(change.incident)
        ):
            self._tell(change.incident, None)  # the police's answer, to coordinators

    @callback
    def escalate(self, incident: Incident) -> None:
        """Remind the coordinators: the police have not confirmed the duress in time."""
        self._tell(incident, None)

    def _tell(self, incident: Incident, duress: Press | None) -> None:
        self.entry.async_create_background_task(
            self.hass,
            self._async_tell(incident, duress),
            f"mi_frente_seguro duress notice {incident.incident_id}",
        )

    async def _async_tell(self, incident: Incident, duress: Press | None) -> None:
        sent = await async_notify_members(
            self.hass, self.entry, incident, image=None, duress=duress
        )
        if not sent:
            LOGGER.warning(
                "No coordinator of %s could be told of a duress alarm "
                "(the police were): check their companion apps",
                self.entry.title,
            )
