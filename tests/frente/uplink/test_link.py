"""The city uplink on a real Mosquitto: signed alerts with PUBACK, answers applied once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
import json
from pathlib import Path

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
import pytest
from standardwebhooks import Webhook

from custom_components.mi_frente_seguro.frente.committer import StorageError
from custom_components.mi_frente_seguro.frente.dispatch.inbound import InboundVerifier
from custom_components.mi_frente_seguro.frente.dispatch.outcome import Verdict
from custom_components.mi_frente_seguro.frente.dispatch.signing import WebhookSecret
from custom_components.mi_frente_seguro.frente.incident import IncidentState, Sender
from custom_components.mi_frente_seguro.frente.ledger import FrontLedger, PoliceAnswer
from custom_components.mi_frente_seguro.frente.store import IncidentStore
from custom_components.mi_frente_seguro.frente.uplink.answers import (
    Applied,
    PoliceAnswers,
    uplink_handler,
)
from custom_components.mi_frente_seguro.frente.uplink.link import UplinkLink
from custom_components.mi_frente_seguro.frente.uplink.settings import parse_uplink
from custom_components.mi_frente_seguro.frente.uplink.transport import MqttTransport
from custom_components.mi_frente_seguro.frente.uplink.wire import (
    QUEUED_PAST_TOLERANCE,
    headers_of,
)
from scripts.harness.mosquitto import Mosquitto
from tests.frente.dispatch.conftest import FRONT
from tests.frente.presses import kit_press

SECRET = WebhookSecret.generate()
SHARED = "$share/consola/city/fronts/+/alerts"


def settings(broker: Mosquitto) -> object:
    """Return the checked settings of a plain (no TLS) link to ``broker``."""
    return parse_uplink(
        {"host": "127.0.0.1", "port": broker.port, "tls": False, "topic_prefix": "city"}
    )


async def start(link: UplinkLink) -> asyncio.Task[None]:
    """Run ``link`` in the background until it is connected."""
    task = asyncio.get_running_loop().create_task(link.run())
    assert await link.wait_connected(10)
    return task


async def finish(link: UplinkLink, task: asyncio.Task[None]) -> None:
    """Stop ``link`` and wait for it."""
    link.stop()
    async with asyncio.timeout(10):
        await task


def console_client(broker: Mosquitto, name: str = "consola-a") -> aiomqtt.Client:
    """Return a console-like MQTT 5 client with a persistent session."""
    connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    connect.SessionExpiryInterval = 3600
    return aiomqtt.Client(
        "127.0.0.1", broker.port, identifier=name, protocol=aiomqtt.ProtocolVersion.V5,
        clean_start=False, properties=connect,
    )  # fmt: skip


async def test_an_alert_is_published_signed_and_puback_means_delivered(
    broker: Mosquitto,
) -> None:
    """The payload is the HTTP body; the user properties verify with standardwebhooks."""
    config = settings(broker)
    link = UplinkLink(config, f"mfs-{FRONT.front_id}")  # type: ignore[arg-type]
    transport = MqttTransport(link, config.topics(FRONT.front_id), [SECRET])  # type: ignore[attr-defined]
    assert "city/fronts/manga_calle_real/alerts" in transport.endpoint
    assert SECRET.export() not in repr(transport)
    outcome = await transport.attempt("m1", b"{}")
    assert outcome.verdict is Verdict.RETRY  # not connected yet: never raises
    task = await start(link)
    try:
        outcome = await transport.attempt("m1", b"{}")
        assert (
            outcome.verdict is Verdict.RETRY
        )  # no console subscribed: it would be lost
        assert "no console" in outcome.error
        async with console_client(broker) as console:
            await console.subscribe(SHARED, qos=1)
            body = transport.render({"id": "m2", "text": "¡Auxilio!"})
            assert body is not None
            assert (await transport.attempt("m2", body)).delivered
            async with asyncio.timeout(10):
                message = await anext(aiter(console.messages))
        headers = headers_of(message.properties)
        assert message.payload == body
        assert headers["webhook-id"] == "m2"
        assert headers["content-type"] == "application/json"
        Webhook(SECRET.export()).verify(body, headers, json_parse=False)
    finally:
        await finish(link, task)


async def test_a_stopped_broker_is_retry_and_the_link_comes_back(
    broker: Mosquitto,
) -> None:
    """Broker down: RETRY, no exception; it reconnects by itself when the broker is back."""
    config = settings(broker)
    link = UplinkLink(config, "mfs-x", sleep=lambda _s: asyncio.sleep(0.05))  # type: ignore[arg-type]
    transport = MqttTransport(link, config.topics("x"), [SECRET])  # type: ignore[attr-defined]
    task = await start(link)
    try:
        await broker.stop()
        async with asyncio.timeout(10):
            while link.connected:
                await asyncio.sleep(0.05)
        assert (await transport.attempt("m3", b"{}")).verdict is Verdict.RETRY
        await broker.start()
        assert await link.wait_connected(20)
        assert link.reconnects >= 1
    finally:
        await finish(link, task)


class Front:
    """A front's ledger on a file (no outbox) and what its answers handler reported."""

    def __init__(self, path: Path) -> None:
        """Build the ledger; verify answers with the uplink's window."""
        self.ledger = FrontLedger(
            FRONT, IncidentStore(path), clock=lambda: datetime.now(UTC)
        )
        verifier = InboundVerifier(
            [SECRET], self.ledger.replay, past=QUEUED_PAST_TOLERANCE
        )
        self.answers = PoliceAnswers(verifier, self.ledger)
        self.reports: list[Applied] = []
        self.reported = asyncio.Event()

    def report(self, applied: Applied) -> None:
        """Keep how an answer ended."""
        self.reports.append(applied)
        self.reported.set()

    async def wait_reports(self, count: int) -> None:
        """Wait until ``count`` answers were reported."""
        async with asyncio.timeout(20):
            while len(self.reports) < count:
                self.reported.clear()
                await self.reported.wait()


