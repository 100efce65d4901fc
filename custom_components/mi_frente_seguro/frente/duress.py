"""Duress: what HA's users may learn of an alarm raised with a silent press.

A silent panic exists for the moment someone is forced to hand over their phone: whoever
holds it must find no trace of it. HA cannot show an entity to one user and hide it from
another, so the rule is one for every HA user (docs/incidents.md, "Duress"):

- an incident whose kind is silent is never shown: not while it is open, not after it
  ends (entities, figures, HA's incident event and its logbook line, history);
- a silent press is never shown, even on an audible incident it joins (press counts,
  names, the press event);
- an audible press on a silent incident makes it a panic: from then on it is shown, with
  its audible presses only.

The police get every press (the outbox is not affected), and the front's coordinators a
critical notification of their own, never on the phones of those who pressed.
"""

from __future__ import annotations

from collections.abc import Iterable

from .change import Change, IncidentChange
from .incident import Incident, IncidentKind


def is_hidden(incident: Incident) -> bool:
    """Return True for an incident HA's users must not see (a silent one)."""
    return incident.kind is IncidentKind.SILENT


def hides(change: IncidentChange) -> bool:
    """Return True when HA's users must not learn of ``change``.

    Any change of a silent incident, and a silent press on any incident.
    """
    if is_hidden(change.incident):
        return True
    return change.press is not None and change.press.kind is IncidentKind.SILENT


def alerts_coordinators(change: IncidentChange) -> bool:
    """Return True when ``change`` is a duress the coordinators have not been told of.

    The first silent press of an incident (it opened it, or raised a drill to silent), or
    a silent press on an audible incident (someone there is under duress). Later silent
    presses on the same silent incident go to the police as further presses only.
    """
    press = change.press
    if press is None or press.kind is not IncidentKind.SILENT:
        return False
    if change.change is Change.OPENED or change.kind_change is not None:
        return True
    return change.change is Change.JOINED and not is_hidden(change.incident)


def shown_incident(incidents: Iterable[Incident]) -> Incident | None:
    """Return the first incident HA's users may see, of ``incidents`` (newest first)."""
    return next((item for item in incidents if not is_hidden(item)), None)
