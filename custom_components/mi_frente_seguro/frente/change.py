"""What a change of an incident was: the typed value the ledger returns and announces.

Every entry point (a kit press, an app button, an action, a police update, a member's
answer, an evidence file) ends in one :class:`IncidentChange`, made once the change is on
disk. Listeners (entities, the siren, escalation, evidence capture, HA's event) read it
instead of re-reading the book, and one context (HA's, opaque here) travels with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .incident import Emergency, Incident, KindChange, Press, Response, Transition

# Who changed an incident when no HA user did (``Transition.by``).
BY_POLICE = "police"
BY_SYSTEM = "system"


class Change(StrEnum):
    """What happened to the incident (the ``change`` of docs/events.md)."""

    OPENED = "opened"  # the first press
    JOINED = "joined"  # a later press
    KIND_RAISED = (
        "kind_upgraded"  # a later press raised the kind (drill -> silent -> panic)
    )
    ADVANCED = "state"  # a lifecycle step (sent, police answers, cancelled, closed)
    RESPONDED = "response"  # a member answered the alarm notification
    EVIDENCE = "evidence"  # evidence files were attached
    DUPLICATE = (
        "duplicate"  # a press already recorded (same dedupe key): nothing changed
    )
    FORGOTTEN = "forgotten"  # a member's personal data was taken out (privacy.py)
    PURGED = "purged"  # a closed incident past its retention was deleted


PRESS_CHANGES = frozenset({Change.OPENED, Change.JOINED, Change.KIND_RAISED})


@dataclass(frozen=True, slots=True)
class IncidentChange:
    """One stored change: the incident after it and what it was made of."""

    change: Change
    incident: Incident  # the version after the change (for a duplicate: as it is)
    press: Press | None = (
        None  # the press of an opened/joined/kind change (or duplicate)
    )
    step: Transition | None = None  # the lifecycle step of an ``ADVANCED`` change
    kind_change: KindChange | None = None
    emergency_added: Emergency | None = None  # a joined press asked for more help
    response: Response | None = None
    evidence: tuple[dict[str, Any], ...] = ()  # the files this change attached
    # What the caller says about the change (e.g. an evidence stage), announced with it.
    extra: Mapping[str, Any] = field(default_factory=dict)
    context: Any = None  # the caller's context (HA's Context), carried unchanged

    @property
    def opened(self) -> bool:
        """Return True when this change opened the incident."""
        return self.change is Change.OPENED

    @property
    def is_press(self) -> bool:
        """Return True for a recorded press (opened, joined or raised the kind)."""
        return self.change in PRESS_CHANGES

    @property
    def duplicate(self) -> bool:
        """Return True when nothing changed (the press was already recorded)."""
        return self.change is Change.DUPLICATE
