"""The incident: every press of one alarm on a front, and its way from trigger to close.

Lifecycle (``docs/incidents.md``)::

    triggered -> sent -> received -> dispatched -> on_scene -> closed
    (any state before closed) -> cancelled

A step may skip ahead (the police can answer ``dispatched`` before we saw ``received``) but
never go back; ``closed`` and ``cancelled`` are final. Anything else raises
:class:`IllegalTransitionError`. Incidents are immutable values: a change returns a new
version, and the old one is left exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from .press_log import PressLog
from .senders import Senders


class IncidentKind(StrEnum):
    """What the sender asked for."""

    PANIC = "panic"  # audible: siren, everybody alerted
    SILENT = "silent"  # duress: no siren, nothing visible on the sender's phone
    DRILL = "drill"  # simulacro: exercised end to end, never dispatched as real


# A later press may raise the kind, never lower it: a real press during a drill makes the
# incident real, an audible press during a silent one makes it audible.
KIND_RANK = {IncidentKind.DRILL: 0, IncidentKind.SILENT: 1, IncidentKind.PANIC: 2}


class IncidentSource(StrEnum):
    """Where a press came from."""

    PHYSICAL_BUTTON = "physical_button"
    APP = "app"
    ACTION = "action"
    AUTOMATION = "automation"
    SENSOR = "sensor"


class IncidentState(StrEnum):
    """Where the incident is in its lifecycle."""

    TRIGGERED = "triggered"
    SENT = "sent"
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    CLOSED = "closed"
    CANCELLED = "cancelled"


CHAIN = (
    IncidentState.TRIGGERED,
    IncidentState.SENT,
    IncidentState.RECEIVED,
    IncidentState.DISPATCHED,
    IncidentState.ON_SCENE,
    IncidentState.CLOSED,
)
FINAL_STATES = frozenset({IncidentState.CLOSED, IncidentState.CANCELLED})


def allowed_next(state: IncidentState) -> frozenset[IncidentState]:
    """Return the states an incident in ``state`` may move to."""
    if state in FINAL_STATES:
        return frozenset()
    later = CHAIN[CHAIN.index(state) + 1 :]
    return frozenset({*later, IncidentState.CANCELLED})


class IllegalTransitionError(ValueError):
    """Raised for a lifecycle step that is not allowed; nothing was changed."""

    def __init__(self, incident_id: str, current: IncidentState, wanted: str) -> None:
        """Describe the refused step."""
        super().__init__(
            f"incident {incident_id}: {current} -> {wanted} is not allowed"
        )
        self.incident_id = incident_id
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True, slots=True)
class Location:
    """Where a sender was, from their phone's device tracker."""

    latitude: float
    longitude: float
    accuracy: float | None = None  # metres
    fix_time: datetime | None = None  # when the phone got the fix
    distance: float | None = None  # metres from the front's location
    outside_area: bool = False  # farther than the front's radius (plus accuracy)


@dataclass(frozen=True, slots=True)
class Sender:
    """Who pressed: an HA user/person, a member of the front, or a device."""

    user_id: str | None = None
    person_id: str | None = None  # person.* entity id
    name: str | None = None
    house: str | None = None
    phone: str | None = None
    role: str | None = None  # coordinator | resident
    is_member: bool = False
    device: str | None = None  # e.g. the kit button id for physical presses


@dataclass(frozen=True, slots=True)
class Press:
    """One press of a panic button, from any source."""

    at: datetime
    kind: IncidentKind
    source: IncidentSource
    sender: Sender = field(default_factory=Sender)
    location: Location | None = None
    note: str = ""
    key: str | None = None  # dedupe key (e.g. kit button + seq); repeats count once


@dataclass(frozen=True, slots=True)
class KindChange:
    """A press that raised the incident's kind."""

    at: datetime
    old: IncidentKind
    new: IncidentKind


