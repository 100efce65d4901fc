"""The reconnect loop of a long-running MQTT link (the kit's, and the city uplink's).

A link connects, runs its session until the connection ends, and connects again after a
full-jitter backoff (0.5 s doubling to 30 s, times a random fraction) until
:meth:`ReconnectingLink.stop` or a refusal its subclass treats as final. A session that
raises :class:`RedeliveryNeededError` (something received could not be stored) drops the
connection without acknowledging it, so the broker sends it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
from typing import ClassVar

import aiomqtt

from .interrupt import unless_set

BACKOFF_MIN = 0.5  # s
BACKOFF_MAX = 30.0  # s
STOP_GRACE = 5.0  # s: a stop waits this long for the message in hand to be stored


class RedeliveryNeededError(Exception):
    """The handler could not store a message: leave it unacknowledged and reconnect."""


class ReconnectingLink:
    """Keeps one MQTT connection up: subclasses say how to connect and what to do."""

    _logger: ClassVar[logging.Logger]
    _redelivery_note: ClassVar[str]  # logged (debug) when a session asks for redelivery

    def __init__(
        self,
        rand: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        """Start down; ``rand`` and ``sleep`` pace the reconnects."""
        self._rand = rand
        self._sleep = sleep
        self._client: aiomqtt.Client | None = None
        self._stopping = asyncio.Event()
        self.connected = False
        self.reconnects = 0
        self.unstored = 0  # messages the handler could not store (sent again)

    async def run(self) -> None:
        """Keep the link up until :meth:`stop` (or cancelled) or a final refusal."""
        attempt = 0
        while not self._stopping.is_set():
            try:
                async with self._connect() as client:
                    attempt = 0
                    await self._session(client)
            except aiomqtt.MqttError as err:
                if self._refused(err, attempt):
                    return
            except RedeliveryNeededError:
                self._logger.debug(self._redelivery_note)
            finally:
                self._down()
            if self._stopping.is_set():
                return
            attempt += 1
            self.reconnects += 1
            await unless_set(self._sleep(self.backoff(attempt)), self._stopping)

    def stop(self) -> None:
        """Ask :meth:`run` to end: it disconnects cleanly (a DISCONNECT) and returns.

        A message being stored when the link stops is given ``STOP_GRACE`` seconds to be
        stored and acknowledged; one that is not done by then is not acknowledged, and
        the broker sends it again on the next connection (persistent session).
        """
        self._stopping.set()

    def backoff(self, attempt: int) -> float:
        """Return a full-jitter delay for reconnect ``attempt`` (1, 2, ...)."""
        ceiling = min(BACKOFF_MAX, BACKOFF_MIN * 2.0 ** (attempt - 1))
        return float(self._rand() * ceiling)

    def _connect(self) -> aiomqtt.Client:
        """Return a new client, not yet connected."""
        raise NotImplementedError

    async def _session(self, client: aiomqtt.Client) -> None:
        """Serve one connection until it ends."""
        raise NotImplementedError

    def _refused(self, err: aiomqtt.MqttError, attempt: int) -> bool:
        """Handle a lost or refused connection; return True to end :meth:`run`."""
        raise NotImplementedError

    def _down(self) -> None:
        """Forget the connection that ended (called after every one)."""
        raise NotImplementedError
