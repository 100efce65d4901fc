"""Subprocesses are always reaped: on time, on timeout, and when they ignore SIGTERM."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.mi_frente_seguro.frente.evidence.process import (
    cpu_seconds,
    run_ffmpeg,
    spawn,
    stop_process,
    tail,
)

from .conftest import child_processes

# A process that ignores SIGTERM (as a hung ffmpeg may), with no child left behind.
STUBBORN = ["/bin/sh", "-c", "trap '' TERM; exec sleep 30"]


async def test_stubborn_process_is_killed_after_the_grace() -> None:
    """SIGTERM first; SIGKILL once the grace period is over."""
    process = await spawn(STUBBORN, capture_stdout=False)
    await asyncio.sleep(0.2)  # let the shell set its trap before it gets SIGTERM
    assert cpu_seconds(process.pid) >= 0
    assert child_processes("sleep") == [process.pid]
    await stop_process(process, grace=0.2)
    assert process.returncode == -9
    assert child_processes("sleep") == []
    assert cpu_seconds(process.pid) == 0.0  # gone


async def test_run_times_out_and_reaps() -> None:
    """A run that takes too long raises ``TimeoutError`` after stopping the process."""
    with pytest.raises(TimeoutError):
        await run_ffmpeg(["/bin/sleep", "30"], timeout=0.2)
    assert child_processes("sleep") == []


async def test_run_returns_output() -> None:
    """Exit status, stdout and the end of stderr come back."""
    result = await run_ffmpeg(
        ["/bin/sh", "-c", "printf image; echo line1 >&2; echo line2 >&2; exit 3"],
        timeout=10,
    )
    assert result == type(result)(3, b"image", "line1\nline2")


def test_tail() -> None:
    """Only the last non-empty lines are kept."""
    assert tail(b"a\n\nb\nc\n  \n", lines=2) == "b\nc"
