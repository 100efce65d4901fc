"""Awaiting work that a signal may cut short (a stop, a sign that a receiver is back).

And the other way round: :func:`finish_first` lets work in hand end before a stop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def unless_set(work: Awaitable[object], signal: asyncio.Event) -> bool:
    """Await ``work`` unless ``signal`` is set first; return True if the signal came.

    ``work`` still running then is cancelled; both are finished on return (nothing
    lingers). An exception that ended ``work`` by itself is raised here.
    """
    task: asyncio.Future[Any] = asyncio.ensure_future(work)
    waiter: asyncio.Future[Any] = asyncio.ensure_future(signal.wait())
    done: set[asyncio.Future[Any]] = set()
    try:
        done, _ = await asyncio.wait(
            (task, waiter), return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        waiter.cancel()
        task.cancel()  # nothing to do once it is done
        await asyncio.wait((task, waiter))
    if not task.cancelled():
        task.result()
    return waiter in done


async def finish_first(work: Awaitable[object], grace: float) -> None:
    """Await ``work``; if the caller is cancelled meanwhile, give ``work`` ``grace`` s more.

    For a message in hand when a link stops: it is stored and acknowledged rather than
    cut between the two (the broker would send it again). ``work`` still running after
    ``grace`` is cancelled; the caller's cancellation is raised either way.
    """
    task: asyncio.Future[Any] = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            await asyncio.wait((task,), timeout=grace)
            task.cancel()
            await asyncio.wait((task,))
        if not task.cancelled():
            task.exception()  # retrieved, not raised: the stop wins
        raise
