"""Real test cameras (GStreamer's RTSP server on 127.0.0.1) and helpers for evidence tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from datetime import datetime
import os
from pathlib import Path
import re
import select
import signal
import socket
import subprocess
import time
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVER_SCRIPT = ROOT / "scripts" / "rtsp_server.py"
SYSTEM_PYTHON = (
    "/usr/bin/python3"  # Debian's: it has GStreamer's bindings, the venv not
)
FFMPEG = "/usr/bin/ffmpeg"
BOGOTA = ZoneInfo("America/Bogota")  # Cartagena's time: captures carry a -05:00 offset
READY = re.compile(rb"^READY port=(\d+) ")
START_TIMEOUT = 20.0


def now() -> datetime:
    """Return the current time in Cartagena (aware)."""
    return datetime.now(BOGOTA)


class RtspServer:
    """``scripts/rtsp_server.py`` run by Debian's python3, started and stopped by a test."""

    def __init__(self, log: Path, cameras: int = 4, port: int = 0) -> None:
        """Remember the settings; ``port`` 0 lets the server pick a free one."""
        self.log = log
        self.cameras = cameras
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, camera: int, credentials: str = "") -> str:
        """Return the URL of camera ``camera`` (1-based), optionally with ``user:pass``."""
        userinfo = f"{credentials}@" if credentials else ""
        return f"rtsp://{userinfo}127.0.0.1:{self.port}/cam{camera}"

    def start(self) -> None:
        """Start the server and wait for its ready line (same port as before, if any)."""
        command = [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port)]
        command += ["--cameras", str(self.cameras)]
        with self.log.open("ab") as log:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        self.process = process
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([process.stdout], [], [], left)
            if not readable:
                break
            line = process.stdout.readline()
            if not line:
                break  # exited before it was ready
            if match := READY.match(line):
                self.port = int(match.group(1))
                return
        self.stop()
        raise RuntimeError(f"RTSP server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> int:
        """Stop the server with SIGTERM and return its exit status."""
        process, self.process = self.process, None
        if process is None:
            return 0
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return code


@pytest.fixture(scope="module")
def rtsp_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Generator[RtspServer]:
    """Serve four test cameras for the whole module."""
    server = RtspServer(tmp_path_factory.mktemp("rtsp") / "server.log")
    server.start()
    yield server
    assert server.stop() == 0


@pytest.fixture
def own_rtsp_server(tmp_path: Path) -> Generator[RtspServer]:
    """Serve one camera for one test, which may stop and restart it."""
    server = RtspServer(tmp_path / "server.log", cameras=1)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def closed_port(socket_enabled: None) -> Generator[int]:
    """Return a 127.0.0.1 port that refuses connections, for the whole test.

    The port stays bound (without listening) meanwhile, so no other program can start
    listening on it and no outgoing connection can be given it as its own port.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        yield port


@pytest.fixture
async def silent_server(socket_enabled: None) -> AsyncGenerator[int]:
    """Accept TCP connections on 127.0.0.1 and never answer; yield the port."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(
        _reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.fixture
def ffmpeg_spy(tmp_path: Path) -> tuple[str, Path]:
    """Return an ffmpeg wrapper that logs each start to a file, and that file."""
    calls = tmp_path / "ffmpeg-calls.log"
    wrapper = tmp_path / "ffmpeg-spy"
    wrapper.write_text(
        f'#!/bin/sh\necho "$$" >> "{calls}"\nexec {FFMPEG} "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    return str(wrapper), calls


def spy_calls(calls: Path) -> int:
    """Return how many processes the ffmpeg spy started."""
    return len(calls.read_text().split()) if calls.exists() else 0


def ffmpeg_children() -> list[int]:
    """Return the ids of ffmpeg processes that are children of this test process."""
    return child_processes("ffmpeg", "ffmpeg-spy")


def child_processes(*names: str) -> list[int]:
    """Return the ids of this process's children with one of these command names."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended while we looked
        name = text[text.index("(") + 1 : text.rindex(")")]
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        if ppid == os.getpid() and name in names:
            found.append(int(stat.parent.name))
    return found
