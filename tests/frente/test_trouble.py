"""The front gone deaf, as plain Python: the rule, what is kept on disk, and one commit.

The rule (``trouble.py``) is driven with given times; the table (``trouble_db.py``) is
read back with hostile rows (Hypothesis); :class:`FrontTroubles` runs on a real file with
a real outbox and the HTTP receiver on 127.0.0.1, and is reopened as after a restart.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import closing
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sqlite3

import aiohttp
from hypothesis import given, strategies as st
import pytest

from custom_components.mi_frente_seguro.frente import trouble_db
from custom_components.mi_frente_seguro.frente.committer import Committer
from custom_components.mi_frente_seguro.frente.dispatch.outbox import Outbox
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.trouble import (
    Action,
    Device,
    DeviceKind,
    InvalidDeviceError,
    Reported,
    Seen,
    TroubleWatch,
    parse_key,
)
from custom_components.mi_frente_seguro.frente.troubles import FrontTroubles

from .dispatch.conftest import FRONT
from .dispatch.receiver import Receiver, wait_until

T0 = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
SUPERVISION = timedelta(seconds=90)
KIT = Device.kit()
CAM = Device.camera("cam2", "Parque")
SECRET = WebhookSecret.generate()


def at(seconds: float) -> datetime:
    """Return ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


def test_down_past_supervision_is_one_trouble_and_up_its_restore() -> None:
    """Down: nothing until the supervision time; then one trouble; back: the restore."""
    watch = TroubleWatch(SUPERVISION)
    assert watch.observe(KIT, Seen.DOWN, at(0)) is None
    assert watch.next_due() == at(90)
    assert watch.due(at(89)) == []
    (decision,) = watch.due(at(90))
    assert (decision.action, decision.since) == (Action.TROUBLE, at(0))
    watch.begin(decision)
    assert watch.due(at(95)) == [] and watch.next_due() is None  # in flight
    watch.done(decision, Reported(KIT, at(0), "m1", at(90)))
    assert watch.observe(KIT, Seen.DOWN, at(200)) is None  # told already
    assert watch.due(at(400)) == []
    restore = watch.observe(KIT, Seen.UP, at(500))
    assert restore is not None and restore.action is Action.RESTORE
    assert (restore.since, restore.until) == (at(0), at(500))
    assert restore.reported is not None and restore.reported.message_id == "m1"
    watch.begin(restore)
    watch.done(restore, None)
    assert watch.reported == {}


def test_a_blip_shorter_than_supervision_tells_nothing() -> None:
    """Down then up within the supervision time: no trouble, and nothing waits."""
    watch = TroubleWatch(SUPERVISION)
    watch.observe(KIT, Seen.DOWN, at(0))
    assert watch.observe(KIT, Seen.UP, at(30)) is None
    assert watch.due(at(1000)) == [] and watch.next_due() is None


def test_unknown_forgets_and_looks_up_waits_the_supervision_time() -> None:
    """The kit unknown (no broker) starts nothing; a camera only looking back waits."""
    watch = TroubleWatch(SUPERVISION)
    watch.observe(KIT, Seen.DOWN, at(0))
    watch.observe(KIT, Seen.UNKNOWN, at(10))
    assert watch.due(at(1000)) == []
    watch.reported[CAM.key] = Reported(CAM, at(0), "m2", at(90))
    assert watch.observe(CAM, Seen.LOOKS_UP, at(100)) is None
    assert watch.next_due() == at(190)
    assert watch.observe(CAM, Seen.DOWN, at(150)) is None  # down again: still told
    assert watch.observe(CAM, Seen.LOOKS_UP, at(160)) is None
    (restore,) = watch.due(at(250))
    assert (restore.action, restore.until) == (Action.RESTORE, at(250))


def test_a_failed_commit_is_decided_again() -> None:
    """An aborted decision is due again at the next check."""
    watch = TroubleWatch(SUPERVISION)
    watch.observe(KIT, Seen.DOWN, at(0))
    (decision,) = watch.due(at(90))
    watch.begin(decision)
    watch.abort(decision)
    assert watch.due(at(91)) == [decision]


@given(st.text(max_size=80))
def test_parse_key_takes_only_its_own_keys(text: str) -> None:
    """Any text: a key this integration writes, or InvalidDeviceError; never else."""
    try:
        kind, device_id = parse_key(text)
    except InvalidDeviceError:
        return
    assert text in {"kit", "link"} or (
        kind is DeviceKind.CAMERA and text == f"camera:{device_id}"
    )


ROW_VALUE = st.one_of(
    st.text(max_size=40), st.integers(), st.none(), st.binary(max_size=8)
)


