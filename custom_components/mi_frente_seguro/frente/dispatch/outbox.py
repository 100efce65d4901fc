"""The durable outbox of one front: police messages, delivered in order, at least once.

The outbox's tables live in the front's incident file and share its
:class:`~..committer.Committer`. :meth:`Outbox.prepare` turns a message into the writes
that queue it (and what to do once they are committed); the ledger commits them in the
same transaction as the incident change that caused the message (one fsync for the press
and its alert; both on disk, or neither). Nothing changes in memory before that commit:
the message joins the delivery queue only once it is durable. :meth:`Outbox.enqueue` does
the same for a message on its own.

A delivery task (``start``/``stop``) POSTs the oldest undelivered message to the endpoint,
signed (Standard Webhooks), and moves to the next one only when it is delivered, dropped
or set aside. So a front's messages arrive in the order they were queued, and a restart,
or a kill, resumes where the file says. A newer ``presses``/``kind`` update replaces the
one of its incident still waiting (``queue.py``), and the replaced row is deleted.

Answers: 2xx delivered. 400, 413 and 422 mean the receiver refuses this message for good:
it becomes a dead letter (kept in the file with the receiver's reason) and the next one
flows. 410 Gone means the endpoint is retired: delivery pauses (messages are kept) and is
tried again every ``gone_probe`` seconds or at once after ``resume()``. Anything else
(other 4xx, 5xx, refused, timeout) is retried with full-jitter backoff (``retry.py``),
honouring Retry-After; ``retry_now()`` (a sign the endpoint is back) ends a backoff early.
A real alarm is retried forever; a drill is dropped after ``drill_max_attempts`` failed
attempts in one run. Every retry carries the same ``webhook-id`` (the message id), so
receivers dedupe by it. The endpoint going away and coming back is logged once each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
import logging
import random as _random
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp

from ..committer import Committer, Write
from ..interrupt import unless_set
from .attempt import DEFAULT_TIMEOUT, OutboxFormat, post_signed
from .cap import to_cap
from .messages import MessageRef, MessageType, encode_json
from .outbox_db import (
    DEAD,
    DELIVERED,
    DROPPED,
    KEEP_DEAD,
    DeadLetter,
    Finish,
    Insert,
    OutboxDatabase,
    StoredMessage,
)
from .queue import DeliveryQueue, replacement_key
from .retry import RetryWait, next_delay
from .signing import WebhookSecret

_LOGGER = logging.getLogger(__name__)

type EventKind = Literal[
    "enqueued",
    "delivered",
    "failed",
    "dropped",
    "dead",
    "superseded",
    "gone",
    "resumed",
]

DRILL_MAX_ATTEMPTS = 10  # about 2-4 minutes of retries
KEEP_DONE = 1000  # delivered/dropped rows kept in the file
GONE_PROBE = 300.0  # s between tries of an endpoint that answered 410 Gone
REFUSED_FOR_GOOD = frozenset({400, 413, 422})  # this message will never be taken


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """A change of the outbox, told to its owner."""

    kind: EventKind
    message_id: str | None = None
    incident_id: str | None = None
    message_type: str | None = None
    latency: float | None = None  # seconds from enqueue to delivery
    error: str | None = None  # why an attempt failed (no secrets, no body we sent)


@dataclass(frozen=True, slots=True)
class Staged:
    """The writes that queue a message, and what to run once they are committed."""

    writes: tuple[Write, ...]
    after: Callable[[], None]
    inserted: Callable[[], bool]  # after the commit: False if the id was queued before


class Outbox:
    """One front's police messages to one endpoint."""

    def __init__(
        self,
        committer: Committer,
        session: aiohttp.ClientSession,
        url: str,
        secrets: Iterable[WebhookSecret],
        *,
        message_format: OutboxFormat = OutboxFormat.JSON,
        cap_sender: str | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        drill_max_attempts: int = DRILL_MAX_ATTEMPTS,
        keep_done: int = KEEP_DONE,
        gone_probe: float = GONE_PROBE,
        on_event: Callable[[OutboxEvent], None] | None = None,
    ) -> None:
        """Set up on the front's file; ``secrets``: the primary first, then the previous."""
        self.committer = committer
        self._db = OutboxDatabase(max(keep_done, 1))
        self._session = session
        self._url = url
        self._secrets = _checked(secrets)
        self.message_format = OutboxFormat(message_format)
        self._cap_sender = cap_sender
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sleep = sleep
        self._retry = RetryWait(sleep)
        self._random = random
        self._timeout = timeout
        self._drill_max_attempts = drill_max_attempts
        self._gone_probe = gone_probe
        self.on_event = on_event
        self._queue = DeliveryQueue()
        self._originals: dict[str, tuple[str, str]] = {}
        self._wakeup = asyncio.Event()
        self._resumed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._opened = False
        self._finished = 0  # delivered/dropped since the last prune
        self.gone = False
        self.reachable: bool | None = None
        self.last_latency: float | None = None
        self.last_error: str | None = None
        self.dead_letters: list[DeadLetter] = []  # newest first

    def __repr__(self) -> str:
        """Show the endpoint without credentials, path or query."""
        return (
            f"Outbox(endpoint={self.endpoint!r}, format={self.message_format.value}, "
            f"depth={self.depth})"
        )

    @property
    def endpoint(self) -> str:
        """Return the endpoint's scheme, host and port only (safe to log)."""
        parts = urlsplit(self._url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}"

    @property
    def depth(self) -> int:
        """Return how many messages are not yet delivered (nor dropped, nor replaced)."""
        return len(self._queue)

    def original_of(self, incident_id: str) -> MessageRef | None:
        """Return the reference of ``incident_id``'s created message, if it was queued."""
        found = self._originals.get(incident_id)
        if found is None:
            return None
        return MessageRef(found[0], datetime.fromisoformat(found[1]))

    async def open(self) -> None:
        """Load the undelivered messages, oldest first (the file's owner opened it)."""
        loaded = await self.committer.run(self._db.load)
        self._queue.extend(loaded.pending)
        self._originals.update(loaded.originals)
        self.dead_letters = loaded.dead
        if loaded.last_latency_ms is not None:
            self.last_latency = loaded.last_latency_ms / 1000
        self._opened = True

    def prepare(self, message: Mapping[str, Any]) -> Staged:
        """Return the writes that queue ``message``; nothing changes until they commit.

        A message other than ``incident.created`` without ``references`` gets the
        reference of its incident's created message when this outbox queued it. Raises
        ``ValueError`` for a message that cannot be encoded (e.g. a NaN number).
        """
        if not self._opened:
            raise RuntimeError("outbox is not open")
        message = dict(message)
        is_created = message["type"] == MessageType.CREATED
        if not is_created and "references" not in message:
            if (ref := self.original_of(message["incident_id"])) is not None:
                message["references"] = ref.to_dict()
        if self.message_format is OutboxFormat.CAP:
            body = to_cap(message, self._cap_sender)
        else:
            body = encode_json(message)
        stored = StoredMessage(
            message_id=str(message["id"]),
            incident_id=str(message["incident_id"]),
            message_type=str(message["type"]),
            exercise=bool(message["exercise"]),
            body=body,
            enqueued_at=self._clock().timestamp(),
            supersedes=replacement_key(message),
        )
        op = Insert(stored, str(message["sent_at"]) if is_created else None)
        writes: list[Write] = [partial(self._db.insert, op)]
        victim = self._queue.replaceable(stored)
        if victim is not None:
            writes.append(partial(self._db.supersede, victim.seq))
        return Staged(
            tuple(writes), partial(self._accepted, op, victim), lambda: op.inserted
        )

    async def enqueue(self, message: Mapping[str, Any]) -> bool:
        """Queue a message on its own; return once it is on disk (False: queued before)."""
        staged = self.prepare(message)
        await asyncio.shield(self.committer.stage(*staged.writes, after=staged.after))
        return staged.inserted()

    def _accepted(self, op: Insert, victim: StoredMessage | None) -> None:
        """Take a committed message into the queue (on the loop, in commit order).

        The delivery task is woken first and the owner told afterwards (``call_soon``
        keeps that order): whatever the owner does with the news (refreshing entities)
        runs after the POST has started, never before it.
        """
        if not op.inserted:
            return
        message = op.message
        if op.original_sent_at is not None:
            self._originals.setdefault(
                message.incident_id, (message.message_id, op.original_sent_at)
            )
        replaced = self._queue.append(message, victim)
        self._wakeup.set()
        loop = asyncio.get_running_loop()
        if replaced:
            assert victim is not None
            loop.call_soon(self._notify, OutboxEvent("superseded", *_ids(victim)))
        loop.call_soon(self._notify, OutboxEvent("enqueued", *_ids(message)))

    def start(self) -> None:
        """Start delivering (in a task of the running loop)."""
        if not self._opened:
            raise RuntimeError("outbox is not open")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._deliver_forever(), name="mfs-outbox-delivery"
            )

    async def stop(self) -> None:
        """Stop delivering; an attempt in flight is abandoned (and sent again later)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])

    async def close(self) -> None:
        """Stop, and prune the file's finished rows (the file stays open: its owner's)."""
        await self.stop()
        if self._opened:
            self._opened = False
            if self._finished and self.committer.is_open:
                await asyncio.shield(self.committer.stage(self._db.prune))

    def resume(self) -> None:
        """Deliver again after a 410 (the endpoint was fixed or replaced)."""
        if self.gone:
            self.gone = False
            self._resumed.set()
            self._notify(OutboxEvent("resumed"))

    def retry_now(self) -> None:
        """Try the waiting message now, not at the end of its backoff (unless asked to wait).

        For a sign that the endpoint is back, such as a signed call from the police system.
        """
        self._retry.kick()

    async def _deliver_forever(self) -> None:
        while True:
            if self.gone:
                self._resumed.clear()
                if not await unless_set(self._sleep(self._gone_probe), self._resumed):
                    _LOGGER.debug("Trying %s again after its 410", self.endpoint)
            if (head := self._queue.head()) is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await self._deliver_head(head)

    async def _deliver_head(self, message: StoredMessage) -> None:
        self._retry.arm()
        started = self._clock()
        status, retry_after, error = await self._post(message, started)
        if status is not None and 200 <= status < 300:
            done = self._clock().timestamp()
            latency = max(done - message.enqueued_at, 0.0)
            self._queue.pop_head()
            self._reached(True, None)
            self.last_latency = latency
            if self.gone:
                self.resume()  # a probe after a 410 was taken: the endpoint is back
            await self._finish(Finish(message.seq, DELIVERED, done, latency * 1000))
            self._notify(OutboxEvent("delivered", *_ids(message), latency=latency))
            return
        if status in REFUSED_FOR_GOOD:
            self._reached(
                True, None
            )  # it answered: up, but it will never take this one
            _LOGGER.error(
                "Police endpoint %s refused message %s for good (%s): set aside",
                self.endpoint,
                message.message_id,
                error,
            )
            await self._set_aside(message, DEAD, error)
            return
        self._reached(False, error)
        if status == 410:
            if not self.gone:
                _LOGGER.warning("Police endpoint %s answered 410 Gone", self.endpoint)
                self.gone = True
                self._notify(OutboxEvent("gone", *_ids(message), error=error))
            return
        message.failures += 1
        self._notify(OutboxEvent("failed", *_ids(message), error=error))
        if message.exercise and message.failures >= self._drill_max_attempts:
            _LOGGER.warning("Dropping drill message %s: %s", message.message_id, error)
            await self._set_aside(message, DROPPED, error)
            return
        delay = next_delay(message.failures, retry_after, self._random)
        await self._retry.wait(delay, asked=retry_after is not None)

    def _reached(self, reachable: bool, error: str | None) -> None:
        """Record whether the endpoint answered; log when that changes, once each way."""
        if reachable and self.reachable is False:
            _LOGGER.info("Police endpoint %s is reachable again", self.endpoint)
        elif not reachable and self.reachable is not False:
            _LOGGER.warning(
                "Police endpoint %s cannot be reached (%s); retrying",
                self.endpoint,
                error,
            )
        self.reachable, self.last_error = reachable, error

    async def _set_aside(self, message: StoredMessage, status: str, error: str) -> None:
        """Take a message out of the queue for good: a dropped drill or a dead letter."""
        self._queue.pop_head()
        done = self._clock().timestamp()
        await self._finish(Finish(message.seq, status, done, error=error))
        if status == DEAD:
            letter = DeadLetter(
                message.message_id,
                message.incident_id,
                message.message_type,
                done,
                error,
            )
            self.dead_letters = [letter, *self.dead_letters[: KEEP_DEAD - 1]]
        kind: EventKind = "dead" if status == DEAD else "dropped"
        self._notify(OutboxEvent(kind, *_ids(message), error=error))

    async def _finish(self, op: Finish) -> None:
        """Record a delivery or drop; if the file fails, the message is sent again later."""
        try:
            done = self.committer.stage(partial(self._db.finish, op))
            self._finished += 1
            if self._finished >= self._db.keep_done:  # the prune reads the whole table
                self._finished = 0
                self.committer.stage(self._db.prune, once="outbox:prune")
            await asyncio.shield(done)
        except Exception:  # noqa: BLE001  (logged by the committer; resent later)
            _LOGGER.debug("Could not record outbox message %s as %s", op.seq, op.status)

    async def _post(
        self, message: StoredMessage, now: datetime
    ) -> tuple[int | None, float | None, str]:
        """Make one attempt; return (HTTP status or None, Retry-After, error text)."""
        answer = await post_signed(
            self._session,
            self._url,
            message.message_id,
            message.body,
            secrets=self._secrets,
            message_format=self.message_format,
            timeout=self._timeout,
            now=now,
        )
        return answer.status, answer.retry_after, answer.error

    def _notify(self, event: OutboxEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            _LOGGER.exception("Outbox listener failed on %s", event.kind)


def _ids(message: StoredMessage) -> tuple[str, str, str]:
    return message.message_id, message.incident_id, message.message_type


def _checked(secrets: Iterable[WebhookSecret]) -> tuple[WebhookSecret, ...]:
    keys = tuple(secrets)
    if not keys:
        raise ValueError("an outbox needs at least one signing secret")
    return keys
