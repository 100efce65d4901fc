"""A member's personal data in a front's incidents (Ley 1581 de 2012, habeas data).

Colombia's data-protection law gives every resident the right to know, update and delete
the personal data a front keeps about them, and asks that data be kept no longer than its
purpose needs (docs/privacidad.md). Here, without Home Assistant:

- :func:`member_record` is everything the incidents hold about one member: their presses
  (when, what, where their phone was, their note) and their answers to notifications;
- :func:`forgotten` is an incident with one member's personal data taken out: the presses
  stay (an alarm happened, and it counts) but say no more who pressed, from where or what
  they wrote; their answers and the steps they took keep only what happened;
- :func:`expired` picks the closed incidents past the retention.

A member is matched by their HA person (``person.*``) and, when they have one, their HA
user id: presses carry both, answers and lifecycle steps the user id only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from .incident import (
    Incident,
    Press,
    Response,
    Sender,
    Transition,
    press_to_dict,
    shown,
)
from .press_log import PressLog
from .senders import Senders

# What a lifecycle step's details say about who took it (the rest is what happened).
PERSONAL_DETAILS = frozenset({"by_name", "relayed_by"})
FORGOTTEN_BY = "forgotten"  # ``Transition.by`` of a step a forgotten member took


def _is_member(sender: Sender, person: str, user_id: str | None) -> bool:
    return sender.person_id == person or (
        user_id is not None and sender.user_id == user_id
    )


def member_presses(incident: Incident, person: str, user_id: str | None) -> list[Press]:
    """Return the presses of ``incident`` made by the member."""
    return [p for p in incident.presses if _is_member(p.sender, person, user_id)]


def member_record(
    incidents: Iterable[Incident], person: str, user_id: str | None
) -> dict[str, Any]:
    """Return what the incidents hold about one member (JSON-ready).

    Only this member's own data: their presses (with sender, location and note), their
    answers, and the steps they took; nothing of anyone else who pressed the same alarm.
    """
    presses: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for incident in incidents:
        presses += [
            {"incident_id": incident.incident_id, **press_to_dict(press)}
            for press in member_presses(incident, person, user_id)
        ]
        if user_id is None:
            continue
        answers += [
            {
                "incident_id": incident.incident_id,
                "at": item.at.isoformat(),
                "action": item.action,
                "name": item.name,
            }
            for item in incident.responses
            if item.user_id == user_id
        ]
        steps += [
            {
                "incident_id": incident.incident_id,
                "state": step.state.value,
                "at": step.at.isoformat(),
                "details": dict(step.details),
            }
            for step in incident.transitions
            if step.by == user_id
        ]
    return {"presses": presses, "responses": answers, "steps": steps}


def forgotten(incident: Incident, person: str, user_id: str | None) -> Incident | None:
    """Return ``incident`` without the member's personal data, or None if it has none.

    Their presses keep when, what kind, from which source and device, and whether they
    were a member; name, user, person, house, phone, role, location and note go. Their
    answers keep the action and time; the steps they took keep the state and time, with
    ``by`` set to :data:`FORGOTTEN_BY`. The incident's note goes if it was theirs.
    """
    mine = member_presses(incident, person, user_id)
    touched_answers = user_id is not None and any(
        item.user_id == user_id for item in incident.responses
    )
    touched_steps = user_id is not None and any(
        step.by == user_id for step in incident.transitions
    )
    if not (mine or touched_answers or touched_steps):
        return None
    notes = {press.note for press in mine if press.note}
    presses = PressLog(
        _anonymous(press) if _is_member(press.sender, person, user_id) else press
        for press in incident.presses
    )
    return replace(
        incident,
        presses=presses,
        note="" if incident.note in notes else incident.note,
        responses=tuple(
            Response(item.at, item.action) if item.user_id == user_id else item
            for item in incident.responses
        )
        if user_id is not None
        else incident.responses,
        transitions=tuple(
            _step_forgotten(step)
            if user_id is not None and step.by == user_id
            else step
            for step in incident.transitions
        ),
        senders=Senders.of((press, shown(press)) for press in presses),
    )


def _anonymous(press: Press) -> Press:
    sender = press.sender
    return replace(
        press,
        sender=Sender(is_member=sender.is_member, device=sender.device),
        location=None,
        note="",
    )


def _step_forgotten(step: Transition) -> Transition:
    details = {
        key: value for key, value in step.details.items() if key not in PERSONAL_DETAILS
    }
    return replace(step, by=FORGOTTEN_BY, details=details)


def expired(incidents: Iterable[Incident], now: datetime, days: int) -> list[Incident]:
    """Return the closed or cancelled incidents that ended more than ``days`` ago."""
    cutoff = now - timedelta(days=days)
    return [
        incident
        for incident in incidents
        if not incident.is_open and incident.transitions[-1].at < cutoff
    ]
