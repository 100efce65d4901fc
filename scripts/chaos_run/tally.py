"""Count every published press in what the police receiver stored: lost, extra, duplicates.

Each press has its own button id (``p0042``), which the police messages show as
``presses[i].sender.device``. An incident's presses are the union of the devices its stored
messages list. A press is *lost* when no stored message lists it; it is *extra* when it is
listed by more than one incident, twice in one message, or was never published at all. A
message that lists fewer presses than its ``presses_total`` (more than 50) cannot be checked
in full: its incident is reported as *unverifiable*, and the run keeps incidents small (a
cancel after each round) so that none is. Every message carries the whole incident, so an
incident is *inconsistent* when its latest, fullest message does not list exactly the
presses its messages listed, or its ``presses_total`` disagrees with them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .receiver import Stored


@dataclass(slots=True)
class Tally:
    """What the receiver's messages say about the published presses."""

    published: int = 0
    messages: int = 0
    incidents: int = 0
    largest: int = 0  # presses of the largest incident
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # one entry per extra appearance
    unverifiable: list[str] = field(default_factory=list)  # incident ids
    inconsistent: list[str] = field(default_factory=list)  # incident ids

    @property
    def ok(self) -> bool:
        """Return True when every press arrived exactly once and all could be checked."""
        return not (self.lost or self.extra or self.unverifiable or self.inconsistent)


def count(published: Iterable[str], stored: Iterable[Stored]) -> Tally:
    """Tally ``published`` press ids against the ``stored`` messages."""
    pressed = set(published)
    by_incident: dict[str, list[Stored]] = defaultdict(list)
    messages = 0
    for message in stored:
        by_incident[message.incident_id].append(message)
        messages += 1
    tally = Tally(published=len(pressed), messages=messages, incidents=len(by_incident))
    owners: Counter[str] = Counter()
    for incident_id, items in sorted(by_incident.items()):
        devices: set[str] = set()
        for message in items:
            listed = [device or "<none>" for device in message.devices]
            tally.extra += [d for d, n in Counter(listed).items() for _ in range(n - 1)]
            devices.update(listed)
            if len(listed) < message.presses_total:
                tally.unverifiable.append(incident_id)
        last = max(items, key=lambda message: (message.presses_total, message.at))
        fullest = {device or "<none>" for device in last.devices}
        if incident_id not in tally.unverifiable and (
            fullest != devices or last.presses_total != len(devices)
        ):
            tally.inconsistent.append(incident_id)
        owners.update(devices)
        tally.largest = max(tally.largest, len(devices))
    tally.extra += [d for d, n in owners.items() for _ in range(n - 1)]
    tally.extra += sorted(set(owners) - pressed)
    tally.lost = sorted(pressed - set(owners))
    tally.unverifiable = sorted(set(tally.unverifiable))
    return tally
