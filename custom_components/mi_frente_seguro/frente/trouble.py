"""A front gone deaf: its kit, a camera or its broker link down past the supervision time.

The police must learn when a front can no longer hear its street (docs/police-api.md,
*Trouble messages*). Three things can fail: the street kit (its MQTT last will says
``offline``, or it was never heard), a camera (its health check found no stream), and the
front's own link to its broker (then nothing of the street is known). Each is a
:class:`Device`, named by a key (``kit``, ``link``, ``camera:<camera id>``).

:class:`TroubleWatch` is the rule, pure (the caller gives the times, so tests drive it):

- a device seen down for ``supervision`` (1.5 x the kit's keepalive: the time the broker
  takes to publish a dead kit's last will) is a *trouble*, reported once;
- a reported device seen back (a positive signal: the kit's ``online``, the link
  connected, a camera that went down and up in this run) is a *restore*, at once; one that
  only looks back (a camera's health after a restart, before any check) is a restore once
  it has looked back for ``supervision`` too;
- a device whose state cannot be known (the kit while the broker link is down) is
  neither: its times are forgotten, the link's own trouble says it.

What was reported is remembered on disk (``trouble_db.py``): after a restart with the kit
still down, :attr:`TroubleWatch.reported` already holds it, so no second trouble goes.
A decision for a key is not taken again while its commit is in flight (:meth:`begin`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import re

KIT_KEY = "kit"
LINK_KEY = "link"
CAMERA_PREFIX = "camera:"
_CAMERA_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InvalidDeviceError(ValueError):
    """Raised for a device key this integration never writes."""


class DeviceKind(StrEnum):
    """What went deaf."""

    KIT = "kit"  # the street kit: buttons and siren over MQTT
    CAMERA = "camera"
    LINK = "link"  # the front's link to its MQTT broker


class Seen(StrEnum):
    """What the front knows of a device now."""

    DOWN = "down"
    UP = "up"  # a positive sign it is back
    LOOKS_UP = "looks_up"  # no sign it is down (a camera not yet checked)
    UNKNOWN = "unknown"  # cannot be known (the kit while the broker link is down)


class Action(StrEnum):
    """What the police must be told."""

    TROUBLE = "trouble"
    RESTORE = "restore"


@dataclass(frozen=True, slots=True)
class Device:
    """One supervised device of a front: its kind, id and the name shown."""

    kind: DeviceKind
    device_id: str
    name: str

    @property
    def key(self) -> str:
        """Return the device's key (``kit``, ``link``, ``camera:<id>``)."""
        if self.kind is DeviceKind.CAMERA:
            return f"{CAMERA_PREFIX}{self.device_id}"
        return str(self.kind)

    @classmethod
    def kit(cls, name: str = "Kit de la calle") -> Device:
        """Return the street kit."""
        return cls(DeviceKind.KIT, KIT_KEY, name)

    @classmethod
    def link(cls, name: str = "Enlace con el broker MQTT") -> Device:
        """Return the front's broker link."""
        return cls(DeviceKind.LINK, LINK_KEY, name)

    @classmethod
    def camera(cls, camera_id: str, name: str) -> Device:
        """Return a camera (``camera_id`` as the settings give it)."""
        parse_key(f"{CAMERA_PREFIX}{camera_id}")
        return cls(DeviceKind.CAMERA, camera_id, name)


def parse_key(key: object) -> tuple[DeviceKind, str]:
    """Return the kind and id of a device key; raises :class:`InvalidDeviceError`."""
    if not isinstance(key, str):
        raise InvalidDeviceError("a device key is text")
    if key == KIT_KEY:
        return DeviceKind.KIT, KIT_KEY
    if key == LINK_KEY:
        return DeviceKind.LINK, LINK_KEY
    if key.startswith(CAMERA_PREFIX):
        camera_id = key.removeprefix(CAMERA_PREFIX)
        if _CAMERA_ID.fullmatch(camera_id):
            return DeviceKind.CAMERA, camera_id
    raise InvalidDeviceError("not a device key of this integration")


@dataclass(frozen=True, slots=True)
class Reported:
    """A trouble the police were told of (its message queued), not yet restored."""

    device: Device
    since: datetime  # when the device went down
    message_id: str  # the trouble message (a restore references it)
    sent_at: datetime  # that message's sent_at


@dataclass(frozen=True, slots=True)
class Decision:
    """Tell the police of ``device``: a trouble since ``since``, or its restore."""

    action: Action
    device: Device
    since: datetime
    until: datetime | None = None  # a restore: when it was back
    reported: Reported | None = None  # a restore: the trouble it ends


@dataclass(slots=True)
class TroubleWatch:
    """When each device went down (or looked back), and what was reported."""

    supervision: timedelta
    reported: dict[str, Reported] = field(default_factory=dict)
    down_since: dict[str, tuple[Device, datetime]] = field(default_factory=dict)
    up_since: dict[str, datetime] = field(default_factory=dict)
    in_flight: set[str] = field(default_factory=set)

    def observe(self, device: Device, seen: Seen, at: datetime) -> Decision | None:
        """Record what is known of ``device`` at ``at``; return what is due now, if any."""
        key = device.key
        if seen is Seen.DOWN:
            self.up_since.pop(key, None)
            self.down_since.setdefault(key, (device, at))
        else:
            self.down_since.pop(key, None)
            if seen is Seen.LOOKS_UP and key in self.reported:
                self.up_since.setdefault(key, at)
            else:
                self.up_since.pop(key, None)
        if seen is Seen.UP and key in self.reported and key not in self.in_flight:
            return self._restore(key, at)
        return self._due_for(key, at)

    def due(self, at: datetime) -> list[Decision]:
        """Return every decision due at ``at`` (a timer's check)."""
        keys = [*self.down_since, *self.up_since]
        return [found for key in keys if (found := self._due_for(key, at)) is not None]

    def next_due(self) -> datetime | None:
        """Return when the next decision falls due (None: nothing is waiting)."""
        times = [
            since + self.supervision
            for key, (_, since) in self.down_since.items()
            if key not in self.reported and key not in self.in_flight
        ]
        times += [
            since + self.supervision
            for key, since in self.up_since.items()
            if key in self.reported and key not in self.in_flight
        ]
        return min(times, default=None)

    def begin(self, decision: Decision) -> None:
        """Hold ``decision``'s device while its commit runs (nothing decided for it)."""
        self.in_flight.add(decision.device.key)

    def done(self, decision: Decision, reported: Reported | None) -> None:
        """Take a committed decision (``reported``: the trouble's record)."""
        key = decision.device.key
        self.in_flight.discard(key)
        if decision.action is Action.TROUBLE and reported is not None:
            self.reported[key] = reported
        else:
            self.reported.pop(key, None)
            self.up_since.pop(key, None)

    def abort(self, decision: Decision) -> None:
        """Forget a decision whose commit failed (it is decided again later)."""
        self.in_flight.discard(decision.device.key)

    def _due_for(self, key: str, at: datetime) -> Decision | None:
        if key in self.in_flight:
            return None
        if key in self.reported:
            since = self.up_since.get(key)
            if since is not None and at - since >= self.supervision:
                return self._restore(key, at)
            return None
        down = self.down_since.get(key)
        if down is not None and at - down[1] >= self.supervision:
            return Decision(Action.TROUBLE, down[0], down[1])
        return None

    def _restore(self, key: str, at: datetime) -> Decision:
        reported = self.reported[key]
        return Decision(
            Action.RESTORE, reported.device, reported.since, at, reported=reported
        )
