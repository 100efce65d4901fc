"""The values an incident is made of: kinds, emergencies, sources, states, presses, steps.

Kept apart from ``incident.py`` (the incident and its lifecycle), which re-exports them.
Two things are orthogonal about a press (docs/incidents.md, "Kinds and emergencies"):

- its **kind** (:class:`IncidentKind`), how the alarm is raised: ``panic`` (audible),
  ``silent`` (duress: nothing shows) or ``drill`` (an exercise);
- its **emergency** (:class:`Emergency`), what the help is for: ``security`` (every press
  before emergencies existed), ``medical`` or ``fire``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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


class Emergency(StrEnum):
    """What the help is for; every press of older versions was ``security``."""

    SECURITY = "security"  # the panic alarm: robbery, assault, intruders
    MEDICAL = "medical"
    FIRE = "fire"


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
    suspended: bool = False  # a member a coordinator suspended (``suspension.py``)


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
    emergency: Emergency = Emergency.SECURITY


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
