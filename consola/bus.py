"""Announcing changes to the open live screens (server push), inside one instance.

Each live screen subscribes a bounded queue; a screen too slow to keep up is dropped (its
browser reconnects and reloads the list). Several instances on one PostgreSQL will need a
shared channel (LISTEN/NOTIFY or the city broker): that is issue #19 part 3.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
from typing import Final

from .incidents import Summary

QUEUE_SIZE: Final = 256


@dataclass(frozen=True, slots=True)
class Change:
    """An incident is new or changed; ``sound`` when it is a new real (audible) alarm."""

    summary: Summary
    new: bool
    sound: bool


class Bus:
    """Fan-out of changes to subscribers."""

    def __init__(self) -> None:
        """Nobody listens yet."""
        self._queues: set[asyncio.Queue[Change | None]] = set()

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[Change | None]]:
        """Yield a queue of changes; ``None`` in it means "you fell behind: reload"."""
        queue: asyncio.Queue[Change | None] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def publish(self, change: Change) -> None:
        """Give ``change`` to every subscriber (never blocks)."""
        for queue in list(self._queues):
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:
                self._queues.discard(queue)
                with contextlib.suppress(asyncio.QueueFull):
                    queue.get_nowait()
                    queue.put_nowait(None)

    def close(self) -> None:
        """Tell every subscriber to stop."""
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)
        self._queues.clear()

    @property
    def listeners(self) -> int:
        """Return how many screens listen."""
        return len(self._queues)
