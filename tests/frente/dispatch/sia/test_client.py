"""The transport's answer handling against a scripted receiver (what pysiaalarm never says).

Silence, a closed connection, an ACK of another sequence number or account, a clear ACK
to an encrypted message, garbage, RSP, NAKs without a time or far off or forever, DUH to
NULL link tests, unreadable stored reports, sequence numbers, and unexpected errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
import logging
import socket

import pytest

from custom_components.mi_frente_seguro.frente.dispatch.outcome import Verdict
from custom_components.mi_frente_seguro.frente.dispatch.sia import (
    client as client_module,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.client import SiaTransport
from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import SiaEvent
from custom_components.mi_frente_seguro.frente.dispatch.sia.crypto import SiaKey, seal
from custom_components.mi_frente_seguro.frente.dispatch.sia.framing import (
    Block,
    Token,
    encode_block,
    stamp,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.report import Report
from custom_components.mi_frente_seguro.frente.dispatch.sia.settings import (
    SiaProtocol,
    SiaSettings,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.supervision import (
    LinkTestMessage,
)

from .conftest import ACCOUNT, AES_128, answer, scripted_receiver, utc_now

pytestmark = pytest.mark.usefixtures("sockets")
KEY = SiaKey.from_text(AES_128)
PANIC = Report(SiaEvent.PANIC, 2).encode()


def sia(port: int, *, key: SiaKey | None = None, **settings: object) -> SiaTransport:
    """Return a transport to 127.0.0.1:``port`` with short timeouts."""
    config = SiaSettings(
        "127.0.0.1",
        port,
        ACCOUNT,
        key,
        answer_timeout=0.3,
        connect_timeout=0.3,
        **settings,  # type: ignore[arg-type]
    )
    return SiaTransport(config)


def ack(block: Block) -> bytes:
    """Answer ACK to ``block``."""
    return answer(Token.ACK, block.sequence)


async def one(
    script: Callable[[Block], bytes | None], **settings: object
) -> tuple[Verdict, str, list[Block]]:
    """Send one panic to a receiver following ``script``; return verdict, error, heard."""
    async with scripted_receiver(script) as receiver:
        outcome = await sia(receiver.port, **settings).attempt("m1", PANIC)
    return outcome.verdict, outcome.error, receiver.heard


async def test_silence_is_retried(silent_server: int) -> None:
    """No answer within the timeout: retry."""
    outcome = await sia(silent_server).attempt("m1", PANIC)
    assert outcome.verdict is Verdict.RETRY
    assert outcome.error == "no answer within 0.3 s"


async def test_udp_silence_is_retried() -> None:
    """A UDP receiver that never answers: retry."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        outcome = await sia(sock.getsockname()[1], protocol=SiaProtocol.UDP).attempt(
            "m1", PANIC
        )
        assert sock.recv(4096).startswith(b"\n")  # it was sent
    assert outcome.verdict is Verdict.RETRY
    assert outcome.error.startswith("no answer")


