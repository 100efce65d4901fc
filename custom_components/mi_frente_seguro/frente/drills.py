"""The monthly drill: when to remind the coordinator, and what a drill showed (its report).

Cartagena's programme tests each front's button once a month. ``is_drill_day`` says
whether a day is the front's (``drill_day``: 1-28, 0 for no reminder). ``drill_timeline``
turns a drill into the steps its report lists, in time order: each press (who, from
where), the alert reaching the police system, each destination taking it, when the siren
was confirmed on (tested by hand: a drill never sounds it), each police answer (unit,
ETA), each member's answer to the notification, and how it ended (the report adds how many
evidence files the cameras gave). Each step is a key
and its values; HA words them in the user's language (``runtime/drills.py``). Only drills
have a report; a drill that a real press turned into an alarm is an alarm, not a drill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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


def drill_timeline(
    incident: Incident,
    deliveries: Mapping[str, Mapping[str, Any]] | None = None,
    sirens: Iterable[datetime] = (),
) -> list[Step]:
    """Return a drill's steps in time order (an alarm or a silent incident: none).

    ``deliveries``: by destination id, its ``name``, ``status`` and ``at`` (ISO 8601:
    when it took the alert or set it aside); ``sirens``: when the kit confirmed its
    siren on (a drill never sounds it: the coordinator tests it by hand). Every step
    carries ``after_s``, the seconds since the drill was opened.
    """
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
    steps += _deliveries(deliveries or {})
    end = incident.transitions[-1].at if not incident.is_open else None
    steps += [
        Step(at, "siren", {})
        for at in sirens
        if at >= incident.opened_at and (end is None or at <= end)
    ]
    opened = incident.opened_at
    return [
        Step(
            step.at,
            step.what,
            {**step.values, "after_s": str(round((step.at - opened).total_seconds()))},
        )
        for step in sorted(steps, key=lambda step: step.at)
    ]


def _deliveries(deliveries: Mapping[str, Mapping[str, Any]]) -> list[Step]:
    """Return a step per destination that took the alert, or set it aside."""
    steps = []
    for destination, delivery in deliveries.items():
        at = delivery.get("at")
        if not isinstance(at, str):
            continue  # still pending: the report says nothing it cannot time
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            continue
        what = "delivered" if delivery.get("status") == "delivered" else "not_delivered"
        name = str(delivery.get("name") or destination)
        steps.append(Step(when, what, {"destination": name}))
    return steps
