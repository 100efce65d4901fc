"""The MQTT link against a real Mosquitto: presses, state, outages, credentials."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from custom_components.mi_frente_seguro.frente.kit.client import (
    BrokerSettings,
    KitAuthError,
    KitClient,
    KitConnectError,
    async_test_broker,
)
from custom_components.mi_frente_seguro.frente.kit.protocol import KitTopics
from scripts.harness.mosquitto import Mosquitto
from scripts.harness.process import free_port
from tests.logs import problems

from .conftest import Recorder, publish

TOPICS = KitTopics.build("manga_calle_real")


async def _no_wait(_delay: float) -> None:
    await asyncio.sleep(0.05)


def _local(broker: Mosquitto, client_id: str, recorder: Recorder) -> KitClient:
    """Return a client of the test broker as ``client_id``, reporting to ``recorder``."""
    return KitClient(
        BrokerSettings("127.0.0.1", broker.port, client_id=client_id),
        TOPICS,
        recorder,
        sleep=_no_wait,
    )


@asynccontextmanager
async def running(client: KitClient) -> AsyncIterator[None]:
    """Run ``client``'s link for the block; then cancel it and see it end cancelled."""
    task = asyncio.create_task(client.run())
    try:
        yield
    finally:
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.fixture
async def link(broker: Mosquitto) -> AsyncGenerator[tuple[KitClient, Recorder]]:
    """Run a KitClient against the broker for the test; cancelled afterwards."""
    recorder = Recorder()
    client = _local(broker, "ha-test", recorder)
    async with running(client):
        await recorder.wait_for(lambda: client.connected)
        yield client, recorder


async def test_messages_reach_the_handler(
    broker: Mosquitto, link: tuple[KitClient, Recorder]
) -> None:
    """Press, siren state, availability and telemetry are parsed and handed over."""
    client, recorder = link
    await publish(broker, TOPICS.panic, '{"button": "b2", "seq": 17, "kind": "silent"}')
    await publish(broker, TOPICS.panic, "PRESS")
    await publish(broker, TOPICS.siren_state, "ON", retain=True)
    await publish(broker, TOPICS.availability, "online", retain=True)
    await publish(
        broker, TOPICS.telemetry, '{"battery": 87, "tamper": false, "rssi": -61}'
    )
    await recorder.wait_for(lambda: recorder.telemetry)
    assert [(p.button, p.seq, p.kind) for p in recorder.presses] == [
        ("b2", 17, "silent"),
        ("b1", None, "panic"),
    ]
    assert recorder.sirens == [True]
    assert recorder.availability == [True]
    assert recorder.telemetry[0].battery == 87
    assert recorder.telemetry[0].rssi == -61
    assert client.problems == {}


async def test_publish_siren_command(
    broker: Mosquitto, link: tuple[KitClient, Recorder]
) -> None:
    """A command published by the link reaches a subscriber (the kit)."""
    client, _ = link
    import aiomqtt

    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="kit") as kit:
        await kit.subscribe(TOPICS.siren_set, qos=1)
        await client.publish(TOPICS.siren_set, b'{"state":"ON","duration":180}')
        async with asyncio.timeout(5):
            message = await anext(aiter(kit.messages))
    assert message.payload == b'{"state":"ON","duration":180}'


async def test_presses_while_ha_is_away_arrive_later(broker: Mosquitto) -> None:
    """Persistent session: presses published while our client is down are delivered."""
    first = Recorder()
    client = _local(broker, "ha-away", first)
    async with running(client):
        await first.wait_for(lambda: client.connected)
    for seq in range(3):
        await publish(broker, TOPICS.panic, f'{{"button": "b1", "seq": {seq}}}')

    second = Recorder()
    again = _local(broker, "ha-away", second)
    async with running(again):
        await second.wait_for(lambda: len(second.presses) == 3)
        assert [press.seq for press in second.presses] == [0, 1, 2]


async def test_broker_restart_reconnects_and_keeps_presses(
    broker: Mosquitto, link: tuple[KitClient, Recorder]
) -> None:
    """The broker goes down and comes back: the link reconnects; presses queued arrive."""
    client, recorder = link
    await broker.stop()
    await recorder.wait_for(lambda: not client.connected)
    await broker.start()
    # The kit is back before HA's link: its press waits in our persistent session.
    await publish(broker, TOPICS.panic, '{"button": "b1", "seq": 99}')
    await recorder.wait_for(lambda: recorder.presses, timeout=30)
    assert recorder.presses[-1].seq == 99
    assert client.connected
    assert recorder.links.count(True) >= 2
    assert client.reconnects >= 1


