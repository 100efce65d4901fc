"""HA devices adopted as a front's panic buttons: a binary_sensor or an event entity.

They press only on a real edge: a ``binary_sensor`` going ``off -> on`` (not
``unavailable -> on``, which a reconnecting device or a restart produces), an ``event``
entity with a new, recent event (not the old one it restores after a restart). A state
change cannot be asked for again (unlike an MQTT press, which the broker sends again), so a
press that cannot be stored yet (a full disk) waits here and is retried until it is stored
or the front is unloaded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..frente.committer import StorageError
from ..frente.incident import IncidentKind, Press
from .incidents import FrontIncidents
from .presses import async_make_press
from .settings import FrontSettings

# An adopted event entity's event older than this is one restored at start-up, not a press.
ADOPTED_EVENT_MAX_AGE = timedelta(seconds=30)
ADOPTED_RETRY_FIRST = (
    1.0  # s before an adopted press that could not be stored is retried
)
ADOPTED_RETRY_MAX = 30.0  # s at most between its tries


@dataclass(eq=False)
class AdoptedButtons:
    """The front's adopted HA buttons (the coordinator's choice; none: nothing to do)."""

    hass: HomeAssistant
    settings: FrontSettings
    incidents: FrontIncidents
    _unsub: CALLBACK_TYPE | None = field(default=None, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)  # storing

    @callback
    def async_start(self) -> None:
        """Follow the adopted entities' state changes."""
        if self.settings.kit.adopted_buttons:
            self._unsub = async_track_state_change_event(
                self.hass, self.settings.kit.adopted_buttons, self._on_state
            )

    @callback
    def async_stop(self) -> None:
        """Stop following; give up presses still waiting to be stored."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for task in self._tasks:
            task.cancel()

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if new is None or old is None:
            return
        entity_id = event.data["entity_id"]
        key: str | None = None
        if entity_id.startswith("event."):
            if not _is_new_event(old.state, new.state):
                return
            key = f"{entity_id}:{new.state}"  # an event entity's state is its time
        elif new.state != STATE_ON or old.state != STATE_OFF:
            return  # only off -> on is a press (not unavailable/unknown -> on)
        name: Any = new.attributes.get("friendly_name") or entity_id
        task = self.hass.async_create_background_task(
            self._press(str(name), key),
            f"{DOMAIN} adopted press {key}",
            eager_start=True,
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _press(self, device: str, key: str | None) -> None:
        """Store the press; while the file fails, keep trying with a growing pause."""
        press: Press = await async_make_press(
            self.hass, self.settings, IncidentKind.PANIC, device=device, key=key
        )
        delay = ADOPTED_RETRY_FIRST
        while True:
            try:
                await self.incidents.async_press(press)
            except StorageError:
                if delay == ADOPTED_RETRY_FIRST:  # logged once (the committer says why)
                    LOGGER.warning(
                        "The press of %s on %s waits until it can be stored",
                        press.sender.device,
                        self.settings.front.name,
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, ADOPTED_RETRY_MAX)
                continue
            except Exception:  # noqa: BLE001  (not a storage problem: say what it is)
                LOGGER.exception(
                    "The press of %s on %s could not be stored",
                    press.sender.device,
                    self.settings.front.name,
                )
            return


def _is_new_event(old: str, new: str) -> bool:
    """Return True when an event entity's state is a new event of the last moments.

    Its state is the time of its last event. A restored entity shows its old event again
    (an old time, after ``unavailable`` or ``unknown``): that is not a press.
    """
    if new == old:
        return False
    when = dt_util.parse_datetime(new)
    if when is None or when.tzinfo is None:
        return False
    return abs(dt_util.utcnow() - when) <= ADOPTED_EVENT_MAX_AGE
