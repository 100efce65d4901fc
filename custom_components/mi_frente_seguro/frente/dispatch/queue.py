"""The in-memory order of a front's undelivered police messages, with replacement.

Every message carries the whole incident, so a newer ``presses`` (or ``kind``) update of an
incident makes the one of the same kind still waiting useless: :meth:`replaceable` finds it,
:meth:`append` marks it replaced (it is skipped when it reaches the head). The head may be
in flight and is never replaced; evidence updates and the first message never are either.

Two lanes: incident messages first, trouble messages (``notices.py``) after them. The head
is the oldest incident message, or, when none waits, the oldest notice: a notice never
holds an alarm back (not even one a receiver keeps answering 5xx), incidents keep their
order among themselves and each device's notices theirs. A newer notice of a device
replaces its notice still waiting (a restore the trouble the police have not had yet:
the restore says when it went down).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from .messages import MessageType
from .notices import is_notice, is_notice_type, notice_key
from .outbox_db import StoredMessage


def replacement_key(message: Mapping[str, Any]) -> str | None:
    """Return what a message replaces when queued: updates of the same incident and kind.

    A notice replaces the waiting notice of its device.
    """
    if is_notice(message):
        return notice_key(message)
    changes = message.get("changes")
    if message["type"] != MessageType.UPDATED or not changes:
        return None
    if "evidence" in changes:
        return None  # evidence updates list only their own files: never replaced
    return f"{message['incident_id']}:{','.join(sorted(changes))}"


class DeliveryQueue:
    """Undelivered messages, oldest first: incident messages, then notices."""

    def __init__(self) -> None:
        """Start empty."""
        self._incidents: deque[StoredMessage] = deque()
        self._notices: deque[StoredMessage] = deque()
        self._latest: dict[str, StoredMessage] = {}  # newest queued message by key
        self._replaced = 0  # queued messages marked replaced
        self._current: StoredMessage | None = None  # the head given out, until popped

    def __len__(self) -> int:
        """Return how many messages wait (replaced ones not counted)."""
        return len(self._incidents) + len(self._notices) - self._replaced

    def _lane(self, message: StoredMessage) -> deque[StoredMessage]:
        if is_notice_type(message.message_type):
            return self._notices
        return self._incidents

    def extend(self, messages: Iterable[StoredMessage]) -> None:
        """Queue messages loaded from the file (they replace nothing).

        A loaded notice can still be replaced: its row is filed under its device's key
        (``incident_id``), which becomes what it ``supersedes``.
        """
        for message in messages:
            if is_notice_type(message.message_type):
                message.supersedes = message.incident_id
                self._latest[message.supersedes] = message
            self._lane(message).append(message)

    def replaceable(self, message: StoredMessage) -> StoredMessage | None:
        """Return the waiting message that ``message`` would replace, if any."""
        if message.supersedes is None:
            return None
        queued = self._latest.get(message.supersedes)
        if queued is None or queued.superseded or queued is self._in_flight():
            return None
        return queued

    def _in_flight(self) -> StoredMessage | None:
        """Return the message that may be in flight: the head given out, else the next."""
        if self._current is not None:
            return self._current
        for lane in (self._incidents, self._notices):
            if lane:
                return lane[0]
        return None

    def append(
        self, message: StoredMessage, replacing: StoredMessage | None = None
    ) -> bool:
        """Queue ``message``; return True if ``replacing`` was still waiting and is now out."""
        replaced = (
            replacing is not None
            and self._latest.get(replacing.supersedes or "") is replacing
            and replacing is not self._in_flight()
        )
        if replaced:
            assert replacing is not None
            replacing.superseded = True
            self._replaced += 1
        if message.supersedes is not None:
            self._latest[message.supersedes] = message
        self._lane(message).append(message)
        return replaced

    def head(self) -> StoredMessage | None:
        """Return the oldest message to send (dropping replaced ones), or None.

        The oldest incident message when one waits, else the oldest notice.
        """
        for lane in (self._incidents, self._notices):
            while lane and lane[0].superseded:
                lane.popleft()
                self._replaced -= 1
        lane = self._incidents or self._notices
        self._current = lane[0] if lane else None
        return self._current

    def waiting(self) -> list[StoredMessage]:
        """Return the messages in the order they will go (replaced ones left out)."""
        return [
            message
            for lane in (self._incidents, self._notices)
            for message in lane
            if not message.superseded
        ]

    def notice_holds_an_alarm(self) -> bool:
        """Return True when the head given out is a notice and an incident message waits."""
        current = self._current
        return (
            current is not None
            and bool(self._incidents)
            and is_notice_type(current.message_type)
        )

    def pop_head(self) -> None:
        """Remove the head given out by :meth:`head` once it is delivered or dropped."""
        message = self._current
        if message is None:  # not given out: the oldest of its lanes
            message = (self._incidents or self._notices)[0]
        lane = self._lane(message)
        assert lane[0] is message  # the head of its lane: later ones queue behind it
        lane.popleft()
        self._current = None
        key = message.supersedes
        if key is not None and self._latest.get(key) is message:
            del self._latest[key]