@pytest.fixture
async def front(tmp_path: Path) -> AsyncGenerator[Front]:
    """Return an opened front with one open incident."""
    built = Front(tmp_path / "front.db")
    await built.ledger.open()
    yield built
    await built.ledger.close()


def signed_answer(
    incident_id: str, status: str, webhook_id: str
) -> tuple[bytes, Properties]:
    """Return an answer body and its PUBLISH properties, signed by standardwebhooks."""
    body = json.dumps(
        {"version": "1", "incident_id": incident_id, "status": status}
    ).encode()
    now = datetime.now(UTC)
    properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    properties.UserProperty = [
        ("webhook-id", webhook_id),
        ("webhook-timestamp", str(int(now.timestamp()))),
        (
            "webhook-signature",
            Webhook(SECRET.export()).sign(webhook_id, now, body.decode()),
        ),
    ]
    return body, properties


async def test_answers_queued_while_away_survive_a_broker_restart_and_apply_once(
    socket_enabled: None, tmp_path: Path, front: Front
) -> None:
    """Published while the front is away, across a broker restart: applied once, in order."""
    change = await front.ledger.press(kit_press(datetime.now(UTC), Sender(device="b1")))
    incident_id = change.incident.incident_id
    async with Mosquitto(tmp_path / "broker") as broker:
        config = settings(broker)
        topics = config.topics(FRONT.front_id)  # type: ignore[attr-defined]
        handler = uplink_handler(front.answers, front.report)

        def new_link() -> UplinkLink:  # as a fresh start of HA builds it
            return UplinkLink(config, "mfs-front", subscribe=topics.answers, handler=handler,  # type: ignore[arg-type]
                              sleep=lambda _s: asyncio.sleep(0.05))  # fmt: skip

        link = new_link()
        task = await start(link)
        await finish(
            link, task
        )  # the session (and its subscription) stays at the broker
        async with console_client(broker) as console:
            for webhook_id, status in (
                ("a1", "received"),
                ("a2", "dispatched"),
                ("a2", "dispatched"),
            ):
                body, properties = signed_answer(incident_id, status, webhook_id)
                await console.publish(
                    topics.answers, body, qos=1, properties=properties
                )
            await console.publish(topics.answers, b"forged", qos=1)
        await broker.stop()  # SIGTERM: Mosquitto saves its persistence file
        await broker.start()
        link = new_link()
        task = await start(link)
        try:
            await front.wait_reports(3)
        finally:
            await finish(link, task)
    assert [r.answer for r in front.reports[:2]] == [PoliceAnswer.STORED] * 2
    assert front.reports[2].refused == "replayed"
    assert front.ledger.book.get(incident_id).state is IncidentState.DISPATCHED
    assert len(front.reports) == 3 or front.reports[3].refused == "unsigned"


