"""Work that a stop cuts short, and work in hand that a stop lets finish."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.mi_frente_seguro.frente.interrupt import finish_first, unless_set


async def test_unless_set_cancels_the_work_when_the_signal_comes() -> None:
    """The signal wins: the work is cancelled and True is returned."""
    signal = asyncio.Event()
    signal.set()
    assert await unless_set(asyncio.Event().wait(), signal) is True


async def test_finish_first_lets_the_work_in_hand_end_before_the_cancel() -> None:
    """Cancelled while the work runs: the work still ends, then the cancel is raised."""
    steps: list[str] = []
    release = asyncio.Event()

    async def work() -> None:
        await release.wait()
        steps.append("stored and acknowledged")

    outer = asyncio.ensure_future(finish_first(work(), grace=10))
    await asyncio.sleep(0)
    outer.cancel()
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert steps == ["stored and acknowledged"]


async def test_finish_first_gives_up_after_the_grace() -> None:
    """Work that does not end within the grace is cancelled; so is the caller."""
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    outer = asyncio.ensure_future(finish_first(stuck(), grace=0.01))
    await asyncio.sleep(0)
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert cancelled.is_set()


async def test_finish_first_raises_the_work_s_own_error() -> None:
    """Not cancelled: an error of the work reaches the caller as usual."""

    async def broken() -> None:
        raise ValueError("bad message")

    with pytest.raises(ValueError, match="bad message"):
        await finish_first(broken(), grace=1)
