"""A front's street kit in HA: the MQTT link (or adopted HA devices), siren, supervision.

Presses from the kit become incidents (source ``physical_button``). Whatever the source, an
incident that opens as (or becomes) a panic sounds the siren for the configured duration;
silent and drill incidents never do; cancelling or closing the incident stops it.

Adopted HA devices press only on a real edge: a ``binary_sensor`` going ``off -> on`` (not
``unavailable -> on``, which a reconnecting device or a restart produces), an ``event``
entity with a new, recent event (not the old one it restores after a restart).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER, SIGNAL_KIT, SIGNAL_KIT_PRESS
from .frente.change import Change, IncidentChange
from .frente.committer import StorageError
from .frente.incident import IncidentKind, IncidentSource, Press, Sender
from .frente.kit.client import KitClient, KitConnectError
from .frente.kit.protocol import (
    MalformedPayloadError,
    PressMessage,
    Telemetry,
    siren_command,
)
from .frente.text import InvalidInputError, safe_text
from .incidents import FrontIncidents
from .kit_settings import KitSettings

# An adopted event entity's event older than this is one restored at start-up, not a press.
ADOPTED_EVENT_MAX_AGE = timedelta(seconds=30)
ADOPTED_RETRY_FIRST = (
    1.0  # s before an adopted press that could not be stored is retried
)
ADOPTED_RETRY_MAX = 30.0  # s at most between its tries


class FrontKit:
    """The kit of one loaded front. Implements the MQTT link's KitHandler."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        front_name: str,
        incidents: FrontIncidents,
        settings: KitSettings,
        client: KitClient | None,
        on_auth_failed: Callable[[], None],
    ) -> None:
        """Bind the kit's settings, link and the front's incidents."""
        self.hass = hass
        self.front_name = front_name
        self.incidents = incidents
        self.settings = settings
        self.client = client
        self._on_auth_failed = on_auth_failed
        self.link_up = False
        self.kit_online: bool | None = None
        self.siren_on: bool | None = None
        self.telemetry = Telemetry()
        self._siren_until: datetime | None = None
        self._siren_timer: CALLBACK_TYPE | None = None
        self._offline_timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        self._tasks: set[asyncio.Task[None]] = set()  # adopted presses being stored
        front_id = incidents.front.front_id
        self.signal = SIGNAL_KIT.format(front_id)
        self._press_signal = SIGNAL_KIT_PRESS.format(front_id)

    @property
    def issue_id(self) -> str:
        """Return the id of the kit-offline repair issue of this front."""
        return f"kit_offline_{self.incidents.front.front_id}"

    @property
    def available(self) -> bool:
        """Return True when the kit's state can be known (link up and kit online)."""
        return self.link_up and self.kit_online is True

    @callback
    def async_start(self) -> None:
        """Follow incidents (siren) and adopted HA buttons."""
        self._unsubs.append(
            async_dispatcher_connect(self.hass, self.incidents.signal, self._on_change)
        )
        if self.settings.adopted_buttons:
            self._unsubs.append(
                async_track_state_change_event(
                    self.hass, self.settings.adopted_buttons, self._on_adopted_button
                )
            )

    @callback
    def async_stop(self) -> None:
        """Cancel timers and listeners (the link is stopped by the entry's unload)."""
        for unsub in (*self._unsubs, self._siren_timer, self._offline_timer):
            if unsub is not None:
                unsub()
        self._unsubs.clear()
        self._siren_timer = self._offline_timer = None
        for task in self._tasks:
            task.cancel()

    def _notify(self) -> None:
        async_dispatcher_send(self.hass, self.signal)

    # -- KitHandler ---------------------------------------------------------------------

    async def on_press(self, press: PressMessage) -> None:
        """Store the physical press as an incident press (then the link acks it).

        One context covers the press: the incident change and the kit's press event. A
        press the ledger refuses as unstorable is a malformed payload (acknowledged and
        counted); a failed commit raises, so the press is not acknowledged and comes again.
        """
        context = Context()
        try:
            change = await self.incidents.async_press(
                Press(
                    at=dt_util.now(),
                    kind=IncidentKind(press.kind),
                    source=IncidentSource.PHYSICAL_BUTTON,
                    sender=Sender(device=press.button),
                    key=press.key,
                ),
                context,
            )
        except InvalidInputError as err:
            raise MalformedPayloadError("unstorable", str(err)) from err
        if not change.duplicate:
            async_dispatcher_send(self.hass, self._press_signal, press, context)

    def on_siren_state(self, on: bool) -> None:
        """Show the siren state the kit reports (never an optimistic guess)."""
        self.siren_on = on
        self._notify()

    def on_availability(self, online: bool) -> None:
        """Track the kit's own online/offline report."""
        if online != self.kit_online:
            if online:
                LOGGER.info("The street kit of %s is online again", self.front_name)
            elif self.kit_online is not None:
                LOGGER.warning("The street kit of %s went offline", self.front_name)
        self.kit_online = online
        self._supervise()
        self._notify()

    def on_telemetry(self, telemetry: Telemetry) -> None:
        """Keep battery, tamper and signal."""
        self.telemetry = telemetry
        self._notify()

    def on_link(self, connected: bool) -> None:
        """Track the broker link; log once when it drops and once when it returns."""
        self.link_up = connected
        if connected:
            LOGGER.info("MQTT link of %s is up", self.front_name)
            if self._siren_until is not None and self._siren_until > dt_util.now():
                self.hass.async_create_task(self._send_siren(True), eager_start=True)
        else:
            LOGGER.warning("Lost the MQTT link of %s; retrying", self.front_name)
        self._supervise()
        self._notify()

    def on_auth_failed(self) -> None:
        """Ask the user for new credentials: the broker refused these."""
        LOGGER.error("The MQTT broker refused the credentials of %s", self.front_name)
        self._on_auth_failed()

    # -- supervision --------------------------------------------------------------------

    def _supervise(self) -> None:
        """Raise the repair issue when the kit stays offline for 1.5 x its keepalive."""
        if self.kit_online:
            if self._offline_timer is not None:
                self._offline_timer()
                self._offline_timer = None
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
        elif self.link_up and self._offline_timer is None:
            self._offline_timer = async_call_later(
                self.hass, 1.5 * self.settings.keepalive, self._raise_offline_issue
            )

    @callback
    def _raise_offline_issue(self, _now: datetime) -> None:
        self._offline_timer = None
        if self.kit_online:
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="kit_offline",
            translation_placeholders={
                "front": self.front_name,
                "seconds": str(round(1.5 * self.settings.keepalive)),
            },
        )

    # -- siren --------------------------------------------------------------------------

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if change is None:
            return
        incident = change.incident
        if change.change in {Change.OPENED, Change.KIND_RAISED}:
            if incident.kind is IncidentKind.PANIC and self.siren_target is not None:
                self.hass.async_create_task(
                    self.async_siren(True, self.settings.siren_duration),
                    eager_start=True,
                )
        elif (
            change.change is Change.ADVANCED
            and not incident.is_open
            and self._siren_until
        ):
            self.hass.async_create_task(self.async_siren(False), eager_start=True)

    @property
    def siren_target(self) -> str | None:
        """Return what drives the siren: an adopted entity id, a topic, or None."""
        if self.settings.adopted_siren:
            return self.settings.adopted_siren
        return self.settings.topics.siren_set if self.client is not None else None

    async def async_siren(
        self, on: bool, duration: int | None = None, tone: str | None = None
    ) -> None:
        """Turn the siren on (for ``duration`` s, then off) or off."""
        if self._siren_timer is not None:
            self._siren_timer()
            self._siren_timer = None
        self._siren_until = None
        if on:
            duration = duration or self.settings.siren_duration
            self._siren_until = dt_util.now() + timedelta(seconds=duration)
            self._siren_timer = async_call_later(self.hass, duration, self._siren_done)
        await self._send_siren(on, tone)

    @callback
    def _siren_done(self, _now: datetime) -> None:
        self._siren_timer = None
        self._siren_until = None
        self.hass.async_create_task(self._send_siren(False), eager_start=True)

    async def _send_siren(self, on: bool, tone: str | None = None) -> None:
        if self.settings.adopted_siren:
            entity_id = self.settings.adopted_siren
            await self.hass.services.async_call(
                entity_id.split(".")[0],
                SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
                {ATTR_ENTITY_ID: entity_id},
                blocking=False,
            )
            return
        if self.client is None:
            return
        remaining = None
        if on and self._siren_until is not None:
            remaining = max(
                1, round((self._siren_until - dt_util.now()).total_seconds())
            )
        payload = siren_command(
            on,
            duration=remaining,
            tone=tone or self.settings.siren_tone,
            plain=self.settings.siren_plain,
        )
        try:
            await self.client.publish(self.settings.topics.siren_set, payload)
        except KitConnectError as err:
            # Sent again with the remaining time when the link returns (on_link).
            LOGGER.warning(
                "Could not command the siren of %s: %s", self.front_name, err
            )

    # -- adopted HA buttons ---------------------------------------------------------------

    @callback
    def _on_adopted_button(self, event: Event[EventStateChangedData]) -> None:
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
        press = Press(
            at=dt_util.now(),
            kind=IncidentKind.PANIC,
            source=IncidentSource.PHYSICAL_BUTTON,
            sender=Sender(device=safe_text(name)[:100]),
            key=key,
        )
        self._entry_task(self._adopted_press(press), f"adopted press {press.key}")

    def _entry_task(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` until it ends or the front is unloaded (then it is cancelled)."""
        task = self.hass.async_create_background_task(
            work, f"{DOMAIN} {name}", eager_start=True
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _adopted_press(self, press: Press) -> None:
        """Store an adopted device's press; while the file fails, keep trying.

        A state change cannot be asked for again (unlike an MQTT press, which the broker
        sends again), so the press waits here, retried with a growing pause, until it is
        stored or the front is unloaded.
        """
        delay = ADOPTED_RETRY_FIRST
        while True:
            try:
                await self.incidents.async_press(press)
            except StorageError:
                if delay == ADOPTED_RETRY_FIRST:  # logged once (the committer says why)
                    LOGGER.warning(
                        "The press of %s on %s waits until it can be stored",
                        press.sender.device,
                        self.front_name,
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, ADOPTED_RETRY_MAX)
                continue
            except Exception:  # noqa: BLE001  (not a storage problem: say what it is)
                LOGGER.exception(
                    "The press of %s on %s could not be stored",
                    press.sender.device,
                    self.front_name,
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
