"""Run ffmpeg as asyncio subprocesses that never outlive their caller; run blocking work.

Every function here reaps what it starts: on success, on error, on timeout and when the
awaiting task is cancelled. ffmpeg is asked to stop with SIGTERM first (it closes its output
properly, e.g. finishes an MP4 fragment) and killed if it does not within a grace period.
Blocking work (files, ``/proc``) goes through an ``Executor``: Home Assistant passes
``hass.async_add_executor_job``; the default is the loop's default thread pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
from typing import Any

type Executor = Callable[..., Awaitable[Any]]

STOP_GRACE = 2.0  # s between SIGTERM and SIGKILL
STDERR_LINES = 8  # last lines of ffmpeg's stderr kept to explain a failure


@dataclass(frozen=True, slots=True)
class FfmpegResult:
    """How a finished ffmpeg ended."""

    returncode: int
    stdout: bytes
    stderr: str  # last lines only; may contain the URL: redact before showing


async def spawn(
    args: Sequence[str], *, capture_stdout: bool
) -> asyncio.subprocess.Process:
    """Start ``args`` with stdin closed, stderr piped and stdout piped or discarded."""
    return await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE
        if capture_stdout
        else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_process(
    process: asyncio.subprocess.Process, grace: float = STOP_GRACE
) -> None:
    """Stop ``process`` (SIGTERM, then SIGKILL after ``grace`` s) and reap it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            async with asyncio.timeout(grace):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
    await process.wait()


def tail(text: bytes, lines: int = STDERR_LINES) -> str:
    """Return the last non-empty ``lines`` of ``text`` decoded leniently."""
    kept = [line.strip() for line in text.decode("utf-8", "replace").splitlines()]
    return "\n".join([line for line in kept if line][-lines:])


async def run_ffmpeg(
    args: Sequence[str], *, timeout: float, capture_stdout: bool = True
) -> FfmpegResult:
    """Run ``args`` to completion within ``timeout`` s and return its output.

    Raises ``TimeoutError`` when it runs longer; the process is stopped and reaped first,
    as it is when the caller is cancelled.
    """
    process = await spawn(args, capture_stdout=capture_stdout)
    try:
        async with asyncio.timeout(timeout):
            stdout, stderr = await process.communicate()
    finally:
        # Runs on timeout and on cancellation: nothing is left running behind us.
        await asyncio.shield(stop_process(process))
    returncode = process.returncode if process.returncode is not None else -1
    return FfmpegResult(returncode, stdout or b"", tail(stderr))


def cpu_seconds(pid: int) -> float:
    """Return the user+system CPU time of process ``pid`` (reads ``/proc``; blocking).

    Returns 0.0 when the process is gone or ``/proc`` is not there (not Linux).
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    # Field 2 (the command name) may hold spaces and parentheses: split after its end.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = (
        int(fields[11]),
        int(fields[12]),
    )  # fields 14 and 15 of the whole line
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


async def default_executor(func: Callable[..., Any], *args: Any) -> Any:
    """Run ``func(*args)`` in the running loop's default thread pool."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)
