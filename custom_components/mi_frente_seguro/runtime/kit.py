"""A front's street kit in HA: its MQTT link, the siren, and supervision.

The front owns its kit link here: the client, the task that keeps it up and its clean
shutdown. Presses from the kit become incidents (source ``physical_button``, made by
``presses.py``). Whatever the source, an incident that opens as (or becomes) a panic sounds
the siren for the configured duration; silent and drill incidents never do; cancelling or
closing the incident stops it. The siren is the kit's (MQTT) or an adopted HA siren or
switch. HA devices adopted as panic buttons are in ``adopted.py``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util, ssl as ssl_util

from ..const import DOMAIN, LOGGER, SIGNAL_KIT, SIGNAL_KIT_PRESS
from ..frente.change import Change, IncidentChange
from ..frente.incident import Emergency, IncidentKind
from ..frente.kit.client import KitClient, KitConnectError
from ..frente.kit.protocol import (
    MalformedPayloadError,
    PressMessage,
    Telemetry,
    siren_command,
    siren_tone,
)
from ..frente.suspension import is_held, releases
from ..frente.text import InvalidInputError
from ..repairs import async_clear_issue, async_raise_issue
from .incidents import FrontIncidents
from .presses import async_make_press
from .settings import FrontSettings

LINK_STOP_TIMEOUT = 5.0  # s for the kit link to disconnect cleanly at unload
SIREN_TIMES_KEPT = 20


class FrontKit:
    """The kit of one loaded front. Implements the MQTT link's KitHandler."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: FrontSettings,
        incidents: FrontIncidents,
        *,
        on_auth_failed: Callable[[], None],
    ) -> None:
        """Prepare the kit: its MQTT link when a broker is configured."""
        self.hass = hass
        self.front_settings = settings
        self.settings = settings.kit
        self.front_name = settings.front.name
        self.incidents = incidents
        self._on_auth_failed = on_auth_failed
        broker = self.settings.broker
        self.client: KitClient | None = None
        if broker is not None:
            self.client = KitClient(
                broker,
                self.settings.topics,
                self,
                tls_context=ssl_util.client_context() if broker.tls else None,
            )
        self._link: asyncio.Task[None] | None = None
        self.link_up = False
        self.kit_online: bool | None = None
        self.siren_on: bool | None = None
        # When the kit confirmed its siren on, lately (in memory: a drill's report).
        self.siren_confirmed: deque[datetime] = deque(maxlen=SIREN_TIMES_KEPT)
        self.telemetry = Telemetry()
        self._siren_until: datetime | None = None
        # What the sounding siren sounds (sent again when the link returns).
        self._siren_sound: tuple[str | None, Emergency | None] = (None, None)
        self._siren_timer: CALLBACK_TYPE | None = None
        self._offline_timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        front_id = settings.front.front_id
        self.signal = SIGNAL_KIT.format(front_id)
        self._press_signal = SIGNAL_KIT_PRESS.format(front_id)

    @property
    def issue_id(self) -> str:
        """Return the id of the kit-offline repair issue of this front."""
        return f"kit_offline_{self.front_settings.front.front_id}"

    @property
    def available(self) -> bool:
        """Return True when the kit's state can be known (link up and kit online)."""
        return self.link_up and self.kit_online is True

    @callback
    def async_start(self) -> None:
        """Follow incidents (siren) and bring the MQTT link up in the background.

        The front works without its broker: the link keeps retrying (its entities are
        unavailable meanwhile) and a refused password starts re-authentication. The task
        is not the entry's: HA would cancel it mid-connect at unload (paho then logs
        errors); :meth:`async_stop` ends it cleanly instead.
        """
        self._unsubs.append(
            async_dispatcher_connect(self.hass, self.incidents.signal, self._on_change)
        )
        if self.client is not None:
            self._link = self.hass.async_create_background_task(
                self.client.run(),
                f"{DOMAIN} kit link {self.front_settings.front.front_id}",
            )

    async def async_stop(self) -> None:
        """End the link cleanly (cancelled if it does not end in time), timers, listeners."""
        for unsub in (*self._unsubs, self._siren_timer, self._offline_timer):
            if unsub is not None:
                unsub()
        self._unsubs.clear()
        self._siren_timer = self._offline_timer = None
        link, self._link = self._link, None
        if self.client is None or link is None:
            return
        self.client.stop()
        _, pending = await asyncio.wait({link}, timeout=LINK_STOP_TIMEOUT)
        for task in pending:
            task.cancel()
            await asyncio.wait({task})

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
        made = await async_make_press(
            self.hass,
            self.front_settings,
            press.incident_kind,
            device=press.button,
            key=press.key,
            emergency=press.emergency,
        )
        try:
            change = await self.incidents.async_press(made, context)
        except InvalidInputError as err:
            raise MalformedPayloadError("unstorable", str(err)) from err
        if not change.duplicate:
            async_dispatcher_send(self.hass, self._press_signal, press, context)

    def on_siren_state(self, on: bool) -> None:
        """Show the siren state the kit reports (never an optimistic guess)."""
        if on and self.siren_on is not True:
            self.siren_confirmed.append(dt_util.now())  # a drill's report reads them
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
            async_clear_issue(self.hass, self.issue_id)
        elif self.link_up and self._offline_timer is None:
            self._offline_timer = async_call_later(
                self.hass, 1.5 * self.settings.keepalive, self._raise_offline_issue
            )

    @callback
    def _raise_offline_issue(self, _now: datetime) -> None:
        self._offline_timer = None
        if self.kit_online:
            return
        async_raise_issue(
            self.hass,
            self.issue_id,
            "kit_offline",
            self.front_name,
            seconds=str(round(1.5 * self.settings.keepalive)),
        )

    # -- siren --------------------------------------------------------------------------

    @callback
    def _on_change(self, change: IncidentChange | None) -> None:
        if change is None:
            return
        incident = change.incident
        if is_held(incident):
            return  # only suspended members pressed: no siren yet (suspension.py)
        if (
            change.change in {Change.OPENED, Change.KIND_RAISED}
            or change.emergency_added is not None
            or releases(change)
        ):
            # An emergency's own tone; one added to a sounding panic takes over.
            if incident.kind is IncidentKind.PANIC and self.siren_target is not None:
                emergency = change.emergency_added or (
                    change.press.emergency if change.press else incident.emergency
                )
                tone = siren_tone(emergency, self.settings.siren_tone)
                self.hass.async_create_task(
                    self.async_siren(
                        True, self.settings.siren_duration, tone, emergency
                    ),
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
        self,
        on: bool,
        duration: int | None = None,
        tone: str | None = None,
        emergency: Emergency | None = None,
    ) -> None:
        """Turn the siren on (for ``duration`` s, then off) or off.

        ``tone`` and ``emergency`` (kit protocol 2) are what an alarm sounds; they are
        sent again, with the remaining time, when the link returns.
        """
        if self._siren_timer is not None:
            self._siren_timer()
            self._siren_timer = None
        self._siren_until = None
        self._siren_sound = (tone, emergency) if on else (None, None)
        if on:
            duration = duration or self.settings.siren_duration
            self._siren_until = dt_util.now() + timedelta(seconds=duration)
            self._siren_timer = async_call_later(self.hass, duration, self._siren_done)
        await self._send_siren(on)

    @callback
    def _siren_done(self, _now: datetime) -> None:
        self._siren_timer = None
        self._siren_until = None
        self.hass.async_create_task(self._send_siren(False), eager_start=True)

    async def _send_siren(self, on: bool) -> None:
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
        tone, emergency = self._siren_sound
        payload = siren_command(
            on,
            duration=remaining,
            tone=tone or self.settings.siren_tone,
            plain=self.settings.siren_plain,
            emergency=emergency,
        )
        try:
            await self.client.publish(self.settings.topics.siren_set, payload)
        except KitConnectError as err:
            # Sent again with the remaining time when the link returns (on_link).
            LOGGER.warning(
                "Could not command the siren of %s: %s", self.front_name, err
            )
