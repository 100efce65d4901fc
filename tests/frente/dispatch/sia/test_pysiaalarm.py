"""The SIA transport against the unmodified pysiaalarm receiver (Home Assistant's ``sia``).

Every kind and change arrives decoded with the documented code, the front's account, its
area and zone (TCP; in the clear and with AES-128/192/256; SIA-DCS and Contact ID); a
wrong key is never delivered, is retried and logged once; a receiver that is down gets
the messages in order once it is up; a clock the receiver NAKs is re-stamped; UDP works;
link tests arrive as the supervision API asks for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import timedelta
import logging
import random
import socket

import pytest

from custom_components.mi_frente_seguro.frente.dispatch.outcome import Verdict
from custom_components.mi_frente_seguro.frente.dispatch.sia import (
    CODES,
    ContentFormat,
    LinkSupervision,
    LinkTestMessage,
    Report,
    SiaEvent,
    SiaKey,
    SiaProtocol,
    SiaSettings,
    SiaTransport,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.codes import (
    EventCodes,
    Qualifier,
)

from .conftest import (
    ACCOUNT,
    AES_128,
    AES_192,
    AES_256,
    free_port,
    pysia_receiver,
    utc_now,
)
from .police import notice_cases, sent_cases

pytestmark = pytest.mark.usefixtures("sockets")
CLIENT_LOGGER = "custom_components.mi_frente_seguro.frente.dispatch.sia.client"
KEYS = [None, AES_128, AES_192, AES_256]


def transport(
    port: int,
    key: str | None = None,
    *,
    seed: int = 1,
    **settings: object,
) -> SiaTransport:
    """Return a transport to 127.0.0.1:``port`` for the test account (pads seeded)."""
    config = SiaSettings(
        "127.0.0.1",
        port,
        ACCOUNT.lower(),  # the account is normalised to what receivers look up
        SiaKey.from_text(key) if key else None,
        answer_timeout=5.0,
        **settings,  # type: ignore[arg-type]
    )
    return SiaTransport(config, random_bytes=random.Random(seed).randbytes)


def our_warnings(records: Iterable[logging.LogRecord]) -> list[str]:
    """Return our transport's warnings (pysiaalarm logs its own)."""
    return [
        r.getMessage()
        for r in records
        if r.name == CLIENT_LOGGER and r.levelno >= logging.WARNING
    ]


@pytest.mark.parametrize("content", list(ContentFormat))
@pytest.mark.parametrize("key", KEYS, ids=["clear", "aes128", "aes192", "aes256"])
async def test_every_kind_and_change_arrives(
    key: str | None, content: ContentFormat
) -> None:
    """Each police message makes the documented report, and pysiaalarm decodes it so."""
    async with pysia_receiver(key) as receiver:
        sia = transport(receiver.port, key, content=content)
        for case in [*sent_cases(), *notice_cases()]:  # the front deaf, and back
            body = sia.render(case.message)
            assert body is not None, case.name
            outcome = await sia.attempt(case.message["id"], body)
            assert outcome.verdict is Verdict.DELIVERED, (case.name, outcome)
            event = await receiver.next_event()
            assert case.event is not None
            codes = CODES[case.event]
            assert event.code == codes.sia, case.name
            assert event.account == ACCOUNT
            assert event.encrypted is (key is not None)
            assert event.valid_message
            if content is ContentFormat.ADM_CID:
                assert (event.event_qualifier, event.event_type) == (
                    str(int(codes.qualifier)),
                    f"{codes.cid:03d}",
                )
                assert (event.partition, event.ri) == ("01", f"{case.zone:03d}")
                assert event.extended_data is None
            else:
                assert (event.ri, event.message) == ("1", f"{case.zone:03d}")
                where = {
                    x.identifier: float(x.value) for x in event.extended_data or []
                }
                if case.place is None:
                    assert where == {}
                else:
                    assert where == pytest.approx(
                        {"Y": case.place[0], "X": case.place[1]}
                    )
        assert receiver.events.empty()
        assert receiver.client.counts.valid_events == len(sent_cases()) + len(
            notice_cases()
        )