@dataclass(frozen=True, slots=True)
class Transition:
    """One lifecycle step, with who made it and any details (unit, eta, reason...)."""

    state: IncidentState
    at: datetime
    by: str | None = None  # user id, "police", "system"
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Response:
    """A member's answer to the alarm notification (e.g. "on my way")."""

    at: datetime
    action: str  # on_my_way | false_alarm
    user_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """An alarm on a front: its presses and its lifecycle. Immutable.

    Every change makes a new version (:meth:`joined`, :meth:`advanced`, :meth:`answered`,
    :meth:`with_evidence`); the ledger stores it before it replaces the old one. What a
    change costs does not grow with the presses already on the incident: the versions share
    one press log (``press_log.py``), and the few things read from every press (the names
    and persons who pressed) are kept as they grow.
    """

    incident_id: str
    front_id: str
    kind: IncidentKind
    source: IncidentSource
    presses: PressLog
    transitions: tuple[Transition, ...]
    kind_changes: tuple[KindChange, ...] = ()
    note: str = ""
    responses: tuple[Response, ...] = ()
    # Evidence files as they land: camera, kind, file, sha256, captured_at, media (URI).
    evidence: tuple[dict[str, Any], ...] = ()
    # Derived from the presses, kept as they grow (never stored): who pressed.
    senders: Senders = field(default=Senders(), compare=False)

    @classmethod
    def open(cls, incident_id: str, front_id: str, press: Press) -> Incident:
        """Open an incident with its first press."""
        return cls(
            incident_id=incident_id,
            front_id=front_id,
            kind=press.kind,
            source=press.source,
            presses=PressLog([press]),
            transitions=(Transition(IncidentState.TRIGGERED, press.at),),
            note=press.note,
            senders=Senders().with_press(press, shown=shown(press)),
        )

    @property
    def sender_names(self) -> tuple[str, ...]:
        """Return the first distinct names (or devices) of everyone who pressed."""
        return self.senders.names

    @property
    def sender_persons(self) -> frozenset[str]:
        """Return every person who pressed."""
        return self.senders.persons

    @property
    def state(self) -> IncidentState:
        """Return the current state."""
        return self.transitions[-1].state

    @property
    def is_open(self) -> bool:
        """Return True until the incident is closed or cancelled."""
        return self.state not in FINAL_STATES

    @property
    def opened_at(self) -> datetime:
        """Return when the first press happened."""
        return self.transitions[0].at

    @property
    def exercise(self) -> bool:
        """Return True for a drill (never dispatched as a real alarm)."""
        return self.kind is IncidentKind.DRILL

    def time_of(self, state: IncidentState) -> datetime | None:
        """Return when the incident entered ``state``, if it did."""
        for step in self.transitions:
            if step.state is state:
                return step.at
        return None

    def details_of(self, state: IncidentState) -> dict[str, Any]:
        """Return the details recorded when the incident entered ``state``."""
        for step in reversed(self.transitions):
            if step.state is state:
                return step.details
        return {}

    def response_seconds(self) -> float | None:
        """Return how long the police took to dispatch a unit (triggered -> dispatched)."""
        dispatched = self.time_of(IncidentState.DISPATCHED)
        if dispatched is None:
            return None
        return (dispatched - self.opened_at).total_seconds()

    def joined(self, press: Press) -> tuple[Incident, KindChange | None]:
        """Return the incident with a later press, and the kind change if it raised it."""
        change = None
        kind = self.kind
        if KIND_RANK[press.kind] > KIND_RANK[self.kind]:
            change = KindChange(press.at, self.kind, press.kind)
            kind = press.kind
        joined = replace(
            self,
            kind=kind,
            presses=self.presses.appended(press),
            kind_changes=self.kind_changes
            if change is None
            else (*self.kind_changes, change),
            note=self.note or press.note,
            senders=self.senders.with_press(press, shown=shown(press)),
        )
        return joined, change

    def advanced(
        self,
        state: IncidentState,
        at: datetime,
        *,
        by: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> tuple[Incident, Transition]:
        """Return the incident moved to ``state`` or raise :class:`IllegalTransitionError`."""
        if state not in allowed_next(self.state):
            raise IllegalTransitionError(self.incident_id, self.state, state)
        step = Transition(state, at, by, dict(details or {}))
        return replace(self, transitions=(*self.transitions, step)), step

    def answered(self, response: Response) -> Incident:
        """Return the incident with a member's answer to its notification."""
        return replace(self, responses=(*self.responses, response))

    def with_evidence(self, items: Iterable[dict[str, Any]]) -> Incident:
        """Return the incident with more evidence files."""
        return replace(self, evidence=(*self.evidence, *items))

    def to_dict(self, *, presses: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict (datetimes as ISO 8601 with offset).

        Without ``presses`` the ``presses`` key is left out: the store keeps each press in
        a row of its own (see :func:`press_to_dict`).
        """
        data = {name: _jsonable(getattr(self, name)) for name in _STORED}
        if presses:
            data["presses"] = [press_to_dict(press) for press in self.presses]
        return data

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], presses: Iterable[Mapping[str, Any]] | None = None
    ) -> Incident:
        """Rebuild an incident stored with :meth:`to_dict` (presses given apart, or not)."""
        log = PressLog(
            press_from_dict(item)
            for item in (data["presses"] if presses is None else presses)
        )
        return cls(
            incident_id=data["incident_id"],
            front_id=data["front_id"],
            kind=IncidentKind(data["kind"]),
            source=IncidentSource(data["source"]),
            presses=log,
            transitions=tuple(
                Transition(
                    IncidentState(item["state"]),
                    datetime.fromisoformat(item["at"]),
                    item["by"],
                    item["details"],
                )
                for item in data["transitions"]
            ),
            kind_changes=tuple(
                KindChange(
                    datetime.fromisoformat(item["at"]),
                    IncidentKind(item["old"]),
                    IncidentKind(item["new"]),
                )
                for item in data["kind_changes"]
            ),
            note=data["note"],
            responses=tuple(
                Response(
                    datetime.fromisoformat(item["at"]),
                    item["action"],
                    item["user_id"],
                    item["name"],
                )
                for item in data.get("responses", [])
            ),
            evidence=tuple(data.get("evidence", [])),
            senders=Senders.of((press, shown(press)) for press in log),
        )


def shown(press: Press) -> bool:
    """Return True when HA's users may see ``press``: never a silent (duress) one."""
    return press.kind is not IncidentKind.SILENT


def press_from_dict(data: Mapping[str, Any]) -> Press:
    """Rebuild one press stored with :func:`press_to_dict`."""
    location = data["location"]
    if location is not None:
        fix_time = location["fix_time"]
        location = Location(
            **{
                **location,
                "fix_time": datetime.fromisoformat(fix_time) if fix_time else None,
            }
        )
    return Press(
        at=datetime.fromisoformat(data["at"]),
        kind=IncidentKind(data["kind"]),
        source=IncidentSource(data["source"]),
        sender=Sender(**data["sender"]),
        location=location,
        note=data["note"],
        key=data["key"],
    )


def press_to_dict(press: Press) -> dict[str, Any]:
    """Return one press as JSON-ready dict (presses never change once recorded)."""
    data: dict[str, Any] = _jsonable(press)
    return data


_FIELDS: dict[type, tuple[str, ...]] = {}
# What the store writes of an incident besides its presses (the derived fields are not).
_STORED = (
    "incident_id",
    "front_id",
    "kind",
    "source",
    "transitions",
    "kind_changes",
    "note",
    "responses",
    "evidence",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if (names := _field_names(type(value))) is not None:
        return {name: _jsonable(getattr(value, name)) for name in names}
    return value


def _field_names(kind: type) -> tuple[str, ...] | None:
    """Return a dataclass's field names (cached), or None for any other type."""
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELDS[kind] = tuple(item.name for item in fields(kind))
    return names
