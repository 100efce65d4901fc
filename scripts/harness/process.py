"""The harness's one way to run a child process: start, wait until ready, stop.

Every process the demo, the tests, the benchmarks and the chaos run start (``hass``,
Mosquitto, the RTSP test cameras, the police console, the simulated kit) is a
:class:`ManagedProcess`: started with its output appended to a log file, awaited until it
is ready (it answers HTTP, accepts TCP or prints its ready line) while watching that it does
not exit first, and stopped with SIGTERM, then SIGKILL once ``stop_timeout`` has passed. A
process that prints its ready line has the rest of its output copied to the log, so a
chatty child never blocks on a full pipe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
import contextlib
import os
from pathlib import Path
import re
import signal
import socket
from types import TracebackType
from typing import IO, Any, Self

POLL_INTERVAL = 0.25  # s between two readiness checks


class ProcessExitedError(RuntimeError):
    """The process ended before it was ready."""

    def __init__(self, name: str, returncode: int | None, log_path: Path) -> None:
        """Say which process ended, how, and where its log is."""
        super().__init__(
            f"{name} exited with status {returncode} before it was ready; see {log_path}"
        )
        self.returncode = returncode


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def poll(
    check: Callable[[], Awaitable[bool]], interval: float = POLL_INTERVAL
) -> None:
    """Await ``check`` every ``interval`` s until it is true; the caller bounds the time."""
    # Another process's state has no event to wait on: polling is the only way.
    while not await check():  # noqa: ASYNC110
        await asyncio.sleep(interval)


async def accepts_tcp(port: int, host: str = "127.0.0.1") -> bool:
    """Return whether something accepts TCP connections on ``host:port``."""
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def _cancel(*tasks: asyncio.Future[Any]) -> None:
    """Cancel ``tasks`` and wait until they have ended (their results are dropped)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class ManagedProcess:
    """A child process, started, awaited until ready and stopped the same way everywhere.

    Give it a ``command``, or subclass it and override :meth:`command` (computed at each
    start) and :meth:`ready` (default: the ``ready_line`` pattern, or at once without
    one). ``env`` is added to this process's environment at each start. A process in a
    ``new_session`` has its own process group, and SIGKILL reaches its children too.
    """

    def __init__(
        self,
        name: str,
        log_path: Path,
        command: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        ready_line: str | None = None,
        ready_timeout: float = 10.0,
        stop_timeout: float = 10.0,
        new_session: bool = False,
        stdin: bool = False,
    ) -> None:
        """Remember how to run the process; nothing starts before :meth:`start`."""
        self.name = name
        self.log_path = log_path
        self.env: dict[str, str] = dict(env or {})
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.new_session = new_session
        self.ready_match: re.Match[str] | None = None
        self.process: asyncio.subprocess.Process | None = None
        self._command = list(command)
        self._ready_line = None if ready_line is None else re.compile(ready_line)
        self._stdin = stdin
        self._copy: asyncio.Task[None] | None = None
        self._log: IO[bytes] | None = None  # a piped process's log, until it is ready

    @property
    def pid(self) -> int:
        """Return the running (or last) process's id."""
        assert self.process is not None
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        """Return the exit status (negative: the signal), None while it runs or before."""
        return None if self.process is None else self.process.returncode

    def command(self) -> Sequence[str]:
        """Return the command line to start (called by every :meth:`start`)."""
        return self._command

    def environment(self) -> dict[str, str]:
        """Return the environment of the next start."""
        return {**os.environ, **self.env}

    async def ready(self) -> None:
        """Return once the process is ready: its ready line, or at once without one."""
        if self._ready_line is not None:
            self.ready_match = await self.read_line(self._ready_line)

    async def start(self) -> None:
        """Start the process and wait (at most ``ready_timeout`` s) until it is ready.

        Raises :class:`ProcessExitedError` if it ends first, ``TimeoutError`` if it is not
        ready in time; either way it is stopped before the error is raised.
        """
        assert self.returncode is not None or self.process is None, "already running"
        command = self.command()
        pipe = self._ready_line is not None
        log: IO[bytes] = self.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE
                if self._stdin
                else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE if pipe else log,
                stderr=log,
                env=self.environment(),
                start_new_session=self.new_session,
            )
        except BaseException:
            log.close()
            raise
        if not pipe:
            log.close()  # the child has its own copy
        try:
            await self._until_ready(log if pipe else None)
        except BaseException:
            await self.stop()
            raise

    async def _until_ready(self, log: IO[bytes] | None) -> None:
        """Race :meth:`ready` against the process's exit, within ``ready_timeout`` s."""
        assert self.process is not None
        self._log, self.ready_match = log, None
        exited = asyncio.ensure_future(self.process.wait())
        ready = asyncio.ensure_future(self.ready())
        try:
            async with asyncio.timeout(self.ready_timeout):
                done, _ = await asyncio.wait(
                    {exited, ready}, return_when=asyncio.FIRST_COMPLETED
                )
        except TimeoutError:
            raise TimeoutError(
                f"{self.name} was not ready after {self.ready_timeout:g} s;"
                f" see {self.log_path}"
            ) from None
        finally:
            await _cancel(*(task for task in (exited, ready) if not task.done()))
            if log is not None and self.process.stdout is not None:
                self._copy = asyncio.create_task(self._copy_output(log))
        if ready not in done:
            raise ProcessExitedError(self.name, self.returncode, self.log_path)
        ready.result()  # the check's own error, if it failed

    async def read_line(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """Read stdout until a line matches ``pattern``; earlier lines go to the log."""
        assert self.process is not None
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            if match := pattern.search(line.decode(errors="replace")):
                return match
            if self._log is not None:
                self._log.write(line)
        await self.process.wait()
        raise ProcessExitedError(self.name, self.returncode, self.log_path)

    async def _copy_output(self, log: IO[bytes]) -> None:
        """Append what the process prints after its ready line to the log, until EOF."""
        assert self.process is not None
        assert self.process.stdout is not None
        with log:
            while chunk := await self.process.stdout.read(65536):
                log.write(chunk)
                log.flush()

    async def send(self, text: str) -> None:
        """Write ``text`` to the process's stdin (started with ``stdin=True``)."""
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode())
        await self.process.stdin.drain()

    def kill(self) -> None:
        """SIGKILL the process (its whole group, in a ``new_session``) at once."""
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            if self.new_session:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()

    async def wait(self) -> int:
        """Wait until the process has exited; return its status."""
        assert self.process is not None
        return await self.process.wait()

    async def stop(self) -> int | None:
        """Stop with SIGTERM, SIGKILL after ``stop_timeout`` s; return the exit status."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(self.stop_timeout):
                    await process.wait()
            except TimeoutError:
                self.kill()
                await process.wait()
        if self._copy is not None:
            copy, self._copy = self._copy, None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.stop_timeout):
                    await copy
            await _cancel(copy)
        return process.returncode

    async def __aenter__(self) -> Self:
        """Start the process."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the process."""
        await self.stop()