@pytest.mark.parametrize("content", list(ContentFormat))
async def test_planned_kinds_arrive(content: ContentFormat) -> None:
    """Medical and fire (no incident kind yet) already decode as documented."""
    planned = [
        SiaEvent.MEDICAL,
        SiaEvent.MEDICAL_RESTORE,
        SiaEvent.FIRE,
        SiaEvent.FIRE_RESTORE,
    ]
    async with pysia_receiver(AES_128) as receiver:
        sia = transport(receiver.port, AES_128, content=content)
        for n, planned_event in enumerate(planned):
            outcome = await sia.attempt(f"m{n}", Report(planned_event, 3).encode())
            assert outcome.delivered
            assert (await receiver.next_event()).code == CODES[planned_event].sia


async def test_wrong_key_is_not_delivered_retried_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A receiver with another key takes nothing; every attempt says retry; one warning."""
    report = Report(SiaEvent.PANIC, 2).encode()
    async with pysia_receiver(AES_128) as receiver:
        sia = transport(receiver.port, "FEDCBA9876543210")
        with caplog.at_level(logging.DEBUG):
            outcomes = [await sia.attempt("m1", report) for _ in range(4)]
        assert {o.verdict for o in outcomes} == {Verdict.RETRY}
        assert "key" in outcomes[0].error  # the hint: check the account and key
        assert receiver.events.empty()
        assert receiver.client.counts.valid_events == 0
        assert len(our_warnings(caplog.records)) == 1
        assert sia.trouble is not None
        assert AES_128 not in caplog.text
        assert "FEDCBA9876543210" not in caplog.text
        assert "FEDCBA9876543210" not in repr(sia)


async def test_unencrypted_receiver_refuses_encrypted_messages() -> None:
    """A receiver without a key cannot read an encrypted message: retry, not delivered."""
    async with pysia_receiver(None) as receiver:
        sia = transport(receiver.port, AES_128)
        outcome = await sia.attempt("m1", Report(SiaEvent.PANIC, 2).encode())
        assert outcome.verdict is Verdict.RETRY
        assert receiver.client.counts.valid_events == 0


async def test_unknown_account_is_retried() -> None:
    """A receiver that does not know the account NAKs: retried, never delivered."""
    async with pysia_receiver(AES_128, account="999") as receiver:
        sia = transport(receiver.port, AES_128)
        outcome = await sia.attempt("m1", Report(SiaEvent.PANIC, 2).encode())
        assert outcome.verdict is Verdict.RETRY
        assert receiver.events.empty()


@pytest.mark.parametrize("key", [None, AES_256], ids=["clear", "aes256"])
async def test_receiver_down_then_up_delivers_in_order(
    key: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused while down (retry); once up, the waiting messages arrive in order."""
    port = free_port()
    sia = transport(port, key)
    cases = sent_cases()
    with caplog.at_level(logging.INFO, logger=CLIENT_LOGGER):
        for case in [cases[0]] * 3:  # the head of the queue, tried while it is down
            body = sia.render(case.message)
            assert body is not None
            outcome = await sia.attempt(case.message["id"], body)
            assert outcome.verdict is Verdict.RETRY
            assert outcome.error == "connection refused"
        async with pysia_receiver(key, port=port) as receiver:
            for case in cases:
                body = sia.render(case.message)
                assert body is not None
                assert (await sia.attempt(case.message["id"], body)).delivered
            events = await receiver.events_in(len(cases))
    assert [e.code for e in events] == [CODES[c.event].sia for c in cases if c.event]
    sequences = [int(e.sequence) for e in events]
    assert sequences == sorted(
        sequences
    )  # a new number per message, retries kept theirs
    assert sequences[0] == 1
    assert len(our_warnings(caplog.records)) == 1
    assert "takes messages again" in caplog.text


