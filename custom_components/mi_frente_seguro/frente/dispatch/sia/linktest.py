"""The link-test loop of one SIA destination: wait until due, test, record, repeat.

:func:`supervise` runs until cancelled (the front's unload): it waits for
:meth:`~.supervision.LinkSupervision.due`, calls ``SiaTransport.link_test()`` and records
the outcome; ``on_change`` hears when the link goes up or down (the entities show it).
Link tests are not queued in the outbox: a missed one is simply the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
import logging

from ...listeners import logged_failure
from .client import SiaTransport
from .supervision import LinkSupervision

_LOGGER = logging.getLogger(__name__)


async def supervise(
    transport: SiaTransport,
    supervision: LinkSupervision,
    *,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_change: Callable[[bool | None], None] | None = None,
) -> None:
    """Send link tests when due, forever (cancel to stop)."""
    now = clock or (lambda: datetime.now(UTC))
    while True:
        wait = (supervision.due(now()) - now()).total_seconds()
        await sleep(max(wait, 0.0))
        outcome = await transport.link_test()
        if supervision.record(now(), outcome) and on_change is not None:
            with logged_failure(_LOGGER, "Link-test listener failed"):
                on_change(supervision.up)
