"""The ledger on a real SQLite file and a real receiver: decide -> commit -> apply -> announce."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import closing
from datetime import datetime, timedelta
import json
from pathlib import Path
import sqlite3
from typing import Any

import aiohttp
import pytest

from custom_components.mi_frente_seguro.frente.change import Change, IncidentChange
from custom_components.mi_frente_seguro.frente.committer import StorageError
from custom_components.mi_frente_seguro.frente.dispatch.inbound import StatusUpdate
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MAX_LISTED_PRESSES,
)
from custom_components.mi_frente_seguro.frente.dispatch.outbox import Outbox
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.incident import (
    IncidentState,
    Location,
    Press,
    Sender,
)
from custom_components.mi_frente_seguro.frente.ledger import FrontLedger, PoliceAnswer
from custom_components.mi_frente_seguro.frente.store import IncidentStore
from custom_components.mi_frente_seguro.frente.text import InvalidInputError
from tests.disk import fill_up, make_room

from .dispatch.conftest import FRONT, T0
from .dispatch.receiver import Receiver, receiving, wait_until
from .presses import kit_press

SECRET = WebhookSecret.generate()


class Clock:
    """A clock that ticks a millisecond per reading."""

    def __init__(self) -> None:
        """Start at the dispatch tests' T0."""
        self.now = T0

    def __call__(self) -> datetime:
        """Return the time, a little later each time."""
        self.now += timedelta(milliseconds=1)
        return self.now