@pytest.mark.parametrize("skew", [timedelta(minutes=-7), timedelta(minutes=3)])
async def test_nak_for_the_clock_restamps_and_delivers(skew: timedelta) -> None:
    """Our clock off by minutes: the receiver NAKs with its time; re-stamped, delivered."""
    async with pysia_receiver(AES_128) as receiver:
        sia = transport(receiver.port, AES_128)
        sia._clock = lambda: utc_now() + skew
        assert (await sia.attempt("m1", Report(SiaEvent.PANIC, 2).encode())).delivered
        assert abs(sia.clock_offset + skew) < timedelta(seconds=5)
        assert (await receiver.next_event()).code == "PA"
        assert receiver.client.counts.error_timestamp == 1
        # The offset stays: the next message is right the first time.
        assert (await sia.attempt("m2", Report(SiaEvent.CANCEL, 2).encode())).delivered
        assert (await receiver.next_event()).code == "OC"
        assert receiver.client.counts.error_timestamp == 1


@pytest.mark.parametrize("key", [None, AES_128], ids=["clear", "aes128"])
async def test_duh_is_refused_for_good(
    key: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code the receiver does not know: DUH, set aside with the reason (never retried).

    An encrypted message's DUH is confirmed once with a fresh pad before it is believed.
    """
    monkeypatch.setitem(
        CODES, SiaEvent.FIRE, EventCodes("AC", Qualifier.NEW, 110, "test")
    )
    async with pysia_receiver(key) as receiver:
        sia = transport(receiver.port, key)
        outcome = await sia.attempt("m1", Report(SiaEvent.FIRE, 2).encode())
        assert outcome.verdict is Verdict.REFUSED
        assert "DUH" in outcome.error and "AC" in outcome.error
        assert receiver.client.counts.error_code == (2 if key else 1)
        assert sia.trouble is None  # the receiver answers: the link is fine


@pytest.mark.parametrize("key", [None, AES_128], ids=["clear", "aes128"])
async def test_udp(key: str | None) -> None:
    """Over UDP: refused while down, then alarms and link tests are taken."""
    port = free_port(socket.SOCK_DGRAM)
    sia = transport(port, key, protocol=SiaProtocol.UDP)
    assert (
        await sia.attempt("m1", Report(SiaEvent.PANIC, 2).encode())
    ).verdict is Verdict.RETRY
    async with pysia_receiver(key, udp=True, port=port) as receiver:
        assert (await sia.attempt("m1", Report(SiaEvent.PANIC, 2).encode())).delivered
        assert (await sia.link_test()).delivered
        codes = [e.code for e in await receiver.events_in(2)]
    assert codes == ["PA", "RP"]


@pytest.mark.parametrize("content", list(ContentFormat))
@pytest.mark.parametrize("message", [LinkTestMessage.AUTO, LinkTestMessage.TEST_REPORT])
async def test_link_tests_arrive_when_due(
    message: LinkTestMessage, content: ContentFormat
) -> None:
    """Driven by LinkSupervision on a short interval, every link test reaches the receiver."""
    supervision = LinkSupervision(interval=timedelta(milliseconds=50))
    async with pysia_receiver(AES_128) as receiver:
        sia = transport(receiver.port, AES_128, content=content, link_test=message)
        changes = []
        for _ in range(3):
            due = supervision.due(utc_now())
            await asyncio.sleep(max((due - utc_now()).total_seconds(), 0))
            outcome = await sia.link_test()
            changes.append(supervision.record(utc_now(), outcome))
        events = await receiver.events_in(3)
    assert changes == [True, False, False]  # up once, then stays up
    assert supervision.up is True
    assert {e.code for e in events} == {"RP"}
    assert {e.account for e in events} == {ACCOUNT}
    wanted = "NULL" if message is LinkTestMessage.AUTO else str(content)
    assert {e.message_type.value for e in events} == {wanted}
    expected = LinkTestMessage.NULL if message is LinkTestMessage.AUTO else message
    assert sia.link_test_message is expected
