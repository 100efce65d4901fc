"""Getting DC-09 messages to a receiver and its answers back: TCP and UDP, asyncio only.

One attempt is one short conversation (:func:`converse`): over TCP a new connection,
closed when the attempt ends; over UDP a new connected socket. Within it each message
waits for its answer before the next is sent (a NAK's re-stamped resend goes on the same
connection): pysiaalarm, like many receivers, reads one message per read. A connection is
not kept between attempts: nothing can go stale between two alarms (a half-open TCP
connection to a receiver that restarted would swallow the next alarm until a timeout),
and a link test every few minutes costs one handshake.

Every failure to get an answer (refused, unreachable, timed out, closed early, an answer
longer than :data:`MAX_ANSWER`) is a :class:`LinkError` with a short reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Protocol

from .settings import SiaProtocol, SiaSettings

MAX_ANSWER = 4096  # bytes: a receiver's answer is far shorter
CLOSE_TIMEOUT = 2.0  # seconds to wait for a TCP close


class LinkError(Exception):
    """No answer came; ``str()`` says why in a few words (safe to log)."""


class Conversation(Protocol):
    """An open link to the receiver: send one framed message, get its answer."""

    async def ask(self, frame: bytes) -> bytes:
        """Send ``frame`` and return the receiver's framed answer; raises LinkError."""
        ...


@asynccontextmanager
async def converse(settings: SiaSettings) -> AsyncIterator[Conversation]:
    """Open a conversation with the receiver of ``settings``; closed on exit."""
    if settings.protocol is SiaProtocol.UDP:
        async with _udp(settings) as udp:
            yield udp
    else:
        async with _tcp(settings) as tcp:
            yield tcp


def _failure(err: BaseException) -> str:
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, ConnectionResetError):
        return "connection reset"
    return type(err).__name__


@dataclass(frozen=True, slots=True)
class _TcpConversation:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    timeout: float  # seconds for each answer

    async def ask(self, frame: bytes) -> bytes:
        try:
            async with asyncio.timeout(self.timeout):
                self.writer.write(frame)
                await self.writer.drain()
                return await self.reader.readuntil(b"\r")
        except TimeoutError:
            raise LinkError(f"no answer within {self.timeout:g} s") from None
        except asyncio.IncompleteReadError:
            raise LinkError("connection closed without an answer") from None
        except asyncio.LimitOverrunError:
            raise LinkError("answer too long") from None
        except OSError as err:
            raise LinkError(_failure(err)) from None


@asynccontextmanager
async def _tcp(settings: SiaSettings) -> AsyncIterator[_TcpConversation]:
    try:
        async with asyncio.timeout(settings.connect_timeout):
            reader, writer = await asyncio.open_connection(
                settings.host, settings.port, limit=MAX_ANSWER
            )
    except TimeoutError:
        raise LinkError(
            f"no connection within {settings.connect_timeout:g} s"
        ) from None
    except OSError as err:
        raise LinkError(_failure(err)) from None
    try:
        yield _TcpConversation(reader, writer, settings.answer_timeout)
    finally:
        writer.close()
        with suppress(OSError, TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await writer.wait_closed()


class _Datagrams(asyncio.DatagramProtocol):
    """What arrives on the socket: answers, or the error the kernel reported."""

    def __init__(self) -> None:
        self.arrived: asyncio.Queue[bytes | OSError] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.arrived.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            self.arrived.put_nowait(exc)


@dataclass(frozen=True, slots=True)
class _UdpConversation:
    transport: asyncio.DatagramTransport
    datagrams: _Datagrams
    timeout: float  # seconds for each answer

    async def ask(self, frame: bytes) -> bytes:
        self.transport.sendto(frame)
        try:
            async with asyncio.timeout(self.timeout):
                got = await self.datagrams.arrived.get()
        except TimeoutError:
            raise LinkError(f"no answer within {self.timeout:g} s") from None
        if isinstance(got, OSError):
            raise LinkError(_failure(got))
        if len(got) > MAX_ANSWER:
            raise LinkError("answer too long")
        return got


@asynccontextmanager
async def _udp(settings: SiaSettings) -> AsyncIterator[_UdpConversation]:
    loop = asyncio.get_running_loop()
    try:
        transport, datagrams = await loop.create_datagram_endpoint(
            _Datagrams, remote_addr=(settings.host, settings.port)
        )
    except OSError as err:
        raise LinkError(_failure(err)) from None
    try:
        yield _UdpConversation(transport, datagrams, settings.answer_timeout)
    finally:
        transport.close()
