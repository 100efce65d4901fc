"""The durable outbox of one front: police messages, delivered in order, at least once.

``enqueue`` returns once the message is committed to an SQLite file (WAL, synchronous=FULL);
concurrent enqueues share one commit. The outbox's tables live in the front's incident file
and share its :class:`~custom_components.mi_frente_seguro.frente.committer.Committer`:
``stage`` queues a message in the same transaction as the incident change staged just
before it (one fsync for the press and its alert; both on disk, or neither). A delivery
task (``start``/``stop``) POSTs the oldest undelivered message to the endpoint, signed
(Standard Webhooks), and moves to the next one only when it is delivered (2xx) or, for a
drill, dropped. So a front's messages arrive in the order they were queued, and a restart,
or a kill, resumes where the file says. A newer ``presses``/``kind`` update replaces the one
of its incident still waiting (``queue.py``): each message carries the whole incident.

Answers: 2xx delivered; 410 Gone: the endpoint is retired, delivery stops and ``on_gone``
fires (messages are kept; ``resume()`` after the endpoint is fixed); anything else (other
4xx, 5xx, refused, timeout) is retried with full-jitter backoff (``retry.py``), honouring
Retry-After; ``retry_now()`` (a sign the endpoint is back) ends a backoff early. A real
alarm is retried forever; a drill is dropped after ``drill_max_attempts`` failed attempts
in one run. Every retry carries the same ``webhook-id`` (the message id), so receivers
dedupe by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
import logging
from pathlib import Path
import random as _random
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp

from custom_components.mi_frente_seguro.frente.committer import Committer

from .attempt import DEFAULT_TIMEOUT, OutboxFormat, post_signed
from .cap import to_cap
from .messages import MessageRef, MessageType, encode_json
from .outbox_db import (
    DELIVERED,
    DROPPED,
    Finish,
    Insert,
    Loaded,
    OutboxDatabase,
    StoredMessage,
)
from .queue import DeliveryQueue, replacement_key
from .retry import RetryWait, next_delay
from .signing import WebhookSecret

_LOGGER = logging.getLogger(__name__)

type Executor = Callable[..., Awaitable[Any]]
type EventKind = Literal[
    "enqueued", "delivered", "failed", "dropped", "superseded", "gone", "resumed"
]

DRILL_MAX_ATTEMPTS = 10  # about 2-4 minutes of retries
KEEP_DONE = 1000  # delivered/dropped rows kept in the file


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """A change of the outbox, told to listeners."""

    kind: EventKind
    message_id: str | None = None
    incident_id: str | None = None
    message_type: str | None = None
    latency: float | None = None  # seconds from enqueue to delivery
    error: str | None = None  # why an attempt failed (no secrets, no body)


class Outbox:
    """One front's police messages to one endpoint."""

    def __init__(
        self,
        store: Path | Committer,
        session: aiohttp.ClientSession,
        url: str,
        secrets: Iterable[WebhookSecret],
        *,
        message_format: OutboxFormat = OutboxFormat.JSON,
        cap_sender: str | None = None,
        executor: Executor | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        drill_max_attempts: int = DRILL_MAX_ATTEMPTS,
        keep_done: int = KEEP_DONE,
        on_gone: Callable[[], None] | None = None,
    ) -> None:
        """Set up; ``secrets`` is the primary first, then the previous one while rotating.

        ``store`` is a file of the outbox's own, or the committer of a file it shares
        (the front's incident file, opened and closed by its owner).
        """
        self._db = OutboxDatabase(max(keep_done, 1))
        self._owns_file = not isinstance(store, Committer)
        self.committer = (
            store if isinstance(store, Committer) else Committer(store, executor)
        )
        self._session = session
        self._url = url
        self._secrets = _checked(secrets)
        self.message_format = OutboxFormat(message_format)
        self._cap_sender = cap_sender
        self._clock = clock or (lambda: datetime.now(UTC))
        self._retry = RetryWait(sleep)
        self._random = random
        self._timeout = timeout
        self._drill_max_attempts = drill_max_attempts
        self._on_gone = on_gone
        self._queue = DeliveryQueue()
        self._originals: dict[str, tuple[str, str]] = {}
        self._listeners: list[Callable[[OutboxEvent], None]] = []
        self._wakeup = asyncio.Event()
        self._resumed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._opened = False
        self._finished = 0  # delivered/dropped since the last prune
        self.gone = False
        self.reachable: bool | None = None
        self.last_latency: float | None = None
        self.last_error: str | None = None

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

    def set_secrets(self, secrets: Iterable[WebhookSecret]) -> None:
        """Sign from the next attempt on with ``secrets`` (primary first)."""
        self._secrets = _checked(secrets)

    def add_listener(
        self, listener: Callable[[OutboxEvent], None]
    ) -> Callable[[], None]:
        """Call ``listener`` on every change; return a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def original_of(self, incident_id: str) -> MessageRef | None:
        """Return the reference of ``incident_id``'s created message, if it was queued."""
        found = self._originals.get(incident_id)
        if found is None:
            return None
        return MessageRef(found[0], datetime.fromisoformat(found[1]))

    async def open(self) -> None:
        """Open the file and load the undelivered messages, oldest first."""
        await self.committer.open()
        loaded = await self.committer.run(self._db.load)
        self._queue.extend(loaded.pending)
        self._originals.update(loaded.originals)
        if loaded.last_latency_ms is not None:
            self.last_latency = loaded.last_latency_ms / 1000
        self._opened = True

    async def enqueue(self, message: Mapping[str, Any]) -> bool:
        """Queue a police message; return once it is on disk.

        Returns False when a message with the same id was already queued (nothing changes).
        A message other than ``incident.created`` without ``references`` gets the
        reference of its incident's created message when this outbox queued it.
        """
        return await self.stage(message)

    def stage(self, message: Mapping[str, Any]) -> Coroutine[Any, Any, bool]:
        """Stage a message for the file's next commit, now; await the result to know.

        Nothing is awaited before the message is staged, so a caller that stages an
        incident change first gets both into one transaction. The returned coroutine ends
        (as :meth:`enqueue`) once the message is on disk; close it unawaited if the
        commit is not wanted any more (the message is committed anyway).
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
        )
        sent_at = str(message["sent_at"])
        op = Insert(stored, sent_at if is_created else None)
        new_original = is_created and stored.incident_id not in self._originals
        if new_original:  # known at once, so an update queued meanwhile references it
            self._originals[stored.incident_id] = (stored.message_id, sent_at)
        stored.supersedes = replacement_key(message)
        victim = self._queue.replaceable(stored)
        if victim is not None:
            self.committer.stage(partial(self._db.supersede, victim.seq))
        committed = self._stage_insert(op, victim)
        return self._settle(committed, op, new_original=new_original)

    async def adopt(self, loaded: Loaded) -> int:
        """Queue, in one commit, what another outbox file held; return how many were new.

        Its pending messages keep their order (after those already queued) and its
        incidents' created-message references are remembered.
        """
        if not self._opened:
            raise RuntimeError("outbox is not open")
        ops = [Insert(replace(m, seq=0, failures=0)) for m in loaded.pending]
        committed = [self._stage_insert(op) for op in ops]
        for incident_id, (message_id, sent_at) in loaded.originals.items():
            if incident_id not in self._originals:
                self._originals[incident_id] = (message_id, sent_at)
                committed.append(
                    self.committer.stage(
                        partial(
                            self._db.remember_original, incident_id, message_id, sent_at
                        )
                    )
                )
        if committed:
            await asyncio.shield(committed[-1])
        return sum(op.inserted for op in ops)

    def _stage_insert(
        self, op: Insert, victim: StoredMessage | None = None
    ) -> asyncio.Future[None]:
        """Stage ``op``; once committed, its message joins the queue (replacing ``victim``)."""
        return self.committer.stage(
            partial(self._db.insert, op), after=partial(self._accepted, op, victim)
        )

    def _accepted(self, op: Insert, victim: StoredMessage | None = None) -> None:
        """Take a committed message into the queue (on the loop, in commit order)."""
        if not op.inserted:
            return
        if self._queue.append(op.message, victim):
            assert victim is not None
            self._notify(OutboxEvent("superseded", *_ids(victim)))
        self._wakeup.set()

    async def _settle(
        self, committed: asyncio.Future[None], op: Insert, *, new_original: bool
    ) -> bool:
        try:
            await asyncio.shield(committed)
        except Exception:  # not committed (a cancelled caller's commit still lands)
            if new_original:
                self._originals.pop(op.message.incident_id, None)
            raise
        if op.inserted:
            self._notify(OutboxEvent("enqueued", *_ids(op.message)))
        return op.inserted

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
        """Stop; close the file if it is the outbox's own (after its pending writes)."""
        await self.stop()
        if self._opened:
            self._opened = False
            if self._finished and self.committer.is_open:
                await asyncio.shield(self.committer.stage(self._db.prune))
            if self._owns_file:
                await self.committer.close()

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
                await self._resumed.wait()
                continue
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
            self.reachable, self.last_error, self.last_latency = True, None, latency
            await self._finish(Finish(message.seq, DELIVERED, done, latency * 1000))
            self._notify(OutboxEvent("delivered", *_ids(message), latency=latency))
            return
        self.reachable, self.last_error = False, error
        if status == 410:
            _LOGGER.warning("Police endpoint %s answered 410 Gone", self.endpoint)
            self.gone = True
            self._notify(OutboxEvent("gone", *_ids(message), error=error))
            if self._on_gone is not None:
                self._on_gone()
            return
        message.failures += 1
        self._notify(OutboxEvent("failed", *_ids(message), error=error))
        if message.exercise and message.failures >= self._drill_max_attempts:
            _LOGGER.warning("Dropping drill message %s: %s", message.message_id, error)
            self._queue.pop_head()
            done = self._clock().timestamp()
            await self._finish(Finish(message.seq, DROPPED, done, error=error))
            self._notify(OutboxEvent("dropped", *_ids(message), error=error))
            return
        delay = next_delay(message.failures, retry_after, self._random)
        await self._retry.wait(delay, asked=retry_after is not None)

    async def _finish(self, op: Finish) -> None:
        """Record a delivery or drop; if the file fails, the message is sent again later."""
        try:
            done = self.committer.stage(partial(self._db.finish, op))
            self._finished += 1
            if self._finished >= self._db.keep_done:  # the prune reads the whole table
                self._finished = 0
                self.committer.stage(self._db.prune, key="outbox:prune")
            await asyncio.shield(done)
        except Exception:
            _LOGGER.exception(
                "Could not record outbox message %s as %s", op.seq, op.status
            )

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
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                _LOGGER.exception("Outbox listener failed on %s", event.kind)


def _ids(message: StoredMessage) -> tuple[str, str, str]:
    return message.message_id, message.incident_id, message.message_type


def _checked(secrets: Iterable[WebhookSecret]) -> tuple[WebhookSecret, ...]:
    keys = tuple(secrets)
    if not keys:
        raise ValueError("an outbox needs at least one signing secret")
    return keys
