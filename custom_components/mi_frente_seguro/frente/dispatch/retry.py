"""When to try a police message again: full-jitter backoff and the receiver's Retry-After.

After the n-th failed attempt we wait a random time in ``[0, min(30 s, 1 s * 2**(n-1))]``
("full jitter": many fronts retrying after one outage spread out instead of hammering the
receiver in step). A ``Retry-After`` answer (seconds or an HTTP date) is honoured, up to
five minutes, as a minimum wait. A backoff the receiver did not ask for is cut short by a
sign that it is back (``RetryWait.kick``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ..interrupt import unless_set

BACKOFF_BASE = 1.0  # seconds: the first retry comes within a second
BACKOFF_CAP = 30.0  # seconds: the longest wait the backoff picks
RETRY_AFTER_CAP = 300.0  # seconds: a receiver cannot park a real alarm longer


def backoff_delay(failures: int, random: Callable[[], float]) -> float:
    """Return the wait after ``failures`` failed attempts (1 = the first failure)."""
    exponent = min(max(failures - 1, 0), 16)
    return random() * min(BACKOFF_CAP, BACKOFF_BASE * (1 << exponent))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for, or None when absent/unreadable.

    Both forms of RFC 9110 are read: delay-seconds (``120``) and an HTTP date. A date in the
    past means "now" (0). The result is capped at :data:`RETRY_AFTER_CAP`. Never raises:
    any text (a year or zone of 30 digits, which overflows the date parser) is None or a
    finite number of seconds in ``[0, RETRY_AFTER_CAP]``.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return min(float(text), RETRY_AFTER_CAP)
    try:
        when = parsedate_to_datetime(text)
    except TypeError, ValueError, IndexError, OverflowError:  # 30-digit years
        return None
    if when.tzinfo is None:  # "-0000" dates come back naive: they are UTC
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), RETRY_AFTER_CAP)


def next_delay(
    failures: int, retry_after: float | None, random: Callable[[], float]
) -> float:
    """Return how long to wait before the next attempt."""
    delay = backoff_delay(failures, random)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


class RetryWait:
    """The wait before the next attempt, which a sign of life can cut short.

    ``arm`` before an attempt; a ``kick`` from then on (say, the police system called
    the front's status webhook, so it is up again) ends the backoff after a failure at
    once. A wait the receiver asked for (``Retry-After``) is always waited in full.
    """

    def __init__(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Wait with ``sleep`` (injected so tests need not wait)."""
        self._sleep = sleep
        self._kicked = asyncio.Event()

    def arm(self) -> None:
        """Forget earlier kicks: only a sign from now on counts."""
        self._kicked.clear()

    def kick(self) -> None:
        """Say the receiver looks reachable again."""
        self._kicked.set()

    async def wait(self, delay: float, *, asked: bool) -> bool:
        """Wait ``delay`` s; return True when a kick ended the wait early."""
        if asked:
            await self._sleep(delay)
            return False
        return await unless_set(self._sleep(delay), self._kicked)
