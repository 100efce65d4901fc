"""The city broker: alerts by shared subscription, stored once, PUBACK after the commit.

Real Mosquitto and real databases (SQLite, PostgreSQL) on 127.0.0.1. The fronts are
simulated by MQTT 5 clients that sign with ``standardwebhooks``, as the integration does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
import json

import aiohttp
import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
import pytest
from standardwebhooks import Webhook

from consola.mqtt.settings import parse_mqtt
from consola.mqtt.wire import headers_of
from consola.runtime import Console, Settings
from consola.storage.db import open_database
from consola.storage.incidents import list_rejected

from .broker import Broker, mosquitto
from .conftest import OPERATOR, seed
from .helpers import FRONT_ID, alert, form_token, free_port, login, new_secret, signed
from .test_delivery import delivery_state

ALERTS = f"city/fronts/{FRONT_ID}/alerts"


@pytest.fixture
def broker() -> Iterator[Broker]:
    """Run a real Mosquitto."""
    with mosquitto() as running:
        yield running


class Front:
    """A simulated front on the broker: publishes signed alerts, reads its answers."""

    def __init__(self, broker: Broker, secret: str, name: str = "mfs-front") -> None:
        """Sign with ``secret``."""
        connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        connect.SessionExpiryInterval = 3600
        self.client = aiomqtt.Client(
            "127.0.0.1", broker.port, identifier=name, protocol=aiomqtt.ProtocolVersion.V5,
            clean_start=False, properties=connect,
        )  # fmt: skip
        self.secret = secret

    async def publish(self, body: dict[str, object] | bytes, *, topic: str = ALERTS,
                      secret: str | None = None, at: datetime | None = None,
                      retain: bool = False) -> None:  # fmt: skip
        """Publish one alert with QoS 1, its signature in user properties."""
        data, headers = signed(body, secret or self.secret, at=at)
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.UserProperty = [
            (name, headers[name])
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        ]
        await self.client.publish(
            topic, data, qos=1, properties=properties, retain=retain
        )


async def consoles(
    db_url: str, broker: Broker, *ids: str
) -> AsyncIterator[list[Console]]:
    """Start one console per id on ``db_url`` with the broker (no web server needed)."""
    started = []
    for client_id in ids:
        database = open_database(db_url)
        mqtt = parse_mqtt(broker.url, client_id)
        console = Console(Settings(db_url, port=free_port(), mqtt=mqtt), database)
        await console.start()
        assert console.mqtt is not None and await console.mqtt.wait_connected(10)
        started.append(console)
    try:
        yield started
    finally:
        for console in started:
            await console.stop()
            console.db.close()


async def count(console: Console, sql: str) -> int:
    """Return the first column of ``sql``'s row."""
    row = await console.db.tx(lambda tx: tx.one(sql))
    assert row is not None
    return int(next(iter(row.values())))


async def wait_for_count(read: Callable[[], Awaitable[int]], wanted: int) -> int:
    """Poll ``read`` (bounded, no timing asserted) until it reaches ``wanted``."""
    found = -1
    for _ in range(600):
        found = await read()
        if found >= wanted:
            break
        await asyncio.sleep(0.05)
    return found


async def acknowledged(console: Console) -> int:
    """Return how many alerts the console's city-broker link has acknowledged."""
    assert console.mqtt is not None
    return console.mqtt.taken


async def wait_for_rows(console: Console, sql: str, wanted: int) -> int:
    """Wait (bounded, no timing asserted) until ``sql`` counts ``wanted``."""
    return await wait_for_count(partial(count, console, sql), wanted)


def seeded(db_url: str) -> str:
    """Register the test front on ``db_url`` with no status webhook; return its secret."""
    secret = new_secret()
    db = open_database(db_url)
    seed(db, secret=secret, webhook_url="")
    db.close()
    return secret


