"""One console instance on the city broker: alerts by shared subscription, answers out.

- MQTT 5, a fixed client id (``--mqtt-id``), ``clean_start`` false and a one-day session
  expiry: what the broker holds for this instance (alerts it had not acknowledged when it
  died) comes back when it returns; the shared subscription
  ``$share/consola/<prefix>/fronts/+/alerts`` splits the fronts' alerts among instances.
- Each alert goes through :meth:`consola.ingest.service.Ingest.ingest` (limits, registered
  front, ``standardwebhooks`` signature, dedupe by webhook-id, contract, commit) with the
  topic's front as the hint, and is acknowledged (PUBACK) only after that returns: stored
  or a duplicate (committed before), or refused for good (kept for supervisors). When the
  database is unavailable nothing is acknowledged: the instance reconnects and the broker
  sends the alert again.
- :meth:`MqttLink.publish` sends a signed answer to a front's answers topic and waits for
  its PUBACK; it never raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import logging
import random
import ssl
from typing import Any, Final

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..background import Background
from ..ingest.envelope import Delivery, Verdict
from ..ingest.service import Ingest
from .settings import MqttSettings
from .wire import headers_of, publish_properties

LOGGER: Final = logging.getLogger(__name__)
SESSION_EXPIRY: Final = 86_400
BACKOFF_MAX: Final = 15.0
PUBACK_TIMEOUT: Final = 10.0
NO_MATCHING_SUBSCRIBERS: Final = 0x10
FAILURE: Final = 0x80
PIPELINE: Final = 16  # alerts ingested at once (below Mosquitto's 20 in flight)


class _RedeliverError(Exception):
    """The database did not take an alert: reconnect without acknowledging it."""


class MqttLink:
    """A console instance's connection to the city broker."""

    def __init__(
        self,
        settings: MqttSettings,
        ingest: Ingest,
        *,
        context: ssl.SSLContext | None = None,
    ) -> None:
        """Consume alerts into ``ingest``; ``context`` is the TLS context (if mqtts)."""
        self.settings = settings
        self.ingest = ingest
        self.context = context
        self._client: aiomqtt.Client | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._loop = Background("consola-mqtt")
        self._up = asyncio.Event()
        self.taken = 0  # alerts acknowledged
        self.redelivered = 0  # times the link dropped to have an alert sent again

    def start(self) -> None:
        """Run the link in a task of the running loop."""
        self._loop.start(self._run())

    async def stop(self) -> None:
        """End the link (an alert being stored is not acknowledged: sent again)."""
        await self._loop.stop()

    async def wait_connected(self, timeout: float) -> bool:
        """Return True once the link is up (False after ``timeout`` seconds)."""
        try:
            async with asyncio.timeout(timeout):
                await self._up.wait()
        except TimeoutError:
            return False
        return True

    def _connect(self) -> aiomqtt.Client:
        settings = self.settings
        connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        connect.SessionExpiryInterval = SESSION_EXPIRY
        client = aiomqtt.Client(
            settings.host, settings.port, username=settings.username,
            password=settings.password, identifier=settings.client_id,
            protocol=aiomqtt.ProtocolVersion.V5, clean_start=False, properties=connect,
            tls_context=self.context, timeout=10, logger=LOGGER,
        )  # fmt: skip
        paho = client._client  # noqa: SLF001  (manual acks and PUBACK codes live there)
        paho.manual_ack_set(True)
        original = paho.on_publish

        def on_publish(*args: Any) -> None:
            waiting = self._acks.pop(args[2], None)
            if waiting is not None and not waiting.done():
                waiting.set_result(args[3])
            original(*args)  # type: ignore[misc]

        paho.on_publish = on_publish
        return client

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                async with self._connect() as client:
                    self._client = client
                    await client.subscribe(self.settings.subscription, qos=1)
                    LOGGER.info("city broker %s: connected", self.settings.shown())
                    attempt = 0
                    self._up.set()
                    await self._read(client)
            except aiomqtt.MqttError as err:
                LOGGER.warning("city broker %s: %s", self.settings.shown(), err)
            except _RedeliverError:
                self.redelivered += 1
                LOGGER.warning(
                    "storage unavailable: an alert is left for the broker to resend"
                )
            except Exception:
                self.redelivered += 1
                LOGGER.exception(
                    "an alert could not be taken; the broker sends it again"
                )
            finally:
                self._client = None
                self._up.clear()
                for waiting in self._acks.values():
                    if not waiting.done():
                        waiting.set_result(None)
                self._acks.clear()
            attempt += 1
            await asyncio.sleep(random.random() * min(BACKOFF_MAX, 0.5 * 2**attempt))  # noqa: S311

    async def _read(self, client: aiomqtt.Client) -> None:
        """Ingest up to :data:`PIPELINE` alerts at once; PUBACK them in arrival order.

        MQTT wants QoS 1 acknowledgements in the order the messages came; each one waits for
        its own commit and for those before it. A refusal for lack of storage stops the
        acknowledgements there: the connection drops and the broker sends the rest again.
        """
        paho = client._client  # noqa: SLF001
        pending: asyncio.Queue[tuple[aiomqtt.Message, asyncio.Task[None]]] = (
            asyncio.Queue(PIPELINE)
        )
        loop = asyncio.get_running_loop()
        parts = [
            loop.create_task(self._feed(client, pending)),
            loop.create_task(self._ack_in_order(paho, pending)),
        ]
        try:
            done, _ = await asyncio.wait(parts, return_when=asyncio.FIRST_COMPLETED)
            for part in done:
                part.result()  # the link's error, or the storage's
        finally:
            for part in parts:
                part.cancel()
            await asyncio.wait(parts)
            while not pending.empty():
                pending.get_nowait()[1].cancel()

    async def _feed(
        self,
        client: aiomqtt.Client,
        pending: asyncio.Queue[tuple[aiomqtt.Message, asyncio.Task[None]]],
    ) -> None:
        async for message in client.messages:
            task = asyncio.get_running_loop().create_task(self._take(message))
            await pending.put((message, task))

    async def _ack_in_order(
        self,
        paho: Any,  # noqa: ANN401  (paho's client, untyped)
        pending: asyncio.Queue[tuple[aiomqtt.Message, asyncio.Task[None]]],
    ) -> None:
        while True:
            message, task = await pending.get()
            await task  # raises _RedeliverError: nothing after it is acknowledged
            if message.qos > 0:
                paho.ack(message.mid, message.qos)
            self.taken += 1

    async def _take(self, message: aiomqtt.Message) -> None:
        topic = str(message.topic)
        front_id = self.settings.front_of(topic)
        if front_id is None or message.retain:  # not an alert (a retained one is state)
            LOGGER.info(
                "ignored a message on %s (retained or not an alerts topic)", topic[:200]
            )
            return
        headers = headers_of(message.properties)
        payload = message.payload if isinstance(message.payload, bytes) else b""
        outcome = await self.ingest.ingest(
            Delivery(
                transport="mqtt", headers=headers, body=payload,
                content_type=headers.get("content-type", ""), remote=f"mqtt:{front_id}",
                front_hint=front_id,
            )
        )  # fmt: skip
        if outcome.verdict is Verdict.UNAVAILABLE:
            raise _RedeliverError

    def answers_topic(self, front_id: str) -> str:
        """Return the answers topic of ``front_id``."""
        return self.settings.answers_topic(front_id)

    async def publish(self, topic: str, body: bytes, headers: Mapping[str, str]) -> str:
        """Publish a signed message with QoS 1; return ``""`` once PUBACKed, else why not."""
        client = self._client
        if client is None:
            return "not connected"
        try:
            info = client._client.publish(  # noqa: SLF001  (its mid, for the PUBACK)
                topic, body, qos=1, retain=False, properties=publish_properties(headers)
            )
            if info.rc != 0:
                return f"publish failed ({info.rc})"
            waiting: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._acks[info.mid] = waiting
            try:
                async with asyncio.timeout(PUBACK_TIMEOUT):
                    reason = await waiting
            finally:
                self._acks.pop(info.mid, None)
        except TimeoutError:
            return "no PUBACK in time"
        except (aiomqtt.MqttError, ValueError, OSError) as err:
            return type(err).__name__
        value = getattr(reason, "value", reason)
        if not isinstance(value, int):
            return "link lost before PUBACK"
        if value == NO_MATCHING_SUBSCRIBERS:
            return "the front has no session at the broker yet"
        if value >= FAILURE:
            return f"PUBACK reason {value:#04x}"
        return ""
