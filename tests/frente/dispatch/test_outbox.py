"""The outbox against a real HTTP receiver on 127.0.0.1: order, retries, restarts, kills."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator
from contextlib import closing
import json
import os
from pathlib import Path
import random
import sqlite3
import sys
from typing import Any

import aiohttp
import pytest

from custom_components.mi_frente_seguro.frente.change import Change, IncidentChange
from custom_components.mi_frente_seguro.frente.committer import Committer
from custom_components.mi_frente_seguro.frente.dispatch.attempt import OutboxFormat
from custom_components.mi_frente_seguro.frente.dispatch.messages import (
    MessageType,
    UpdateChange,
    build_message,
)
from custom_components.mi_frente_seguro.frente.dispatch.outbox import (
    Outbox,
    OutboxEvent,
)
from custom_components.mi_frente_seguro.frente.dispatch.retry import BACKOFF_CAP
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.incident import Incident, IncidentKind
from custom_components.mi_frente_seguro.frente.store import IncidentStore

from .conftest import EVIDENCE, FRONT, T0, joined, make_incident
from .receiver import FakeSleep, Receiver, receiving, wait_until

PRIMARY = WebhookSecret.generate()
PREVIOUS = WebhookSecret.generate()
FAST_TIMEOUT = aiohttp.ClientTimeout(total=0.5, sock_connect=0.5)


def alarm(n: int, kind: IncidentKind = IncidentKind.PANIC) -> dict[str, Any]:
    """Return the created message of incident number ``n``."""
    incident = make_incident(f"01JDINCIDENT{n:014d}", kind)
    return build_message(
        MessageType.CREATED, incident, FRONT, T0, message_id=f"01JDMESSAGE{n:015d}"
    )


def evidence_update(
    incident: Incident, message_id: str | None = None
) -> dict[str, Any]:
    """Return the update of ``incident`` that brings the test evidence."""
    return build_message(
        MessageType.UPDATED,
        incident,
        FRONT,
        T0,
        EVIDENCE,
        changes=[UpdateChange.EVIDENCE],
        message_id=message_id,
    )


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncGenerator[Receiver]:
    """Return a receiver that is not listening yet (down) and knows the primary secret."""
    async with receiving([PRIMARY.export()], listening=False) as server:
        yield server


class Harness:
    """An outbox on a file, with its fake sleep and the events it told."""

    def __init__(self, path: Path, session: aiohttp.ClientSession, url: str) -> None:
        """Remember what every outbox of the test shares."""
        self.path, self.session, self.url = path, session, url
        self.sleep = FakeSleep()
        self.events: list[OutboxEvent] = []

    async def outbox(self, **kwargs: Any) -> Outbox:
        """Return a new outbox on the harness's file (opened, not delivering)."""
        kwargs.setdefault("secrets", [PRIMARY])
        committer = Committer(self.path)
        await committer.open()
        outbox = Outbox(
            committer,
            self.session,
            self.url,
            sleep=self.sleep,
            random=random.Random(7).random,
            timeout=FAST_TIMEOUT,
            on_event=self.events.append,
            **kwargs,
        )
        await outbox.open()
        return outbox

    async def refused(self, messages: list[dict[str, Any]], failures: int) -> Outbox:
        """Start an outbox, queue ``messages``; return once ``failures`` tries failed."""
        outbox = await self.outbox()
        outbox.start()
        for message in messages:
            await outbox.enqueue(message)
        await wait_until(lambda: self.count("failed") >= failures)
        return outbox

    @staticmethod
    async def close(outbox: Outbox) -> None:
        """Close the outbox and its file."""
        await outbox.close()
        await outbox.committer.close()

    def count(self, kind: str) -> int:
        """Return how many events of ``kind`` were told."""
        return sum(event.kind == kind for event in self.events)


@pytest.fixture
def harness(
    tmp_path: Path, session: aiohttp.ClientSession, receiver: Receiver
) -> Harness:
    """Return the harness of one test."""
    return Harness(tmp_path / "outbox.db", session, receiver.url)