async def test_an_answer_that_could_not_be_stored_is_sent_again(
    broker: Mosquitto, front: Front
) -> None:
    """A failed commit leaves the answer unacknowledged; the broker sends it again."""
    change = await front.ledger.press(kit_press(datetime.now(UTC), Sender(device="b1")))
    incident_id = change.incident.incident_id
    config = settings(broker)
    topics = config.topics(FRONT.front_id)  # type: ignore[attr-defined]
    original = front.answers.apply
    failures = [1]

    async def flaky(headers: object, body: bytes) -> Applied:
        if failures:
            failures.pop()
            raise StorageError(Path("front.db"), OSError(28, "disk full (simulated)"))
        return await original(headers, body)  # type: ignore[arg-type]

    front.answers.apply = flaky  # type: ignore[method-assign]
    handler = uplink_handler(front.answers, front.report)
    link = UplinkLink(config, "mfs-flaky", subscribe=topics.answers, handler=handler,  # type: ignore[arg-type]
                      sleep=lambda _s: asyncio.sleep(0.05))  # fmt: skip
    task = await start(link)
    try:
        async with console_client(broker) as console:
            body, properties = signed_answer(incident_id, "received", "f1")
            await console.publish(topics.answers, body, qos=1, properties=properties)
        await front.wait_reports(1)
    finally:
        await finish(link, task)
    assert front.reports[0].answer is PoliceAnswer.STORED
    assert link.reconnects >= 1
    assert front.ledger.book.get(incident_id).state is IncidentState.RECEIVED


async def test_an_answer_in_hand_when_the_link_stops_is_stored_and_not_sent_again(
    broker: Mosquitto, front: Front
) -> None:
    """A stop waits for the answer being stored: it is acknowledged, never redelivered."""
    change = await front.ledger.press(kit_press(datetime.now(UTC), Sender(device="b1")))
    incident_id = change.incident.incident_id
    config = settings(broker)
    topics = config.topics(FRONT.front_id)  # type: ignore[attr-defined]
    original = front.answers.apply
    in_hand, release = asyncio.Event(), asyncio.Event()

    async def slow(headers: object, body: bytes) -> Applied:
        applied = await original(headers, body)  # type: ignore[arg-type]
        in_hand.set()
        await release.wait()  # stored; the stop comes before the acknowledgement
        return applied

    front.answers.apply = slow  # type: ignore[method-assign]
    handler = uplink_handler(front.answers, front.report)

    def new_link() -> UplinkLink:
        return UplinkLink(config, "mfs-stop", subscribe=topics.answers, handler=handler,  # type: ignore[arg-type]
                          sleep=lambda _s: asyncio.sleep(0.05))  # fmt: skip

    link = new_link()
    task = await start(link)
    async with console_client(broker) as console:
        body, properties = signed_answer(incident_id, "received", "s1")
        await console.publish(topics.answers, body, qos=1, properties=properties)
        async with asyncio.timeout(10):
            await in_hand.wait()
        link.stop()
        await asyncio.sleep(0.2)  # the stop waits for the answer in hand
        assert not task.done()
        release.set()
        async with asyncio.timeout(10):
            await task
        assert front.reports[0].answer is PoliceAnswer.STORED
        link = new_link()  # the same session: a redelivered s1 would come before s2
        task = await start(link)
        try:
            body, properties = signed_answer(incident_id, "dispatched", "s2")
            await console.publish(topics.answers, body, qos=1, properties=properties)
            await front.wait_reports(2)
        finally:
            await finish(link, task)
    assert [r.answer for r in front.reports] == [PoliceAnswer.STORED] * 2
    assert front.ledger.book.get(incident_id).state is IncidentState.DISPATCHED
