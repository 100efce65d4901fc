"""A front's incidents: the open one, the recent closed ones, and the figures they give.

Nothing changes in memory before it is on disk, so the book decides and applies in separate
steps. ``decide_*`` returns an :class:`IncidentChange` holding the new version of an
incident and leaves the book as it was. The ledger decides several changes for one commit
(a burst of presses): :meth:`IncidentBook.draft` lets the next decisions see a decided
change (the *draft*), while everything that reads the book (:meth:`get`,
``open_incident``, ``history``) still sees only what is committed. Once the commit is
durable :meth:`apply` puts each version in the book; if it fails :meth:`drop_draft`
forgets them. Decisions are synchronous: a press is decided (open, join or duplicate) with
no ``await`` in between, so concurrent presses on a front open one incident.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from statistics import fmean
from typing import Any

from .cancels import continuing, duress_press
from .change import BY_SYSTEM, Change, IncidentChange
from .duress import is_hidden, shown_incident
from .incident import (
    Incident,
    IncidentKind,
    IncidentState,
    Press,
    Response,
    added_emergency,
)
from .privacy import forgotten
from .ulid import UlidGenerator

HISTORY_LIMIT = 1000  # closed incidents kept per front
RECENT_KEYS_LIMIT = 10_000  # dedupe keys remembered per front
RESPONSE_WINDOW = timedelta(days=30)


class UnknownIncidentError(LookupError):
    """Raised when no incident of this front has the given id (or none is open)."""


@dataclass(frozen=True, slots=True)
class FrontStats:
    """Figures shown as sensors."""

    incidents_this_month: int
    false_alarms_this_month: int
    last_response_seconds: float | None
    mean_response_seconds_30d: float | None


@dataclass(slots=True)
class _Draft:
    """Decided changes not yet committed, as the next decisions must see them."""

    open_incident: Incident | None
    versions: dict[str, Incident] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)


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
        self._recent_keys: OrderedDict[str, str] = OrderedDict()  # key -> incident id
        self._draft: _Draft | None = None

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
                    self._remember(press.key, incident.incident_id)

    def _remember(self, key: str, incident_id: str) -> None:
        self._recent_keys[key] = incident_id
        self._recent_keys.move_to_end(key)
        while len(self._recent_keys) > RECENT_KEYS_LIMIT:
            self._recent_keys.popitem(last=False)

    # -- decisions (nothing changes) -------------------------------------------------

    def decide_press(self, press: Press) -> IncidentChange:
        """Decide a press: open an incident, join the open one, or a duplicate."""
        if press.key is not None and (known := self._known_key(press.key)):
            try:
                incident = self.latest(known)
            except UnknownIncidentError:
                pass  # pruned from history: the key is new again
            else:
                return IncidentChange(Change.DUPLICATE, incident, press=press)
        current = self._latest_open()
        if current is None:
            unix_ms = int(press.at.timestamp() * 1000)
            incident = Incident.open(self._ids.new(unix_ms), self.front_id, press)
            return IncidentChange(Change.OPENED, incident, press=press)
        joined, kind_change = current.joined(press)
        change = Change.JOINED if kind_change is None else Change.KIND_RAISED
        return IncidentChange(
            change,
            joined,
            press=press,
            kind_change=kind_change,
            emergency_added=added_emergency(current, joined),
        )

    def decide_advance(
        self,
        incident_id: str | None,
        state: IncidentState,
        *,
        by: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> IncidentChange:
        """Decide a lifecycle step of an incident (the open one for None).

        Raises ``UnknownIncidentError`` or ``IllegalTransitionError``.
        """
        incident = self.latest(incident_id)
        moved, step = incident.advanced(state, self._clock(), by=by, details=details)
        return IncidentChange(Change.ADVANCED, moved, step=step)

    def decide_sent(self, incident_id: str) -> IncidentChange:
        """Decide that an incident's alert was delivered: ``triggered`` -> ``sent``.

        An incident that moved on meanwhile (the police answered, it was cancelled) stays
        as it is: a duplicate, not an error. (An error would be raised, kept with its
        traceback and collected, on every press that a quick answer overtakes.)
        """
        incident = self.latest(incident_id)
        if incident.state is not IncidentState.TRIGGERED:
            return IncidentChange(Change.DUPLICATE, incident)
        return self.decide_advance(incident_id, IncidentState.SENT, by=BY_SYSTEM)

    def decide_duress_cancel(
        self,
        incident_id: str | None,
        press: Press,
        *,
        by: str | None,
        details: dict[str, Any],
    ) -> tuple[IncidentChange, ...]:
        """Decide a duress cancel (``cancels.py``): the cancel, then the silent alarm.

        On an incident HA's users do not see (silent already) nothing is cancelled: the
        silent press joins it, and the police learn of the duress once more.
        """
        incident = self.latest(incident_id)
        silent = duress_press(incident, press)
        if is_hidden(incident):
            return (self.decide_press(silent),)
        cancel = self.decide_advance(
            incident.incident_id, IncidentState.CANCELLED, by=by, details=details
        )
        unix_ms = int(silent.at.timestamp() * 1000)
        opened = Incident.open(self._ids.new(unix_ms), self.front_id, silent)
        opened = continuing(opened, incident.incident_id)
        return cancel, IncidentChange(Change.OPENED, opened, press=silent)

    def decide_response(self, incident_id: str, response: Response) -> IncidentChange:
        """Decide a member's answer to the alarm notification.

        Each answer counts once per member and incident: the same answer again (a second
        tap, a notification shown on two screens) is a duplicate and changes nothing.
        """
        incident = self.latest(incident_id)
        if response.user_id is not None and any(
            (item.user_id, item.action) == (response.user_id, response.action)
            for item in incident.responses
        ):
            return IncidentChange(Change.DUPLICATE, incident, response=response)
        answered = incident.answered(response)
        return IncidentChange(Change.RESPONDED, answered, response=response)

    def decide_evidence(
        self,
        incident_id: str,
        items: Iterable[dict[str, Any]],
        extra: Mapping[str, Any] | None = None,
    ) -> IncidentChange:
        """Decide attaching evidence files to an incident."""
        files = tuple(items)
        incident = self.latest(incident_id).with_evidence(files)
        return IncidentChange(
            Change.EVIDENCE, incident, evidence=files, extra=dict(extra or {})
        )

    # -- the draft: decided, not yet committed ----------------------------------------

    def latest(self, incident_id: str | None) -> Incident:
        """Return an incident as the next decision sees it (drafted, else committed)."""
        if incident_id is None:
            if (current := self._latest_open()) is None:
                raise UnknownIncidentError("no open incident")
            return current
        if self._draft is not None and incident_id in self._draft.versions:
            return self._draft.versions[incident_id]
        return self.get(incident_id)

    def _latest_open(self) -> Incident | None:
        return self.open_incident if self._draft is None else self._draft.open_incident

    def _known_key(self, key: str) -> str | None:
        if self._draft is not None and key in self._draft.keys:
            return self._draft.keys[key]
        return self._recent_keys.get(key)

    def draft(self, change: IncidentChange) -> None:
        """Let the next decisions see ``change`` (decided, being committed)."""
        if change.duplicate:
            return
        draft = self._draft
        if draft is None:
            draft = self._draft = _Draft(self.open_incident)
        incident = change.incident
        draft.versions[incident.incident_id] = incident
        if change.press is not None and change.press.key is not None:
            draft.keys[change.press.key] = incident.incident_id
        if change.opened:
            draft.open_incident = incident
        elif (
            draft.open_incident is not None
            and draft.open_incident.incident_id == incident.incident_id
        ):
            draft.open_incident = incident if incident.is_open else None

    def drop_draft(self) -> None:
        """Forget the drafted changes (their commit failed, or they are applied)."""
        self._draft = None

    # -- applying a committed change --------------------------------------------------

    def apply(self, change: IncidentChange) -> None:
        """Put the new version of a committed change in the book (never raises)."""
        if change.duplicate:
            return
        incident = change.incident
        if change.change is Change.PURGED:
            self._forget(incident.incident_id)
            return
        if change.press is not None and change.press.key is not None:
            self._remember(change.press.key, incident.incident_id)
        if change.opened:
            self.open_incident = incident
            return
        current = self.open_incident
        if current is not None and current.incident_id == incident.incident_id:
            if incident.is_open:
                self.open_incident = incident
            else:
                self.open_incident = None
                self.history.append(incident)
            return
        for index in range(len(self.history) - 1, -1, -1):
            if self.history[index].incident_id == incident.incident_id:
                self.history[index] = incident
                return

    def _forget(self, incident_id: str) -> None:
        """Drop a closed incident (deleted from the store: past its retention)."""
        kept = [item for item in self.history if item.incident_id != incident_id]
        if len(kept) != len(self.history):
            self.history.clear()
            self.history.extend(kept)

    def decide_purge(self, incident_id: str) -> IncidentChange:
        """Decide deleting a closed incident (raises for an unknown or open one)."""
        incident = self.latest(incident_id)
        if incident.is_open:
            raise ValueError(f"incident {incident_id} is open")
        return IncidentChange(Change.PURGED, incident)

    def decide_forget(
        self, incident_id: str, person: str, user_id: str | None
    ) -> IncidentChange:
        """Decide taking a member's personal data out of an incident (``privacy.py``).

        An incident without any of it changes nothing (a duplicate).
        """
        incident = self.latest(incident_id)
        version = forgotten(incident, person, user_id)
        if version is None:
            return IncidentChange(Change.DUPLICATE, incident)
        return IncidentChange(Change.FORGOTTEN, version)

    # -- reading (what is committed) ---------------------------------------------------

    def get(self, incident_id: str | None) -> Incident:
        """Return the incident with ``incident_id``, or the open one for None."""
        if incident_id is None:
            if self.open_incident is None:
                raise UnknownIncidentError("no open incident")
            return self.open_incident
        if self.open_incident and self.open_incident.incident_id == incident_id:
            return self.open_incident
        for incident in reversed(self.history):
            if incident.incident_id == incident_id:
                return incident
        raise UnknownIncidentError(incident_id)

    def all(self) -> list[Incident]:
        """Return every incident held, oldest first."""
        incidents = list(self.history)
        if self.open_incident is not None:
            incidents.append(self.open_incident)
        return incidents

    def shown(self) -> Incident | None:
        """Return the incident HA's users may see: the open one, else the latest.

        Silent (duress) incidents are never shown (``duress.py``).
        """
        current = () if self.open_incident is None else (self.open_incident,)
        return shown_incident(chain(current, reversed(self.history)))

    def false_alarms_by_person(self) -> Counter[str]:
        """Return how many shown real incidents each person opened that ended cancelled."""
        return Counter(
            person
            for item in self.all()
            if item.state is IncidentState.CANCELLED
            and item.kind is not IncidentKind.DRILL
            and not is_hidden(item)
            and (person := item.presses[0].sender.person_id) is not None
        )

    def stats(self) -> FrontStats:
        """Return this month's counts and the police response times of shown alarms.

        Drills are left out, and so are silent (duress) incidents: HA's users never see
        them, not even as a count (``duress.py``).
        """
        now = self._clock()
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        real = [
            item
            for item in self.all()
            if item.kind is not IncidentKind.DRILL and not is_hidden(item)
        ]
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
