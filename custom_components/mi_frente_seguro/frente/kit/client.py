"""The MQTT link to a front's kit, on aiomqtt.

- QoS 1 and a persistent session (fixed client id, clean_session False): presses published
  while HA is down wait at the broker and arrive when the link is back.
- Manual acknowledgement: a press is acknowledged to the broker only after the handler has
  stored it, so a crash between receiving and storing makes the broker send it again.
- Reconnects with full-jitter backoff; a credentials refusal stops the loop and is reported
  (HA then starts a re-authentication flow).
- Malformed payloads are counted per kind of problem and never reach the handler.
- Retained messages on the panic topic are state, never presses: a retained PRESS (Tasmota's
  ButtonRetain, any client publishing with retain) is sent again on every (re)subscription
  and would raise a false alarm at each HA restart or Wi-Fi blip. They are acknowledged and
  counted (``panic:retained``). Retained siren state and availability are read as usual.
- A press the handler cannot store (disk full...) is not acknowledged: the link drops the
  session so the broker sends it again; that is logged once until a press is stored again.
- :meth:`KitClient.stop` ends the link cleanly (a DISCONNECT once any subscription in
  flight is answered, and once the press in hand is stored and acknowledged, up to
  ``STOP_GRACE``), so an unload or a reload logs no error and no lost link.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
import random
import ssl
from typing import Protocol

import aiomqtt

from ..committer import StorageError
from ..interrupt import finish_first, unless_set
from ..reconnect import STOP_GRACE, ReconnectingLink, RedeliveryNeededError
from .protocol import (
    KitTopics,
    MalformedPayloadError,
    PressMessage,
    Telemetry,
    parse_availability,
    parse_on_off,
    parse_press,
    parse_telemetry,
)

_LOGGER = logging.getLogger(__name__)
AUTH_FAILURE_CODES = frozenset({4, 5, 134, 135})  # MQTT 3.1.1 and 5 "not authorised"
CONNECT_TIMEOUT = 10.0  # s
RETAINED_PRESS = MalformedPayloadError(
    "retained", "a retained message is state, not a press"
)


class KitAuthError(Exception):
    """The broker refused the username or password."""


class KitConnectError(Exception):
    """The broker could not be reached (or the connection failed)."""


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    """Where the broker is and how to log in. ``password`` never appears in reprs."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    client_id: str = "mi-frente-seguro"
    keepalive: int = 60

    def __repr__(self) -> str:
        """Describe the broker without the password."""
        return (
            f"BrokerSettings(host={self.host!r}, port={self.port}, "
            f"username={self.username!r}, tls={self.tls}, client_id={self.client_id!r})"
        )


class KitHandler(Protocol):
    """What the link tells its owner."""

    async def on_press(self, press: PressMessage) -> None:
        """Store a press; return only once it is durable (then it is acknowledged)."""

    def on_siren_state(self, on: bool) -> None:
        """Take the siren state the kit reports."""

    def on_availability(self, online: bool) -> None:
        """Take the kit's online/offline report (its last will)."""

    def on_telemetry(self, telemetry: Telemetry) -> None:
        """Take the kit's battery, tamper and signal report."""

    def on_link(self, connected: bool) -> None:
        """Note that the link to the broker went up or down."""

    def on_auth_failed(self) -> None:
        """Note that the broker refused our credentials (the link has stopped)."""


def _mqtt_client(
    settings: BrokerSettings, tls_context: ssl.SSLContext | None
) -> aiomqtt.Client:
    client = aiomqtt.Client(
        settings.host,
        settings.port,
        username=settings.username or None,
        password=settings.password or None,
        identifier=settings.client_id,
        clean_session=False,
        keepalive=settings.keepalive,
        timeout=CONNECT_TIMEOUT,
        tls_context=tls_context if settings.tls else None,
        logger=_LOGGER,
    )
    # Acknowledge only what was handled. aiomqtt has no public switch for it, and it must
    # be set before connecting: a persistent session's queued messages arrive with CONNACK.
    client._client.manual_ack_set(True)  # noqa: SLF001
    return client


def _is_auth_failure(err: aiomqtt.MqttError) -> bool:
    code = getattr(err, "rc", None)
    value = getattr(code, "value", code)
    return isinstance(value, int) and value in AUTH_FAILURE_CODES


