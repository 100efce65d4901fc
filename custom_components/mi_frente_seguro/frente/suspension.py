"""A suspended member's presses: recorded and sent, but they sound nothing on their own.

A coordinator may suspend a member who misuses the button (Cartagena's older buzzer alarms
lost their credibility because anyone could set them off). A suspended member's press is
never dropped: it opens or joins an incident like any press, is stored, and goes to every
destination with ``sender.suspended: true``, so the police decide. What it does not do
alone is wake the street: while every shown press of an incident comes from suspended
members, the incident is *held*:

- the siren stays off, and the alarm notification goes to the front's coordinators only,
  saying that the sender is suspended (coordinators are told first);
- the first press by anyone else (a member in good standing, the street kit, an adopted
  device) *releases* it: the siren sounds and everyone is notified, as for a new alarm.

Silent (duress) and drill presses keep their own rules (``duress.py``).
"""

from __future__ import annotations

from .change import Change, IncidentChange
from .incident import Incident, IncidentKind


def is_held(incident: Incident) -> bool:
    """Return True while every shown press of ``incident`` is by a suspended member."""
    senders = incident.senders
    return senders.shown_count > 0 and senders.free_count == 0


def releases(change: IncidentChange) -> bool:
    """Return True when ``change`` is the first free press of a held incident."""
    press = change.press
    if change.change not in {Change.JOINED, Change.KIND_RAISED} or press is None:
        return False
    if press.sender.suspended or press.kind is IncidentKind.SILENT:
        return False
    return change.incident.senders.free_count == 1
