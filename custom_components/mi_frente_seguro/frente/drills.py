"""The monthly drill: when to remind the coordinator, and what a drill showed (its report).

Cartagena's programme tests each front's button once a month. ``is_drill_day`` says
whether a day is the front's (``drill_day``: 1-28, 0 for no reminder). ``drill_timeline``
turns a drill into the steps its report lists, in time order: each press (who, from
where), the alert reaching the police system, each police answer (unit, ETA), each
member's answer to the notification, and how it ended (the report adds how many
evidence files the cameras gave). Each step is a key
and its values; HA words them in the user's language (``runtime/drills.py``). Only drills
have a report; a drill that a real press turned into an alarm is an alarm, not a drill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .incident import Incident, IncidentKind, IncidentState, shown

DRILL_DAY_MAX = 28  # every month has it
ENDED = frozenset({IncidentState.CLOSED, IncidentState.CANCELLED})


def is_drill_day(day: date, drill_day: int) -> bool:
    """Return True if ``day`` is the front's monthly drill day (0: never)."""
    return 0 < drill_day <= DRILL_DAY_MAX and day.day == drill_day


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a drill's report: when, what (a key), and the values it names."""

    at: datetime
    what: str
    values: dict[str, str] = field(default_factory=dict)


def is_report_ready(incident: Incident) -> bool:
    """Return True for a drill that has ended (its report is complete)."""
    return incident.kind is IncidentKind.DRILL and incident.state in ENDED


def drill_timeline(incident: Incident) -> list[Step]:
    """Return a drill's steps in time order (an alarm or a silent incident: none)."""
    if incident.kind is not IncidentKind.DRILL:
        return []
    steps = [
        Step(
            press.at,
            "press",
            {
                "sender": press.sender.name or press.sender.device or "",
                "source": press.source.value,
            },
        )
        for press in incident.presses
        if shown(press)
    ]
    for transition in incident.transitions[1:]:  # the first is the opening press
        values = {
            key: str(transition.details[key])
            for key in ("unit", "eta_minutes", "note", "reason")
            if transition.details.get(key) not in (None, "")
        }
        steps.append(Step(transition.at, f"state.{transition.state.value}", values))
    steps += [
        Step(
            response.at, f"response.{response.action}", {"sender": response.name or ""}
        )
        for response in incident.responses
    ]
    return sorted(steps, key=lambda step: step.at)
