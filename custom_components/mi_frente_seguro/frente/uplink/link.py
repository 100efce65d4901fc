"""One front's connection to the city broker: MQTT 5, QoS 1, a persistent session.

- Fixed client id, ``clean_start`` false and a one-day session expiry: answers published
  while the front is away wait at the broker (across a broker restart too, when it
  persists) and arrive as soon as the link is back, before the subscription is renewed.
- :meth:`UplinkLink.publish` sends one message and waits for its ``PUBACK``: a success
  code is ``DELIVERED``; no link, no ``PUBACK`` in time, an error code, or "no matching
  subscribers" (the broker would drop it: no console session exists) is ``RETRY``. It
  never raises.
- Manual acknowledgement: a message on the subscribed topic is acknowledged only once the
  handler returned; a handler that raises (:class:`RedeliveryNeededError`: the answer could
  not be stored; or anything unexpected) leaves it unacknowledged and the link reconnects,
  so the broker sends it again. A stop lets the message in hand be stored and
  acknowledged first (up to ``STOP_GRACE``), so it is not sent again for nothing.
- Reconnects with full-jitter backoff; the link going down and coming back is logged once
  each, with the endpoint (never the password).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import logging
import random
import ssl
from typing import Any, Final

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..dispatch.outcome import DELIVERED, Outcome, Verdict
from ..interrupt import finish_first, unless_set
from ..reconnect import STOP_GRACE, ReconnectingLink, RedeliveryNeededError
from .settings import UplinkSettings
from .wire import NO_MATCHING_SUBSCRIBERS, SESSION_EXPIRY, publish_properties

_LOGGER = logging.getLogger(__name__)
CONNECT_TIMEOUT: Final = 10.0  # s
PUBACK_TIMEOUT: Final = 10.0  # s

__all__ = [
    "CONNECT_TIMEOUT",
    "PUBACK_TIMEOUT",
    "Handler",
    "Incoming",
    "RedeliveryNeededError",
    "UplinkLink",
    "mqtt_client",
    "tls_context",
]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from the broker, as received (nothing in it is trusted)."""

    topic: str
    payload: bytes
    properties: object
    retain: bool


type Handler = Callable[[Incoming], Awaitable[None]]


