"""Real test cameras (GStreamer's RTSP server on 127.0.0.1) and helpers for evidence tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from datetime import datetime
import os
from pathlib import Path
import socket
from zoneinfo import ZoneInfo

import pytest

from scripts.harness.rtsp import RtspServer

ROOT = Path(__file__).resolve().parents[3]
FFMPEG = "/usr/bin/ffmpeg"
BOGOTA = ZoneInfo("America/Bogota")  # Cartagena's time: captures carry a -05:00 offset


def now() -> datetime:
    """Return the current time in Cartagena (aware)."""
    return datetime.now(BOGOTA)


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
