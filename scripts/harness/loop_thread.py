"""An asyncio event loop in a daemon thread of its own, for the harness.

Synchronous callers (pytest's module-scoped fixtures) run the harness's coroutines on it,
and servers that must answer whatever the caller's loop is doing (the benchmarks' police
receiver) live on it. Whatever is started on it must be stopped on it: one
:class:`LoopThread` per start, closed after the stop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import threading
from typing import Any

CALL_TIMEOUT = 60.0  # s a synchronous call may wait for its coroutine


class LoopThread:
    """Run coroutines on a private event loop in a daemon thread."""

    def __init__(self, name: str) -> None:
        """Start the thread and its loop."""
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name=name, daemon=True
        )
        self._thread.start()

    def run[T](self, coro: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT) -> T:
        """Run ``coro`` on the thread's loop and return its result (blocking)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop, end the thread and close the loop."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()
