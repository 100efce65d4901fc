"""The police learn when a front goes deaf: its kit, a camera or its broker link down.

Follows the kit's and the cameras' signals (as ``jamming.py`` does) and tells
``frente/troubles.py`` what it sees: the broker link (up or down), the street kit (its
last will, only while the link is up: without the broker nothing is known of it) and
each camera (its health; one not yet seen down since the start only *looks* up). A
device down for the supervision time (1.5 x the kit's keepalive) sends a trouble message
to every destination and raises a repair issue; its return sends the restore and clears
the issue. What was told is in the front's file, so a restart sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_point_in_time
from homeassistant.util import dt as dt_util

from ..const import ISSUE_FRONT_DEAF, ISSUE_FRONT_DEAF_ID, LOGGER, SUPERVISION_FACTOR
from ..frente.ledger import FrontLedger
from ..frente.trouble import Action, Decision, Device, DeviceKind, Reported, Seen
from ..frente.troubles import FrontTroubles
from ..repairs import async_clear_issue, async_raise_issue
from .settings import FrontSettings

RETRY_AFTER = timedelta(seconds=30)  # after a failed commit of a notice

if TYPE_CHECKING:
    from .cameras import FrontCameras
    from .kit import FrontKit


class FrontTrouble:
    """Supervision of one front's kit, cameras and broker link, told to the police."""

    def __init__(
        self, hass: HomeAssistant, settings: FrontSettings, ledger: FrontLedger
    ) -> None:
        """Tell the ledger's destinations, on the ledger's file."""
        self.hass = hass
        self.settings = settings
        self.troubles = FrontTroubles(
            settings.front,
            ledger.committer,
            ledger.outboxes,
            clock=dt_util.now,
            supervision=timedelta(seconds=SUPERVISION_FACTOR * settings.kit.keepalive),
            on_change=self._on_decision,
        )
        self._kit: FrontKit | None = None
        self._cameras: FrontCameras | None = None
        self._seen_down: set[str] = set()  # cameras seen down in this run
        self._timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []

    async def async_open(self) -> None:
        """Read what the police were told before the restart."""
        await self.troubles.open()

    @callback
    def async_start(self, kit: FrontKit, cameras: FrontCameras) -> None:
        """Follow the kit and the cameras; show the troubles still told."""
        self._kit, self._cameras = kit, cameras
        for reported in self.troubles.reported.values():
            self._raise(reported)
        for signal in (kit.signal, cameras.signal):
            self._unsubs.append(
                async_dispatcher_connect(self.hass, signal, self._on_signal)
            )
        self._on_signal()

    @callback
    def async_stop(self) -> None:
        """Stop following (what is told stays told; the file remembers it)."""
        for unsub in (*self._unsubs, self._timer):
            if unsub is not None:
                unsub()
        self._unsubs.clear()
        self._timer = None

    async def async_close(self) -> None:
        """Let the notices being committed finish (before the file closes)."""
        self.async_stop()
        await self.troubles.close()

    def issue_id(self, device: Device) -> str:
        """Return the id of a device's repair issue."""
        return ISSUE_FRONT_DEAF_ID.format(self.settings.front.front_id, device.key)

    @callback
    def _on_signal(self) -> None:
        kit, cameras = self._kit, self._cameras
        if kit is None or cameras is None:
            return
        if kit.client is not None:  # a front with a broker
            link = Seen.UP if kit.link_up else Seen.DOWN
            self.troubles.observe(Device.link(), link)
            if not kit.link_up:
                state = Seen.UNKNOWN
            else:
                state = Seen.UP if kit.kit_online is True else Seen.DOWN
            self.troubles.observe(Device.kit(), state)
        for camera in cameras.cameras:
            device = Device.camera(camera.settings.camera_id, camera.settings.name)
            if camera.down_reason is not None:
                self._seen_down.add(device.key)
                seen = Seen.DOWN
            else:
                seen = Seen.UP if device.key in self._seen_down else Seen.LOOKS_UP
            self.troubles.observe(device, seen)
        self._schedule()

    def _schedule(self, retry: bool = False) -> None:
        """Check again when the next trouble (or unconfirmed restore) falls due.

        ``retry``: a commit failed; check again in :data:`RETRY_AFTER` at the latest.
        """
        if self._timer is not None:
            self._timer()
            self._timer = None
        due = self.troubles.next_due()
        if retry:
            later = dt_util.now() + RETRY_AFTER
            due = later if due is None else max(due, later)
        if due is None or self._kit is None:
            return
        self._timer = async_track_point_in_time(
            self.hass, self._on_due, due + timedelta(milliseconds=10)
        )

    @callback
    def _on_due(self, _now: datetime) -> None:
        self._timer = None
        self.troubles.check()
        self._schedule()

    @callback
    def _on_decision(self, decision: Decision, committed: bool) -> None:
        """Show (or clear) the repair issue of a notice now on disk in every outbox.

        Then look at the devices again: one may have changed while the commit ran.
        """
        if not committed:  # the file failed (its own repair issue says so): later
            self._schedule(retry=True)
            return
        front = self.settings.front.name
        if decision.action is Action.TROUBLE:
            LOGGER.warning(
                "%s of %s down for %s s: trouble message sent to the police",
                decision.device.key,
                front,
                round(self.troubles.watch.supervision.total_seconds()),
            )
            reported = self.troubles.reported.get(decision.device.key)
            if reported is not None:
                self._raise(reported)
        else:
            LOGGER.info(
                "%s of %s is back: restore message sent to the police",
                decision.device.key,
                front,
            )
            async_clear_issue(self.hass, self.issue_id(decision.device))
        self._on_signal()

    def _raise(self, reported: Reported) -> None:
        device = reported.device
        placeholders = {
            "since": dt_util.as_local(reported.since).strftime("%Y-%m-%d %H:%M"),
            "seconds": str(round(self.troubles.watch.supervision.total_seconds())),
        }
        if device.kind is DeviceKind.CAMERA:
            placeholders["camera"] = device.name
        async_raise_issue(
            self.hass,
            self.issue_id(device),
            ISSUE_FRONT_DEAF.format(device.kind),
            self.settings.front.name,
            ir.IssueSeverity.ERROR,
            fixable=False,
            **placeholders,
        )
