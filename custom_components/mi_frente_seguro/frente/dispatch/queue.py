"""The in-memory order of a front's undelivered police messages, with replacement.

Every message carries the whole incident, so a newer ``presses`` (or ``kind``) update of an
incident makes the one of the same kind still waiting useless: :meth:`replaceable` finds it,
:meth:`append` marks it replaced (it is skipped when it reaches the head). The head may be
in flight and is never replaced; evidence updates and the first message never are either.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from .messages import MessageType
from .outbox_db import StoredMessage


def replacement_key(message: Mapping[str, Any]) -> str | None:
    """Return what a message replaces when queued: updates of the same incident and kind."""
    changes = message.get("changes")
    if message["type"] != MessageType.UPDATED or not changes:
        return None
    if "evidence" in changes:
        return None  # evidence updates list only their own files: never replaced
    return f"{message['incident_id']}:{','.join(sorted(changes))}"


class DeliveryQueue:
    """Undelivered messages, oldest first."""

    def __init__(self) -> None:
        """Start empty."""
        self._queue: deque[StoredMessage] = deque()
        self._latest: dict[str, StoredMessage] = {}  # newest queued message by key
        self._replaced = 0  # queued messages marked replaced

    def __len__(self) -> int:
        """Return how many messages wait (replaced ones not counted)."""
        return len(self._queue) - self._replaced

    def extend(self, messages: Iterable[StoredMessage]) -> None:
        """Queue messages loaded from the file (they replace nothing)."""
        self._queue.extend(messages)

    def replaceable(self, message: StoredMessage) -> StoredMessage | None:
        """Return the waiting message that ``message`` would replace, if any."""
        if message.supersedes is None:
            return None
        queued = self._latest.get(message.supersedes)
        if queued is None or queued.superseded or queued is self._head_or_none():
            return None
        return queued

    def _head_or_none(self) -> StoredMessage | None:
        return self._queue[0] if self._queue else None

    def append(
        self, message: StoredMessage, replacing: StoredMessage | None = None
    ) -> bool:
        """Queue ``message``; return True if ``replacing`` was still waiting and is now out."""
        replaced = (
            replacing is not None
            and self._latest.get(replacing.supersedes or "") is replacing
            and replacing is not self._head_or_none()
        )
        if replaced:
            assert replacing is not None
            replacing.superseded = True
            self._replaced += 1
        if message.supersedes is not None:
            self._latest[message.supersedes] = message
        self._queue.append(message)
        return replaced

    def head(self) -> StoredMessage | None:
        """Return the oldest message to send (dropping replaced ones), or None."""
        while self._queue and self._queue[0].superseded:
            self._queue.popleft()
            self._replaced -= 1
        return self._queue[0] if self._queue else None

    def pop_head(self) -> None:
        """Remove the head once it is delivered or dropped."""
        message = self._queue.popleft()
        key = message.supersedes
        if key is not None and self._latest.get(key) is message:
            del self._latest[key]