def rows(path: Path) -> list[tuple[str, str]]:
    """Return (message_id, status) of every row, read with plain sqlite3."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT message_id, status FROM outbox ORDER BY seq"
        ).fetchall()


def assert_in_order(receiver: Receiver, ids: list[str]) -> None:
    """Every id accepted exactly once, in order; none tried before the previous landed."""
    assert receiver.accepted_once() == ids
    assert Counter(receiver.accepted) == dict.fromkeys(ids, 1)
    tried = [ids.index(request.webhook_id) for request in receiver.requests]
    assert tried == sorted(tried)
    assert all(request.verified for request in receiver.requests)


async def test_enqueue_returns_after_commit(harness: Harness) -> None:
    """Right after enqueue, a plain sqlite3 reader sees the message; a repeat is ignored."""
    outbox = await harness.outbox()
    assert await outbox.enqueue(alarm(1)) is True
    assert rows(harness.path) == [(alarm(1)["id"], "pending")]
    assert await outbox.enqueue(alarm(1)) is False
    assert rows(harness.path) == [(alarm(1)["id"], "pending")]
    assert outbox.depth == 1
    assert harness.count("enqueued") == 1
    await harness.close(outbox)


async def test_delivered_once_in_order_through_outages(
    harness: Harness, receiver: Receiver
) -> None:
    """Down, 500, 429 (both Retry-After forms), a hang, then up: all land once, in order."""
    messages = [alarm(n) for n in range(6)]
    outbox = await harness.refused(messages[:3], failures=2)  # the receiver is down
    assert outbox.reachable is False
    assert outbox.last_error is not None
    receiver.plan.extend(["500", "429:7", "hang", "429-date:9"])
    await receiver.start()
    for message in messages[3:]:
        await outbox.enqueue(message)
    await wait_until(lambda: outbox.depth == 0)

    ids = [message["id"] for message in messages]
    assert_in_order(receiver, ids)
    first = [r for r in receiver.requests if r.webhook_id == ids[0]]
    assert [r.answer for r in first] == ["500", "429:7", "hang", "429-date:9", "200"]
    assert len({r.body for r in first}) == 1  # the same message on every retry
    assert all(r.content_type == "application/json" for r in receiver.requests)
    # Full jitter: the first retry within 1 s, none above the cap unless asked to wait.
    # Only message 0 ever failed: its refused tries, then 500, 429, hang, 429 (date).
    delays = harness.sleep.delays
    refused = len(delays) - 4
    assert refused >= 2
    retry_after = {refused + 2: 7.0, refused + 4: 7.0}  # failure number -> least wait
    for number, delay in enumerate(delays, start=1):
        if number in retry_after:
            assert delay >= retry_after[number]
        else:  # full jitter: within [0, min(30 s, 2**(n-1) s)]
            assert 0 <= delay <= min(BACKOFF_CAP, 2 ** (number - 1))
    assert delays[0] <= 1.0
    assert outbox.reachable is True
    assert outbox.last_latency is not None
    await harness.close(outbox)
    assert rows(harness.path) == [(mid, "delivered") for mid in ids]
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("mfs-outbox")]


async def test_restart_resumes_pending_in_order(
    harness: Harness, receiver: Receiver
) -> None:
    """Messages queued while the receiver is down survive closing the outbox."""
    messages = [alarm(n) for n in range(4)]
    first = await harness.refused(messages, failures=1)
    await harness.close(first)
    assert first.depth == 4

    await receiver.start()
    second = await harness.outbox()
    assert second.depth == 4
    second.start()
    await wait_until(lambda: second.depth == 0)
    assert_in_order(receiver, [message["id"] for message in messages])
    await harness.close(second)


async def test_kill_mid_delivery_then_reopen(
    harness: Harness, receiver: Receiver
) -> None:
    """A process SIGKILLed while a POST is in flight: a new outbox delivers everything."""
    receiver.plan.append("hang")
    await receiver.start()
    messages = [alarm(n) for n in range(3)]
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(harness.path),
        receiver.url,
        PRIMARY.export(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=repo_root(),
        env={**os.environ, "PYTHONPATH": repo_root()},
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps(messages).encode())
    child.stdin.close()
    async with asyncio.timeout(60):
        assert await child.stdout.readline() == b"queued\n"
    await wait_until(lambda: len(receiver.requests) == 1)  # the first POST hangs
    child.kill()
    await child.wait()
    assert [status for _, status in rows(harness.path)] == ["pending"] * 3

    outbox = await harness.outbox()
    outbox.start()
    await wait_until(lambda: outbox.depth == 0)
    ids = [message["id"] for message in messages]
    assert_in_order(receiver, ids)
    assert [r.webhook_id for r in receiver.requests][:2] == [ids[0], ids[0]]
    await harness.close(outbox)


CHILD = """
import asyncio, json, sys
from pathlib import Path
import aiohttp
from custom_components.mi_frente_seguro.frente.committer import Committer
from custom_components.mi_frente_seguro.frente.dispatch.outbox import Outbox
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret

