"""Backoff with full jitter, and Retry-After in both of its forms."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from custom_components.mi_frente_seguro.frente.dispatch.retry import (
    BACKOFF_CAP,
    RETRY_AFTER_CAP,
    RetryWait,
    backoff_delay,
    next_delay,
    parse_retry_after,
)

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def test_full_jitter_bounds() -> None:
    """The n-th wait is random in [0, min(30, 2**(n-1))]: first <= 1 s, never > 30 s."""
    assert backoff_delay(1, lambda: 0.999) <= 1.0
    assert [backoff_delay(n, lambda: 1.0) for n in range(1, 8)] == [
        1.0,
        2.0,
        4.0,
        8.0,
        16.0,
        BACKOFF_CAP,
        BACKOFF_CAP,
    ]
    assert backoff_delay(10_000, lambda: 1.0) == BACKOFF_CAP
    assert backoff_delay(5, lambda: 0.0) == 0.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("7", 7.0),
        (" 120 ", 120.0),
        ("86400", RETRY_AFTER_CAP),
        (format_datetime(NOW + timedelta(seconds=9), usegmt=True), 9.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("Thu, 26 Nov 2026 20:00:30 -0000", 30.0),
        ("-5", None),
        ("soon", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Seconds or HTTP date; past dates mean now; capped; garbage is ignored."""
    assert parse_retry_after(header, NOW) == expected


def test_retry_after_is_a_minimum() -> None:
    """The wait is the larger of the jittered backoff and Retry-After."""
    assert next_delay(1, 7.0, lambda: 0.5) == 7.0
    assert next_delay(6, 7.0, lambda: 1.0) == BACKOFF_CAP
    assert next_delay(1, None, lambda: 0.5) == 0.5


class HeldSleep:
    """A sleep that ends only when the test lets it (records what it was asked)."""

    def __init__(self) -> None:
        """Nothing asked yet."""
        self.asked: list[float] = []
        self.release = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        """Record ``seconds``; wait for the release."""
        self.asked.append(seconds)
        await self.release.wait()


async def _spin() -> None:
    """Let the loop run a few rounds (tasks start, waits begin)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def _waiting(
    delay: float, *, asked: bool, kicked_before: bool = False
) -> tuple[HeldSleep, RetryWait, asyncio.Task[bool]]:
    """Arm a wait (after a kick, if asked) and start it; it is sleeping on return."""
    sleep = HeldSleep()
    wait = RetryWait(sleep)
    if kicked_before:
        wait.kick()
    wait.arm()
    waiting = asyncio.create_task(wait.wait(delay, asked=asked))
    await _spin()
    assert sleep.asked == [delay]
    assert not waiting.done()
    return sleep, wait, waiting


async def test_a_kick_ends_a_backoff_the_receiver_did_not_ask_for() -> None:
    """A sign of life during the backoff ends it; the sleep is not left running."""
    _, wait, waiting = await _waiting(30.0, asked=False)
    wait.kick()
    async with asyncio.timeout(5):
        assert await waiting is True


async def test_a_wait_the_receiver_asked_for_is_kept() -> None:
    """Retry-After is honoured in full: a kick does not cut it short."""
    sleep, wait, waiting = await _waiting(120.0, asked=True)
    wait.kick()
    await _spin()
    assert not waiting.done()
    sleep.release.set()
    async with asyncio.timeout(5):
        assert await waiting is False


async def test_a_kick_before_the_attempt_is_forgotten() -> None:
    """``arm`` clears earlier kicks; a kick after it (during the attempt) still counts."""
    sleep, wait, waiting = await _waiting(8.0, asked=False, kicked_before=True)
    sleep.release.set()
    async with asyncio.timeout(5):
        assert await waiting is False  # the backoff ran out, no kick
    wait.arm()
    wait.kick()  # during the next attempt
    async with asyncio.timeout(5):
        assert await wait.wait(8.0, asked=False) is True
