"""Several devices silent at once: possible tampering or radio jamming.

One camera or the kit dropping is a trouble of its own (each has its repair issue). The
street kit *and* at least two cameras dropping within a short window is something else: a
jammer on the street, the power or the network cut on purpose. :class:`SilenceWatch` holds
when each device went silent and says when that condition starts (tell the coordinators
once) and when it ends (the kit, or enough cameras, are back). It is pure: the caller gives
the times, so tests drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

KIT = "kit:"  # camera ids are slugs: no colon, no clash
WINDOW = timedelta(
    minutes=2
)  # the kit's last will arrives 1.5 x keepalive after it dies
CAMERAS_NEEDED = 2


@dataclass(frozen=True, slots=True)
class Silence:
    """A possible jamming: when it started and which cameras went silent with the kit."""

    since: datetime
    cameras: tuple[str, ...]


@dataclass(slots=True)
class SilenceWatch:
    """When each silent device went silent; the kit is :data:`KIT`, cameras by name."""

    window: timedelta = WINDOW
    cameras_needed: int = CAMERAS_NEEDED
    silent_since: dict[str, datetime] = field(default_factory=dict)
    active: Silence | None = None

    def update(self, device: str, silent: bool, at: datetime) -> Silence | None:
        """Record ``device`` silent (or back) at ``at``; return a silence that just began.

        A device already silent keeps its first time. Returns None when nothing new
        began; :attr:`active` tells whether a silence is still going on.
        """
        if silent:
            self.silent_since.setdefault(device, at)
        else:
            self.silent_since.pop(device, None)
        found = self._together()
        if found is None:
            self.active = None
            return None
        if self.active is not None:
            return None
        self.active = found
        return found

    def _together(self) -> Silence | None:
        """Return the kit and the cameras that went silent within the window of it."""
        kit = self.silent_since.get(KIT)
        if kit is None:
            return None
        cameras = sorted(
            name
            for name, since in self.silent_since.items()
            if name != KIT and abs(since - kit) <= self.window
        )
        if len(cameras) < self.cameras_needed:
            return None
        first = min(kit, *(self.silent_since[name] for name in cameras))
        return Silence(first, tuple(cameras))
