"""Who may cancel an alarm, and what a duress cancel turns into.

Coordinators and administrators cancel any open incident (``runtime/people.py``). The
person who pressed may cancel their *own* alarm (a press by mistake), under four rules:

- every press of the incident that HA's users see is theirs (if a neighbour pressed too,
  the alarm is no longer only theirs to call off: a coordinator decides);
- within the front's cancel window, counted from their first press;
- with their PIN, when they have set one (``pins.py``);
- and not after :data:`MAX_WRONG_CODES` wrong codes on that incident (then only a
  coordinator can: a PIN is not guessed inside a two-minute window).

A *duress* PIN typed in any cancel (their own or a coordinator's) looks, to every HA user
and to the phone, exactly like a cancel: the incident is cancelled with the same details.
In the same commit a new *silent* incident opens with a silent press of the same sender
whose ``triggered`` step says which incident it ``continues``: the police get the cancel
and, right after it, a silent duress alarm naming the cancelled one (docs/incidents.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from .incident import Incident, IncidentKind, IncidentSource, Press, Transition

MAX_WRONG_CODES = 3
CANCEL_WINDOW_DEFAULT = 120  # seconds
CANCEL_WINDOW_MAX = 900
CONTINUES = "continues"  # the triggered step's detail naming the cancelled incident
DURESS_NOTE = "duress_cancel"  # the silent press's note (police only)


class OwnCancel(StrEnum):
    """Why a sender may not cancel an incident themselves (a translation key)."""

    NOT_YOURS = "cancel_not_yours"  # they did not press it, or others pressed too
    TOO_LATE = "cancel_too_late"  # past the front's cancel window
    LOCKED = "cancel_locked"  # too many wrong codes on this incident


def own_cancel_refusal(
    incident: Incident,
    user_id: str | None,
    now: datetime,
    window: int,
    wrong_codes: int = 0,
) -> OwnCancel | None:
    """Return why ``user_id`` may not cancel ``incident`` as its sender, or None.

    Reads the incident's first press and its sender summary only (bounded work).
    """
    if user_id is None or incident.kind is IncidentKind.SILENT:
        return OwnCancel.NOT_YOURS
    first = incident.presses[0]
    if first.sender.user_id != user_id or not _only_sender(incident, user_id):
        return OwnCancel.NOT_YOURS
    if wrong_codes >= MAX_WRONG_CODES:
        return OwnCancel.LOCKED
    if now - first.at > timedelta(seconds=window):
        return OwnCancel.TOO_LATE
    return None


def _only_sender(incident: Incident, user_id: str) -> bool:
    """Return True when every shown press of ``incident`` is by ``user_id``."""
    return incident.senders.shown_by == frozenset({user_id})


def duress_press(cancelled: Incident, press: Press) -> Press:
    """Return the silent press a duress cancel raises (same sender, time and place)."""
    return replace(
        press,
        kind=IncidentKind.SILENT,
        source=IncidentSource.ACTION if press.sender.user_id else press.source,
        note=DURESS_NOTE,
        key=None,
        emergency=cancelled.emergency,
    )


def continuing(opened: Incident, cancelled_id: str) -> Incident:
    """Return the new silent incident, its triggered step naming ``cancelled_id``."""
    first = opened.transitions[0]
    step = Transition(first.state, first.at, first.by, {CONTINUES: cancelled_id})
    return replace(opened, transitions=(step, *opened.transitions[1:]))


def continues(incident: Incident) -> str | None:
    """Return the incident a duress cancel made ``incident`` continue, if any."""
    value = incident.transitions[0].details.get(CONTINUES)
    return value if isinstance(value, str) else None