async def test_unstored_press_is_delivered_again(
    broker: Mosquitto, link: tuple[KitClient, Recorder]
) -> None:
    """If storing a press fails, it is not acknowledged and the broker sends it again."""
    client, recorder = link
    recorder.fail_next_presses = 1
    await publish(broker, TOPICS.panic, '{"button": "b1", "seq": 5}')
    await recorder.wait_for(lambda: recorder.presses, timeout=30)
    assert [press.seq for press in recorder.presses] == [5]
    assert client.reconnects >= 1


async def test_malformed_messages_are_counted_not_handled(
    broker: Mosquitto, link: tuple[KitClient, Recorder]
) -> None:
    """Bad payloads never reach the handler; each kind of problem is counted."""
    client, recorder = link
    for payload in ("{not json", '{"kind": "flood"}', "HELLO", "x" * 5000):
        await publish(broker, TOPICS.panic, payload)
    await publish(broker, TOPICS.telemetry, '{"battery": "full"}')
    await publish(broker, TOPICS.panic, '{"seq": 1}')  # a good one, to know we are done
    await recorder.wait_for(lambda: recorder.presses)
    assert len(recorder.presses) == 1
    assert client.problems == {
        f"{TOPICS.panic}:bad_json": 1,
        f"{TOPICS.panic}:unknown_kind": 1,
        f"{TOPICS.panic}:unknown_command": 1,
        f"{TOPICS.panic}:too_large": 1,
        f"{TOPICS.telemetry}:bad_battery": 1,
    }


async def test_credentials(socket_enabled: None, tmp_path: Path) -> None:
    """Right password connects; a wrong one is KitAuthError and stops the link."""
    async with Mosquitto(tmp_path / "auth", users={"kit": "s3cret-pass"}) as broker:
        good = BrokerSettings("127.0.0.1", broker.port, "kit", "s3cret-pass")
        await async_test_broker(good)
        bad = BrokerSettings("127.0.0.1", broker.port, "kit", "wrong")
        with pytest.raises(KitAuthError):
            await async_test_broker(bad)
        assert "wrong" not in repr(bad)

        recorder = Recorder()
        client = KitClient(bad, TOPICS, recorder, sleep=_no_wait)
        async with asyncio.timeout(10):
            await client.run()  # returns by itself
        assert recorder.auth_failed.is_set()
        assert not client.connected


async def test_unreachable_broker(socket_enabled: None) -> None:
    """Nothing listening is a KitConnectError, and publishing while down is one too."""
    with pytest.raises(KitConnectError):
        await async_test_broker(BrokerSettings("127.0.0.1", free_port()))
    client = KitClient(BrokerSettings("127.0.0.1", free_port()), TOPICS, Recorder())
    with pytest.raises(KitConnectError):
        await client.publish(TOPICS.siren_set, b"ON")


def test_backoff_is_full_jitter_and_capped() -> None:
    """Delays grow to the cap and are spread by the random factor."""
    client = KitClient(BrokerSettings("h"), TOPICS, Recorder(), rand=lambda: 1.0)
    assert [client.backoff(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert client.backoff(30) == 30.0
    half = KitClient(BrokerSettings("h"), TOPICS, Recorder(), rand=lambda: 0.5)
    assert half.backoff(3) == 1.0


@pytest.mark.parametrize("stop_after_connect", [False, True])
async def test_stop_ends_the_link_cleanly(
    broker: Mosquitto, caplog: pytest.LogCaptureFixture, stop_after_connect: bool
) -> None:
    """stop() disconnects and returns, even mid-subscription: no error, no lost link."""
    recorder = Recorder()
    client = _local(broker, "ha-stop", recorder)
    task = asyncio.create_task(client.run())
    if stop_after_connect:
        await recorder.wait_for(lambda: client.connected)
    else:
        await asyncio.sleep(0)  # connecting or subscribing
    client.stop()
    async with asyncio.timeout(10):
        await task  # returns by itself
    assert not client.connected
    assert recorder.links == ([True] if stop_after_connect else [])
    assert not problems(caplog.records)
    # The session stays at the broker: a press sent meanwhile arrives on the next link.
    await publish(broker, TOPICS.panic, '{"button": "b1", "seq": 99}')
    again = _local(broker, "ha-stop", recorder)
    task = asyncio.create_task(again.run())
    await recorder.wait_for(lambda: [p.seq for p in recorder.presses] == [99])
    again.stop()
    await task
