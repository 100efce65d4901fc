"""Receivers for the SIA tests: the unmodified pysiaalarm one, and a scripted fake.

:func:`pysia_receiver` runs pysiaalarm's asyncio ``SIAClient`` (the receiver Home
Assistant's ``sia`` integration uses) on 127.0.0.1, TCP or UDP, on a free port or a given
one, and collects the events it accepts. :class:`ScriptedReceiver` is a TCP receiver that
answers what a test tells it (silence, a wrong sequence number, DUH to NULL...), built on
our own framing: for the answers pysiaalarm never gives.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
import socket

from pysiaalarm import SIAAccount, SIAEvent
from pysiaalarm.aio import SIAClient
from pysiaalarm.utils import CommunicationsProtocol
import pytest

from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Block,
    Token,
    decode_block,
    encode_block,
)
from tests.frente.evidence.conftest import silent_server  # noqa: F401  (shared fixture)

ACCOUNT = "1A2B3C"
AES_128 = "0123456789ABCDEF"  # pysiaalarm's form: 16/24/32 characters, as ASCII bytes
AES_192 = "0123456789ABCDEF01234567"
AES_256 = "0123456789ABCDEF0123456789ABCDEF"
EVENT_WAIT = 10.0  # seconds: a generous bound on an event arriving, never asserted


@dataclass
class PysiaReceiver:
    """A running pysiaalarm receiver and the events it took."""

    client: SIAClient
    port: int
    events: asyncio.Queue[SIAEvent] = field(default_factory=asyncio.Queue)

    async def next_event(self) -> SIAEvent:
        """Return the next event the receiver accepted (wait for it)."""
        async with asyncio.timeout(EVENT_WAIT):
            return await self.events.get()

    async def events_in(self, count: int) -> list[SIAEvent]:
        """Return the next ``count`` events, in arrival order."""
        return [await self.next_event() for _ in range(count)]


@asynccontextmanager
async def pysia_receiver(
    key: str | None = None,
    *,
    account: str = ACCOUNT,
    udp: bool = False,
    port: int = 0,
) -> AsyncIterator[PysiaReceiver]:
    """Run pysiaalarm's receiver for ``account`` (encrypted with ``key``) on 127.0.0.1."""
    queue: asyncio.Queue[SIAEvent] = asyncio.Queue()

    async def took(event: SIAEvent) -> None:
        queue.put_nowait(event)

    protocol = CommunicationsProtocol.UDP if udp else CommunicationsProtocol.TCP
    client = SIAClient(
        "127.0.0.1", port, [SIAAccount(account, key)], took, protocol=protocol
    )
    await client.async_start()
    if udp:
        bound = client.transport.get_extra_info("sockname")[1]
    else:
        bound = client.server.sockets[0].getsockname()[1]
    try:
        yield PysiaReceiver(client, bound, queue)
    finally:
        await client.async_stop()


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    """Return a 127.0.0.1 port that nothing listens on (for a receiver started later)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answer(
    token: Token, sequence: int, account: str | None = ACCOUNT, data: str = "]"
) -> bytes:
    """Return a framed answer in the clear."""
    address = "R0L0" + (f"#{account}" if account else "")
    return encode_block(Block(token, sequence, address, data))


type Script = Callable[[Block], bytes | None]


@dataclass
class ScriptedReceiver:
    """A TCP receiver that answers each message with what ``script`` returns."""

    script: Script
    port: int = 0
    heard: list[Block] = field(default_factory=list)


@asynccontextmanager
async def scripted_receiver(script: Script) -> AsyncIterator[ScriptedReceiver]:
    """Serve ``script`` on 127.0.0.1 (None from it: say nothing)."""
    receiver = ScriptedReceiver(script)
    writers: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            while raw := await reader.readuntil(b"\r"):
                block = decode_block(raw)
                receiver.heard.append(block)
                reply = receiver.script(block)
                if reply is not None:
                    writer.write(reply)
                    await writer.drain()
        except asyncio.IncompleteReadError, ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


def utc_now() -> datetime:
    """Return the time now, in UTC."""
    return datetime.now(UTC)


@pytest.fixture
def sockets(socket_enabled: None) -> None:
    """Let a test open real sockets on 127.0.0.1."""
