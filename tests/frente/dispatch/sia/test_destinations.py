"""SIA wired into the outbox, and a front with several destinations, on real receivers.

The unmodified pysiaalarm receiver (TCP, UDP; clear and AES), a real HTTP receiver, a real
SQLite file: every message reaches the SIA receiver in order, once, through the durable
queue; a wrong key is never delivered, retried and logged once; a receiver that is down
gets its messages in order once back; link tests arrive at their interval. With the JSON
receiver down, SIA and the phone still get the alarm and the incident is ``sent``; when
JSON comes back its queue drains in order, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import closing
from datetime import timedelta
import logging
from pathlib import Path
import random
import sqlite3
from typing import Any

import aiohttp
import pytest

from custom_components.mi_frente_seguro.frente.committer import Committer
from custom_components.mi_frente_seguro.frente.dispatch import outbox_db
from custom_components.mi_frente_seguro.frente.dispatch.outbox import (
    Outbox,
    OutboxEvent,
)
from custom_components.mi_frente_seguro.frente.dispatch.outcome import (
    DELIVERED,
    Outcome,
)
from custom_components.mi_frente_seguro.frente.dispatch.phone_text import phone_text
from custom_components.mi_frente_seguro.frente.dispatch.sia import (
    CODES,
    LinkSupervision,
    SiaKey,
    SiaProtocol,
    SiaSettings,
    SiaTransport,
)
from custom_components.mi_frente_seguro.frente.dispatch.sia.linktest import supervise
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.incident import IncidentState, Sender
from custom_components.mi_frente_seguro.frente.ledger import FrontLedger
from custom_components.mi_frente_seguro.frente.store import IncidentStore
from tests.frente.dispatch.conftest import FRONT
from tests.frente.dispatch.receiver import FakeSleep, Receiver, wait_until
from tests.frente.presses import kit_press
from tests.frente.test_ledger import Clock

from .conftest import ACCOUNT, AES_128, AES_256, free_port, pysia_receiver
from .police import cases as all_cases, sent_cases

pytestmark = pytest.mark.usefixtures("sockets")
OUTBOX_LOGGER = "custom_components.mi_frente_seguro.frente.dispatch.outbox"
SECRET = WebhookSecret.generate()


def sia_settings(port: int, key: str | None = None, **extra: Any) -> SiaSettings:
    """Return settings for the test account on 127.0.0.1:``port``."""
    return SiaSettings(
        "127.0.0.1",
        port,
        ACCOUNT,
        SiaKey.from_text(key) if key else None,
        answer_timeout=3.0,
        **extra,
    )


async def sia_outbox(
    path: Path, settings: SiaSettings, events: list[OutboxEvent] | None = None
) -> Outbox:
    """Return an opened SIA outbox on ``path`` (not delivering yet)."""
    committer = Committer(path)
    await committer.open()
    outbox = Outbox(
        committer,
        transport=SiaTransport(
            settings, random_bytes=random.Random(3).randbytes, log_trouble=False
        ),
        destination="sia",
        sleep=FakeSleep(),
        random=random.Random(7).random,
        on_event=None if events is None else events.append,
    )
    await outbox.open()
    return outbox


async def close(outbox: Outbox) -> None:
    """Close an outbox and its file."""
    await outbox.close()
    await outbox.committer.close()


@pytest.mark.parametrize(
    "key", [None, AES_128, AES_256], ids=["clear", "aes128", "aes256"]
)
async def test_every_message_reaches_the_receiver_through_the_queue(
    tmp_path: Path, key: str | None
) -> None:
    """Queued durably, delivered in order, once each, with the documented codes."""
    events: list[OutboxEvent] = []
    async with pysia_receiver(key) as receiver:
        outbox = await sia_outbox(
            tmp_path / "f.db", sia_settings(receiver.port, key), events
        )
        cases = sent_cases()
        for case in cases:
            assert await outbox.enqueue(case.message)
        outbox.start()
        got = await receiver.events_in(len(cases))
        await wait_until(
            lambda: sum(e.kind == "delivered" for e in events) == len(cases)
        )
        await close(outbox)
    assert [e.code for e in got] == [CODES[c.event].sia for c in cases if c.event]
    assert {e.account for e in got} == {ACCOUNT}
    delivered = [e.message_id for e in events if e.kind == "delivered"]
    assert delivered == [c.message["id"] for c in cases]
    assert {e.destination for e in events} == {"sia"}


async def test_nothing_is_queued_for_what_a_receiver_need_not_hear(
    tmp_path: Path,
) -> None:
    """A message with no SIA report (more presses, evidence) stages no row."""
    outbox = await sia_outbox(tmp_path / "f.db", sia_settings(free_port()))
    quiet = [case for case in all_cases() if case.event is None]
    for case in quiet:
        assert await outbox.enqueue(case.message) is False
    assert outbox.depth == 0
    await close(outbox)


async def test_wrong_key_not_delivered_retried_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver with another key: retried, never delivered, one warning, no key logged."""
    events: list[OutboxEvent] = []
    async with pysia_receiver(AES_128) as receiver:
        outbox = await sia_outbox(
            tmp_path / "f.db", sia_settings(receiver.port, "FEDCBA9876543210"), events
        )
        with caplog.at_level(logging.DEBUG):
            await outbox.enqueue(sent_cases()[0].message)
            outbox.start()
            await wait_until(lambda: sum(e.kind == "failed" for e in events) >= 4)
            await close(outbox)
        assert receiver.client.counts.valid_events == 0
    assert not any(e.kind == "delivered" for e in events)
    warnings = [
        r
        for r in caplog.records
        if r.name == OUTBOX_LOGGER and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1
    assert "key" in warnings[0].getMessage()
    assert "FEDCBA9876543210" not in caplog.text
    with closing(sqlite3.connect(tmp_path / "f.db")) as db:
        assert db.execute("SELECT status FROM outbox").fetchall() == [("pending",)]


@pytest.mark.parametrize("key", [None, AES_256], ids=["clear", "aes256"])
async def test_receiver_down_then_back_delivers_in_order_once(
    tmp_path: Path, key: str | None
) -> None:
    """Queued while the receiver is down; once it is up, in order, each once."""
    port = free_port()
    events: list[OutboxEvent] = []
    outbox = await sia_outbox(tmp_path / "f.db", sia_settings(port, key), events)
    cases = sent_cases()
    for case in cases:
        await outbox.enqueue(case.message)
    outbox.start()
    await wait_until(lambda: any(e.kind == "failed" for e in events))
    async with pysia_receiver(key, port=port) as receiver:
        outbox.retry_now()
        got = await receiver.events_in(len(cases))
        await wait_until(lambda: outbox.depth == 0)
        await asyncio.sleep(0.2)
        assert receiver.events.empty()  # nothing twice
    await close(outbox)
    assert [e.code for e in got] == [CODES[c.event].sia for c in cases if c.event]


@pytest.mark.parametrize("key", [None, AES_128], ids=["clear", "aes128"])
async def test_udp_through_the_queue(tmp_path: Path, key: str | None) -> None:
    """Over UDP the queue delivers as over TCP."""
    async with pysia_receiver(key, udp=True) as receiver:
        settings = sia_settings(receiver.port, key, protocol=SiaProtocol.UDP)
        outbox = await sia_outbox(tmp_path / "f.db", settings)
        await outbox.enqueue(sent_cases()[0].message)
        outbox.start()
        assert (await receiver.next_event()).code == "PA"
        await close(outbox)


async def test_link_tests_arrive_at_their_interval() -> None:
    """The supervision loop sends a link test every interval; the link is seen up."""
    supervision = LinkSupervision(interval=timedelta(milliseconds=100))
    seen: list[bool | None] = []
    async with pysia_receiver(AES_128) as receiver:
        sia = SiaTransport(sia_settings(receiver.port, AES_128))
        task = asyncio.create_task(supervise(sia, supervision, on_change=seen.append))
        got = await receiver.events_in(3)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert {e.code for e in got} == {"RP"}
    times = [e.timestamp for e in got if e.timestamp is not None]
    assert times == sorted(times)
    assert seen == [True]
    assert supervision.last_delivered is not None


class Phone:
    """A phone destination as the tests see it: the text it got, per message id."""

    endpoint = "notify.test"

    def __init__(self) -> None:
        """Start with no texts."""
        self.texts: dict[str, str] = {}

    def render(self, message: Mapping[str, Any]) -> bytes | None:
        """Return the phone text (None for drills...)."""
        text = phone_text(message)
        return None if text is None else text.encode()

    async def attempt(self, message_id: str, body: bytes) -> Outcome:
        """Take the text."""
        self.texts.setdefault(message_id, body.decode())
        return DELIVERED


async def test_one_destination_down_never_delays_the_others(tmp_path: Path) -> None:
    """JSON down: SIA and the phone get the alarm, it is sent; JSON back: drains once, in order."""
    json_receiver = Receiver([SECRET.export()])  # not listening: down
    clock = Clock()
    store = IncidentStore(tmp_path / "front.db")
    phone = Phone()
    async with (
        aiohttp.ClientSession() as session,
        pysia_receiver(AES_128) as sia_receiver,
    ):
        outboxes = [
            Outbox(store.committer, session, json_receiver.url, [SECRET], clock=clock,
                   destination="police", timeout=aiohttp.ClientTimeout(total=1)),
            Outbox(store.committer, transport=SiaTransport(
                sia_settings(sia_receiver.port, AES_128), log_trouble=False),
                destination="sia", clock=clock),
            Outbox(store.committer, transport=phone, destination="phone", clock=clock),
        ]  # fmt: skip
        ledger = FrontLedger(FRONT, store, clock=clock, outboxes=outboxes)
        await ledger.open()
        opened = await ledger.press(kit_press(clock(), Sender(name="Ana", house="12")))
        incident_id = opened.incident.incident_id
        assert (await sia_receiver.next_event()).code == "PA"
        await wait_until(lambda: len(phone.texts) == 1)
        await wait_until(
            lambda: ledger.book.get(incident_id).state is IncidentState.SENT
        )
        assert outboxes[0].depth == 1  # JSON still waits
        await wait_until(
            lambda: ledger.receipts.of(incident_id)["sia"]["status"] == "delivered"
        )
        assert ledger.receipts.of(incident_id)["police"]["status"] == "pending"
        cancelled = await ledger.advance(incident_id, IncidentState.CANCELLED, by="u-ana",
                                         details={"reason": "Falsa alarma"})  # fmt: skip
        assert (await sia_receiver.next_event()).code == "OC"
        await wait_until(lambda: len(phone.texts) == 2)
        assert cancelled.incident.state is IncidentState.CANCELLED
        await json_receiver.start()
        outboxes[0].retry_now()
        await wait_until(lambda: outboxes[0].depth == 0)
        await wait_until(
            lambda: ledger.receipts.of(incident_id)["police"]["status"] == "delivered"
        )
        await ledger.close()
        # After a restart the receipts come back from the file.
        reopened = IncidentStore(tmp_path / "front.db")
        again = FrontLedger(
            FRONT,
            reopened,
            clock=clock,
            outboxes=[
                Outbox(reopened.committer, transport=phone, destination=name)
                for name in ("police", "sia", "phone")
            ],
        )
        await again.open()
        statuses = {k: v["status"] for k, v in again.receipts.of(incident_id).items()}
        await again.close()
    await json_receiver.stop()
    assert statuses == {"police": "delivered", "sia": "delivered", "phone": "delivered"}
    assert len(json_receiver.accepted) == 2
    assert json_receiver.accepted == json_receiver.accepted_once()
    texts = list(phone.texts.values())
    assert texts[0].startswith("ALERTA DE PÁNICO")
    assert "Ana, casa 12" in texts[0]
    assert texts[1].startswith("CANCELADA")


async def test_an_old_file_becomes_the_first_destinations(tmp_path: Path) -> None:
    """A file from before destinations: rebuilt once, its rows (in order) the police's."""
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(OLD_SCHEMA)
        for n in range(3):
            db.execute(
                "INSERT INTO outbox (message_id, incident_id, type, exercise, body, "
                "enqueued_at, status) VALUES (?, 'i', 'incident.created', 0, x'7b7d', ?, ?)",
                (f"m{n}", float(n), "delivered" if n == 0 else "pending"),
            )
    committer = Committer(path)
    await committer.open()
    police = Outbox(committer, transport=Phone(), destination="police")
    other = Outbox(committer, transport=Phone(), destination="phone")
    await police.open()
    await other.open()
    assert [m.message_id for m in police._queue.waiting()] == ["m1", "m2"]
    assert other.depth == 0
    assert [r.status for r in police.receipts] == ["delivered", "pending", "pending"]
    await committer.close()
    with closing(sqlite3.connect(path)) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        rows = db.execute("SELECT seq, destination FROM outbox ORDER BY seq").fetchall()
    assert "outbox_before_destinations" not in names
    assert rows == [(1, "police"), (2, "police"), (3, "police")]


async def test_an_interrupted_rebuild_leaves_the_old_table(tmp_path: Path) -> None:
    """A failure inside the rebuild rolls it all back; the next open does it again."""
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO outbox (message_id, incident_id, type, exercise, body, "
            "enqueued_at) VALUES ('m0', 'i', 'incident.created', 0, x'', 0)"
        )

    class Crashing:
        """A connection that fails at the last step of the rebuild."""

        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith("DROP TABLE outbox_before"):
                raise sqlite3.OperationalError("disk I/O error")
            return self.db.execute(sql, *args)

        def __enter__(self) -> Any:
            return self.db.__enter__()

        def __exit__(self, *exc: object) -> Any:
            return self.db.__exit__(*exc)

    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        with pytest.raises(sqlite3.OperationalError):
            outbox_db.upgrade(Crashing(db))  # type: ignore[arg-type]
        columns = [row[1] for row in db.execute("PRAGMA table_info(outbox)")]
        assert "destination" not in columns
        assert db.execute("SELECT message_id FROM outbox").fetchall() == [("m0",)]
        assert outbox_db.upgrade(db) is True
        assert outbox_db.upgrade(db) is False
        assert db.execute("SELECT destination FROM outbox").fetchall() == [("police",)]


OLD_SCHEMA = """
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    type TEXT NOT NULL,
    exercise INTEGER NOT NULL,
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    done_at REAL,
    latency_ms REAL,
    error TEXT
);
CREATE INDEX outbox_status ON outbox (status, seq);
"""
