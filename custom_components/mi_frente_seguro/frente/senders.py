"""Who pressed an incident: the few facts read from every press, kept as the presses come.

An incident may hold 20,000 presses; what entities, texts and notifications read of them
(the names, the persons, how many presses) is summed up here one press at a time, so no
reader walks the presses. Two views are kept: every press (for the police, the incident
store and the coordinators), and the presses HA's users may see: a silent (duress) press
is never shown to them (docs/incidents.md, "Duress"), so it is left out of ``shown_*``.
Never stored: :meth:`Senders.of` rebuilds it from the presses when an incident is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .incident import Press

MAX_SENDER_NAMES = 20  # distinct sender names an incident lists (entities, texts)


@dataclass(frozen=True, slots=True)
class Senders:
    """The names and persons who pressed, of all presses and of the shown ones."""

    names: tuple[str, ...] = ()  # the first MAX_SENDER_NAMES distinct names
    persons: frozenset[str] = frozenset()  # every person.* who pressed
    shown_names: tuple[str, ...] = ()  # as ``names``, of the shown presses only
    shown_count: int = 0  # how many presses HA's users may see
    # Who made the shown presses: HA user ids, ``device:<id>`` for a device, ``?`` else.
    shown_by: frozenset[str] = frozenset()
    # Shown presses by anyone not suspended (``suspension.py``: 0 holds the alarm back).
    free_count: int = 0

    def with_press(self, press: Press, *, shown: bool) -> Senders:
        """Return the summary with one more press (``shown``: HA's users may see it)."""
        name = press.sender.name or press.sender.device
        person = press.sender.person_id
        by = _presser(press)
        return Senders(
            names=_with_name(self.names, name),
            persons=self.persons
            if person is None or person in self.persons
            else self.persons | {person},
            shown_names=_with_name(self.shown_names, name)
            if shown
            else self.shown_names,
            shown_count=self.shown_count + shown,
            shown_by=self.shown_by
            if not shown or by in self.shown_by
            else self.shown_by | {by},
            free_count=self.free_count + (shown and not press.sender.suspended),
        )

    @classmethod
    def of(cls, presses: Iterable[tuple[Press, bool]]) -> Senders:
        """Return the summary of ``(press, shown)`` pairs, oldest first."""
        senders = cls()
        for press, shown in presses:
            senders = senders.with_press(press, shown=shown)
        return senders


def _presser(press: Press) -> str:
    sender = press.sender
    if sender.user_id is not None:
        return sender.user_id
    return "?" if sender.device is None else f"device:{sender.device}"


def _with_name(names: tuple[str, ...], name: str | None) -> tuple[str, ...]:
    if not name or name in names or len(names) >= MAX_SENDER_NAMES:
        return names
    return (*names, name)