@given(st.tuples(ROW_VALUE, ROW_VALUE, ROW_VALUE, ROW_VALUE, ROW_VALUE))
def test_decode_row_never_raises_on_hostile_rows(row: tuple[object, ...]) -> None:
    """A row edited by hand (any types, any text) is read or skipped, never a crash."""
    found = trouble_db.decode_row(row)
    if found is not None:
        assert found.since.tzinfo is not None and found.message_id


@given(
    st.sampled_from([KIT, Device.link(), CAM]),
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    st.text(min_size=1, max_size=30),
)
def test_recorded_troubles_read_back_equal(
    device: Device, since: datetime, message_id: str
) -> None:
    """What is recorded is what is loaded (a restart knows what it told)."""
    reported = Reported(device, since, message_id, since + SUPERVISION)
    with closing(sqlite3.connect(":memory:")) as db:
        trouble_db.load(db)
        trouble_db.record(reported, db)
        assert trouble_db.load(db) == [reported]
        trouble_db.forget(device.key, db)
        assert trouble_db.load(db) == []


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        """Start at T0."""
        self.now = T0

    def __call__(self) -> datetime:
        """Return the time now."""
        return self.now


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """Return an HTTP session."""
    async with aiohttp.ClientSession() as client:
        yield client


async def opened(
    path: Path, session: aiohttp.ClientSession, url: str, clock: Clock
) -> FrontTroubles:
    """Return troubles on the file at ``path`` with one JSON outbox, delivering."""
    committer = Committer(path)
    await committer.open()
    outbox = Outbox(committer, session, url, [SECRET], clock=clock)
    await outbox.open()
    outbox.start()
    troubles = FrontTroubles(
        FRONT, committer, [outbox], clock=clock, supervision=SUPERVISION
    )
    await troubles.open()
    return troubles


async def closed(troubles: FrontTroubles) -> None:
    """Close the outboxes and the file."""
    await troubles.close()
    for outbox in troubles.outboxes:
        await outbox.close()
    await troubles.committer.close()


async def test_told_once_across_a_restart_then_restored(
    tmp_path: Path, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Trouble delivered; reopened with the kit still down: nothing; back: the restore."""
    receiver = Receiver([SECRET.export()])
    await receiver.start()
    clock, path = Clock(), tmp_path / "front.db"
    troubles = await opened(path, session, receiver.url, clock)
    troubles.observe(KIT, Seen.DOWN)
    clock.now = at(90)
    troubles.check()
    await troubles.settled()
    await wait_until(lambda: len(receiver.accepted) == 1)
    with closing(sqlite3.connect(path)) as db:  # on disk with its outbox row
        assert db.execute("SELECT device FROM troubles").fetchall() == [("kit",)]
    await closed(troubles)

    troubles = await opened(path, session, receiver.url, clock)
    assert set(troubles.reported) == {"kit"}
    troubles.observe(KIT, Seen.DOWN)
    clock.now = at(1000)
    troubles.check()
    await troubles.settled()
    clock.now = at(1200)
    troubles.observe(KIT, Seen.UP)
    await troubles.settled()
    await wait_until(lambda: len(receiver.accepted) == 2)
    trouble, restore = (json.loads(r.body) for r in receiver.requests)
    assert [trouble["type"], restore["type"]] == ["front.trouble", "front.restore"]
    assert restore["references"]["id"] == trouble["id"]
    assert (restore["since"], restore["down_s"]) == (trouble["since"], 1200)
    assert troubles.reported == {}
    await closed(troubles)
    await receiver.stop()


async def test_a_failed_commit_tells_nothing_and_is_tried_again(
    tmp_path: Path, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """The file refuses writes: no message, nothing remembered; once it writes: once."""
    receiver = Receiver([SECRET.export()])
    await receiver.start()
    clock = Clock()
    troubles = await opened(tmp_path / "front.db", session, receiver.url, clock)
    heard: list[tuple[Action, bool]] = []
    troubles.on_change = lambda decision, committed: heard.append(
        (decision.action, committed)
    )
    await troubles.committer.run(lambda db: db.execute("PRAGMA query_only = ON"))
    troubles.observe(KIT, Seen.DOWN)
    clock.now = at(90)
    troubles.check()
    await troubles.settled()
    assert heard == [(Action.TROUBLE, False)]
    assert troubles.reported == {} and troubles.outboxes[0].depth == 0
    await troubles.committer.run(lambda db: db.execute("PRAGMA query_only = OFF"))
    troubles.check()  # the runtime's retry timer
    await troubles.settled()
    assert heard[-1] == (Action.TROUBLE, True)
    await wait_until(lambda: len(receiver.accepted) == 1)
    assert set(troubles.reported) == {"kit"}
    await closed(troubles)
    await receiver.stop()