async def async_test_broker(
    settings: BrokerSettings, tls_context: ssl.SSLContext | None = None
) -> None:
    """Connect once and disconnect; raise KitAuthError or KitConnectError on failure.

    Uses a throw-away client id so the real persistent session is left untouched.
    """
    probe = BrokerSettings(
        settings.host,
        settings.port,
        settings.username,
        settings.password,
        settings.tls,
        f"{settings.client_id}-probe",
        settings.keepalive,
    )
    try:
        async with _mqtt_client(probe, tls_context):
            return
    except aiomqtt.MqttError as err:
        if _is_auth_failure(err):
            raise KitAuthError(str(err)) from err
        raise KitConnectError(str(err)) from err


class KitClient(ReconnectingLink):
    """The long-running link between HA and one front's kit."""

    _logger = _LOGGER
    _redelivery_note = "Dropping the MQTT session so the broker resends a press"

    def __init__(
        self,
        settings: BrokerSettings,
        topics: KitTopics,
        handler: KitHandler,
        *,
        tls_context: ssl.SSLContext | None = None,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Prepare the link; :meth:`run` runs it (until our credentials are refused)."""
        super().__init__(rand, sleep)
        self.settings = settings
        self.topics = topics
        self._handler = handler
        self._tls_context = tls_context
        self.problems: Counter[str] = Counter()  # malformed payloads by kind of problem

    def _connect(self) -> aiomqtt.Client:
        return _mqtt_client(self.settings, self._tls_context)

    def _refused(self, err: aiomqtt.MqttError, attempt: int) -> bool:
        if _is_auth_failure(err):
            self._set_connected(False)
            self._handler.on_auth_failed()
            return True
        _LOGGER.debug("MQTT link to %s lost: %s", self.settings.host, err)
        return False

    def _down(self) -> None:
        self._client = None
        if self._stopping.is_set():
            self.connected = False  # asked to stop: not a lost link
        else:
            self._set_connected(False)

    async def _session(self, client: aiomqtt.Client) -> None:
        self._client = client
        # Not interrupted by stop(): a cancelled subscription's answer would arrive with
        # no one waiting for it (paho logs an error).
        for topic in self.topics.subscriptions():
            await client.subscribe(topic, qos=1)
        if self._stopping.is_set():
            return
        self._set_connected(True)
        await unless_set(self._read(client), self._stopping)

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            await finish_first(self._take(client, message), STOP_GRACE)

    async def _take(self, client: aiomqtt.Client, message: aiomqtt.Message) -> None:
        await self._dispatch(message)
        if message.qos > 0:
            client._client.ack(message.mid, message.qos)  # noqa: SLF001  (paho's acks)

    async def _dispatch(self, message: aiomqtt.Message) -> None:
        payload = message.payload
        raw = (
            payload if isinstance(payload, bytes | bytearray) else str(payload).encode()
        )
        topic = str(message.topic)
        if topic == self.topics.panic and message.retain:
            self._count_problem(topic, RETAINED_PRESS)
            return
        try:
            if topic == self.topics.panic:
                await self._press(parse_press(bytes(raw)))
            elif topic == self.topics.siren_state:
                self._handler.on_siren_state(parse_on_off(bytes(raw)))
            elif topic == self.topics.availability:
                self._handler.on_availability(parse_availability(bytes(raw)))
            elif topic == self.topics.telemetry:
                self._handler.on_telemetry(parse_telemetry(bytes(raw)))
        except MalformedPayloadError as err:
            self._count_problem(topic, err)

    async def _press(self, press: PressMessage) -> None:
        try:
            await self._handler.on_press(press)
        except MalformedPayloadError:
            raise
        except Exception as err:
            if not self.unstored:  # once until a press is stored again
                _LOGGER.warning(
                    "A press could not be stored (%s); the broker will send it again",
                    err,
                    exc_info=not isinstance(err, StorageError),
                )
            self.unstored += 1
            raise RedeliveryNeededError from err
        if self.unstored:
            _LOGGER.info("Presses are stored again")
            self.unstored = 0

    def _count_problem(self, topic: str, err: MalformedPayloadError) -> None:
        key = f"{topic}:{err.problem}"
        if not self.problems[key]:
            _LOGGER.warning(
                "Ignoring a malformed message on %s (%s); further ones of this kind "
                "are only counted (see diagnostics)",
                topic,
                err,
            )
        self.problems[key] += 1

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._handler.on_link(connected)

    async def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        """Publish with QoS 1; raise KitConnectError when the link is down."""
        client = self._client
        if client is None:
            raise KitConnectError("not connected to the broker")
        try:
            await client.publish(topic, payload, qos=1, retain=retain)
        except aiomqtt.MqttError as err:
            raise KitConnectError(str(err)) from err
