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
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .incident_format import (
    STORED,
    emergencies_from,
    jsonable,
    kind_changes_from,
    press_from_dict,
    press_to_dict,
    responses_from,
    transitions_from,
)
from .press_log import PressLog
from .senders import Senders
from .values import (
    KIND_RANK,
    Emergency,
    IncidentKind,
    IncidentSource,
    IncidentState,
    KindChange,
    Location,
    Press,
    Response,
    Sender,
    Transition,
)

__all__ = [
    "KIND_RANK",
    "Emergency",
    "IllegalTransitionError",
    "Incident",
    "IncidentKind",
    "IncidentSource",
    "IncidentState",
    "KindChange",
    "Location",
    "Press",
    "Response",
    "Sender",
    "Transition",
    "added_emergency",
    "allowed_next",
    "emergencies_after",
    "press_from_dict",
    "press_to_dict",
    "shown",
]

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
    # What the help is for, in the order the presses asked (see :func:`emergencies_after`).
    emergencies: tuple[Emergency, ...] = (Emergency.SECURITY,)
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
            emergencies=(press.emergency,),
            senders=Senders().with_press(press, shown=shown(press)),
        )

    @property
    def emergency(self) -> Emergency:
        """Return the emergency the incident was raised for (its first)."""
        return self.emergencies[0]

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
            emergencies=emergencies_after(self, press, kind),
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
        data = {name: jsonable(getattr(self, name)) for name in STORED}
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
            transitions=transitions_from(data["transitions"]),
            kind_changes=kind_changes_from(data["kind_changes"]),
            note=data["note"],
            responses=responses_from(data.get("responses", [])),
            evidence=tuple(data.get("evidence", [])),
            emergencies=emergencies_from(data.get("emergencies")),
            senders=Senders.of((press, shown(press)) for press in log),
        )


def shown(press: Press) -> bool:
    """Return True when HA's users may see ``press``: never a silent (duress) one."""
    return press.kind is not IncidentKind.SILENT


def emergencies_after(
    incident: Incident, press: Press, kind: IncidentKind
) -> tuple[Emergency, ...]:
    """Return the emergencies of ``incident`` once ``press`` joined it (now of ``kind``).

    A press of another emergency adds it to the list (a medical press on an open panic:
    security and medical); the first stays the incident's :attr:`Incident.emergency`.
    Except:

    - a silent press adds nothing to an incident HA's users see (``duress.py``): the
      police learn it from the press itself;
    - a drill press adds nothing to a real incident (an exercise is no emergency);
    - a real press on a drill replaces the drill's emergencies with its own.
    """
    current = incident.emergencies
    if incident.kind is IncidentKind.DRILL and kind is not IncidentKind.DRILL:
        return (press.emergency,)
    if press.emergency in current:
        return current
    if press.kind is IncidentKind.DRILL and kind is not IncidentKind.DRILL:
        return current
    if press.kind is IncidentKind.SILENT and incident.kind is not IncidentKind.SILENT:
        return current
    return (*current, press.emergency)


def added_emergency(before: Incident, after: Incident) -> Emergency | None:
    """Return the emergency a press added to an incident of the same kind, if any."""
    if before.kind is not after.kind or len(after.emergencies) <= len(
        before.emergencies
    ):
        return None
    return after.emergencies[-1]
