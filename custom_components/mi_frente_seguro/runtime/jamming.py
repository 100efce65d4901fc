"""The kit and two or more cameras silent at once: tell the coordinators (possible jamming).

Follows the kit's and the cameras' signals (``frente/jamming.py`` decides). When the street
kit (its last will: *offline*) and at least two cameras go down within two minutes of each
other, a critical repair issue names the front and the cameras, and each coordinator's phone
gets a notification of its own (never the residents': whoever cut the power or jams the
street may be holding one). The issue is cleared when the kit, or enough cameras, are back.
A broker link that drops is HA's side, not the street's: it counts for nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..frente.jamming import KIT, Silence, SilenceWatch
from ..repairs import async_clear_issue, async_raise_issue
from ..texts import texts
from .notifications import async_send, notify_services_of

if TYPE_CHECKING:
    from . import FrenteConfigEntry


class FrontJamming:
    """Watches one front's kit and cameras for a silence of several at once."""

    def __init__(self, hass: HomeAssistant, entry: FrenteConfigEntry) -> None:
        """Serve the front of ``entry`` (its runtime data is set before the start)."""
        self.hass = hass
        self.entry = entry
        self.watch = SilenceWatch()
        self._unsubs: list[CALLBACK_TYPE] = []

    @property
    def issue_id(self) -> str:
        """Return the id of the front's possible-jamming repair issue."""
        return f"possible_jamming_{self.entry.runtime_data.front.front_id}"

    @callback
    def async_start(self) -> None:
        """Follow the kit and the cameras (a front without cameras has nothing to do)."""
        runtime = self.entry.runtime_data
        if not runtime.cameras.cameras or runtime.kit.client is None:
            return
        for signal in (runtime.kit.signal, runtime.cameras.signal):
            self._unsubs.append(
                async_dispatcher_connect(self.hass, signal, self._on_signal)
            )

    @callback
    def async_stop(self) -> None:
        """Stop following; the issue, if any, stays until the next start sees them back."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    @callback
    def _on_signal(self) -> None:
        runtime = self.entry.runtime_data
        now = dt_util.now()
        kit = runtime.kit
        began = None
        if kit.link_up:  # without the broker we know nothing of the street
            began = self.watch.update(KIT, kit.kit_online is False, now) or began
        for camera in runtime.cameras.cameras:
            silent = camera.down_reason is not None
            began = self.watch.update(camera.settings.name, silent, now) or began
        if began is not None:
            self._raise(began)
        elif self.watch.active is None:
            async_clear_issue(self.hass, self.issue_id)

    def _raise(self, silence: Silence) -> None:
        front = self.entry.runtime_data.front.name
        cameras = ", ".join(silence.cameras)
        LOGGER.warning(
            "The kit and %s cameras of %s went silent together: possible jamming",
            len(silence.cameras),
            front,
        )
        async_raise_issue(
            self.hass,
            self.issue_id,
            "possible_jamming",
            front,
            ir.IssueSeverity.CRITICAL,
            cameras=cameras,
            since=dt_util.as_local(silence.since).strftime("%H:%M"),
        )
        self.entry.async_create_background_task(
            self.hass, self._async_tell(cameras), f"mi_frente_seguro jamming {front}"
        )

    async def _async_tell(self, cameras: str) -> None:
        """Notify each coordinator's phones (their companion apps)."""
        settings = self.entry.runtime_data.settings
        text = texts(self.hass, "notification")
        payload = {
            "title": text("jamming_title").format(front=self.entry.title),
            "message": text("jamming_message").format(cameras=cameras),
            "data": {"tag": f"mfs-jamming-{settings.front.front_id}"},
        }
        services = {
            service
            for person in settings.coordinators()
            for service in notify_services_of(self.hass, person)
        }
        await async_send(
            self.hass, [(service, payload) for service in sorted(services)]
        )
