"""The console's background loops (answer delivery, the city broker link): one task each."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import contextlib
from typing import Any


class Background:
    """One named task in the running loop; stopping cancels it and waits for its end."""

    def __init__(self, name: str) -> None:
        """Name the task (it shows in asyncio's debug output and in logs)."""
        self.name = name
        self._task: asyncio.Task[None] | None = None

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in a task of the running loop."""
        self._task = asyncio.get_running_loop().create_task(work, name=self.name)

    async def stop(self) -> None:
        """Cancel the task and wait until it has ended (nothing when not started)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