def tls_context(settings: UplinkSettings) -> ssl.SSLContext | None:
    """Return the TLS context of ``settings`` (blocking: files are read; run it off-loop)."""
    if not settings.tls:
        return None
    context = ssl.create_default_context(cafile=settings.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.cert_file and settings.key_file:
        context.load_cert_chain(settings.cert_file, settings.key_file)
    return context


def mqtt_client(
    settings: UplinkSettings, client_id: str, context: ssl.SSLContext | None
) -> aiomqtt.Client:
    """Return an MQTT 5 client with a persistent session and manual acknowledgements."""
    connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    connect.SessionExpiryInterval = SESSION_EXPIRY
    client = aiomqtt.Client(
        settings.host,
        settings.port,
        username=settings.username,
        password=settings.password,
        identifier=client_id,
        protocol=aiomqtt.ProtocolVersion.V5,
        clean_start=False,
        properties=connect,
        keepalive=settings.keepalive,
        timeout=CONNECT_TIMEOUT,
        tls_context=context,
        logger=_LOGGER,
    )
    # Set before connecting: a persistent session's queued messages come with CONNACK.
    client._client.manual_ack_set(True)  # noqa: SLF001
    return client


class UplinkLink(ReconnectingLink):
    """The long-running link of one front (or one console) to the city broker."""

    _logger = _LOGGER
    _redelivery_note = "Dropping the session so the broker resends a message"

    def __init__(  # noqa: PLR0913  (one link's whole description)
        self,
        settings: UplinkSettings,
        client_id: str,
        *,
        subscribe: str | None = None,
        handler: Handler | None = None,
        context: ssl.SSLContext | None = None,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Connect as ``client_id``; hand what arrives on ``subscribe`` to ``handler``."""
        super().__init__(rand, sleep)
        self.settings = settings
        self.client_id = client_id
        self._topic = subscribe
        self._handler = handler
        self.context = context
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._up = asyncio.Event()

    def __repr__(self) -> str:
        """Show the endpoint and client id, never the password."""
        return f"UplinkLink({self.settings.endpoint}, client_id={self.client_id!r})"

    def _refused(self, err: aiomqtt.MqttError, attempt: int) -> bool:
        if self.connected or attempt == 0:
            _LOGGER.warning("City broker %s: %s", self.settings.endpoint, err)
        return False  # never final: the link keeps trying

    async def wait_connected(self, timeout: float) -> bool:
        """Return True once the link is up (False after ``timeout`` seconds)."""
        try:
            async with asyncio.timeout(timeout):
                await self._up.wait()
        except TimeoutError:
            return False
        return True

    def _connect(self) -> aiomqtt.Client:
        client = mqtt_client(self.settings, self.client_id, self.context)
        paho = client._client  # noqa: SLF001  (PUBACK reason codes live on paho's client)
        original = paho.on_publish

        def on_publish(*args: Any) -> None:
            mid, reason = args[2], args[3]
            waiting = self._acks.pop(mid, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(reason)
            original(*args)  # type: ignore[misc]

        paho.on_publish = on_publish
        return client

    async def _session(self, client: aiomqtt.Client) -> None:
        self._client = client
        if self._topic is not None:
            await client.subscribe(self._topic, qos=1)
        if not self.connected:
            _LOGGER.info("City broker %s connected", self.settings.endpoint)
        self.connected = True
        self._up.set()
        await unless_set(self._read(client), self._stopping)

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            await finish_first(self._take(client, message), STOP_GRACE)

    async def _take(self, client: aiomqtt.Client, message: aiomqtt.Message) -> None:
        if self._handler is not None and str(message.topic) == self._topic:
            payload = message.payload
            raw = payload if isinstance(payload, bytes | bytearray) else b""
            await self._handle(
                Incoming(str(message.topic), bytes(raw), message.properties,
                         bool(message.retain))
            )  # fmt: skip
        if message.qos > 0:
            client._client.ack(message.mid, message.qos)  # noqa: SLF001  (paho's acks)

    async def _handle(self, incoming: Incoming) -> None:
        assert self._handler is not None
        try:
            await self._handler(incoming)
        except RedeliveryNeededError:
            if not self.unstored:
                _LOGGER.warning(
                    "A message could not be stored; the broker sends it again"
                )
            self.unstored += 1
            raise
        if self.unstored:
            _LOGGER.info("Messages from the city broker are stored again")
            self.unstored = 0

    def _down(self) -> None:
        self._client = None
        self._up.clear()
        for waiting in self._acks.values():
            if not waiting.done():
                waiting.set_result(None)
        self._acks.clear()
        if self.connected and not self._stopping.is_set():
            _LOGGER.warning("City broker %s: link lost", self.settings.endpoint)
        self.connected = False

    async def publish(
        self,
        topic: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float = PUBACK_TIMEOUT,
    ) -> Outcome:
        """Publish ``body`` with QoS 1 and the signature ``headers``; never raises."""
        client = self._client
        if client is None:
            return Outcome(Verdict.RETRY, "city broker not connected")
        try:
            info = client._client.publish(  # noqa: SLF001  (its mid, for the PUBACK)
                topic, body, qos=1, retain=False, properties=publish_properties(headers)
            )
            if info.rc != 0:
                return Outcome(Verdict.RETRY, f"publish failed ({info.rc})")
            waiting: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._acks[info.mid] = waiting
            try:
                async with asyncio.timeout(timeout):
                    reason = await waiting
            finally:
                self._acks.pop(info.mid, None)
        except TimeoutError:
            return Outcome(Verdict.RETRY, "no PUBACK in time")
        except Exception:
            _LOGGER.exception(
                "Unexpected error publishing to %s", self.settings.endpoint
            )
            return Outcome(Verdict.RETRY, "unexpected error")
        return _puback_outcome(reason)


def _puback_outcome(reason: object) -> Outcome:
    if reason is None:
        return Outcome(Verdict.RETRY, "link lost before PUBACK")
    value = getattr(reason, "value", reason)
    if not isinstance(value, int):
        return Outcome(Verdict.RETRY, "unreadable PUBACK")
    if value == NO_MATCHING_SUBSCRIBERS:
        return Outcome(Verdict.RETRY, "no console subscribed at the broker")
    if value >= 0x80:  # noqa: PLR2004  (MQTT 5: 0x80 and above are failures)
        return Outcome(Verdict.RETRY, f"PUBACK reason {value:#04x}")
    return DELIVERED