class Front:
    """A front's ledger on a file, with its outbox to the test receiver."""

    def __init__(self, path: Path, session: aiohttp.ClientSession, url: str) -> None:
        """Build (not open) the ledger; keep what it announces."""
        self.path = path
        self.clock = Clock()
        self.told: list[IncidentChange] = []
        store = IncidentStore(path)
        outbox = Outbox(store.committer, session, url, [SECRET], clock=self.clock)
        self.ledger = FrontLedger(
            FRONT, store, clock=self.clock, outbox=outbox, announce=self.told.append
        )

    def press(self, button: str, seq: int | None = None, **kw: object) -> Press:
        """Return a kit press of ``button`` now."""
        key = None if seq is None else f"{button}:{seq}"
        return kit_press(self.clock(), Sender(device=button), key=key, **kw)

    async def fill_disk(self) -> None:
        """Make the file full for real: SQLite's page limit, and every page filled."""
        await self.ledger.committer.run(fill_up)

    async def free_disk(self) -> None:
        """Give the file room again."""
        await self.ledger.committer.run(make_room)

    def rows(self, table: str) -> int:
        """Return how many rows ``table`` holds, read with plain sqlite3."""
        with closing(sqlite3.connect(self.path)) as db:
            (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            return int(count)


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncGenerator[Receiver]:
    """Return a receiver listening on 127.0.0.1 that knows the secret."""
    async with receiving([SECRET.export()]) as server:
        yield server


@pytest.fixture
async def front(tmp_path: Path, receiver: Receiver) -> AsyncGenerator[Front]:
    """Return an opened front (its outbox delivering to the receiver)."""
    async with aiohttp.ClientSession() as session:
        built = Front(tmp_path / "front.db", session, receiver.url)
        await built.ledger.open()
        yield built
        await built.ledger.close()


async def test_a_press_is_stored_sent_and_announced_once(
    front: Front, receiver: Receiver
) -> None:
    """Opened, committed with its alert, delivered, marked sent; each told once."""
    change = await front.ledger.press(front.press("b1", 1), context="ctx")
    assert change.change is Change.OPENED
    assert change.context == "ctx"
    assert front.told == [change]
    assert front.ledger.book.open_incident is change.incident
    commits = front.ledger.committer.commits
    await wait_until(lambda: len(front.told) == 2)
    # The alert's delivery mark and the incident's sent step are one commit.
    assert front.ledger.committer.commits - commits == 1
    sent = front.told[1]
    assert sent.change is Change.ADVANCED
    assert sent.incident.state is IncidentState.SENT
    (created,) = [json.loads(r.body) for r in receiver.requests]
    assert created["type"] == "incident.created"
    assert created["presses_total"] == 1
    duplicate = await front.ledger.press(front.press("b1", 1))
    assert duplicate.duplicate
    assert len(front.told) == 2  # a duplicate changes nothing and tells nothing


async def test_a_failed_commit_changes_nothing_and_the_retry_works(
    front: Front, receiver: Receiver
) -> None:
    """Disk full: the press raises, memory, dedupe keys and outbox are as before."""
    await front.ledger.press(front.press("b1", 1))
    book = front.ledger.book
    # Delivered, and marked sent (its own change): nothing else is on its way.
    await wait_until(
        lambda: (
            book.open_incident is not None
            and book.open_incident.state is IncidentState.SENT
        )
    )
    before = book.open_incident
    outbox = front.ledger.outbox
    assert outbox is not None and before is not None
    told = len(front.told)
    await front.fill_disk()
    for _ in range(3):  # the broker's redeliveries while the disk is full
        with pytest.raises(StorageError) as err:
            await front.ledger.press(front.press("b1", 2))
        assert err.value.reason == "full"
    assert front.ledger.book.open_incident is before
    assert len(before.presses) == 1
    assert outbox.depth == 0
    assert len(front.told) == told
    assert not front.ledger.book.decide_press(front.press("b1", 2)).duplicate

    await front.free_disk()
    change = await front.ledger.press(front.press("b1", 2))  # the redelivery, stored
    assert change.change is Change.JOINED
    assert len(change.incident.presses) == 2
    await wait_until(lambda: len(receiver.accepted) == 2)
    update = json.loads(receiver.requests[-1].body)
    assert update["changes"] == ["presses"]
    assert [p["sender"]["device"] for p in update["presses"]] == ["b1", "b1"]
    with closing(sqlite3.connect(front.path)) as db:
        stored = db.execute(
            "SELECT count(*) FROM presses WHERE incident_id = ?",
            (change.incident.incident_id,),
        ).fetchone()
    assert stored == (2,)  # (the filler rows of the full disk are not the front's)


async def test_unstorable_input_is_refused_before_any_decision(front: Front) -> None:
    """A lone surrogate or a NaN never reaches the book; the next good press works."""
    with pytest.raises(InvalidInputError) as err:
        await front.ledger.press(front.press("b\ud83d", 1))
    assert (err.value.field, err.value.problem) == ("sender.device", "surrogate")
    with pytest.raises(InvalidInputError):
        await front.ledger.press(front.press("b1", 2, note="bell\x07"))
    with pytest.raises(InvalidInputError):
        await front.ledger.press(
            front.press("b1", 3, location=Location(float("nan"), 0.0))
        )
    with pytest.raises(InvalidInputError):
        await front.ledger.press(
            front.press("b1", 4, location=Location(10.4, -75.5, accuracy=float("inf")))
        )
    assert front.ledger.book.open_incident is None
    assert front.rows("incidents") == 0
    change = await front.ledger.press(front.press("b1", 5))
    assert change.opened
    with pytest.raises(InvalidInputError):
        await front.ledger.advance(
            None, IncidentState.CANCELLED, by="u1", details={"reason": "\udc00"}
        )
    assert front.ledger.book.open_incident is change.incident


async def test_concurrent_presses_open_one_incident(front: Front) -> None:
    """Fifty presses at once: one incident, fifty presses, each told once, in order."""
    commits = front.ledger.committer.commits
    changes = await asyncio.gather(
        *(front.ledger.press(front.press(f"b{n}", n)) for n in range(50))
    )
    assert [c.change for c in changes].count(Change.OPENED) == 1
    open_incident = front.ledger.book.open_incident
    assert open_incident is not None
    assert len(open_incident.presses) == 50
    assert [c.incident.incident_id for c in changes] == [open_incident.incident_id] * 50
    presses = [c for c in front.told if c.is_press]
    assert [len(c.incident.presses) for c in presses] == list(range(1, 51))
    assert front.ledger.committer.commits - commits < 10  # decided together, one fsync


async def test_a_batch_that_fails_on_its_data_is_tried_change_by_change(
    front: Front,
) -> None:
    """One change whose write cannot be done fails alone; the others of its burst land."""
    real_writes = front.ledger.store.writes

    def writes(change: IncidentChange) -> list[Any]:
        found = real_writes(change)
        if change.press is not None and change.press.sender.device == "bad":
            return [*found, _violate]
        return found

    front.ledger.store.writes = writes  # type: ignore[method-assign]
    results = await asyncio.gather(
        *(
            front.ledger.press(front.press(name, n))
            for n, name in enumerate(["b0", "bad", "b2"])
        ),
        return_exceptions=True,
    )
    assert isinstance(results[1], sqlite3.IntegrityError)
    stored = [r for r in results if isinstance(r, IncidentChange)]
    assert len(stored) == 2
    open_incident = front.ledger.book.open_incident
    assert open_incident is not None
    assert [p.sender.device for p in open_incident.presses] == ["b0", "b2"]


def _violate(db: sqlite3.Connection) -> None:
    """Fail on the data: insert the same unique key twice."""
    db.execute("INSERT INTO presses (incident_id, n, body) VALUES ('x', 0, '')")
    db.execute("INSERT INTO presses (incident_id, n, body) VALUES ('x', 0, '')")


async def test_a_cancelled_caller_does_not_stop_its_commit(front: Front) -> None:
    """The caller gives up mid-commit: the change still lands, in memory as on disk."""
    task = asyncio.ensure_future(front.ledger.press(front.press("b1", 1)))
    await asyncio.sleep(0)  # staged, commit running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: front.ledger.book.open_incident is not None)
    assert front.rows("incidents") == 1
    assert (await front.ledger.press(front.press("b1", 1))).duplicate
    joined = await front.ledger.press(front.press("b1", 2))  # the lock was released
    assert joined.change is Change.JOINED


async def test_police_updates_are_applied_and_remembered_together(
    front: Front,
) -> None:
    """Stored, a retry of a stored state, unknown, illegal; disk full changes nothing."""
    opened = await front.ledger.press(front.press("b1", 1))
    incident_id = opened.incident.incident_id
    stamp = int(T0.timestamp())

    def update(webhook_id: str, status: IncidentState) -> StatusUpdate:
        return StatusUpdate(webhook_id, stamp, incident_id, status, unit="P12")

    await front.fill_disk()
    with pytest.raises(StorageError):
        await front.ledger.police_update(update("w1", IncidentState.DISPATCHED))
    assert not front.ledger.replay.seen("w1")
    book_incident = front.ledger.book.get(incident_id)
    assert book_incident.state in {IncidentState.TRIGGERED, IncidentState.SENT}
    await front.free_disk()

    answer, change = await front.ledger.police_update(
        update("w1", IncidentState.DISPATCHED)
    )
    assert answer is PoliceAnswer.STORED
    assert change is not None and change.incident.state is IncidentState.DISPATCHED
    assert change.step is not None and change.step.details == {"unit": "P12"}
    assert front.ledger.replay.seen("w1")
    with closing(sqlite3.connect(front.path)) as db:
        assert db.execute(
            "SELECT webhook_id FROM seen_webhooks WHERE webhook_id LIKE 'w%'"
        ).fetchall() == [("w1",)]
    again, none = await front.ledger.police_update(
        update("w2", IncidentState.DISPATCHED)
    )
    assert (again, none) == (PoliceAnswer.ALREADY, None)
    illegal, _ = await front.ledger.police_update(update("w3", IncidentState.RECEIVED))
    assert illegal is PoliceAnswer.ILLEGAL
    unknown = StatusUpdate("w4", stamp, "01NOPE", IncidentState.CLOSED)
    assert (await front.ledger.police_update(unknown))[0] is PoliceAnswer.UNKNOWN


async def test_message_size_and_rows_stay_flat_with_presses(
    front: Front, receiver: Receiver
) -> None:
    """At 300 presses a message lists 50 and weighs what it weighs at 60."""
    for n in range(300):
        await front.ledger.press(front.press(f"b{n}", n))
    await wait_until(
        lambda: front.ledger.outbox is not None and not front.ledger.outbox.depth
    )
    bodies = [json.loads(r.body) for r in receiver.requests]
    last = bodies[-1]
    assert last["presses_total"] == 300
    assert len(last["presses"]) == MAX_LISTED_PRESSES
    assert last["presses"][0]["sender"]["device"] == "b0"  # who raised the alarm
    assert last["presses"][-1]["sender"]["device"] == "b299"
    sizes = {
        len(r.body)
        for r, b in zip(receiver.requests, bodies, strict=True)
        if b["presses_total"] >= 60
    }
    assert max(sizes) - min(sizes) < 64  # only the counts' digits differ
    assert front.rows("presses") == 300
    with closing(sqlite3.connect(front.path)) as db:
        (size,) = db.execute("SELECT max(length(body)) FROM incidents").fetchone()
    assert size < 2000  # the incident row holds no presses
    # Replaced messages never stay behind: what is left is what was delivered (a message
    # already on its way when its replacement committed is still sent, its row gone).

    def statuses() -> dict[str, int]:
        with closing(sqlite3.connect(front.path)) as db:
            return dict(
                db.execute("SELECT status, count(*) FROM outbox GROUP BY status")
            )

    await wait_until(lambda: set(statuses()) == {"delivered"})  # the last mark lands
    assert statuses()["delivered"] <= len(set(receiver.accepted)) <= 301