async def test_connect_timeout_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection that never opens: retry."""

    async def hang(*_args: object, **_kwargs: object) -> None:
        await asyncio.sleep(3600)

    monkeypatch.setattr(asyncio, "open_connection", hang)
    outcome = await sia(9).attempt("m1", PANIC)
    assert (outcome.verdict, outcome.error) == (
        Verdict.RETRY,
        "no connection within 0.3 s",
    )


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (lambda b: answer(Token.ACK, b.sequence + 1), "answer to another message"),
        (lambda b: answer(Token.ACK, b.sequence, "FFF"), "answer to another message"),
        (lambda b: answer(Token.ACK, b.sequence, None), "answer to another message"),
        (lambda b: answer(Token.DUH, b.sequence + 1), "answer to another message"),
        (lambda b: b"\n\r", "unreadable answer (not framed by <LF> ... <CR>)"),
        (lambda b: ack(b)[:-3] + b"X]\r", "unreadable answer (CRC mismatch)"),
        (
            lambda b: answer(Token.NAK, 0, None, "]"),
            "receiver refused the message (NAK)",
        ),
        (
            lambda b: answer(
                Token.NAK, 0, None, "]" + stamp(utc_now() + timedelta(days=2))
            ),
            "NAK: receiver's clock is off by over a day",
        ),
        (
            lambda b: answer(Token.NAK, 0, None, "]" + stamp(utc_now())),
            "receiver refused the message (NAK): check the account and key",
        ),
    ],
)
async def test_answers_that_are_not_a_delivery(
    script: Callable[[Block], bytes], error: str
) -> None:
    """Each of these is retried later, with its reason."""
    verdict, said, heard = await one(script)
    assert (verdict, said) == (Verdict.RETRY, error)
    assert len(heard) == 1


async def test_closed_without_answer() -> None:
    """A receiver that hangs up instead of answering: retry."""

    @asynccontextmanager
    async def hang_up() -> AsyncIterator[int]:
        async def serve(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            await reader.readuntil(b"\r")
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        try:
            yield server.sockets[0].getsockname()[1]
        finally:
            server.close()
            await server.wait_closed()

    async with hang_up() as port:
        outcome = await sia(port).attempt("m1", PANIC)
    assert (outcome.verdict, outcome.error) == (
        Verdict.RETRY,
        "connection closed without an answer",
    )


async def test_rsp_is_a_delivery() -> None:
    """RSP: taken (with data for the sender, which we do not use)."""
    verdict, _, _ = await one(lambda b: answer(Token.RSP, b.sequence))
    assert verdict is Verdict.DELIVERED


async def test_encrypted_ack_required_for_an_encrypted_message() -> None:
    """A clear ACK to an encrypted message proves nothing: retry; the encrypted one counts."""
    verdict, error, _ = await one(ack, key=KEY)
    assert (verdict, error) == (Verdict.RETRY, "answer to another message")

    def sealed_ack(block: Block) -> bytes:
        data = seal(KEY, "]" + stamp(utc_now()))
        return encode_block(
            Block(Token.ACK, block.sequence, f"R0L0#{ACCOUNT}", data, True)
        )

    verdict, _, _ = await one(sealed_ack, key=KEY)
    assert verdict is Verdict.DELIVERED


async def test_nak_restamps_are_bounded() -> None:
    """A receiver that always NAKs with a clock far from ours: 1 + max_restamps sends."""
    skew = iter(range(1, 100))

    def nak(_block: Block) -> bytes:
        later = utc_now() + timedelta(minutes=10 * next(skew))
        return answer(Token.NAK, 0, None, "]" + stamp(later))

    verdict, error, heard = await one(nak, max_restamps=2)
    assert (verdict, error) == (Verdict.RETRY, "NAK after re-stamping")
    assert len(heard) == 3
    assert len({block.sequence for block in heard}) == 1  # a resend keeps its number
    assert len({block.data for block in heard}) == 3  # each one re-stamped


async def test_duh_to_null_switches_link_tests_to_test_reports(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """AUTO: DUH to NULL -> a test report at once, and from then on; NULL mode: refused."""

    def no_null(block: Block) -> bytes:
        if block.token is Token.NULL:
            return answer(Token.DUH, block.sequence)
        return ack(block)

    async with scripted_receiver(no_null) as receiver:
        auto = sia(receiver.port)
        with caplog.at_level(logging.INFO):
            assert (await auto.link_test()).delivered
            assert (await auto.link_test()).delivered
        assert [b.token for b in receiver.heard] == [
            Token.NULL,
            Token.SIA_DCS,
            Token.SIA_DCS,
        ]
        assert receiver.heard[1].data.startswith(f"#{ACCOUNT}|Nri1/RP000]")
        assert auto.link_test_message is LinkTestMessage.TEST_REPORT
        assert "refused" not in caplog.text
        null_only = sia(receiver.port, link_test=LinkTestMessage.NULL)
        outcome = await null_only.link_test()
        assert outcome.verdict is Verdict.REFUSED
        assert outcome.error == "receiver does not handle NULL (DUH)"


async def test_sequence_numbers() -> None:
    """One number per message (kept by its retries), 9999 wraps to 0001."""
    async with scripted_receiver(ack) as receiver:
        transport = sia(receiver.port)
        for message_id in ("a", "a", "b", "b", "c"):
            assert (await transport.attempt(message_id, PANIC)).delivered
        transport._sequence = 9998
        for message_id in ("d", "e", "e"):
            assert (await transport.attempt(message_id, PANIC)).delivered
        assert (await transport.link_test()).delivered
    assert [b.sequence for b in receiver.heard] == [1, 1, 2, 2, 3, 9999, 1, 1, 2]


async def test_unreadable_stored_report_is_refused() -> None:
    """A row that is not a report this code wrote becomes a dead letter, unsent."""
    outcome = await sia(9).attempt("m1", b"not json")
    assert outcome.verdict is Verdict.REFUSED
    assert outcome.error.startswith("unreadable report")


async def test_unexpected_errors_are_retried(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug below the transport is logged and retried, never raised to the queue."""

    def broken(_settings: SiaSettings) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(client_module, "converse", broken)
    outcome = await sia(9).attempt("m1", PANIC)
    assert (outcome.verdict, outcome.error) == (Verdict.RETRY, "unexpected error")
    assert "Unexpected error" in caplog.text


def test_repr_and_render_hide_the_key() -> None:
    """Neither the transport's nor its settings' repr holds the key."""
    transport = sia(9, key=KEY)
    assert AES_128 not in repr(transport) and AES_128 not in repr(transport.settings)
    assert "AES-128" in repr(transport)
    assert transport.endpoint == "tcp://127.0.0.1:9"
    assert "clear" in repr(sia(9))


async def test_an_endless_answer_is_cut() -> None:
    """An answer longer than any DC-09 answer, with no <CR>: retry."""
    verdict, error, _ = await one(lambda b: b"\n" + b"A" * 5000)
    assert (verdict, error) == (Verdict.RETRY, "answer too long")


async def test_reset_connection() -> None:
    """A receiver that resets the connection instead of answering: retry."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
        writer.transport.abort()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        outcome = await sia(server.sockets[0].getsockname()[1]).attempt("m1", PANIC)
    finally:
        server.close()
        await server.wait_closed()
    assert outcome.verdict is Verdict.RETRY
    assert outcome.error in {"connection reset", "connection closed without an answer"}


async def test_udp_answer_too_long() -> None:
    """A datagram longer than any answer: retry."""

    class Loud(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            self.transport.sendto(b"\n" + b"A" * 5000 + b"\r", addr)  # type: ignore[attr-defined]

    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        Loud, local_addr=("127.0.0.1", 0)
    )
    try:
        port = transport.get_extra_info("sockname")[1]
        outcome = await sia(port, protocol=SiaProtocol.UDP).attempt("m1", PANIC)
    finally:
        transport.close()
    assert (outcome.verdict, outcome.error) == (Verdict.RETRY, "answer too long")
