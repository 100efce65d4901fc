"""A part of a front's runtime that follows its incident signal: one subscription."""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util.signal_type import SignalType

from ..frente.change import IncidentChange


class IncidentFollower:
    """Hears each change of a front's incidents (``_on_change``) between follow and stop."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Follow nothing yet."""
        self.hass = hass
        self._unsub: CALLBACK_TYPE | None = None

    @callback
    def follow(self, signal: SignalType[IncidentChange | None]) -> None:
        """Hear the front's incident ``signal`` (once: a second call replaces the first)."""
        self.async_stop()
        self._unsub = async_dispatcher_connect(self.hass, signal, self._on_change)

    @callback
    def async_stop(self) -> None:
        """Stop following."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        """Act on one change (None: read the book again)."""
        raise NotImplementedError
