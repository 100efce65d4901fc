"""A front's street kit in HA: the MQTT link (or adopted HA devices), siren, supervision.

Presses from the kit become incidents (source ``physical_button``). Whatever the source, an
incident that opens as (or becomes) a panic sounds the siren for the configured duration;
silent and drill incidents never do; cancelling or closing the incident stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
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
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .frente.incident import Incident, IncidentKind, IncidentSource, Press, Sender
from .frente.kit.client import KitClient, KitConnectError
from .frente.kit.protocol import PressMessage, Telemetry, siren_command
from .incidents import FrontIncidents
from .kit_settings import KitSettings


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
        self._listeners: list[Callable[[], None]] = []
        self._press_listeners: list[Callable[[PressMessage, Context], None]] = []
        self._unsubs: list[CALLBACK_TYPE] = []

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
        self._unsubs.append(self.incidents.async_add_change_listener(self._on_change))
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

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when the kit's state changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_add_press_listener(
        self, listener: Callable[[PressMessage, Context], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener(press, context)`` with every press the kit reports (stored).

        ``context`` is the one the incident change of that press carried.
        """
        self._press_listeners.append(listener)
        return lambda: self._press_listeners.remove(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- KitHandler ---------------------------------------------------------------------

    async def on_press(self, press: PressMessage) -> None:
        """Store the physical press as an incident press (then the link acks it).

        One context covers the press: the incident change and the kit's press event.
        """
        context = Context()
        await self.incidents.async_press(
            Press(
                at=dt_util.now(),
                kind=IncidentKind(press.kind),
                source=IncidentSource.PHYSICAL_BUTTON,
                sender=Sender(device=press.button),
                key=press.key,
            ),
            context,
        )
        for listener in list(self._press_listeners):
            listener(press, context)

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
    def _on_change(self, incident: Incident, change: str) -> None:
        if change in {"opened", "kind_upgraded"}:
            if incident.kind is IncidentKind.PANIC and self.siren_target is not None:
                self.hass.async_create_task(
                    self.async_siren(True, self.settings.siren_duration),
                    eager_start=True,
                )
        elif change == "state" and not incident.is_open and self._siren_until:
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
        if (
            new is None
            or old is None
            or new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN)
        ):
            return
        entity_id = event.data["entity_id"]
        key: str | None = None
        if entity_id.startswith("binary_sensor."):
            if new.state != STATE_ON or old.state == STATE_ON:
                return
        elif new.state == old.state:
            return
        else:
            key = f"{entity_id}:{new.state}"  # an event entity's state is its time
        name: Any = new.attributes.get("friendly_name") or entity_id
        press = Press(
            at=dt_util.now(),
            kind=IncidentKind.PANIC,
            source=IncidentSource.PHYSICAL_BUTTON,
            sender=Sender(device=str(name)),
            key=key,
        )
        self.hass.async_create_task(self.incidents.async_press(press), eager_start=True)
