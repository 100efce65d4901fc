"""Sending the police's answers to the fronts: signed, in order per incident, retried.

An answer is stored first (with the incident's new police state and its audit row), then
this worker posts it to the front's status webhook, signed with the front's newest secret
by the ``standardwebhooks`` library, with a fresh ``webhook-timestamp`` on every attempt
(the front accepts 40 s back, 20 s ahead) and the same ``webhook-id`` (the front dedupes by
it). Answers of one incident leave one at a time, oldest first. Retries back off from 1 s to
60 s; after :data:`MAX_ATTEMPTS` the answer is marked ``failed`` and shown as such.

A front with no status webhook (behind NAT, docs/city-uplink.md) gets its answers over the
city broker when the console has one (``--mqtt``): signed the same way, the headers as MQTT 5
user properties, published with QoS 1 to ``<prefix>/fronts/<front_id>/answers``; the
broker's PUBACK counts as delivered (it keeps the answer in the front's persistent session).

Several instances on one PostgreSQL may both try an answer: the front answers the second
copy ``409 replayed``, which counts as delivered (claiming rows is issue #19 part 3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from datetime import UTC, datetime, timedelta
from functools import partial
import logging
import random
from typing import Final, Protocol

import aiohttp
from standardwebhooks import Webhook

from ..background import Background
from ..storage.answers import due_answers, next_due, record_attempt
from ..storage.db import Database, Row, StorageError
from ..storage.fronts import Front, get_front
from ..tiempo import Clock

LOGGER: Final = logging.getLogger(__name__)
TIMEOUT: Final = aiohttp.ClientTimeout(total=10, connect=3)
MAX_ATTEMPTS: Final = 30
MAX_BACKOFF_S: Final = 60.0
REFUSED: Final = frozenset({400, 404, 409, 413, 422, 431})
USER_AGENT: Final = "mi-frente-seguro-consola/1"


class AnswerPublisher(Protocol):
    """The city broker, as the answer worker sees it (``consola.mqtt.consumer.MqttLink``)."""

    def answers_topic(self, front_id: str) -> str:
        """Return the answers topic of ``front_id``."""
        ...

    async def publish(self, topic: str, body: bytes, headers: dict[str, str]) -> str:
        """Publish with QoS 1; return "" once the broker took it, else why not."""
        ...


def signed_headers(
    secret: str, webhook_id: str, body: str, clock: Clock
) -> dict[str, str]:
    """Return the headers of one attempt, signed now with ``secret``."""
    now = clock().astimezone(
        UTC
    )  # the library reads the time as UTC, whatever its zone
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def classify(status: int, text: str) -> str:
    """Return the delivery state an HTTP answer leads to."""
    if 200 <= status < 300:
        return "delivered"
    if status == 409 and "replayed" in text:
        return "delivered"  # the front had applied this very webhook-id already
    if status in REFUSED:
        return "refused"
    return "retrying"


class AnswerWorker:
    """Delivers due answers; :meth:`kick` after storing one."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        on_change: Callable[[int], None],
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """Read answers from ``db``; call ``on_change(incident_pk)`` after each attempt."""
        self.db = db
        self.clock = clock
        self.on_change = on_change
        self.jitter = jitter
        self._wake = asyncio.Event()
        self._loop = Background("consola-answers")
        self._session: aiohttp.ClientSession | None = None
        self.publisher: AnswerPublisher | None = None  # the city broker, if any

    def start(self) -> None:
        """Start the loop (it first sends what an earlier run left)."""
        self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        self._loop.start(self._run())
        self._wake.set()

    async def stop(self) -> None:
        """Stop the loop and close the client session."""
        await self._loop.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def kick(self) -> None:
        """Look for due answers now."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                if await self.deliver_due():
                    self._wake.set()  # the next answer of an incident may be due now
                    continue
                due = await self.db.tx(next_due)
            except StorageError:
                LOGGER.warning("answers: storage unavailable, trying again in 5 s")
                due = self.clock() + timedelta(seconds=5)
            if due is not None:
                delay = max(0.0, (due - self.clock()).total_seconds())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
                self._wake.set()

    async def deliver_due(self) -> int:
        """Try every due answer once; return how many were tried."""
        rows = await self.db.tx(lambda tx: due_answers(tx, self.clock()))
        for row in rows:
            front = await self.db.tx(partial(get_front, front_id=row["front_id"]))
            await self._attempt(row, front)
            self.on_change(int(row["incident_pk"]))
        return len(rows)

    async def _attempt(self, row: Row, front: Front | None) -> None:
        answer_id, attempts = int(row["id"]), int(row["attempts"]) + 1
        if front is not None and front.secrets and not front.status_webhook_url:
            if self.publisher is not None:
                await self._publish(row, front, answer_id, attempts)
                return
        if front is None or not front.status_webhook_url or not front.secrets:
            await self.db.tx(
                lambda tx: record_attempt(
                    tx, answer_id, delivery="no_webhook", http_status=None, answer="",
                    next_at=None,
                )
            )  # fmt: skip
            return
        headers = signed_headers(
            front.secrets[-1][1], row["webhook_id"], row["body"], self.clock
        )
        status: int | None = None
        try:
            assert self._session is not None
            async with self._session.post(
                front.status_webhook_url, data=row["body"].encode(), headers=headers,
                allow_redirects=False,
            ) as response:  # fmt: skip
                status = response.status
                text = (await response.text(errors="replace"))[:300]
            delivery = classify(status, text)
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            text, delivery = type(err).__name__, "retrying"
        next_at = None
        if delivery == "retrying":
            delivery, next_at = self._retry(attempts)
        LOGGER.info("answer %s to %s: %s (%s)", answer_id, front.id, delivery, status)
        await self.db.tx(
            lambda tx: record_attempt(
                tx, answer_id, delivery=delivery, http_status=status, answer=text,
                next_at=next_at,
            )
        )  # fmt: skip

    async def _publish(
        self, row: Row, front: Front, answer_id: int, attempts: int
    ) -> None:
        """Send one answer over the city broker; retry with backoff until PUBACK."""
        assert self.publisher is not None
        headers = signed_headers(
            front.secrets[-1][1], row["webhook_id"], row["body"], self.clock
        )
        for name in ("Content-Type", "User-Agent"):
            headers.pop(name, None)
        why = await self.publisher.publish(
            self.publisher.answers_topic(front.id), row["body"].encode(), headers
        )
        delivery, next_at = ("delivered", None) if not why else self._retry(attempts)
        LOGGER.info(
            "answer %s to %s over MQTT: %s %s", answer_id, front.id, delivery, why
        )
        await self.db.tx(
            lambda tx: record_attempt(
                tx, answer_id, delivery=delivery, http_status=None,
                answer=why or "mqtt puback", next_at=next_at,
            )
        )  # fmt: skip

    def _retry(self, attempts: int) -> tuple[str, datetime | None]:
        """Return the state and next time of an answer that was not taken."""
        if attempts >= MAX_ATTEMPTS:
            return "failed", None
        wait = min(MAX_BACKOFF_S, 2.0 ** (attempts - 1)) * (0.5 + self.jitter() / 2)
        return "retrying", self.clock() + timedelta(seconds=wait)
