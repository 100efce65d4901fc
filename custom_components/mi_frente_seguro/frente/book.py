"""A front's incidents: the open one, the recent closed ones, and the figures they give.

The book is synchronous on purpose: a press is decided (open, join or duplicate) without an
``await`` in between, so any number of concurrent presses on one front yield one incident.
Persisting the result is the caller's next step.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from .incident import (
    Incident,
    IncidentKind,
    IncidentState,
    KindChange,
    Press,
    Transition,
)
from .ulid import UlidGenerator

HISTORY_LIMIT = 1000  # closed incidents kept per front
RECENT_KEYS_LIMIT = 10_000  # dedupe keys remembered per front
RESPONSE_WINDOW = timedelta(days=30)


class UnknownIncidentError(LookupError):
    """Raised when no incident of this front has the given id (or none is open)."""


@dataclass(frozen=True, slots=True)
class PressResult:
    """What a press did."""

    incident: Incident
    opened: bool  # a new incident
    duplicate: bool  # already recorded (same dedupe key): nothing changed
    kind_change: KindChange | None = None


@dataclass(frozen=True, slots=True)
class FrontStats:
    """Figures shown as sensors."""

    incidents_this_month: int
    false_alarms_this_month: int
    last_response_seconds: float | None
    mean_response_seconds_30d: float | None


class IncidentBook:
    """The incidents of one front."""

    def __init__(
        self,
        front_id: str,
        clock: Callable[[], datetime],
        ids: UlidGenerator | None = None,
        history_limit: int = HISTORY_LIMIT,
    ) -> None:
        """Start an empty book; ``clock`` returns aware datetimes in local time."""
        self.front_id = front_id
        self._clock = clock
        self._ids = ids or UlidGenerator()
        self.open_incident: Incident | None = None
        self.history: deque[Incident] = deque(maxlen=history_limit)
        self._recent_keys: OrderedDict[str, None] = OrderedDict()

    def load(self, incidents: Iterable[Incident]) -> None:
        """Restore stored incidents (any order): at most one open, the rest history."""
        for incident in sorted(incidents, key=lambda item: item.incident_id):
            if incident.is_open:
                if self.open_incident is not None:
                    # Two open incidents can only come from an older version; the newer wins
                    # and the older stays visible in history, still open.
                    self.history.append(self.open_incident)
                self.open_incident = incident
            else:
                self.history.append(incident)
            for press in incident.presses:
                if press.key is not None:
                    self._remember(press.key)

    def _remember(self, key: str) -> None:
        self._recent_keys[key] = None
        self._recent_keys.move_to_end(key)
        while len(self._recent_keys) > RECENT_KEYS_LIMIT:
            self._recent_keys.popitem(last=False)

    def press(self, press: Press) -> PressResult:
        """Record a press: open an incident, join the open one, or ignore a duplicate."""
        if press.key is not None and press.key in self._recent_keys:
            incident = self._find_key(press.key)
            if incident is not None:
                return PressResult(incident, opened=False, duplicate=True)
        if press.key is not None:
            self._remember(press.key)
        current = self.open_incident
        if current is not None:
            change = current.join(press)
            return PressResult(
                current, opened=False, duplicate=False, kind_change=change
            )
        unix_ms = int(press.at.timestamp() * 1000)
        incident = Incident.open(self._ids.new(unix_ms), self.front_id, press)
        self.open_incident = incident
        return PressResult(incident, opened=True, duplicate=False)

    def _find_key(self, key: str) -> Incident | None:
        if self.open_incident is not None and self.open_incident.has_press(key):
            return self.open_incident
        for incident in reversed(self.history):
            if incident.has_press(key):
                return incident
        return None

    def get(self, incident_id: str | None) -> Incident:
        """Return the incident with ``incident_id``, or the open one for None."""
        if incident_id is None:
            if self.open_incident is None:
                raise UnknownIncidentError("no open incident")
            return self.open_incident
        if self.open_incident and self.open_incident.incident_id == incident_id:
            return self.open_incident
        for incident in self.history:
            if incident.incident_id == incident_id:
                return incident
        raise UnknownIncidentError(incident_id)

    def advance(
        self,
        incident_id: str | None,
        state: IncidentState,
        *,
        by: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> tuple[Incident, Transition]:
        """Move an incident (the open one for None) to ``state``."""
        incident = self.get(incident_id)
        step = incident.advance(state, self._clock(), by=by, details=details)
        if not incident.is_open and incident is self.open_incident:
            self.open_incident = None
            self.history.append(incident)
        return incident, step

    def all(self) -> list[Incident]:
        """Return every incident held, oldest first."""
        incidents = list(self.history)
        if self.open_incident is not None:
            incidents.append(self.open_incident)
        return incidents

    def false_alarms_by_person(self) -> Counter[str]:
        """Return how many real incidents each person opened that ended cancelled."""
        return Counter(
            person
            for item in self.all()
            if item.state is IncidentState.CANCELLED
            and item.kind is not IncidentKind.DRILL
            and (person := item.presses[0].sender.person_id) is not None
        )

    def stats(self) -> FrontStats:
        """Return this month's counts and the police response times (drills left out)."""
        now = self._clock()
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        real = [item for item in self.all() if item.kind is not IncidentKind.DRILL]
        this_month = [item for item in real if item.opened_at >= month_start]
        responded = [item for item in real if item.response_seconds() is not None]
        recent = [
            seconds
            for item in responded
            if item.opened_at >= now - RESPONSE_WINDOW
            and (seconds := item.response_seconds()) is not None
        ]
        last = max(
            responded,
            key=lambda item: item.time_of(IncidentState.DISPATCHED) or item.opened_at,
            default=None,
        )
        return FrontStats(
            incidents_this_month=len(this_month),
            false_alarms_this_month=sum(
                item.state is IncidentState.CANCELLED for item in this_month
            ),
            last_response_seconds=last.response_seconds() if last else None,
            mean_response_seconds_30d=fmean(recent) if recent else None,
        )