async def test_alerts_over_mqtt_are_verified_stored_once_and_refusals_kept(
    db_url: str, broker: Broker
) -> None:
    """Signed: stored (a repeat once); one waited 2 h: stored; forged or stale: refused."""
    secret = seeded(db_url)
    async for (console,) in consoles(db_url, broker, "consola-a"):
        front = Front(broker, secret)
        async with front.client:
            await front.publish(alert())
            await front.publish(alert())  # at least once: the same webhook-id again
            await front.publish(
                alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7R9"), secret=new_secret()
            )
            await front.publish(alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7S0"), retain=True)
            old = datetime.now(UTC) - timedelta(hours=2)  # waited at the broker: fine
            await front.publish(alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7S1"), at=old)
            stale = datetime.now(UTC) - timedelta(days=2)
            await front.publish(alert(id="01JDR6Q7ZMB1H2J3K4N5P6Q7S2"), at=stale)
        assert console.mqtt is not None
        # Alerts are ingested concurrently: wait until all six are acknowledged (each after
        # its own commit), not merely until the last refusal is in.
        assert await wait_for_count(partial(acknowledged, console), 6) == 6
        assert await count(console, "SELECT count(*) FROM rejected") == 2
        # Live, a retained publish arrives without the flag (MQTT 5 default): it is stored like
        # any alert; re-sent with the flag on a later subscription, it is ignored.
        assert await count(console, "SELECT count(*) FROM messages") == 3
        assert await count(console, "SELECT count(*) FROM incidents") == 1
        rows = await console.db.tx(list_rejected)
        assert {row["transport"] for row in rows} == {"mqtt"}
        assert sorted(row["reason"] for row in rows) == [
            "bad_signature",
            "bad_signature",
        ]


async def test_an_answer_for_a_front_without_webhook_goes_over_the_broker(
    sqlite_url: str, broker: Broker
) -> None:
    """The operator's answer is published, signed, to the front's answers topic."""
    from aiohttp import web  # noqa: PLC0415

    from consola.web.app import create_app  # noqa: PLC0415

    secret = seeded(sqlite_url)
    db = open_database(sqlite_url)
    port = free_port()
    console = Console(
        Settings(sqlite_url, port=port, mqtt=parse_mqtt(broker.url, "consola-a")), db
    )
    runner = web.AppRunner(create_app(console), shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    front = Front(broker, secret)
    try:
        assert console.mqtt is not None and await console.mqtt.wait_connected(10)
        async with front.client:
            await front.client.subscribe(f"city/fronts/{FRONT_ID}/answers", qos=1)
            await front.publish(alert())
            assert (
                await wait_for_rows(console, "SELECT count(*) FROM incidents", 1) == 1
            )
            async with aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True)
            ) as http:
                assert await login(http, base, *OPERATOR) == 200
                token = await form_token(http, f"{base}/incidentes/1")
                async with http.post(f"{base}/incidentes/1/respuesta", data={
                        "csrf": token, "status": "dispatched", "unit": "Patrulla 12",
                        "eta_minutes": "6"}) as response:  # fmt: skip
                    assert response.status == 200
            import asyncio  # noqa: PLC0415

            async with asyncio.timeout(20):
                message = await anext(aiter(front.client.messages))
        assert await delivery_state_of(console) == "delivered"
    finally:
        await runner.cleanup()
        db.close()
    body = message.payload
    assert isinstance(body, bytes)
    headers = headers_of(message.properties)
    Webhook(secret).verify(body, headers, json_parse=False)
    answer = json.loads(body)
    assert answer["status"] == "dispatched" and answer["unit"] == "Patrulla 12"


async def delivery_state_of(console: Console) -> str:
    """Return the first answer's delivery state once it is no longer pending."""
    from .conftest import Running  # noqa: PLC0415

    return await delivery_state(Running(console, "", "", None), "delivered")  # type: ignore[arg-type]


@pytest.mark.postgres
async def test_two_instances_share_the_subscription_and_one_dies(
    pg_dsn: str, broker: Broker
) -> None:
    """Two instances on one PostgreSQL: every alert stored once, though one stops mid-run."""
    from .pg import fresh_database  # noqa: PLC0415

    url = fresh_database(pg_dsn, "consola_mqtt_shared")
    secret = seeded(url)
    total = 60
    async for first, second in consoles(url, broker, "consola-a", "consola-b"):
        front = Front(broker, secret)
        async with front.client:
            for number in range(total):
                if number == total // 2:
                    assert second.mqtt is not None
                    await (
                        second.mqtt.stop()
                    )  # dies; its session keeps what it had not taken
                    second.mqtt.start()  # and comes back with the same id
                incident = f"01JDR6Q7ZK3M8YV2C4T5N9{number:04d}"
                await front.publish(alert(id=f"01JDR6Q7ZMB1H2J3K4N5P6{number:04d}",
                                          incident_id=incident))  # fmt: skip
        assert (
            await wait_for_rows(first, "SELECT count(*) FROM messages", total) == total
        )
        assert await count(first, "SELECT count(*) FROM incidents") == total
        assert (
            await count(first, "SELECT count(DISTINCT message_id) FROM messages")
            == total
        )
        assert first.mqtt is not None and second.mqtt is not None
        assert first.mqtt.taken > 0 and second.mqtt.taken > 0


async def test_no_puback_while_the_database_is_down_then_sent_again(
    sqlite_url: str, broker: Broker
) -> None:
    """Ingest answering "unavailable" leaves the alert unacknowledged; it comes back."""
    from consola.ingest.envelope import Delivery, Outcome, Verdict  # noqa: PLC0415

    secret = seeded(sqlite_url)
    async for (console,) in consoles(sqlite_url, broker, "consola-a"):
        real = console.ingest.ingest
        calls: list[str] = []

        async def flaky(
            delivery: Delivery,
            calls: list[str] = calls,
            real: Callable[[Delivery], Awaitable[Outcome]] = real,
        ) -> Outcome:
            calls.append(delivery.headers.get("webhook-id", ""))
            if len(calls) == 1:
                return Outcome(Verdict.UNAVAILABLE)
            return await real(delivery)

        console.ingest.ingest = flaky  # type: ignore[method-assign]
        front = Front(broker, secret)
        async with front.client:
            await front.publish(alert())
        assert await wait_for_rows(console, "SELECT count(*) FROM messages", 1) == 1
        assert console.mqtt is not None and console.mqtt.redelivered == 1
        assert calls[0] == calls[1]