async def main():
    path, url, secret = sys.argv[1:4]
    messages = json.loads(sys.stdin.read())
    async with aiohttp.ClientSession() as session:
        committer = Committer(Path(path))
        await committer.open()
        outbox = Outbox(committer, session, url, [WebhookSecret.parse(secret)])
        await outbox.open()
        for message in messages:
            await outbox.enqueue(message)
        outbox.start()
        print("queued", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


def repo_root() -> str:
    """Return the repository root (where ``custom_components`` is importable)."""
    return str(Path(__file__).parents[3])


async def test_gone_pauses_and_keeps_messages(
    harness: Harness, receiver: Receiver
) -> None:
    """410 pauses delivery (told once); resume() delivers what was kept, in order."""
    outbox = await harness.outbox(gone_probe=3600)  # FakeSleep: an hour never ends
    receiver.plan.append("410")
    await receiver.start()
    messages = [alarm(n) for n in range(3)]
    for message in messages:
        await outbox.enqueue(message)
    outbox.start()
    await wait_until(lambda: outbox.gone)
    await asyncio.sleep(0.05)  # the loop is parked, not retrying
    assert len(receiver.requests) == 1
    assert outbox.depth == 3
    assert outbox.reachable is False
    assert harness.count("gone") == 1

    outbox.resume()
    await wait_until(lambda: outbox.depth == 0)
    assert_in_order(receiver, [message["id"] for message in messages])
    assert harness.count("resumed") == 1
    await harness.close(outbox)


async def test_gone_is_probed_again_until_it_takes(
    harness: Harness, receiver: Receiver
) -> None:
    """After a 410 the head is tried again every ``gone_probe`` s; a 2xx resumes."""
    outbox = await harness.outbox(gone_probe=5)
    receiver.plan.extend(["410", "410", "410"])
    await receiver.start()
    await outbox.enqueue(alarm(1))
    await outbox.enqueue(alarm(2))
    outbox.start()
    await wait_until(lambda: outbox.depth == 0)
    assert_in_order(receiver, [alarm(1)["id"], alarm(2)["id"]])
    assert [r.answer for r in receiver.requests][:4] == ["410", "410", "410", "200"]
    assert harness.sleep.delays[:3] == [5, 5, 5]  # the probe's waits, not a backoff
    assert harness.count("gone") == 1  # told once, not once per probe
    assert harness.count("resumed") == 1
    assert not outbox.gone
    await harness.close(outbox)


@pytest.mark.parametrize("refusal", ["400", "413", "422"])
async def test_refused_for_good_is_set_aside_and_the_next_flows(
    harness: Harness, receiver: Receiver, refusal: str
) -> None:
    """A message the receiver refuses for good becomes a dead letter at once."""
    outbox = await harness.outbox()
    receiver.plan.append(refusal)
    await receiver.start()
    outbox.start()
    await outbox.enqueue(alarm(1))
    await outbox.enqueue(alarm(2))
    await wait_until(lambda: outbox.depth == 0)
    assert receiver.accepted == [alarm(2)["id"]]
    assert [r.webhook_id for r in receiver.requests] == [alarm(1)["id"], alarm(2)["id"]]
    (letter,) = outbox.dead_letters
    assert letter.message_id == alarm(1)["id"]
    assert letter.error.startswith(f"HTTP {refusal}")
    assert harness.count("dead") == 1
    assert outbox.reachable is True  # it answered: the endpoint is up
    await harness.close(outbox)
    assert rows(harness.path) == [
        (alarm(1)["id"], "dead"),
        (alarm(2)["id"], "delivered"),
    ]
    again = await harness.outbox()  # the dead letter is kept, never sent again
    assert again.depth == 0
    assert [d.message_id for d in again.dead_letters] == [alarm(1)["id"]]
    await harness.close(again)


async def test_drill_gives_up_real_alarm_never(
    harness: Harness, receiver: Receiver
) -> None:
    """A drill is dropped after its bound; a real alarm outlasts more failures than that."""
    outbox = await harness.outbox(drill_max_attempts=3)
    drill, real = alarm(1, IncidentKind.DRILL), alarm(2)
    await outbox.enqueue(drill)
    await outbox.enqueue(real)
    receiver.plan.extend(["500"] * 3 + ["503"] * 8)
    await receiver.start()
    outbox.start()
    await wait_until(lambda: outbox.depth == 0)

    assert receiver.accepted == [real["id"]]
    tries = Counter(request.webhook_id for request in receiver.requests)
    assert tries == {drill["id"]: 3, real["id"]: 9}
    assert harness.count("dropped") == 1
    await harness.close(outbox)
    assert rows(harness.path) == [(drill["id"], "dropped"), (real["id"], "delivered")]


async def test_cap_outbox_signs_and_references(
    harness: Harness, receiver: Receiver
) -> None:
    """CAP bodies are sent as application/cap+xml; updates reference the created alert."""
    outbox = await harness.outbox(message_format=OutboxFormat.CAP)
    await receiver.start()
    outbox.start()
    created = alarm(1)
    incident = make_incident("01JDINCIDENT00000000000001")
    update = evidence_update(incident)
    await outbox.enqueue(created)
    await outbox.enqueue(update)
    await wait_until(lambda: outbox.depth == 0)
    assert_in_order(receiver, [created["id"], update["id"]])
    assert {r.content_type for r in receiver.requests} == {"application/cap+xml"}
    body = receiver.requests[1].body.decode()
    assert f"<references>mi-frente-seguro:manga_calle_real,{created['id']}," in body
    ref = outbox.original_of(incident.incident_id)
    assert ref is not None and ref.message_id == created["id"]
    await harness.close(outbox)


async def test_rotation_signs_with_both_secrets(harness: Harness) -> None:
    """While rotating, receivers knowing only the new or only the old secret both verify."""
    old_only, new_only = Receiver([PREVIOUS.export()]), Receiver([PRIMARY.export()])
    for server in (old_only, new_only):
        await server.start()
    try:
        for server in (old_only, new_only):
            harness.url = server.url
            outbox = await harness.outbox(secrets=[PRIMARY, PREVIOUS])
            outbox.start()
            await outbox.enqueue(alarm(1))
            await wait_until(lambda server=server: server.accepted == [alarm(1)["id"]])
            await harness.close(outbox)
            harness.path.unlink()  # the next outbox starts empty
            (request,) = server.requests
            assert request.verified
            assert len(request.signature.split(" ")) == 2
    finally:
        for server in (old_only, new_only):
            await server.stop()


async def test_delivered_rows_are_pruned(harness: Harness, receiver: Receiver) -> None:
    """Only the last ``keep_done`` delivered rows stay in the file."""
    outbox = await harness.outbox(keep_done=2)
    await receiver.start()
    outbox.start()
    messages = [alarm(n) for n in range(5)]
    for message in messages:
        await outbox.enqueue(message)
    await wait_until(lambda: outbox.depth == 0)
    await harness.close(outbox)
    assert rows(harness.path) == [(m["id"], "delivered") for m in messages[-2:]]


async def test_repr_hides_credentials(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """Neither the URL's credentials, path and query nor the secrets show in the repr."""
    secret = WebhookSecret.generate()
    outbox = Outbox(
        Committer(tmp_path / "o.db"),
        session,
        "https://user:pa55@police.example.org:8443/hook?token=t0k3n",
        [secret],
    )
    text = repr(outbox)
    assert (
        text
        == "Outbox(endpoint='https://police.example.org:8443', format=json, depth=0)"
    )
    assert secret.export() not in text


async def test_concurrent_enqueues_share_commits(
    harness: Harness, receiver: Receiver
) -> None:
    """50 alarms queued at once are group-committed and delivered in call order."""
    outbox = await harness.outbox()
    await receiver.start()
    outbox.start()
    messages = [alarm(n) for n in range(50)]
    await asyncio.gather(*(outbox.enqueue(message) for message in messages))
    inserts = outbox.committer.commits
    assert inserts < 50
    await wait_until(lambda: outbox.depth == 0)
    await harness.close(outbox)
    assert_in_order(receiver, [message["id"] for message in messages])
    assert rows(harness.path) == [(m["id"], "delivered") for m in messages]


async def test_an_incident_and_its_alert_share_one_commit(
    tmp_path: Path, session: aiohttp.ClientSession, receiver: Receiver
) -> None:
    """The store and the outbox on one file: the change and its alert, one fsync."""
    store = IncidentStore(tmp_path / "front.db")
    await store.async_open()
    outbox = Outbox(store.committer, session, receiver.url, [PRIMARY])
    await outbox.open()
    incident = make_incident("01JDINCIDENT00000000000001")
    before = store.commits
    queued = outbox.prepare(build_message(MessageType.CREATED, incident, FRONT, T0))
    saved = store.committer.stage(
        *store.writes(IncidentChange(Change.OPENED, incident, incident.presses[0])),
        *queued.writes,
        after=queued.after,
    )
    assert outbox.depth == 0  # nothing in memory before the commit
    await asyncio.shield(saved)
    assert queued.inserted()
    assert outbox.depth == 1
    assert store.commits == before + 1
    await outbox.close()  # the store owns the file: still open
    assert store.committer.is_open
    await store.async_close()
    with closing(sqlite3.connect(tmp_path / "front.db")) as db:
        assert db.execute("SELECT count(*) FROM incidents").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM presses").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (1,)


async def test_a_newer_presses_update_replaces_the_waiting_one(
    harness: Harness, receiver: Receiver
) -> None:
    """A storm of presses while the endpoint is away sends the latest picture, once."""
    outbox = await harness.outbox()
    incident = make_incident("01JDSTORM00000000000000001")
    created = build_message(MessageType.CREATED, incident, FRONT, T0)
    await outbox.enqueue(created)
    updates = []
    for n in range(5):
        incident = joined(incident)
        update = build_message(
            MessageType.UPDATED,
            incident,
            FRONT,
            T0,
            changes=[UpdateChange.PRESSES],
            message_id=f"U{n}",
        )
        updates.append(update)
        await outbox.enqueue(update)
    evidence = evidence_update(incident, message_id="E")
    await outbox.enqueue(evidence)  # evidence updates are never replaced
    assert outbox.depth == 3  # created, the last presses update, the evidence
    assert harness.count("superseded") == 4
    await harness.close(outbox)

    # After a restart, the file holds the same three (the replaced ones are not pending).
    again = await harness.outbox()
    assert again.depth == 3
    await receiver.start()
    again.start()
    await wait_until(lambda: again.depth == 0)
    assert receiver.accepted == [created["id"], "U4", "E"]
    statuses = dict(rows(harness.path))
    assert not any(f"U{n}" in statuses for n in range(4))  # replaced rows are deleted
    await harness.close(again)


async def test_retry_now_ends_the_backoff_once_the_endpoint_is_back(
    harness: Harness, receiver: Receiver
) -> None:
    """After a refused attempt the outbox waits; a sign of life sends at once."""
    held = asyncio.Event()  # a backoff that would never end by itself

    async def never(_seconds: float) -> None:
        await held.wait()

    harness.sleep = never  # type: ignore[assignment]
    outbox = await harness.refused([alarm(1)], failures=1)  # the receiver is down
    await receiver.start()
    for _ in range(20):
        await asyncio.sleep(0)
    assert outbox.depth == 1  # still in its backoff
    outbox.retry_now()
    await wait_until(lambda: outbox.depth == 0)
    assert_in_order(receiver, [alarm(1)["id"]])
    assert harness.count("failed") == 1
    await harness.close(outbox)
